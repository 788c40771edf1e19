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
