"""Cross-site scripting through every form the site shows. The pages of every GET route (read from the
URL map) and the pages they link to are opened by an administrator and by the administrator of an
organisation; every form that takes text is filled with payloads in each text field (a web address field
gets a `javascript:` one, the other fields keep what the page offers; a field the site refuses is given a
plausible value and the form sent again) and sent. The answer (the form shown again, or the page it leads
to) and then every page again must be inert. A new form is covered without being named.

tests/security/test_xss.py follows the residents' main forms into the API, the open data and the emails."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from civic.core import content_version
from civic.demo.content import DEMO_PASSWORD, load_demo_content
from civic.extensions import db
from tests.conftest import PASSWORD
from tests.posts.helpers import english
from tests.security.routes import filled, rules
from tests.security.test_xss import CORPUS, not_inert

LINE = "\"><img src=x onerror=alert(1)><script>alert(2)</script>[a](javascript:alert(3))"
ADDRESS = "javascript:alert(4)//https://example.it"
TEXT_TYPES = {"text", "search", "tel", ""}
# For a field the site refused with a payload in it (a tax code, an amount, an account's email…).
PLAUSIBLE = {
    "codice_fiscale": "97123456788", "partita_iva": "02111333445", "amount": "1000",
    "local_code": "TO4.4.11.1.Z", "code": "XSS1",
    "email": "anna.rossi@example.it", "ends_at": "2027-01-15T12:00", "phone": "011 123 4567", "cup": "J11B21000000001",
    "tax_code": "97123456788", "funding_total": "100000", "unit": "persone", "weight": "1", "target": "10",
    "achieved": "5",
}
# Forms whose sending would end the crawl itself rather than store text.
NOT_SENT = {"/account/logout"}
# Pages the crawl leaves alone: they log out, or lead away from the person's own session.
NOT_CRAWLED = {"accounts.logout", "accounts.login", "accounts.register", "accounts.login_verify"}


class _Forms(HTMLParser):
    """The POST forms of a page: their action and their fields as a browser would send them untouched."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", "get").lower(), "fields": []}
            self.forms.append(self._form)
        elif tag in ("button", "input") and a.get("formaction") and self._form is not None:
            self._form["action"] = self._form["action"] or a["formaction"]  # the first button's, as a click would
        elif tag == "option" and self._select and self._form:
            select = self._form["fields"][-1]
            select["options"].append(a.get("value", ""))
            if "selected" in a:
                select["chosen"] = a.get("value", "")
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            self._form["fields"].append({"tag": "input", "type": a.get("type", "").lower(), "name": a["name"],
                                         "value": a.get("value", ""), "checked": "checked" in a,
                                         "maxlength": a.get("maxlength")})
        elif tag == "textarea":
            self._form["fields"].append({"tag": "textarea", "name": a["name"], "maxlength": a.get("maxlength")})
        elif tag == "select":
            self._select = a["name"]
            self._form["fields"].append({"tag": "select", "name": a["name"], "options": [], "chosen": None})

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _forms(document: str) -> list[dict]:
    parser = _Forms()
    parser.feed(document)
    return [form for form in parser.forms if form["method"] == "post"]


def _fit(text: str, maxlength: str | None) -> str:
    return text[: int(maxlength)] if maxlength and maxlength.isdigit() else text


def _plausible(name: str) -> str | None:
    """A value the site accepts for a field that is not free text, by the field's name."""
    bare = name.split("-", 1)[-1]
    for suffix, value in PLAUSIBLE.items():
        if bare.endswith(suffix):
            return value
    return None


def _filled_in(form: dict, refused: frozenset[str] = frozenset()) -> tuple[dict, bool]:
    """The data to send, and whether any of it is text typed by a person. The fields in `refused` (named in
    the site's answer to a first try) get back what the page offered, or a plausible value."""
    data: dict[str, str | list[str]] = {}
    takes_text = False
    radios_seen: set[str] = set()
    for field in form["fields"]:
        name, kind = field["name"], field.get("type")
        if any(name.startswith(f"{group}-") for group in refused):  # a list of fields refused as a whole
            refused = refused | {name}
        if name in refused and field["tag"] == "select":
            data[name] = ""
        elif name in refused and kind == "url":
            data[name] = "https://www.example.it/"
        elif name in refused and kind not in ("checkbox", "radio"):
            data[name] = field.get("value") or _plausible(name) or ""
        elif name in refused and kind in ("checkbox", "radio"):
            data.setdefault(name, field["value"] or "y")
        elif field["tag"] == "textarea":
            data[name] = _fit(CORPUS, field["maxlength"])
            takes_text = True
        elif field["tag"] == "select":
            data[name] = field["chosen"] or next((option for option in field["options"] if option), "")
        elif kind in TEXT_TYPES:
            data[name] = _fit(LINE, field["maxlength"]) if not field["value"] else field["value"] + " " + LINE
            data[name] = _fit(data[name], field["maxlength"])
            takes_text = True
        elif kind == "url":
            data[name] = ADDRESS
            takes_text = True
        elif kind == "password":
            data[name] = "not-the-password"  # nothing that needs the password is done (deleting the account…)
        elif kind in ("checkbox", "radio"):
            if field["checked"]:
                data.setdefault(name, []).append(field["value"] or "y")
            elif kind == "radio" and name not in radios_seen and name not in data:
                data[name] = field["value"]
            radios_seen.add(name)
        elif kind == "email":
            data[name] = field["value"] or "xss@example.it"
        elif kind == "number":
            data[name] = field["value"] or "1"
        elif kind == "date":
            data[name] = field["value"] or "2027-01-15"
        elif kind == "datetime-local":
            data[name] = field["value"] or "2027-01-15T10:00"
        elif kind in ("hidden", "time", "month"):
            data[name] = field["value"]
    return data, takes_text


def _get_pages(app) -> list[str]:
    urls = set()
    for rule in rules(app, {"GET"}):
        if rule.endpoint.startswith("api.") or "<token>" in rule.rule or "<path:" in rule.rule:
            continue
        url = filled(rule)
        if "<slug>" in rule.rule:
            url = url.replace("nothing-here", "torino")
        urls.add(url)
    return sorted(urls)


def _html(response) -> str | None:
    document = response.get_data(as_text=True) if response.mimetype == "text/html" else None
    response.close()  # a file streamed and not read would keep its request open
    return document


@pytest.fixture
def demo(app, reference_data, make_user):
    content_version.create_rows()
    load_demo_content()
    db.session.commit()
    make_user("admin", email="xss.admin@example.it", name="Amministratrice Prova")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") or ""
        if tag == "a" and href.startswith("/") and not href.startswith(("//", "/static/")):
            self.links.append(href.split("#")[0])


def _links(document: str) -> list[str]:
    parser = _Links()
    parser.feed(document)
    return parser.links


def _crawl(app, client, start: list[str], per_endpoint: int = 3) -> dict[str, str]:
    """The site's pages as this person sees them (address → HTML): every GET route, then the links they show,
    at most `per_endpoint` addresses per route."""
    adapter = app.url_map.bind("civic.test")
    pages: dict[str, str] = {}
    counts: dict[str, int] = {}
    queue = list(start)
    while queue:
        url = queue.pop(0)
        try:
            endpoint = adapter.match(urlsplit(url).path, method="GET")[0]
        except Exception:  # noqa: BLE001 - a link to what is not a page of this app (a redirect, a 404)
            endpoint = url
        if url in pages or counts.get(endpoint, 0) >= per_endpoint or endpoint in NOT_CRAWLED:
            continue
        counts[endpoint] = counts.get(endpoint, 0) + 1
        response = client.get(url, follow_redirects=True)
        assert response.status_code < 500, f"{response.status_code} at {url}"
        document = _html(response)
        if response.status_code != 200 or document is None:
            continue
        pages[response.request.path + (f"?{response.request.query_string.decode()}"
                                       if response.request.query_string else "")] = document
        queue.extend(_links(document))
    return pages


def _refused_fields(response) -> frozenset[str]:
    return frozenset(re.findall(r'id="([\w-]+)-error"', response.get_data(as_text=True)))


@pytest.mark.parametrize("email, password, least_sent, least_stored", [
    ("xss.admin@example.it", PASSWORD, 50, 35),  # 76 and 57 when written
    ("giuseppe.ferrero@example.it", DEMO_PASSWORD, 15, 12),  # 25 and 23
], ids=["administrator", "organisation-administrator"])
def test_every_form_stores_text_that_stays_inert(app, client, demo, email, password, least_sent, least_stored):
    client.login(email, password)
    english(client)
    start = _get_pages(app)
    assert len(start) > 60, "the URL map should hold the site's pages"
    pages = _crawl(app, client, start)
    problems: dict[str, list[str]] = {}
    seen_forms: set[tuple] = set()
    sent, stored = 0, 0

    def check(url: str, response) -> None:
        assert response.status_code < 500, f"{response.status_code} at {url}"
        document = _html(response)
        if document and (found := not_inert(document)):
            problems[url] = found

    for page, document in pages.items():
        for form in _forms(document):
            action = urljoin(page, form["action"] or page)
            data, takes_text = _filled_in(form)
            key = (urlsplit(action).path, tuple(sorted(data)))
            if not takes_text or key in seen_forms or urlsplit(action).path in NOT_SENT:
                continue
            seen_forms.add(key)
            sent += 1
            answer = client.post(action, data=data)
            refused: frozenset[str] = frozenset()
            for _attempt in range(4):  # again, with the refused fields as the site expects them
                check(f"POST {action} (from {page})", answer)
                if answer.status_code != 422 or not _refused_fields(answer) - refused:
                    break
                refused |= _refused_fields(answer)
                answer = client.post(action, data=_filled_in(form, refused)[0])
            check(f"POST {action} (from {page})", answer)
            if answer.status_code in (302, 303):
                stored += 1
                location = answer.headers["Location"]
                check(f"GET {location} (after {action})", client.get(location, follow_redirects=True))
    # Everything stored is shown again wherever it appears.
    for page in pages:
        check(page, client.get(page, follow_redirects=True))
    assert not problems, problems
    # The crawl must be reaching the site's forms and getting text stored, or it proves nothing.
    assert sent >= least_sent and stored >= least_stored, (sent, stored)
