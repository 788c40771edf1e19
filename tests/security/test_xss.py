"""Cross-site scripting: a corpus of payloads typed into the text fields of the forms residents use most
(sign-up name, need, idea, comment), then read back wherever the text appears — the pages, the search,
the API, the open-data CSV and JSON, the notification email — where it must be inert: no script element,
no event handler, no link or source with a scheme that runs code. And a Content-Security-Policy that
blocks inline script on every page, should the sanitiser ever let something through."""
from __future__ import annotations

import csv
import html
import io
import json
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from civic.core import content_version
from civic.extensions import db
from civic.notifications.models import EmailMessage
from civic.posts.models import Post
from civic.territories.models import City, Theme
from tests.conftest import PASSWORD

PAYLOADS = [
    "<script>alert('x1')</script>",
    "<img src=x onerror=alert('x2')>",
    "\"><svg onload=alert('x3')>",
    "[clic](javascript:alert('x4'))",
    "[clic](JaVaScRiPt:alert('x5'))",
    "[clic](&#106;avascript:alert('x6'))",
    "<a href=\"jav&#x09;ascript:alert('x7')\">clic</a>",
    "<iframe src=\"https://evil.example/x8\"></iframe>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('x9')>",
    "<div style=\"background:url(javascript:alert('x10'))\">x</div>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x11</a>",
    "' onmouseover='alert(\"x12\")' x='",
    "</textarea><script>alert('x13')</script>",
    "<form action=\"https://evil.example\"><button>x14</button></form>",
    "![x](javascript:alert('x15'))",
    "<object data=\"https://evil.example/x16\"></object>",
    "{{ config.SECRET_KEY }} {% print('x17') %}",
]
CORPUS = " ".join(PAYLOADS)
_RUNNABLE_SCHEME = re.compile(r"^(javascript|vbscript|data):", re.I)


class _Inertness(HTMLParser):
    """Collects what in an HTML document could run or send something the page's authors did not write."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not (attributes.get("src") or "").startswith("/static/"):
            self.problems.append(f"<script {attrs}>")
        if tag in ("iframe", "object", "embed", "base", "style"):
            self.problems.append(f"<{tag}>")
        if tag == "meta" and attributes.get("http-equiv", "").lower() == "refresh":
            self.problems.append("<meta refresh>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "formaction", "xlink:href", "data") and value:
                cleaned = re.sub(r"[\x00-\x20]", "", html.unescape(value))
                if _RUNNABLE_SCHEME.match(cleaned) and not cleaned.startswith("data:image/"):
                    self.problems.append(f"<{tag} {name}={value!r}>")
            if name == "style" and value and re.search(r"url\(|expression\(", value, re.I):
                self.problems.append(f"<{tag} style={value!r}>")
        if tag == "form" and (attributes.get("action") or "").startswith("http"):
            self.problems.append(f"<form action={attributes['action']!r}>")


def not_inert(document: str) -> list[str]:
    checker = _Inertness()
    checker.feed(document)
    return checker.problems


@pytest.fixture
def world(app, client, reference_data, make_user):
    content_version.create_rows()
    db.session.commit()
    torino = db.session.scalar(select(City).where(City.slug == "torino"))
    theme = db.session.scalar(select(Theme).order_by(Theme.position))
    # The author signs up with a name made of a payload, through the form.
    response = client.submit("/account/register", {
        "display_name": "<img src=x onerror=alert(1)>", "email": "autrice@example.it", "password": PASSWORD,
        "password_confirm": PASSWORD, "home_city": "", "home_neighbourhood": "", "accept_privacy": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    from civic.accounts.models import User
    from civic.core.timeutil import utcnow

    db.session.scalar(select(User).where(User.email == "autrice@example.it")).email_confirmed_at = utcnow()
    need = client.submit("/cities/torino/needs/new", {
        "title": "=HYPERLINK(\"https://evil.example\") Bisogno <script>alert(1)</script>", "body": CORPUS, "theme": theme.id, "neighbourhood": "",
        "location_text": "<svg onload=alert(1)>"})
    assert need.status_code == 302, need.get_data(as_text=True)[:500]
    idea = client.submit("/cities/torino/ideas/new", {
        "title": "Idea \"><img src=x onerror=alert(1)>", "body": CORPUS, "theme": theme.id, "neighbourhood": "",
        "summary": "<a href='javascript:alert(1)'>riassunto</a>", "beneficiaries": "<b onclick=alert(1)>tutti</b>"})
    assert idea.status_code == 302, idea.get_data(as_text=True)[:500]
    need_post = db.session.scalar(select(Post).where(Post.kind == "need"))
    idea_post = db.session.scalar(select(Post).where(Post.kind == "idea"))
    # Someone else comments on the need with the corpus: its author is notified (page and email).
    make_user(email="commentatore@example.it", name="Commentatore")
    other = app.test_client()
    other.login("commentatore@example.it")
    comment = other.submit(f"/posts/{need_post.id}/comments", {"body": CORPUS})
    assert comment.status_code == 302, comment.get_data(as_text=True)[:500]
    return torino, need_post, idea_post, client


def test_payloads_are_shown_inert_everywhere(app, world):
    torino, need, idea, client = world
    pages = [f"/needs/{need.id}", f"/ideas/{idea.id}", "/cities/torino", "/cities/torino/needs",
             "/cities/torino/ideas", f"/users/{need.author_id}", "/search?q=alert", "/notifications", "/"]
    problems = {}
    for url in pages:
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 200, url
        found = not_inert(response.get_data(as_text=True))
        if found:
            problems[url] = found
    assert not problems, problems
    # The text is kept, shown as text: the words of the payloads are on the page, their markup is not live.
    page = client.get(f"/needs/{need.id}", follow_redirects=True).get_data(as_text=True)
    assert "alert" in page and "Bisogno &lt;script&gt;" in page

    # The API gives the text as written and the HTML made from it, inert.
    for kind, post in (("needs", need), ("ideas", idea)):
        item = client.get(f"/api/v1/{kind}/{post.id}").get_json()
        assert item["body"] == CORPUS
        assert not not_inert(item["body_html"]), item["body_html"]
    # Plain-text fields stay as typed (a name is data in JSON), in a document no browser renders as a page.
    response = client.get(f"/api/v1/needs/{need.id}")
    assert response.mimetype == "application/json" and response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.get_json()["author"]["display_name"] == "<img src=x onerror=alert(1)>"

    # The open data: the JSON is data (served as JSON, never as a page), the CSV text is never a formula.
    for dataset in ("needs", "ideas"):
        as_json = client.get(f"/opendata/{dataset}.json")
        assert as_json.mimetype == "application/json" and as_json.headers["X-Content-Type-Options"] == "nosniff"
        json.loads(as_json.get_data())
        as_csv = client.get(f"/opendata/{dataset}.csv")
        assert as_csv.mimetype == "text/csv"
        cells = [cell for row in csv.reader(io.StringIO(as_csv.get_data(as_text=True)), delimiter=";") for cell in row]
        assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")], "a cell a spreadsheet would run"
        if dataset == "needs":
            assert any(cell.startswith("'=HYPERLINK") for cell in cells)  # kept, as text

    # The notification email is plain text (no HTML part to run anything), its subject one line.
    emails = db.session.scalars(select(EmailMessage).where(EmailMessage.to_address == "autrice@example.it")).all()
    assert emails, "the author is notified of the comment by email"
    from civic.core.mail import build_message

    for message in emails:
        built = build_message(message.to_address, message.subject, message.body_text)
        assert [part.get_content_type() for part in built.walk()] == ["text/plain"]
        assert "\n" not in message.subject


def test_every_page_forbids_inline_script(client, world):
    for url in ("/", "/cities/torino", "/account/login", "/search?q=x"):
        policy = client.get(url).headers["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
        assert directives["script-src"] == "'self'", policy  # no 'unsafe-inline', no 'unsafe-eval'
        assert directives["object-src"] == "'none'" and directives["base-uri"] == "'self'"


def test_the_checker_sees_the_payloads_when_they_are_live():
    """The control: written into a page as they are, the HTML payloads are all caught."""
    live = [p for p in PAYLOADS if p.lstrip().startswith(("<", "\"", "'", "</")) and "x14" not in p]
    for payload in live:
        page = payload if not payload.startswith("'") else f"<a title='{payload}'>x</a>"
        assert not_inert(page), payload
    assert not_inert('<a href="&#106;avascript:alert(1)">x</a>')
    assert not_inert('<form action="https://evil.example"><button>x</button></form>')
