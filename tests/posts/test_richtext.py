"""Markdown written by people is shown safely: classic XSS payloads stay inert, stored and shown."""
from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from civic.comments.models import Comment
from civic.core.richtext import render_markdown
from civic.extensions import db
from civic.posts.models import Idea, Need
from civic.uploads.services import save_image
from tests.posts.helpers import assert_inert, idea_form, input_value, need_form


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[dict] = []
        self.images: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.append(dict(attrs))
        elif tag == "img":
            self.images.append(dict(attrs))

    handle_startendtag = handle_starttag


def _parsed(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


# (payload, what must still be readable as text)
PAYLOADS = [
    ("<script>alert(1)</script>", "<script>alert(1)</script>"),
    ("<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"),
    ('"><svg onload=alert(1)>', '"><svg onload=alert(1)>'),
    ("[x](javascript:alert(1))", "[x](javascript:alert(1))"),
    ("[x](JaVaScRiPt:alert(1))", "[x](JaVaScRiPt:alert(1))"),
    ("[x](data:text/html;base64,PHNjcmlwdD4=)", "[x](data:text/html;base64,PHNjcmlwdD4=)"),
    ("[x](&#106;avascript:alert(1))", "javascript:alert(1)"),
    ("[x](&#x6A;avascript:alert(1))", "javascript:alert(1)"),
    ("[x](vbscript:msgbox(1))", "vbscript:msgbox(1)"),
    ("[x](<javascript:alert(1)>)", "javascript:alert(1)"),
    ('<a href="javascript:alert(1)">x</a>', '<a href="javascript:alert(1)">x</a>'),
    ("<iframe src=\"https://evil.example\"></iframe>", "<iframe"),
    ("<style>body{display:none}</style>", "<style>"),
    ("[x](javascript&colon;alert(1))", "alert(1)"),
    ('[x](https://ok.example "a\\" onmouseover=\\"alert(1)")', "x"),
    ("<details open ontoggle=alert(1)>", "ontoggle=alert(1)"),
]


@pytest.mark.parametrize("payload, visible", PAYLOADS, ids=[p for p, _ in PAYLOADS])
def test_xss_payloads_render_inert(payload, visible):
    html = render_markdown(payload)
    assert_inert(html, visible=(visible,))
    for tag in ("<script", "<iframe", "<style", "<svg", "<details", "<object", "<embed"):
        assert tag not in html.lower()
    for link in _parsed(html).links:
        assert urlsplit(link.get("href", "")).scheme in ("", "http", "https", "mailto"), link


def test_links_get_rel_and_only_http_https_and_mailto_keep_their_address():
    html = render_markdown(
        "[sito](https://comune.torino.it/) [scrivi](mailto:urp@comune.torino.it) [vecchio](http://example.org/a) "
        "[ftp](ftp://evil.example/x) [irc](irc://evil.example/x) <ftp://evil.example/y> "
        "[t](https://example.org \"Titolo\") e un indirizzo nudo https://example.net/pagina"
    )
    links = _parsed(html).links
    hrefs = [link.get("href") for link in links]
    assert hrefs.count(None) == 3  # ftp and irc: the link text stays, without an address
    assert set(hrefs) - {None} == {"https://comune.torino.it/", "mailto:urp@comune.torino.it", "http://example.org/a",
                                    "https://example.org", "https://example.net/pagina"}
    assert "irc://evil.example/x" not in hrefs
    assert all(link.get("rel") == "nofollow ugc noopener" for link in links)
    assert not any("target" in link for link in links)
    assert any(link.get("title") == "Titolo" for link in links)


# The address of an upload as the site names it (a uuid4's hex and the extension of the re-encoded image).
STORED = "/uploads/0123456789abcdef0123456789abcdef.jpg"


@pytest.mark.parametrize("source, src", [
    ("![i](https://evil.example/x.png)", None),
    ("![i](//evil.example/x.png)", None),
    ("![i](data:image/png;base64,iVBORw0KGgo=)", None),
    ("![i](/uploads/../instance/secret_key)", None),
    (f"![i]({STORED})", STORED),
    (f'<img src="{STORED}" onerror="alert(1)">', "escaped"),
])
def test_images_only_from_this_sites_uploads(source, src):
    html = render_markdown(source)
    images = _parsed(html).images
    if src == "escaped":  # raw HTML is not HTML: shown as text
        assert images == [] and "&lt;img" in html
        return
    assert len(images) == 1 and images[0].get("alt") == "i"
    assert images[0].get("src") == src
    assert_inert(html)


# Addresses on this site (or made to look so) that are not exactly a stored upload: a browser would
# resolve most of them into another page (an export, an account page) and request it for every reader.
OTHER_ADDRESSES = [
    "/uploads/%2e%2e/opendata/ideas.csv?v=0",
    "/uploads/%2E%2E/opendata/ideas.csv",
    "/uploads/%252e%252e/opendata/ideas.csv",
    "/uploads/..%2fopendata/ideas.csv",
    "/uploads/..%2Fopendata/ideas.csv",
    "/uploads/..%5copendata/ideas.csv",
    "/uploads\\..\\opendata\\ideas.csv",
    "/uploads/../opendata/ideas.csv",
    "/uploads/./../account/export",
    "/uploads/.%2e/account/export",
    "/uploads//evil.example/x.jpg",
    "//evil.example/uploads/0123456789abcdef0123456789abcdef.jpg",
    "/UPLOADS/0123456789abcdef0123456789abcdef.jpg",
    "/uploads/0123456789ABCDEF0123456789ABCDEF.jpg",
    "/uploads/0123456789abcdef0123456789abcdef.JPG",
    "/uploads/0123456789abcdef0123456789abcdef.jpg?v=0",
    "/uploads/0123456789abcdef0123456789abcdef.jpg#x",
    "/uploads/0123456789abcdef0123456789abcdef.jpg/../../opendata/ideas.csv",
    "/uploads/./0123456789abcdef0123456789abcdef.jpg",
    "/uploads/%30123456789abcdef0123456789abcdef.jpg",
    "/uploads/0123456789abcdef0123456789abcdef.svg",
    "/uploads/abc.jpg",
    "/opendata/ideas.csv",
    "http://localhost/uploads/0123456789abcdef0123456789abcdef.jpg",
    "https://localhost/uploads/../opendata/ideas.csv",
    "data:image/png;base64,iVBORw0KGgo=",
    "javascript:alert(1)",
    "&#106;avascript:alert(1)",
    "/uploads/0123456789abcdef0123456789abcdef.jpg%0a",
]


@pytest.mark.parametrize("address", OTHER_ADDRESSES)
@pytest.mark.parametrize("form", ["![i]({})", "![i](<{}>)", "![i][r]\n\n[r]: {}"])
def test_an_image_at_any_other_address_than_a_stored_upload_loses_its_address(address, form):
    html = render_markdown(form.format(address))
    assert all("src" not in image for image in _parsed(html).images), html
    assert "src=" not in html


def test_the_address_of_an_upload_the_site_stored_still_shows(app, make_user):
    for mode in ("RGB", "RGBA"):  # stored as JPEG, and as PNG when it has transparency
        data = io.BytesIO()
        Image.new(mode, (4, 4)).save(data, format="PNG")
        data.seek(0)
        upload = save_image(FileStorage(data, filename="foto.png"), make_user("resident"))
        address = f"/uploads/{upload.stored_name}"
        assert _parsed(render_markdown(f"![foto]({address})")).images == [{"alt": "foto", "src": address}]


def test_markdown_basics_are_kept_and_headings_pushed_down():
    html = render_markdown("# Titolo\n\n**grassetto** *corsivo*\n\n- uno\n- due\n\n3. tre\n\n> citato\n\n---")
    for fragment in ("<h3>Titolo</h3>", "<strong>grassetto</strong>", "<em>corsivo</em>", "<li>uno</li>",
                     '<ol start="3">', "<blockquote>", "<hr>"):
        assert fragment in html
    assert "<h1" not in html and "<h2" not in html


@pytest.mark.parametrize("source, shown", [
    ("`a < b && c`", "a < b && c"),
    ("```\nif a < b:\n    x = '&'\n```", "if a < b:\n    x = '&'"),
])
def test_code_is_shown_as_written(source, shown):
    html = render_markdown(source)
    assert re.search(r"<code>(.*?)</code>", html, re.S).group(1).strip() == (
        shown.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


# --- through the pages --------------------------------------------------------------------------

TITLE = '<script>alert(1)</script><img src=x onerror=alert(1)>"><svg onload=alert(1)>'
LINE = '"><svg onload=alert(1)> <img src=x onerror=alert(1)> <a href="javascript:alert(1)">x</a>'
BODY = "\n\n".join(p for p, _ in PAYLOADS) + f"\n\n![i](https://evil.example/x.png) ![j]({STORED})"
SHOWN_IN_BODY = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>',
                 "[x](javascript:alert(1))", '<a href="javascript:alert(1)">x</a>')


def _pages(client, post, extra=()):
    kind = "needs" if isinstance(post, Need) else "ideas"
    urls = [f"/{kind}/{post.id}-{post.slug}", f"/{kind}/{post.id}/edit", f"/cities/torino/{kind}", "/cities/torino",
            f"/users/{post.author_id}", *extra]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        yield url, response.get_data(as_text=True)


def test_need_fields_stay_inert_everywhere_they_are_shown(client, anna, torino, themes):
    client.login("anna@example.it")
    response = client.submit("/cities/torino/needs/new", need_form(themes[0], title=TITLE, body=BODY, location_text=LINE))
    assert response.status_code == 302
    need = db.session.scalar(select(Need))
    assert (need.title, need.location_text, need.body_markdown) == (TITLE, LINE, BODY)  # stored as written
    for url, html in _pages(client, need):
        assert_inert(html, visible=() if url.endswith("/edit") else (TITLE,))
    edit = client.get(f"/needs/{need.id}/edit").get_data(as_text=True)
    assert (input_value(edit, "title"), input_value(edit, "location_text")) == (TITLE, LINE)
    page = client.get(f"/needs/{need.id}-{need.slug}").get_data(as_text=True)
    assert_inert(page, visible=(LINE, *SHOWN_IN_BODY))
    assert 'src="https://evil.example' not in page and f'src="{STORED}"' in page
    # Its title as a choice of the idea form.
    assert_inert(client.get(f"/cities/torino/ideas/new?need={need.id}").get_data(as_text=True), visible=(TITLE,))


def test_idea_fields_stay_inert_everywhere_they_are_shown(client, anna, torino, themes, new_need):
    need = new_need(anna, torino, title=LINE)
    client.login("anna@example.it")
    response = client.submit("/cities/torino/ideas/new", idea_form(themes[0], title=TITLE, summary=LINE,
                                                                   beneficiaries=LINE + " " + TITLE, body=BODY,
                                                                   needs=[str(need.id)]))
    assert response.status_code == 302
    idea = db.session.scalar(select(Idea))
    assert (idea.summary, idea.beneficiaries) == (LINE, LINE + " " + TITLE) and idea.needs == [need]
    for url, html in _pages(client, idea):
        if url.endswith("/edit"):
            assert_inert(html)
            assert (input_value(html, "title"), input_value(html, "summary")) == (TITLE, LINE)
        else:
            assert_inert(html, visible=(TITLE, LINE))  # the summary, on the page and on the cards
    page = client.get(f"/ideas/{idea.id}-{idea.slug}").get_data(as_text=True)
    assert_inert(page, visible=(LINE + " " + TITLE, *SHOWN_IN_BODY))
    # Each one's title in the other's list of links.
    assert_inert(client.get(f"/needs/{need.id}-{need.slug}").get_data(as_text=True), visible=(TITLE, LINE))


def test_comments_stay_inert_on_the_post_and_the_profile(client, anna, bruno, torino, new_need):
    need = new_need(anna, torino)
    client.login("bruno@example.it")
    assert client.submit(f"/posts/{need.id}/comments", {"body": BODY}).status_code == 302
    comment = db.session.scalar(select(Comment))
    assert comment.body_markdown == BODY
    assert client.submit(f"/posts/{need.id}/comments", {"body": TITLE, "parent_id": str(comment.id)}).status_code == 302
    for url in (f"/needs/{need.id}-{need.slug}", f"/users/{bruno.id}", f"/comments/{comment.id}/edit"):
        html = client.get(url).get_data(as_text=True)
        assert_inert(html, visible=SHOWN_IN_BODY)
    assert_inert(client.get(f"/needs/{need.id}-{need.slug}").get_data(as_text=True), visible=(TITLE,))


@pytest.mark.parametrize("query, payload", [
    ("neighbourhood=%3Cscript%3Ealert(1)%3C/script%3E", "<script>alert(1)</script>"),
    ("theme=%3Cimg%20src=x%20onerror=alert(1)%3E", "<img src=x onerror=alert(1)>"),
    ("status=%22%3E%3Csvg%20onload=alert(1)%3E", '"><svg onload=alert(1)>'),
])
def test_list_parameters_echoed_in_error_messages_stay_inert(client, torino, query, payload):
    response = client.get(f"/cities/torino/needs?{query}")
    assert response.status_code == 400
    assert_inert(response.get_data(as_text=True), visible=(payload,))
