"""Markdown written by people, turned once (when saved) into safe HTML that pages show as is.

markdown-it-py renders CommonMark with raw HTML disabled; bleach then keeps only an
allow-list of tags and attributes, only http(s) and mailto links (entity-encoded
schemes included), and images only at the exact address of a file this site stored
(`/uploads/<generated name>`): any other address, even one on this site that a browser
would resolve into another page (dot segments, percent-encoding, backslashes, a query),
loses its src, so that no text makes its readers' browsers request anything else. Every link gets
rel="nofollow ugc noopener". Headings are pushed down two levels so that a text never
competes with the page's own headings.
"""
from __future__ import annotations

import re

import bleach
from markdown_it import MarkdownIt
from sqlalchemy import select, update

from civic.extensions import db

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "strong", "em", "code", "pre", "blockquote",
    "ul", "ol", "li", "h3", "h4", "h5", "h6", "a", "img",
})
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"
# The address of a stored upload, as civic.uploads.services.save_image names the file (a uuid4's hex
# and the extension of the re-encoded image) and civic/posts/image_views.py serves it; nothing else.
UPLOAD_ADDRESS = re.compile(r"/uploads/[0-9a-f]{32}\.(?:jpg|png)")

# Bare addresses (www.example.it, https://...) become links too (linkify-it-py).
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False}).enable("linkify")


def _attribute_allowed(tag: str, name: str, value: str) -> bool:
    if tag == "a":
        return name in ("href", "title") or (name == "rel" and value == LINK_REL)
    if tag == "img":
        if name == "src":
            return UPLOAD_ADDRESS.fullmatch(value) is not None
        return name in ("alt", "title")
    if tag == "ol":
        return name == "start"
    return False


_cleaner = bleach.sanitizer.Cleaner(
    tags=ALLOWED_TAGS, attributes=_attribute_allowed, protocols=ALLOWED_PROTOCOLS, strip=True,
    strip_comments=True,
)


def render_markdown(source: str) -> str:
    tokens = _markdown.parse(source or "")
    for token in _walk(tokens):
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 2, 6)}"
        elif token.type == "link_open":
            token.attrSet("rel", LINK_REL)
    html = _markdown.renderer.render(tokens, _markdown.options, {})
    return _cleaner.clean(html)


def _walk(tokens):
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)


def render_plain(source: str) -> str:
    """Plain text shown as HTML (line breaks kept), for short fields."""
    return bleach.clean(source or "", tags=set(), strip=True).replace("\n", "<br>")


def rerender_stored(batch: int = 500) -> dict[str, int]:
    """Render every stored text again and keep the HTML that differs: the HTML is made once, when a text is
    saved, so a stricter rule (an image only at a stored upload's address) reaches the texts saved before it
    only this way. Every table with a `<name>_markdown` column beside a `<name>_html` one is covered, a new
    one included. Returns "table.column" → rows changed; commits each batch."""
    changed: dict[str, int] = {}
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if not column.name.endswith("_markdown"):
                continue
            html_name = column.name.removesuffix("_markdown") + "_html"
            if html_name not in table.columns or "id" not in table.columns:
                continue
            html_column, last = table.columns[html_name], 0
            while True:
                rows = db.session.execute(
                    select(table.c.id, column, html_column).where(table.c.id > last).order_by(table.c.id)
                    .limit(batch)).all()
                if not rows:
                    break
                last = rows[-1].id
                for ident, source, stored in rows:
                    fresh = render_markdown(source) if source else ("" if stored is not None else None)
                    if fresh != stored:
                        db.session.execute(update(table).where(table.c.id == ident).values({html_name: fresh}))
                        changed[f"{table.name}.{html_name}"] = changed.get(f"{table.name}.{html_name}", 0) + 1
                db.session.commit()
    return changed
