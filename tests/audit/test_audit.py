"""The audit log: what appends to it (moderators' decisions, neighbourhood edits, the shell
commands), who may read it, its filters, and that nothing changes or deletes an entry."""
# ruff: noqa: F811 - fixtures imported from tests/posts/conftest.py are named as test arguments
from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from civic.accounts.models import Role, User
from civic.audit import services as audit_services
from civic.audit.models import AuditEvent
from civic.core.timeutil import utcnow
from civic.extensions import db
from civic.territories.models import Neighbourhood
from tests.conftest import PASSWORD, table_counts

# The fixtures of the posts' tests (their client keeps its CSRF token; compiled templates are shared).
from tests.posts.conftest import _shared_template_cache, anna, client, new_idea, themes, torino  # noqa: F401
from tests.posts.helpers import english, next_of


@pytest.fixture
def staff(make_user, make_city, torino):
    bari = make_city("Bari", region="Puglia", neighbourhoods=("Libertà",))
    people = SimpleNamespace(
        bari=bari,
        admin=make_user(Role.ADMIN, email="admin@example.it", name="Giulia Admin"),
        moderator=make_user(Role.MODERATOR, email="mod.torino@example.it", name="Marco Bellini", cities=[torino]),
        resident=make_user(email="bruno@example.it", name="Bruno Bianchi"),
    )
    people.setup_ids = {e.id for e in db.session.scalars(select(AuditEvent))}  # the grants made just above
    return people


def _new_entries(staff) -> list[AuditEvent]:
    """The entries appended since the fixtures were made, oldest first."""
    return [e for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)) if e.id not in staff.setup_ids]


def _audit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


# --- what appends an entry -------------------------------------------------------------------------

def test_moderator_decisions_are_recorded_with_actor_city_and_reason(client, staff, anna, torino, new_idea):
    idea = new_idea(anna, torino)
    client.login("mod.torino@example.it")
    english(client)
    response = client.submit(f"/ideas/{idea.id}/moves", {"action": "review", "reason": "La esaminiamo a marzo.",
                                                          "version": "0"})
    assert response.status_code == 302
    # A refused decision (no public answer) appends nothing.
    before = table_counts()
    assert client.submit(f"/ideas/{idea.id}/moves", {"action": "reject", "reason": " ", "version": "1"}
                         ).status_code == 422
    assert table_counts() == before
    client.submit("/account/logout")
    client.login("admin@example.it")
    assert client.submit(f"/ideas/{idea.id}/moves", {"action": "reject", "reason": "Fuori budget.", "version": "1"}
                         ).status_code == 302

    review, reject = _new_entries(staff)
    assert (review.action, review.actor_id, review.actor_role) == ("idea.review", staff.moderator.id, "moderator")
    assert (reject.action, reject.actor_id, reject.actor_role) == ("idea.reject", staff.admin.id, "admin")
    for entry, reason in ((review, "La esaminiamo a marzo."), (reject, "Fuori budget.")):
        assert (entry.target_kind, entry.target_id, entry.city_id, entry.reason) == ("idea", idea.id, torino.id, reason)
        assert entry.created_at is not None
    assert review.summary == "Riparare le fontanelle del quartiere: published → under_review"
    assert reject.summary == "Riparare le fontanelle del quartiere: under_review → rejected"

    english(client)
    html = client.get("/admin/audit").get_data(as_text=True)
    for text in ("Marco Bellini", "Giulia Admin", "<code>idea.review</code>", "<code>idea.reject</code>",
                 "La esaminiamo a marzo.", "Fuori budget.", "published → under_review"):
        assert text in html, text
    assert html.index("<code>idea.reject</code>") < html.index("<code>idea.review</code>")  # newest first


def test_neighbourhood_edits_by_an_admin_are_recorded(client, staff, torino):
    client.login("admin@example.it")
    assert client.submit("/cities/torino/neighbourhoods", {"name": "Barriera di Milano"}).status_code == 302
    added = db.session.scalar(select(Neighbourhood).where(Neighbourhood.name == "Barriera di Milano")).id
    assert client.submit(f"/cities/torino/neighbourhoods/{added}", {"name": "Barriera Nord"}).status_code == 302
    assert client.submit(f"/cities/torino/neighbourhoods/{added}/delete").status_code == 302
    assert db.session.get(Neighbourhood, added) is None

    entries = _new_entries(staff)
    assert [(e.action, e.summary) for e in entries] == [
        ("neighbourhood.add", "Torino: Barriera di Milano"),
        ("neighbourhood.rename", "Torino: Barriera di Milano → Barriera Nord"),
        ("neighbourhood.remove", "Torino: Barriera Nord"),
    ]
    for entry in entries:
        assert (entry.actor_id, entry.actor_role) == (staff.admin.id, "admin")
        assert (entry.target_kind, entry.target_id, entry.city_id, entry.reason) == (
            "neighbourhood", added, torino.id, "")

    # Refused edits append nothing: a name already taken, a moderator trying.
    before = table_counts()
    aurora = torino.neighbourhoods[0]
    assert client.submit("/cities/torino/neighbourhoods", {"name": "Vanchiglia"}).status_code == 422
    assert client.submit(f"/cities/torino/neighbourhoods/{aurora.id}", {"name": "x"}).status_code == 422
    client.submit("/account/logout")
    client.login("mod.torino@example.it")
    assert client.submit("/cities/torino/neighbourhoods", {"name": "Nuovo quartiere"}).status_code == 403
    assert client.submit(f"/cities/torino/neighbourhoods/{aurora.id}/delete").status_code == 403
    assert table_counts() == before


def test_shell_commands_creating_staff_are_recorded(runner, staff, torino):
    result = runner.invoke(args=["users", "create-admin", "capo@example.it", "--name", "Capo Redattrice",
                                 "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["users", "create-moderator", "mod.nuovo@example.it", "--name", "Moderatore Nuovo",
                                 "--city", "torino", "--city", "bari", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    db.session.rollback()  # read what the commands committed
    capo = db.session.scalar(select(User).where(User.email == "capo@example.it"))
    nuovo = db.session.scalar(select(User).where(User.email == "mod.nuovo@example.it"))

    entries = _new_entries(staff)
    assert [(e.action, e.target_kind, e.target_id, e.city_id) for e in entries] == [
        ("user.create_admin", "user", capo.id, None),
        ("user.grant_moderation", "user", nuovo.id, torino.id),
        ("user.grant_moderation", "user", nuovo.id, staff.bari.id),
    ]
    assert entries[0].summary == "Capo Redattrice <capo@example.it>"
    assert [e.summary for e in entries[1:]] == ["Moderatore Nuovo → Torino", "Moderatore Nuovo → Bari"]
    for entry in entries:  # the shell has no user: the actor is "system"
        assert (entry.actor_id, entry.actor_role, entry.reason) == (None, "system", "")

    # A command that fails appends nothing.
    count = _audit_count()
    result = runner.invoke(args=["users", "create-admin", "capo@example.it", "--password", PASSWORD])
    assert result.exit_code != 0 and "already exists" in result.output
    result = runner.invoke(args=["users", "create-moderator", "x@example.it", "--city", "atlantide",
                                 "--password", PASSWORD])
    assert result.exit_code != 0
    db.session.rollback()
    assert _audit_count() == count


# --- reading it --------------------------------------------------------------------------------------

def test_only_admins_read_the_audit_log(client, staff):
    response = client.get("/admin/audit")
    assert response.status_code == 302 and next_of(response.headers["Location"]) == "/admin/audit"
    for email in ("bruno@example.it", "mod.torino@example.it"):
        client.login(email)
        english(client)
        response = client.get("/admin/audit?action=idea.review")
        assert response.status_code == 403, email
        html = response.get_data(as_text=True)
        assert "Only administrators can read the audit log." in html
        assert "<table" not in html
        client.submit("/account/logout")
    client.login("admin@example.it")
    assert client.get("/admin/audit").status_code == 200


@pytest.fixture
def history(staff, torino):
    """Five entries a day old, recorded out of time order (the last one recorded is the oldest)."""
    start = utcnow() - timedelta(days=1)
    made = {}
    for name, action, city, minutes in (
        ("first", "idea.review", torino, 0),
        ("second", "neighbourhood.add", staff.bari, 1),
        ("third", "idea.reject", torino, 2),
        ("fourth", "user.create_admin", None, 3),
        ("oldest", "idea.review", staff.bari, -1),
    ):
        entry = audit_services.record(staff.admin, action, "test", None, summary=f"entry-{name}",
                                      reason=f"reason-{name}", city_id=city.id if city else None)
        entry.created_at = start + timedelta(minutes=minutes)
        db.session.flush()
        made[name] = entry.id
    db.session.commit()
    return made


def _summaries(html: str) -> list[str]:
    """The test entries listed, in page order."""
    return re.findall(r"<td>entry-(\w+)</td>", html)


def test_entries_are_listed_newest_first_and_filtered(client, staff, torino, history):
    client.login("admin@example.it")
    english(client)
    html = client.get("/admin/audit").get_data(as_text=True)
    assert _summaries(html) == ["fourth", "third", "second", "first", "oldest"]
    assert "reason-third" in html and "Giulia Admin" in html
    # The setup's grants (made now, by the shell) come before the day-old entries.
    assert html.index("user.grant_moderation") < html.index("entry-fourth")

    def listed(query: str) -> list[str]:
        response = client.get(f"/admin/audit?{query}")
        assert response.status_code == 200, query
        return _summaries(response.get_data(as_text=True))

    assert listed("action=idea.review") == ["first", "oldest"]
    assert listed(f"city={torino.id}") == ["third", "first"]
    assert listed(f"city={staff.bari.id}") == ["second", "oldest"]
    assert listed(f"action=idea.review&city={staff.bari.id}") == ["oldest"]
    assert listed("action=idea.review&city=") == ["first", "oldest"]
    assert listed("action=&city=&page=") == ["fourth", "third", "second", "first", "oldest"]
    # Unknown values match nothing rather than everything.
    for query in ("action=idea.delete", "city=999999", "action=IDEA.REVIEW", "action=" + "x" * 300):
        response = client.get(f"/admin/audit?{query}")
        assert response.status_code == 200, query
        html = response.get_data(as_text=True)
        assert _summaries(html) == [] and "No entries." in html and "0 entries" in html, query
    # The chosen filters stay selected in the form.
    html = client.get(f"/admin/audit?action=idea.reject&city={torino.id}").get_data(as_text=True)
    assert re.search(r'<option value="idea\.reject"\s+selected', html)
    assert re.search(rf'<option value="{torino.id}"\s+selected', html)
    assert "1 entry" in html


BAD_FILTERS = [
    "page=abc", "city=xyz", "page=0", "page=-1", "city=0", "city=-3", "page=1.5", "city=1e3",
    "page=99999999999", "city=%00", "action=%00", "page=abc&action=idea.review",
]


def test_bad_filters_are_refused(client, staff):
    client.login("admin@example.it")
    english(client)
    before = table_counts()
    for query in BAD_FILTERS:
        response = client.get(f"/admin/audit?{query}")
        assert response.status_code == 400, query
    assert "The filters of the audit log are not valid." in client.get("/admin/audit?page=abc").get_data(as_text=True)
    assert table_counts() == before
    # Not even a refusal tells others that the log exists.
    client.submit("/account/logout")
    client.login("mod.torino@example.it")
    assert client.get("/admin/audit?page=abc").status_code == 403


def test_a_page_past_the_last_shows_the_last(client, staff, history):
    client.login("admin@example.it")
    response = client.get("/admin/audit?page=7")
    assert response.status_code == 200
    assert _summaries(response.get_data(as_text=True)) == ["fourth", "third", "second", "first", "oldest"]


# --- it cannot be changed --------------------------------------------------------------------------

def test_no_route_changes_or_deletes_audit_entries(app, client, staff, history):
    rules = [r for r in app.url_map.iter_rules() if "audit" in r.rule or r.endpoint.startswith("audit.")]
    assert [r.rule for r in rules] == ["/admin/audit"]
    for rule in rules:
        assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, (rule.rule, rule.methods)
    # Nor does any other route of the audit blueprint or with an audit entry's id in it.
    assert not [r for r in app.url_map.iter_rules() if r.endpoint.startswith("audit.") and r.rule != "/admin/audit"]

    client.login("admin@example.it")
    token = client.csrf_token()
    before = table_counts()
    entries = [(e.id, e.summary, e.reason, e.created_at) for e in db.session.scalars(select(AuditEvent))]
    for method in ("post", "put", "patch", "delete"):
        for url in ("/admin/audit", f"/admin/audit/{history['first']}", f"/admin/audit/{history['first']}/delete"):
            response = getattr(client, method)(url, data={"csrf_token": token, "summary": "changed"})
            assert response.status_code in (404, 405), (method, url)
    assert table_counts() == before
    assert [(e.id, e.summary, e.reason, e.created_at) for e in db.session.scalars(select(AuditEvent))] == entries
    # The service offers appending and reading only.
    public = {name for name in vars(audit_services) if not name.startswith("_") and callable(vars(audit_services)[name])}
    assert not {n for n in public if re.search(r"delete|remove|update|edit|change|purge|clear", n, re.I)}


# --- its cost -----------------------------------------------------------------------------------------

def test_the_page_query_count_does_not_grow_with_the_entries(client, make_user, staff, torino, count_queries):
    actors = [staff.admin, staff.moderator] + [make_user(Role.ADMIN, email=f"admin{i}@example.it") for i in range(3)]
    cities = [torino, staff.bari, None]

    def add_entries(total: int) -> None:
        for i in range(total - _audit_count()):
            city = cities[i % 3]
            audit_services.record(actors[i % len(actors)], f"test.action{i % 4}", "test", i, summary=f"entry-n{i}",
                                  city_id=city.id if city else None)
        db.session.commit()

    client.login("admin@example.it")
    add_entries(10)
    with count_queries() as few:
        response = client.get("/admin/audit")
    assert response.status_code == 200
    add_entries(60)
    with count_queries() as many:
        response = client.get("/admin/audit")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count("<tr>") == 1 + audit_services.PER_PAGE  # the header and one page of entries
    assert many.count == few.count, (few.statements, many.statements)
    with count_queries() as second_page:
        response = client.get("/admin/audit?page=2")
    assert second_page.count == few.count
    assert response.get_data(as_text=True).count("<tr>") == 1 + 60 - audit_services.PER_PAGE
