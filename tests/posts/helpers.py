"""Helpers for the tests of posts: form payloads, reading pages, checking that HTML is inert."""
from __future__ import annotations

import html as html_lib
import re
import threading
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit


def need_form(theme, /, **overrides) -> dict:
    data = {
        "title": "Fontanella rotta in piazza Foroni",
        "body": "La fontanella **non funziona** da mesi.",
        "theme": str(theme.id),
        "neighbourhood": "",
        "location_text": "Piazza Foroni",
    }
    data.update(overrides)
    return data


def idea_form(theme, /, **overrides) -> dict:
    data = {
        "title": "Riparare le fontanelle del quartiere",
        "summary": "Un piano per riparare le fontanelle rotte in tre mesi",
        "body": "Tre fasi: censimento, riparazione, manutenzione.",
        "theme": str(theme.id),
        "neighbourhood": "",
        "beneficiaries": "Chi abita nel quartiere, soprattutto anziani",
        "estimated_cost": "25000",
    }
    data.update(overrides)
    return data


def english(client) -> None:
    """Switch the client's interface to English (messages are asserted in English)."""
    response = client.submit("/language", {"locale": "en"})
    assert response.status_code == 302


def field_error(html: str, field: str) -> str:
    """The text of a field's error element, e.g. <div id="title-error">; fails when absent."""
    match = re.search(rf'id="{re.escape(field)}-error"[^>]*>(.*?)</', html, re.S)
    assert match, f'no id="{field}-error" in the page'
    return html_lib.unescape(match.group(1)).strip()


def next_of(location: str) -> str:
    """The next= parameter of a redirect to the login page."""
    parts = urlsplit(location)
    assert parts.path.endswith("/account/login"), location
    return parse_qs(parts.query)["next"][0]


_CARD = re.compile(r'card-title[^>]*>\s*<a href="/(?:needs|ideas)/(\d+)-')


def card_ids(html: str) -> list[int]:
    """The ids of the posts listed as cards, in page order."""
    return [int(i) for i in _CARD.findall(html)]


def input_value(page: str, field_id: str) -> str | None:
    """The value of the <input id=field_id> of a form page, unescaped."""
    parsed = _Page()
    parsed.feed(page)
    for tag, attrs in parsed.elements:
        values = dict(attrs)
        if tag == "input" and values.get("id") == field_id:
            return values.get("value")
    raise AssertionError(f"no <input id={field_id!r}>")


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []
        self.inline_scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))
        self._in_script = tag == "script"

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.inline_scripts.append(data)
        else:
            self.text.append(data)


RAW_NEEDLES = ("<script>alert", 'href="javascript:', "href='javascript:", 'src="data:', "<svg onload", "<img src=x",
               "<a href=\"javascript")


def assert_inert(page: str, visible: tuple[str, ...] = ()) -> None:
    """No markup from user input is live in `page`, and each of `visible` is shown as text.

    The escaped text of a payload legitimately contains " onerror=" (as text, between &lt; and
    &gt;), so event handlers are looked for among the parsed attributes, not as substrings.
    """
    lower = page.lower()
    for needle in RAW_NEEDLES:
        assert needle.lower() not in lower, f"{needle!r} is live in the page"
    parsed = _Page()
    parsed.feed(page)
    for tag, attrs in parsed.elements:
        for name, value in attrs:
            assert not name.lower().startswith("on"), f"event handler {name}= on <{tag}>"
            if name.lower() in ("href", "src", "action", "formaction", "xlink:href", "srcset"):
                scheme = re.sub(r"[\s\x00-\x1f]", "", (value or "")).lower()
                assert not scheme.startswith(("javascript:", "vbscript:", "data:")), f"<{tag} {name}={value!r}>"
        if tag == "script":
            assert dict(attrs).get("src"), "inline <script> element"
    assert not any("alert" in s for s in parsed.inline_scripts)
    text = " ".join(" ".join(parsed.text).split())
    for payload in visible:
        assert " ".join(payload.split()) in text, f"{payload!r} is not visible as text"


# --- many clients at once -----------------------------------------------------------------------

def logged_in_clients(app, emails: list[str]) -> list:
    """A test client per email, each logged in, with its CSRF token (the app's test_client_class)."""
    clients = []
    for email in emails:
        c = app.test_client()
        c.login(email)
        clients.append((c, c.csrf_token()))
    return clients


def post_at_once(app, requests: list[tuple]) -> list:
    """POST every (client, csrf token, url, data) at the same moment; the status code (or the exception) of each."""
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)

    def run(i, c, token, url, data):
        # The conftest Client commits the test's session before each request: a thread needs its own app context.
        with app.app_context():
            barrier.wait()
            try:
                results[i] = c.post(url, data={"csrf_token": token, **data}).status_code
            except Exception as error:  # noqa: BLE001 - TESTING propagates a 500's exception: keep it to report
                results[i] = f"{type(error).__name__}: {error}"[:300]

    threads = [threading.Thread(target=run, args=(i, *request)) for i, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def post_all_at_once(app, clients, url: str, data: dict | None = None) -> list:
    """POST `url` (with the same `data`) from every (client, token) at the same moment."""
    return post_at_once(app, [(c, token, url, data or {}) for c, token in clients])
