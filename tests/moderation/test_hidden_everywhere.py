"""HIDDEN MEANS HIDDEN EVERYWHERE.

Hidden content carries unique markers (MARKERS) in its title, body, summary, place; then
every GET route of the app, discovered from app.url_map, is crawled as an anonymous visitor, as the author of the hidden content, as another resident and as the
moderator of another city, and no page may show a marker. The only exceptions: the author's
own notice page of a hidden post (its title, never its body), and the moderators of the
post's city (not crawled: they must see it, checked at the end).

A GET route added later is crawled too: each URL argument is filled by FILLERS (by argument
name); an argument with no filler makes the test fail, naming the route.
"""
from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from flask import url_for
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.routing import Rule

from civic.calls import services as call_services
from civic.comments import services as comment_services
from civic.extensions import db
from civic.moderation import blocking
from civic.notifications import follows
from civic.posts.listing import SORTS
from civic.posts.models import PostStatus
from civic.territories.models import Programme, SpecificObjective
from tests.calls.conftest import call_data
from tests.codesign.crawl import FILLERS as CODESIGN_FILLERS
from tests.moderation.helpers import comment_count
from tests.posts.helpers import english

NEED_TITLE, NEED_BODY, NEED_PLACE = "Zqxneedtitle", "Zqxneedbody", "Zqxneedplace"
IDEA_TITLE, IDEA_SUMMARY, IDEA_BODY, IDEA_BENEFICIARIES = ("Zqxideatitle", "Zqxideasummary", "Zqxideabody",
                                                           "Zqxideabeneficiaries")
COMMENT_BODY, REPLY_BODY = "Zqxcommentbody", "Zqxhiddenreplybody"
BLOCKED_TITLE, BLOCKED_COMMENT = "Zqxblockedtitle", "Zqxblockedcomment"  # by an author who gets blocked
MARKERS = (NEED_TITLE, NEED_BODY, NEED_PLACE, IDEA_TITLE, IDEA_SUMMARY, IDEA_BODY, IDEA_BENEFICIARIES, COMMENT_BODY,
           REPLY_BODY, BLOCKED_TITLE, BLOCKED_COMMENT)
MARKER = re.compile("|".join(MARKERS), re.IGNORECASE)
VISIBLE_REPLY = "Risposta visibile di Bruno"
HIDE_REASON = "Dati personali di terzi"


def png(colour=(200, 30, 30)) -> FileStorage:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buffer, format="PNG")
    buffer.seek(0)
    return FileStorage(stream=buffer, filename="foto.png", content_type="image/png")


@dataclass
class World:
    city: object
    other_city: object
    posts: dict = field(default_factory=dict)
    comments: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    themes: list = field(default_factory=list)
    call: object = None

    @property
    def needs(self):
        return [p for p in self.posts.values() if p.kind == "need"]

    @property
    def ideas(self):
        return [p for p in self.posts.values() if p.kind == "idea"]

    @property
    def hidden_posts(self):
        return [self.posts["hidden_need"], self.posts["hidden_idea"]]


@pytest.fixture
def world(app, torino, bari, themes, anna, bruno, carla, mod_torino, mod_bari, new_need, new_idea, add_comment,
          add_vote, add_report):
    """Torino with several posts; Anna's need, idea, comment and reply carry the markers (hidden later)."""
    aurora, vanchiglia = torino.neighbourhoods
    w = World(city=torino, other_city=bari, themes=themes,
              users={"anna": anna, "bruno": bruno, "carla": carla, "mod_torino": mod_torino, "mod_bari": mod_bari})
    p = w.posts
    for i in range(3):
        p[f"need{i}"] = new_need(carla, torino, title=f"Bisogno qualunque numero {i}", theme=themes[i % 2],
                                 neighbourhood=(aurora, vanchiglia, None)[i])
    p["idea0"] = new_idea(carla, torino, title="Idea qualunque numero uno", theme=themes[1])
    p["visible_need"] = new_need(bruno, torino, title="Panchine rotte ai giardini", neighbourhood=aurora,
                                 image=png((30, 120, 200)))
    p["hidden_need"] = new_need(anna, torino, title=f"Buche {NEED_TITLE} in via Roma", body=f"Testo {NEED_BODY}.",
                                location_text=f"Via {NEED_PLACE}", neighbourhood=aurora, image=png())
    p["hidden_idea"] = new_idea(anna, torino, title=f"Idea {IDEA_TITLE} per i giardini", body=f"Piano {IDEA_BODY}",
                                summary=f"Sintesi {IDEA_SUMMARY}", beneficiaries=f"Tutti {IDEA_BENEFICIARIES}",
                                neighbourhood=aurora, needs=[p["visible_need"]])
    p["visible_idea"] = new_idea(carla, torino, title="Sistemare strade e panchine", neighbourhood=aurora,
                                 needs=[p["hidden_need"], p["visible_need"]])
    p["bari_need"] = new_need(carla, bari, title="Un bisogno di Bari")
    for voter in (bruno, carla):
        add_vote(voter, p["hidden_need"])
        add_vote(voter, p["hidden_idea"])
    add_vote(carla, p["visible_need"])
    add_vote(bruno, p["visible_idea"])
    w.call = _call_of(torino, mod_torino, themes, ideas=[p["hidden_idea"], p["visible_idea"]])
    for post in (p["hidden_need"], p["hidden_idea"]):  # Bruno follows them: the comments below notify him
        follows.follow(bruno, post.kind, post.id)
    db.session.commit()
    c = w.comments
    c["on_hidden_need"] = add_comment(bruno, p["hidden_need"], "Bruno commenta il bisogno")
    c["on_hidden_idea"] = add_comment(carla, p["hidden_idea"], "Carla commenta l'idea")
    c["hidden"] = add_comment(anna, p["visible_need"], f"Commento {COMMENT_BODY}")
    c["reply_to_hidden"] = add_comment(bruno, p["visible_need"], VISIBLE_REPLY, parent=c["hidden"])
    c["root"] = add_comment(bruno, p["visible_need"], "Un commento visibile di Bruno")
    c["hidden_reply"] = add_comment(anna, p["visible_need"], f"Risposta {REPLY_BODY}", parent=c["root"])
    c["anna_visible"] = add_comment(anna, p["visible_idea"], "Anna commenta un'idea visibile")
    for target in (p["hidden_need"], p["hidden_idea"], c["hidden"]):
        add_report(bruno, target)
    return w


def _call_of(city, moderator, themes, ideas):
    """A published call of the city, in its submission phase, with the ideas submitted to it."""
    programme = Programme(code="PN-METRO-PLUS", name="PN Metro Plus", full_name="PN Metro Plus e Città Medie Sud",
                          reference="CCI 2021IT16FFPR003", start_year=2021, end_year=2027)
    objective = SpecificObjective(code="ESO4.8", name_it="Inclusione attiva", name_en="Active inclusion")
    db.session.add_all([programme, objective])
    db.session.flush()
    call = call_services.create_call(moderator, city, call_data(programme, {"ESO4.8": objective}, themes))
    call_services.publish_call(moderator, call)
    for idea in ideas:
        idea.call_id = call.id
    db.session.commit()
    return call


@pytest.fixture
def blocked_author(world, make_user, new_need, add_comment):
    """Elena, a resident of Torino, with a need and a comment carrying markers: blocked later (not hidden one by one)."""
    w = world
    elena = make_user(email="elena@example.it", name="Elena Bloccata", home_city_id=w.city.id)
    w.users["elena"] = elena
    w.posts["blocked_need"] = new_need(elena, w.city, title=f"Lampioni {BLOCKED_TITLE} spenti",
                                       body="Da settimane.")
    w.comments["blocked_comment"] = add_comment(elena, w.posts["visible_need"], f"Commento {BLOCKED_COMMENT}")
    return elena


def block_author(w: World, elena) -> None:
    blocking.block(w.users["mod_torino"], elena, "Account falso")
    db.session.commit()


def hide_all(w: World, hide) -> None:
    moderator = w.users["mod_torino"]
    for target in (w.posts["hidden_need"], w.posts["hidden_idea"], w.comments["hidden"], w.comments["hidden_reply"]):
        hide(moderator, target, HIDE_REASON)


# --- route discovery -----------------------------------------------------------------------------

def _post_ids(w: World, rule: Rule, chosen: dict) -> list[int]:
    if "need" in rule.endpoint:
        return [p.id for p in w.needs]
    if "idea" in rule.endpoint:
        return [p.id for p in w.ideas]
    return [p.id for p in w.posts.values()]


def _slug(w: World, rule: Rule, chosen: dict) -> list[str]:
    if "post_id" in chosen:  # /needs/<id>-<slug>: the post's own slug, and a wrong one (answered with a 301)
        post = next(p for p in w.posts.values() if p.id == chosen["post_id"])
        return [post.slug, "wrong-slug"]
    return [w.city.slug, w.other_city.slug]


# One filler per URL argument name, applied in this order (a filler may read the values chosen before it).
FILLERS: dict[str, Callable[[World, Rule, dict], list]] = {
    "kind": lambda w, rule, chosen: ["post", "comment"],
    "target_id": lambda w, rule, chosen: (
        [p.id for p in w.posts.values()] if chosen["kind"] == "post" else [c.id for c in w.comments.values()]),
    "post_id": _post_ids,
    "slug": _slug,
    "comment_id": lambda w, rule, chosen: [c.id for c in w.comments.values()],
    "user_id": lambda w, rule, chosen: [u.id for u in w.users.values()],
    "neighbourhood_id": lambda w, rule, chosen: [n.id for n in w.city.neighbourhoods],
    "token": lambda w, rule, chosen: ["not-a-valid-token"],
    "call_id": lambda w, rule, chosen: [w.call.id],
    "idea_id": lambda w, rule, chosen: [p.id for p in w.ideas],
    "item_id": lambda w, rule, chosen: (  # /api/v1/<resource>/<item_id>: by the endpoint's kind
        [w.call.id] if rule.endpoint == "api.call" else FILLERS["org_id"](w, rule, chosen)
        if rule.endpoint == "api.organisation" else FILLERS["process_id"](w, rule, chosen)
        if rule.endpoint == "api.codesign_process" else FILLERS["project_id"](w, rule, chosen)
        if rule.endpoint == "api.project" else _post_ids(w, rule, chosen)),
    "dataset": lambda w, rule, chosen: (  # every dataset, the funded projects (tests/projects/crawl.py) made first
        __import__("tests.projects.crawl", fromlist=["projects_world"]).projects_world(w)
        and list(__import__("civic.opendata.datasets", fromlist=["DATASETS"]).DATASETS)),
    "fmt": lambda w, rule, chosen: ["csv", "json"],  # /opendata/<dataset>.<fmt>
    "name": lambda w, rule, chosen: [p.image.stored_name for p in w.posts.values() if p.image is not None],
    # Organisations: Anna's, with her hidden posts on its behalf (tests/orgs/crawl.py).
    "org_id": lambda w, rule, chosen: __import__("tests.orgs.crawl", fromlist=["org_ids"]).org_ids(w),
    "org_slug": lambda w, rule, chosen: __import__("tests.orgs.crawl", fromlist=["org_slugs"]).org_slugs(w),
    **CODESIGN_FILLERS,  # process_id, meeting_id, document_id, version_id (tests/codesign/crawl.py)
    **__import__("tests.startup.crawl", fromlist=["FILLERS"]).FILLERS,  # plan_id, evidence_id
    **__import__("tests.projects.crawl", fromlist=["FILLERS"]).FILLERS,  # project_id (tests/projects/crawl.py)
}

# Query strings crawled for an endpoint (on the city of the hidden content), besides none at all.
QUERIES: dict[str, Callable[[World], list[dict]]] = {
    "posts.needs": lambda w: _list_queries(w, [PostStatus.PUBLISHED]),
    "posts.ideas": lambda w: _list_queries(w, list(PostStatus)),
    "posts.new_idea": lambda w: [{"need": n.id} for n in w.needs],
    "core.choose_city": lambda w: [{"city": w.city.slug}],
    "moderation.queue": lambda w: [{"sort": "newest"}, {"sort": "most_reported"}],
    # Searched by their own words, with a typo (no "did you mean" may name them), and per type.
    "search.index": lambda w: [{"q": m.lower()} for m in MARKERS] + [{"q": m.lower()[:-1]} for m in MARKERS]
    + [{"q": NEED_TITLE.lower(), "type": "need"}, {"q": IDEA_TITLE.lower(), "type": "idea", "city": w.city.slug}],
    "search.similar": lambda w: [{"city": w.city.slug, "text": m.lower()} for m in MARKERS],
    "dashboard.index": lambda w: [{"city": w.city.slug}, {"measure": "ideas"}, {"measure": "needs"}],
}


def _list_queries(w: World, statuses) -> list[dict]:
    """Every sort and every filter value of a list, pages included (the needs list offers no status filter)."""
    queries = [{"sort": sort} for sort in SORTS]
    queries += [{"neighbourhood": n.slug} for n in w.city.neighbourhoods]
    queries += [{"theme": t.slug} for t in w.themes]
    queries += [{"status": status.value} for status in statuses]
    queries += [{"per_page": 50}, {"per_page": 2, "page": 2}, {"per_page": 2, "page": 3}]
    queries += [{"neighbourhood": w.city.neighbourhoods[0].slug, "theme": w.themes[0].slug, "status": "published",
                 "sort": "votes"}]
    return queries


SKIPPED = {"static": "the app's own files (CSS, JS): no database content"}
# Pages that may name hidden content, and why; they are not crawled.
MAY_SHOW_HIDDEN = {
    "audit.index": "the audit log is the moderators' and administrators' record of what they hid and why "
                   "(admins only; tests/moderation/test_queue_actions.py checks that it names the hidden post)",
    "privacy.download": "a person's copy of their own data holds their own hidden posts with the moderators' "
                        "reason (the right of access), and nothing hidden of anyone else's "
                        "(tests/privacy/test_my_data.py checks both)",
}


def crawl_urls(app, w: World, rules=None) -> tuple[list[str], list[str]]:
    """Every URL to visit, and the GET routes whose arguments no filler knows."""
    urls, problems = [], []
    for rule in sorted(rules or app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if "GET" not in rule.methods or rule.endpoint in SKIPPED or rule.endpoint in MAY_SHOW_HIDDEN:
            continue
        needed = [a for a in rule.arguments if a not in (rule.defaults or {})]
        unknown = [a for a in needed if a not in FILLERS]
        if unknown:
            problems.append(f"{rule.rule} ({rule.endpoint}): no filler for {unknown}; add one to FILLERS")
            continue
        choices = [{}]
        for name in (n for n in FILLERS if n in needed):
            extended = []
            for chosen in choices:
                values = FILLERS[name](w, rule, chosen)
                if not values:
                    problems.append(f"{rule.rule} ({rule.endpoint}): the filler of {name!r} gave no value")
                extended += [{**chosen, name: value} for value in values]
            choices = extended
        for chosen in choices:
            queries = [{}]
            if chosen.get("slug", w.city.slug) == w.city.slug:
                queries += QUERIES.get(rule.endpoint, lambda w: [])(w)
            urls += [_url(app, rule.endpoint, {**chosen, **query}) for query in queries]
    return sorted(set(urls)), problems


def _url(app, endpoint: str, values: dict) -> str:
    with app.test_request_context():
        return url_for(endpoint, **values)


# --- the crawl -----------------------------------------------------------------------------------

def _markers(response, url: str) -> set[str]:
    """The markers in a response, body and headers.

    A page may echo the address it was asked for (the language form's next=, the login link, the
    header's links built from the URL's slug), and the address of a hidden post holds its slug:
    that echo, in lower case as in the slug, is not a leak. The title and the texts are written
    with a capital letter, so they are still found on those pages.
    """
    readable = response.mimetype.startswith("text") or response.mimetype == "application/json"  # API, exports
    text = response.get_data(as_text=True) if readable else ""
    text += " " + " ".join(f"{k}: {v}" for k, v in response.headers.items())
    for echoed in set(MARKER.findall(url)):
        text = text.replace(echoed, "")
    return {m.lower() for m in MARKER.findall(text)}


def _crawl(browser, urls: list[str], allowed: Callable[[str], set[str]]) -> tuple[dict, list[str], int]:
    leaks, errors, ok = {}, [], 0
    for url in urls:
        try:
            response = browser.get(url)
        except Exception as error:  # noqa: BLE001 - TESTING re-raises the exception of a 500
            errors.append(f"{url}: {type(error).__name__}: {error}")
            continue
        if response.status_code >= 500:
            errors.append(f"{url}: {response.status_code}")
        ok += response.status_code == 200
        found = _markers(response, url) - allowed(url)
        if found:
            leaks[url] = sorted(found)
    return leaks, errors, ok


def test_hidden_content_appears_on_no_page(app, client, world, hide, new_client, blocked_author):
    w = world
    need, idea = w.posts["hidden_need"], w.posts["hidden_idea"]
    urls, problems = crawl_urls(app, w)
    assert not problems, "GET routes the crawl cannot visit:\n" + "\n".join(problems)
    # The safety net itself: a new GET route with an argument no filler knows is reported by name.
    new_route = Rule("/petitions/<int:petition_id>", endpoint="petitions.show", methods=["GET"])
    new_route.bind(app.url_map)  # compiled against the app's map (for its arguments), not added to it
    _urls, problems = crawl_urls(app, w, [*app.url_map.iter_rules(), new_route])
    assert problems == ["/petitions/<int:petition_id> (petitions.show): no filler for ['petition_id']; "
                        "add one to FILLERS"]

    # Control: before hiding, the pages this test relies on do show the markers.
    anonymous = new_client()
    visible_need, visible_idea = w.posts["visible_need"], w.posts["visible_idea"]
    for url, markers in (
            (f"/cities/{w.city.slug}", {NEED_TITLE, IDEA_TITLE, IDEA_SUMMARY}),
            (f"/cities/{w.city.slug}/needs", {NEED_TITLE}),
            (f"/cities/{w.city.slug}/ideas?sort=votes", {IDEA_TITLE, IDEA_SUMMARY}),
            (f"/users/{w.users['anna'].id}", {NEED_TITLE, IDEA_TITLE, COMMENT_BODY, REPLY_BODY}),
            (f"/users/{w.users['bruno'].id}", {NEED_TITLE}),  # Bruno commented on the need
            (f"/users/{blocked_author.id}", {BLOCKED_TITLE, BLOCKED_COMMENT}),
            (f"/needs/{visible_need.id}-{visible_need.slug}", {IDEA_TITLE, COMMENT_BODY, REPLY_BODY}),
            (f"/ideas/{visible_idea.id}-{visible_idea.slug}", {NEED_TITLE}),
            (f"/calls/{w.call.id}-{w.call.slug}", {IDEA_TITLE}),
            (f"/needs/{need.id}-{need.slug}", {NEED_TITLE, NEED_BODY, NEED_PLACE}),
            # Searched before hiding: the search index holds them, then must forget them.
            (f"/search?q={NEED_BODY.lower()}", {NEED_TITLE, NEED_BODY}),
            (f"/search?q={IDEA_SUMMARY.lower()}", {IDEA_TITLE}),
            (f"/search?q={BLOCKED_TITLE.lower()}", {BLOCKED_TITLE})):
        response = anonymous.get(url)
        assert response.status_code == 200, url
        assert {m.lower() for m in markers} <= _markers(response, ""), url

    # Bruno's notifications name the content that gets hidden (Carla commented on the idea he follows).
    assert IDEA_TITLE in new_client("bruno@example.it").get("/notifications").get_data(as_text=True)

    hide_all(w, hide)
    block_author(w, blocked_author)
    post_page = re.compile(r"^/(needs|ideas)/(\d+)(-[^/?]*)?$")
    notice_pages = {(f"{p.kind}s", p.id): p for p in w.hidden_posts}

    def author_allowed(url: str) -> set[str]:
        """On the page of each of her hidden posts (any slug), Anna sees the notice with its title."""
        match = post_page.match(url)
        post = notice_pages.get((match.group(1), int(match.group(2)))) if match else None
        return {MARKER.search(post.title).group().lower()} if post is not None else set()

    viewers = {
        "anonymous": (new_client(), lambda url: set()),
        "anna": (new_client("anna@example.it"), author_allowed),  # the author of everything hidden
        "bruno": (new_client("bruno@example.it"), lambda url: set()),  # reported it, commented on it
        "mod_bari": (new_client("mod.bari@example.it"), lambda url: set()),  # moderates another city
    }
    report, total_ok = [], 0
    for name, (browser, allowed) in viewers.items():
        skip: set[str] = set()
        if name == "mod_bari":  # the filters of the lists do not depend on who looks: their plain pages suffice
            skip |= {url for url in urls if "?" in url and "/moderation/" not in url}
        leaks, errors, ok = _crawl(browser, [u for u in urls if u not in skip], allowed)
        total_ok += ok
        report += [f"{name}: {url} shows {found}" for url, found in leaks.items()]
        report += [f"{name}: {error}" for error in errors]
    assert not report, "Hidden content is shown:\n" + "\n".join(report)
    assert len(urls) > 100 and total_ok > 250, (len(urls), total_ok)  # the crawl really visited the site

    # The author's notice page: the title and the reason, never the body.
    anna = viewers["anna"][0]
    for post, body_markers in ((need, (NEED_BODY, NEED_PLACE)), (idea, (IDEA_BODY, IDEA_SUMMARY))):
        page = anna.get(f"/{post.kind}s/{post.id}-{post.slug}")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert post.title in text and HIDE_REASON in text
        assert not any(m.lower() in text.lower() for m in body_markers)

    # The moderators of Torino do see the hidden post, with a banner, and the hidden content in their queue.
    moderator = new_client("mod.torino@example.it")
    english(moderator)
    page = moderator.get(f"/needs/{need.id}-{need.slug}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert NEED_TITLE in text and NEED_BODY in text
    assert "Hidden by the moderators: only moderators see this page." in text and HIDE_REASON in text
    queue = moderator.get("/moderation/").get_data(as_text=True)
    hidden_section = queue[queue.index('id="hidden-heading"'):]
    assert NEED_TITLE in hidden_section and IDEA_TITLE in hidden_section
    assert f'action="/moderation/comment/{w.comments["hidden"].id}/unhide"' in hidden_section


# --- pages the crawl once found leaking -----------------------------------------------------------

def test_the_edit_page_of_a_hidden_comment_does_not_show_it(world, hide, new_client):
    hide_all(world, hide)
    anna = new_client("anna@example.it")
    for which in ("hidden", "hidden_reply"):
        response = anna.get(f"/comments/{world.comments[which].id}/edit")
        text = response.get_data(as_text=True)
        assert not MARKER.search(text), MARKER.findall(text)
        assert response.status_code in (403, 404)


def test_the_edit_page_of_a_comment_on_a_hidden_post_does_not_name_the_post(world, hide, new_client):
    hide_all(world, hide)
    for which, email in (("on_hidden_need", "bruno@example.it"), ("on_hidden_idea", "carla@example.it")):
        response = new_client(email).get(f"/comments/{world.comments[which].id}/edit")
        text = response.get_data(as_text=True)
        assert not MARKER.search(text), (email, MARKER.findall(text))


def test_the_image_of_a_hidden_post_is_not_served_to_the_public(world, hide, new_client):
    need = world.posts["hidden_need"]
    name = need.image.stored_name
    anonymous = new_client()
    assert anonymous.get(f"/uploads/{name}").status_code == 200  # served while the need is visible
    hide_all(world, hide)
    assert anonymous.get(f"/uploads/{name}").status_code == 404


# --- counts ----------------------------------------------------------------------------------------

_FIGURES = re.compile(r"<dt[^>]*>\s*([^<]+?)\s*</dt>\s*<dd[^>]*>\s*([\d.,]+)\s*</dd>")
_RESULTS = re.compile(r'<p role="status" class="small">\s*(\d+) results?')


def _figures(browser, city) -> dict[str, int]:
    html = browser.get(f"/cities/{city.slug}").get_data(as_text=True)
    return {label: int(value.replace(".", "").replace(",", "")) for label, value in _FIGURES.findall(html)}


def _total(browser, url: str) -> int:
    match = _RESULTS.search(browser.get(url).get_data(as_text=True))
    assert match, url
    return int(match.group(1))


def test_figures_totals_and_comment_counts_leave_hidden_content_out(client, world, hide, new_client):
    w = world
    visible_need = w.posts["visible_need"]
    browser = new_client()
    english(browser)
    before = _figures(browser, w.city)
    lists = {f"/cities/{w.city.slug}/needs": 5, f"/cities/{w.city.slug}/ideas": 3,
             f"/cities/{w.city.slug}/needs?neighbourhood=aurora": 3,
             f"/cities/{w.city.slug}/ideas?neighbourhood=aurora&status=published": 2}
    assert {url: _total(browser, url) for url in lists} == lists
    assert before == {"Needs": 5, "Supports": 3, "Ideas": 3, "Votes": 3, "Comments": 7}
    assert comment_count(visible_need) == 4

    hide_all(w, hide)
    after = _figures(browser, w.city)
    # Minus the hidden need (2 supports, 1 comment), the hidden idea (2 votes, 1 comment) and 2 hidden comments.
    assert after == {"Needs": 4, "Supports": 1, "Ideas": 2, "Votes": 1, "Comments": 3}
    assert {url: _total(browser, url) for url in lists} == {url: n - 1 for url, n in lists.items()}
    assert comment_count(visible_need) == 2
    page = browser.get(f"/needs/{visible_need.id}-{visible_need.slug}").get_data(as_text=True)
    assert "2 comments" in page and "1 support" in page
    # The idea that answers the hidden need lists only the visible one, with its support count.
    page = browser.get(f"/ideas/{w.posts['visible_idea'].id}-{w.posts['visible_idea'].slug}").get_data(as_text=True)
    section = page[page.index('id="needs-heading"'):]
    assert visible_need.title in section and "1 support" in section and "2 supports" not in section
    # The other city is untouched.
    assert _figures(browser, w.other_city)["Needs"] == 1


def test_hiding_showing_and_deleting_comments_keep_the_count_right(client, world, hide, new_client):
    w = world
    post, comment = w.posts["visible_need"], w.comments["hidden"]
    moderator = new_client("mod.torino@example.it")
    # A hidden comment leaves the count, and comes back when shown again.
    assert comment_count(post) == 4
    assert moderator.submit(f"/moderation/comment/{comment.id}/hide", {"reason": "Spam"}).status_code == 302
    assert comment_count(post) == 3
    assert moderator.submit(f"/moderation/comment/{comment.id}/unhide").status_code == 302
    assert comment_count(post) == 4
    assert moderator.submit(f"/moderation/comment/{comment.id}/unhide").status_code == 409
    assert comment_count(post) == 4
    # Deleting a hidden comment does not take it out of the count a second time.
    hide(w.users["mod_torino"], comment)
    assert comment_count(post) == 3
    anna = new_client("anna@example.it")
    assert anna.submit(f"/comments/{comment.id}/delete").status_code == 302
    assert comment_count(post) == 3
    assert anna.submit(f"/comments/{comment.id}/delete").status_code == 409  # a second click
    assert comment_count(post) == 3
    # Shown again after its deletion, it stays out of the count (it is deleted).
    assert moderator.submit(f"/moderation/comment/{comment.id}/unhide").status_code == 302
    assert comment_count(post) == 3
    # And a deleted comment hidden afterwards is not counted out a second time either.
    comment_services.delete_comment(w.users["bruno"], w.comments["root"])
    db.session.commit()
    assert comment_count(post) == 2
    assert moderator.submit(f"/moderation/comment/{w.comments['root'].id}/hide", {"reason": "x"}).status_code == 302
    assert comment_count(post) == 2


# --- found by the crawl, not about moderation ------------------------------------------------------

def test_the_header_of_a_post_page_links_to_the_lists_of_its_city(world, new_client):
    post = world.posts["visible_need"]
    html = new_client().get(f"/needs/{post.id}-{post.slug}").get_data(as_text=True)
    assert f'href="/cities/{post.slug}/needs"' not in html
    assert f'href="/cities/{world.city.slug}/needs"' in html and f'href="/cities/{world.city.slug}/ideas"' in html
