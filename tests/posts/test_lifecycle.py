"""The lifecycle of an idea: every status, every move, every role; the decision form, its
bad input, simultaneous decisions, and what the idea's page shows once decisions are made.

The full (status, action, role) matrix runs at the service level (`lifecycle.perform`) on a
database of its own, built once per backend: each case puts the idea in the status with an
UPDATE and a commit, performs, checks, and rolls back. The pages are tested on representative
cases with the usual per-test app and client.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import pytest
from flask import Flask
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select, update
from sqlalchemy.engine import make_url

from civic.accounts import services as account_services
from civic.accounts.models import Role, User
from civic.audit.models import AuditEvent
from civic.extensions import db
from civic.participation.models import Vote
from civic.posts import lifecycle, merging
from civic.posts import services as post_services
from civic.posts.lifecycle import MOVES, VOTABLE, MoveConflict, MoveError, available_moves, perform
from civic.posts.models import Idea, Post, PostEvent, PostStatus
from civic.posts.services import PostData, PostForbidden
from civic.territories.models import City, Theme
from tests.conftest import DERIVED_TABLES, LOGIN_TABLES, PASSWORD, make_test_app, table_counts
from tests.posts.helpers import assert_inert, english, field_error, logged_in_clients, next_of, post_at_once

# --- the specification, written independently of lifecycle.MOVES --------------------------------

MOD, AUTHOR = "moderator", "author"
SPEC = {
    # action: (statuses it starts from, status it leads to, who makes it)
    "review": ({"published"}, "under_review", MOD),
    "shortlist": ({"under_review"}, "shortlisted", MOD),
    "select": ({"shortlisted"}, "selected_for_codesign", MOD),
    "start_codesign": ({"selected_for_codesign"}, "in_codesign", MOD),
    "start_support": ({"in_codesign"}, "in_startup", MOD),
    "fund": ({"in_startup"}, "funded", MOD),
    "complete": ({"funded"}, "completed", MOD),
    "reject": ({"published", "under_review", "shortlisted", "selected_for_codesign"}, "rejected", MOD),
    "reopen": ({"rejected"}, "under_review", MOD),
    "withdraw": ({"published", "under_review"}, "withdrawn", AUTHOR),
    "merge": ({"published", "under_review", "shortlisted"}, "merged", MOD),  # through merging.merge_idea
}
SPEC_VOTABLE = {"published", "under_review", "shortlisted"}

STATUSES = [s.value for s in PostStatus]
ACTIONS = [m.action for m in MOVES]
ROLES = ["anonymous", "resident", "author", "moderator_torino", "moderator_bari", "admin"]
MAY_MODERATE_TORINO = {"moderator_torino", "admin"}
BASE_VERSION = 7  # the status_version the idea has before each case: a move makes it 8
REASON = "La commissione ha esaminato la proposta.\r\nRisposta **pubblica**."
STORED_REASON = "La commissione ha esaminato la proposta.\nRisposta **pubblica**."

def expected_outcome(status: str, action: str, role: str):
    """PostForbidden, MoveError, or the target status."""
    sources, target, actor = SPEC[action]
    allowed = role in MAY_MODERATE_TORINO if actor == MOD else role == "author"
    if not allowed:
        return PostForbidden
    if status not in sources:
        return MoveError
    return target


def test_the_moves_table_is_the_specification():
    table = {m.action: ({s.value for s in m.sources}, m.target.value, m.actor.value) for m in MOVES}
    assert table == SPEC
    assert len(ACTIONS) == len(set(ACTIONS)) == len(lifecycle.MOVES_BY_ACTION)
    assert {s.value for s in VOTABLE} == SPEC_VOTABLE
    assert [m.action for m in MOVES if not m.reason_required] == ["withdraw"]
    # Every status is a possible value of the column and is reached or left by some move;
    # merged is reached only by a merge and never left.
    assert {t for _s, t, _a in SPEC.values()} | {s for src, _t, _a in SPEC.values() for s in src} == set(STATUSES)
    assert [a for a, (_s, t, _a) in SPEC.items() if t == "merged"] == ["merge"]
    assert not any("merged" in src for src, _t, _a in SPEC.values())
    # Only the merge names another idea: the decision form never offers it.
    assert [m.action for m in MOVES if m.needs_target] == ["merge"]


def test_every_status_fits_in_the_status_column():
    for column in (Post.__table__.c.status, PostEvent.__table__.c.from_status, PostEvent.__table__.c.to_status):
        too_long = [s for s in STATUSES if len(s) > column.type.length]
        assert not too_long, f"{column} is {column.type}: {too_long} do not fit"


# --- the full matrix, at the service level ---------------------------------------------------------

@dataclass
class World:
    app: Flask
    backend: str
    user_ids: dict[str, int]
    idea_id: int
    survivor_id: int  # another idea of Torino: the idea that remains when the idea is merged
    torino_id: int
    counts: dict[str, int]

    def user(self, role: str):
        if role == "anonymous":
            return AnonymousUserMixin()
        return db.session.get(User, self.user_ids[role])


@pytest.fixture(scope="module")
def world(database_url, new_database, tmp_path_factory):
    """A database of its own per backend: Torino, Bari, one idea, a user of every role."""
    backend = make_url(database_url).get_backend_name()
    app = make_test_app(new_database(backend, "lifecycle"), tmp_path_factory.mktemp("lifecycle-instance"))
    with app.app_context():
        db.create_all()
        _fast_commits(db.engine)
        torino = City(slug="torino", name="Torino", region="Piemonte", role="metropolitan")
        bari = City(slug="bari", name="Bari", region="Puglia", role="metropolitan")
        theme = Theme(slug="abitare", name_it="Abitare", name_en="Housing", position=1)
        db.session.add_all([torino, bari, theme])
        db.session.flush()

        def user(email, role=Role.RESIDENT, cities=()):
            person = account_services.register_user(email=email, display_name=email.split("@")[0],
                                                    password=PASSWORD, role=role, confirmed=True,
                                                    privacy_version=app.config["PRIVACY_VERSION"])
            if cities:
                account_services.grant_moderation(person, list(cities))
            return person

        users = {
            "author": user("anna@example.it"),
            "resident": user("bruno@example.it"),
            "moderator_torino": user("mod.torino@example.it", Role.MODERATOR, [torino]),
            "moderator_bari": user("mod.bari@example.it", Role.MODERATOR, [bari]),
            "admin": user("admin@example.it", Role.ADMIN),
        }
        idea = post_services.create_idea(users["author"], torino, PostData(
            title="Riparare le fontanelle del quartiere", body="Un piano in tre fasi.", theme_id=theme.id,
            summary="Un piano per riparare le fontanelle rotte", beneficiaries="Chi abita nel quartiere"))
        survivor = post_services.create_idea(users["resident"], torino, PostData(
            title="Fontanelle funzionanti in tutto il quartiere", body="Lo stesso piano.", theme_id=theme.id,
            summary="Riparare e mantenere le fontanelle", beneficiaries="Chi abita nel quartiere"))
        db.session.commit()
        made = World(app=app, backend=backend, user_ids={k: u.id for k, u in users.items()}, idea_id=idea.id,
                     survivor_id=survivor.id, torino_id=torino.id, counts=table_counts())
        db.session.remove()
    yield made
    with app.app_context():
        db.engine.dispose()


@functools.cache
def _counts_statement():
    tables = [t for t in db.metadata.sorted_tables if t.name not in DERIVED_TABLES | LOGIN_TABLES]
    return [t.name for t in tables], select(*[select(func.count()).select_from(t).scalar_subquery() for t in tables])


def _counts() -> dict[str, int]:
    """table_counts() in one statement (the matrix counts at every case)."""
    names, statement = _counts_statement()
    return dict(zip(names, db.session.execute(statement).one(), strict=True))


def _fast_commits(engine) -> None:
    """This database is thrown away after the run: commits need not wait for the disk."""
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def relax(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=OFF" if engine.dialect.name == "sqlite" else "SET synchronous_commit = off")
        cursor.close()
        if engine.dialect.name != "sqlite":
            dbapi_connection.commit()

    engine.dispose()


def _state(idea_id: int) -> tuple[str, int]:
    return tuple(db.session.execute(select(Post.status, Post.status_version).where(Post.id == idea_id)).one())


def _put_in(idea_id: int, status: str, version: int | None = None) -> None:
    """Put the idea directly in a status (and optionally a version), committed."""
    values = {"status": status}
    if version is not None:
        values["status_version"] = version
    db.session.execute(update(Post.__table__).where(Post.__table__.c.id == idea_id).values(**values))
    db.session.commit()


def _diff(before: dict, after: dict) -> dict:
    return {name: after[name] - before[name] for name in before if after[name] != before[name]}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("status", STATUSES)
def test_every_move_from_every_status_by_every_role(world, status, action, role):
    expected = expected_outcome(status, action, role)
    with world.app.app_context():
        try:
            _check_one_move(world, status, action, role, expected)
        finally:
            db.session.rollback()


def _check_one_move(world: World, status: str, action: str, role: str, expected) -> None:
    _put_in(world.idea_id, status, BASE_VERSION)
    user = world.user(role)
    idea = db.session.get(Idea, world.idea_id)
    # The form offers exactly the moves that succeed.
    assert (action in {m.action for m in available_moves(user, idea)}) == isinstance(expected, str)
    # Every case ends with a rollback and statuses do not change row counts: the baseline holds.
    before = world.counts

    def act():
        if action == "merge":  # the move names the idea that remains: merging performs it
            return merging.merge_idea(user, idea, world.survivor_id, REASON, expected_version=BASE_VERSION)
        return perform(user, idea, action, REASON, expected_version=BASE_VERSION)

    if not isinstance(expected, str):
        with pytest.raises(expected) as refused:
            act()
        assert type(refused.value) is expected
        assert refused.value.status == (403 if expected is PostForbidden else 422)
        if expected is PostForbidden and SPEC[action][2] == MOD:
            assert "Torino" in str(refused.value.message)
        assert _counts() == before
        assert _state(world.idea_id) == (status, BASE_VERSION)
        return

    event = act()
    actor = SPEC[action][2]
    assert _state(world.idea_id) == (expected, BASE_VERSION + 1)
    assert idea.status == expected and idea.status_version == BASE_VERSION + 1
    # A moderator's move notifies the author (who follows the idea), in-app and by email at once.
    # Entering co-design opens the idea's co-design process (civic/codesign/services.py), with its audit entry;
    # the idea's author follows the process.
    # Entering start-up support opens the idea's support plan, its author in the team (civic/startup/services.py).
    # Being funded creates the idea's funded project, with its audit entry; the author follows it (civic/projects).
    opened = ({"codesign_process": 1, "audit_event": 2, "follow": 1}
              if expected in ("selected_for_codesign", "in_codesign") else
              {"support_plan": 1, "support_team_member": 1} if expected == "in_startup" else
              {"funded_project": 1, "audit_event": 2, "follow": 1} if expected == "funded" else {})
    assert _diff(before, _counts()) == ({"post_event": 1, "audit_event": 1, "notification": 1, "email_message": 1}
                                        | opened if actor == MOD else {"post_event": 1})
    stored = db.session.scalars(select(PostEvent).where(PostEvent.post_id == world.idea_id)).one()
    assert stored is event
    assert (stored.action, stored.from_status, stored.to_status) == (action, status, expected)
    assert (stored.actor_id, stored.actor_role) == (user.id, actor)
    assert stored.reason_markdown == STORED_REASON
    assert "<strong>pubblica</strong>" in stored.reason_html
    if actor == MOD:
        entry = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("idea.%"))).one()
        assert (entry.action, entry.target_kind, entry.target_id) == (f"idea.{action}", "idea", world.idea_id)
        assert (entry.actor_id, entry.actor_role) == (user.id, user.role)
        assert entry.city_id == world.torino_id
        assert entry.reason == STORED_REASON
        into = f", into #{world.survivor_id}: Fontanelle funzionanti in tutto il quartiere" if action == "merge" else ""
        assert entry.summary == f"Riparare le fontanelle del quartiere: {status} → {expected}{into}"
    merged_into = db.session.scalar(select(Idea.merged_into_id).where(Idea.id == world.idea_id))
    assert merged_into == (world.survivor_id if action == "merge" else None)


def test_unknown_actions_and_stale_versions_at_the_service_level(world):
    with world.app.app_context():
        try:
            _put_in(world.idea_id, "published", BASE_VERSION)
            moderator = world.user("moderator_torino")
            idea = db.session.get(Idea, world.idea_id)
            before = _counts()
            assert before == table_counts()
            for action in ("", "nonsense", "REVIEW", "idea.review", None):
                with pytest.raises(MoveError):
                    perform(moderator, idea, action, REASON)
            # An unknown action is refused as such, even to someone who may not act at all.
            with pytest.raises(MoveError):
                perform(AnonymousUserMixin(), idea, "nonsense", REASON)
            for version in (BASE_VERSION - 1, BASE_VERSION + 1, 0):
                with pytest.raises(MoveConflict) as conflict:
                    perform(moderator, idea, "review", REASON, expected_version=version)
                assert conflict.value.status == 409
            for reason in ("", "  \n\t ", None, "a\x00b", "x" * 5001):
                with pytest.raises(MoveError) as bad:
                    perform(moderator, idea, "review", reason, expected_version=BASE_VERSION)
                assert bad.value.field == "reason"
            assert _counts() == before
            assert _state(world.idea_id) == ("published", BASE_VERSION)
            # Exactly 5,000 characters (after trimming) is accepted; no version means "do not check".
            perform(moderator, idea, "review", "  " + "x" * 5000 + "  ")
            assert _state(world.idea_id) == ("under_review", BASE_VERSION + 1)
            assert len(db.session.scalars(select(PostEvent)).one().reason_markdown) == 5000
        finally:
            db.session.rollback()


# --- the same rules through the pages ------------------------------------------------------------

@pytest.fixture
def people(make_user, make_city, torino, anna, bruno):
    """The email of every role (anna is the author of the ideas, bruno another resident)."""
    bari = make_city("Bari", region="Puglia")
    make_user(Role.MODERATOR, email="mod.torino@example.it", name="Marco Bellini", cities=[torino])
    make_user(Role.MODERATOR, email="mod.bari@example.it", name="Nicola Bari", cities=[bari])
    make_user(Role.ADMIN, email="admin@example.it", name="Giulia Admin")
    return {
        "anonymous": None,
        "resident": "bruno@example.it",
        "author": "anna@example.it",
        "moderator_torino": "mod.torino@example.it",
        "moderator_bari": "mod.bari@example.it",
        "admin": "admin@example.it",
    }


def _idea_moves(idea_id: int) -> tuple[list[PostEvent], list[AuditEvent]]:
    events = list(db.session.scalars(select(PostEvent).where(PostEvent.post_id == idea_id).order_by(PostEvent.id)))
    entries = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("idea.%"))
                                      .order_by(AuditEvent.id)))
    return events, entries


def _move(client, idea, action: str, reason: str | None = "Risposta pubblica del Comune.", version=None, **extra):
    if version is None:
        version = _state(idea.id)[1]
    data = {"action": action, "version": str(version), **extra}
    if reason is not None:
        data["reason"] = reason
    return client.submit(f"/ideas/{idea.id}/moves", data)


HTTP_SAMPLE = [
    ("published", "review"),
    ("under_review", "shortlist"),
    ("in_codesign", "start_support"),
    ("in_startup", "fund"),
    ("funded", "complete"),
    ("shortlisted", "reject"),
    ("rejected", "reopen"),
    ("shortlisted", "review"),        # a real move, not from this status
    ("in_codesign", "reject"),
    ("published", "withdraw"),        # the author's move, not a decision
    ("published", "nonsense"),
    ("completed", "reopen"),          # nothing left to decide
    ("withdrawn", "review"),
    ("merged", "reject"),
]  # shortlisted → select → selected_for_codesign → start_codesign: see test_selecting_for_codesign_through_the_page


def _expected_http(role: str, status: str, action: str) -> tuple[int, str | None]:
    """The status code, and the message the page shows (None: nothing to check)."""
    if role == "anonymous":
        return 302, None  # to the login page
    closed = "Only the moderators of Torino can decide on this idea, and only while it is open to a decision."
    if role not in MAY_MODERATE_TORINO:
        return 403, closed
    # With no decision left (withdrawn, completed...), the form is still judged: 422 with the reason.
    decisions = {a for a, (sources, _t, actor) in SPEC.items() if actor == MOD and status in sources}
    if action not in SPEC:
        return 422, "This action does not exist."
    if SPEC[action][2] != MOD:
        return 403, "Only the author can do this."
    if action not in decisions:
        return 422, "is not possible for an idea that is"
    return 302, None


@pytest.mark.parametrize("roles", [
    pytest.param(["moderator_torino"], id="moderator_torino"),
    pytest.param(["admin"], id="admin"),
    pytest.param(["anonymous", "resident", "author", "moderator_bari"], id="the_others"),
])
def test_decisions_through_the_page(client, people, anna, torino, new_idea, roles):
    idea = new_idea(anna, torino)
    for role in roles:
        client.submit("/account/logout")
        if people[role]:
            client.login(people[role])
        english(client)
        _check_decisions_through_the_page(client, people, idea, torino, role)


def _check_decisions_through_the_page(client, people, idea, torino, role):
    # Who may not decide is refused whatever the status and action: a few cases suffice.
    sample = HTTP_SAMPLE if role in MAY_MODERATE_TORINO else HTTP_SAMPLE[::4]
    for status, action in sample:
        _put_in(idea.id, status, 3)
        expected, message = _expected_http(role, status, action)
        before = _counts()
        events_before, entries_before = _idea_moves(idea.id)
        response = _move(client, idea, action, version=3)
        case = f"{role} {action} on {status}"
        assert response.status_code == expected, case
        html = response.get_data(as_text=True)
        if expected != 302 or role == "anonymous":
            assert _counts() == before, case
            assert _state(idea.id) == (status, 3), case
            if role == "anonymous":
                assert next_of(response.headers["Location"]) == f"/ideas/{idea.id}/moves"
            elif expected == 403:
                assert message in html, case
            else:
                assert message in field_error(html, "action"), case
                # The form is shown again, with what was typed, for another try.
                assert f'action="/ideas/{idea.id}/moves"' in html and "Risposta pubblica del Comune." in html
            continue
        target = SPEC[action][1]
        assert response.headers["Location"].endswith(f"/ideas/{idea.id}-{idea.slug}#history"), case
        assert _state(idea.id) == (target, 4), case
        plan = {"support_plan": 1, "support_team_member": 1} if target == "in_startup" else {}  # its support plan
        # Its funded project (civic/projects), with its audit entry and the author following it: once per idea.
        if target == "funded" and before.get("funded_project", 0) == 0:
            plan = {"funded_project": 1, "audit_event": 2, "follow": 1}
        assert _diff(before, _counts()) == {"post_event": 1, "audit_event": 1, "notification": 1,
                                            "email_message": 1} | plan, case  # the author is notified
        events, entries = _idea_moves(idea.id)
        event, entry = events[-1], entries[-1]
        assert len(events) == len(events_before) + 1 and len(entries) == len(entries_before) + 1
        assert (event.action, event.from_status, event.to_status, event.actor_role) == (action, status, target, MOD)
        assert event.reason_markdown == "Risposta pubblica del Comune."
        assert (entry.action, entry.target_id, entry.city_id, entry.reason) == (
            f"idea.{action}", idea.id, torino.id, "Risposta pubblica del Comune.")
        assert entry.actor.email == people[role] and entry.actor_role == ("admin" if role == "admin" else "moderator")


def test_selecting_for_codesign_through_the_page(app, client, people, anna, torino, new_idea):
    idea = new_idea(anna, torino)
    _put_in(idea.id, "shortlisted", 2)
    client.login(people["moderator_torino"])
    response = _move(client, idea, "select", "Selezionata per la co-progettazione.")
    assert response.status_code == 302
    assert _state(idea.id) == ("selected_for_codesign", 3)
    assert _move(client, idea, "start_codesign", "Primo incontro il 3 marzo.").status_code == 302
    assert _state(idea.id) == ("in_codesign", 4)
    assert [e.to_status for e in _idea_moves(idea.id)[0]] == ["selected_for_codesign", "in_codesign"]


def test_the_author_withdraws_through_the_withdraw_button(client, people, anna, torino, new_idea):
    first = new_idea(anna, torino, title="Prima idea da ritirare")
    second = new_idea(anna, torino, title="Seconda idea, già in esame")
    third = new_idea(anna, torino, title="Terza idea, già selezionata")
    _put_in(second.id, "under_review", 1)
    _put_in(third.id, "shortlisted", 2)

    # Nobody else may withdraw it: not logged in, another resident, a moderator, an admin.
    before = _counts()
    response = client.submit(f"/ideas/{first.id}/withdraw")
    assert response.status_code == 302 and next_of(response.headers["Location"]) == f"/ideas/{first.id}/withdraw"
    for role in ("resident", "moderator_torino", "admin"):
        client.login(people[role])
        assert client.submit(f"/ideas/{first.id}/withdraw").status_code == 403, role
        client.submit("/account/logout")
    assert _counts() == before

    client.login("anna@example.it")
    english(client)
    assert client.post(f"/ideas/{first.id}/withdraw").status_code == 400  # no CSRF token
    for idea, version in ((first, 0), (second, 1)):
        response = client.submit(f"/ideas/{idea.id}/withdraw")
        assert response.status_code == 302
        assert _state(idea.id) == ("withdrawn", version + 1)
        event = db.session.scalars(select(PostEvent).where(PostEvent.post_id == idea.id)).one()
        assert (event.action, event.to_status, event.actor_role, event.actor_id) == ("withdraw", "withdrawn",
                                                                                  AUTHOR, anna.id)
        assert event.reason_markdown == "" and event.reason_html == ""
    # An author's move is not a moderator's action: nothing in the audit log.
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action.like("idea.%"))) == 0

    before = _counts()
    for idea, status in ((first, "withdrawn"), (third, "shortlisted")):  # only once; only while early
        response = client.submit(f"/ideas/{idea.id}/withdraw")
        assert response.status_code == 403
        assert "Only the author can withdraw this idea, and only once." in response.get_data(as_text=True)
        assert _state(idea.id)[0] == status
    # The decision form does not take the author's move either.
    assert _move(client, second, "withdraw").status_code == 403
    assert _counts() == before


# --- bad input in the decision form ------------------------------------------------------------------

def test_refused_decisions_record_nothing(client, people, anna, torino, new_idea):
    idea = new_idea(anna, torino)
    client.login(people["moderator_torino"])
    english(client)
    before = _counts()

    def refused(expected: int, field: str | None = None, **kwargs) -> str:
        response = _move(client, idea, **kwargs)
        assert response.status_code == expected, kwargs
        html = response.get_data(as_text=True)
        if field:
            message = field_error(html, field)
            assert message, kwargs
        assert _counts() == before, kwargs
        assert _state(idea.id) == ("published", 0), kwargs
        return html

    assert "Write the public answer" in refused(422, "reason", action="review", reason="")
    assert "Write the public answer" in refused(422, "reason", action="review", reason=" \r\n\t  \n")
    assert "Write the public answer" in refused(422, "reason", action="reject", reason=None)
    html = refused(422, "reason", action="review", reason="x" * 5001)
    assert "at most 5000 characters (you entered 5001)" in field_error(html, "reason")
    # 5,000 characters plus a CRLF line break counted as one character: 5,001.
    refused(422, "reason", action="review", reason="x" * 4999 + "\r\n" + "y")
    assert "not allowed" in field_error(refused(422, "reason", action="review", reason="Va bene\x00."), "reason")
    assert field_error(refused(422, "action", action="nonsense"), "action") == "This action does not exist."
    assert field_error(refused(422, "action", action=""), "action") == "Choose a decision."
    assert field_error(refused(422, "action", action="complete"), "action") == (  # a real move, not from here
        '"Mark as completed" is not possible for an idea that is "Published".')
    # What was typed is kept in the form shown again.
    assert "Va bene anche così" in refused(422, "action", action="nonsense", reason="Va bene anche così")
    assert client.post(f"/ideas/{idea.id}/moves", data={"action": "review", "reason": "Ok", "version": "0"}
                       ).status_code == 400  # no CSRF token
    assert client.submit("/ideas/999999/moves", {"action": "review", "reason": "Ok", "version": "0"}
                         ).status_code == 404
    assert client.get(f"/ideas/{idea.id}/moves").status_code == 405
    assert _counts() == before

    # A decision taken on an outdated page (version older or newer than the idea's) is a conflict.
    assert _move(client, idea, "review").status_code == 302
    assert _state(idea.id) == ("under_review", 1)
    before = _counts()
    for version in (0, 2, 99):
        response = _move(client, idea, "shortlist", version=version)
        assert response.status_code == 409, version
        assert "changed while you were looking at it" in response.get_data(as_text=True)
        assert _counts() == before and _state(idea.id) == ("under_review", 1)
    # A page with the right version works.
    assert _move(client, idea, "shortlist", version=1).status_code == 302
    assert _state(idea.id) == ("shortlisted", 2)


def test_a_non_numeric_version_is_refused(client, people, anna, torino, new_idea):
    idea = new_idea(anna, torino)
    client.login(people["moderator_torino"])
    before = _counts()
    for version in ("abc", "1.5", "0x1"):
        assert _move(client, idea, "review", version=version).status_code == 422, version
    assert _counts() == before and _state(idea.id) == ("published", 0)


# --- simultaneous decisions --------------------------------------------------------------------------



@pytest.mark.parametrize("parallel", [2, 10])
def test_simultaneous_decisions_only_one_wins(app, client, people, make_user, anna, torino, new_idea, parallel):
    idea = new_idea(anna, torino)
    make_user(Role.MODERATOR, email="mod2.torino@example.it", cities=[torino])
    # Two moderators of Turin, each in several browsers, deciding differently at the same moment.
    emails = [("mod.torino@example.it", "mod2.torino@example.it")[i % 2] for i in range(parallel)]
    clients = logged_in_clients(app, emails)
    actions = [("review", "reject")[(i // 2) % 2] for i in range(parallel)]
    payloads = [{"action": a, "reason": f"Decisione {i}", "version": "0"} for i, a in enumerate(actions)]
    before = _counts()
    results = post_at_once(app, [(c, t, f"/ideas/{idea.id}/moves", data) for (c, t), data in zip(clients, payloads, strict=True)])

    assert results.count(302) == 1, results
    assert all(r in (302, 409, 422) for r in results), results
    winner = results.index(302)
    assert _state(idea.id) == (SPEC[actions[winner]][1], 1)
    assert _diff(before, _counts()) == {"post_event": 1, "audit_event": 1, "notification": 1, "email_message": 1}
    events, entries = _idea_moves(idea.id)
    assert [e.reason_markdown for e in events] == [f"Decisione {winner}"]
    assert [e.action for e in entries] == [f"idea.{actions[winner]}"]
    # A loser may get 422 only if its action is not possible from the winner's status.
    for i, result in enumerate(results):
        if result == 422:
            assert _state(idea.id)[0] not in SPEC[actions[i]][0], (i, actions[i], results)


def test_a_stale_page_after_a_simultaneous_withdrawal_is_a_conflict(client, people, anna, torino, new_idea):
    """The moderator's page says version 0; the author withdrew meanwhile."""
    idea = new_idea(anna, torino)
    client.login("anna@example.it")
    assert client.submit(f"/ideas/{idea.id}/withdraw").status_code == 302
    client.submit("/account/logout")
    client.login(people["moderator_torino"])
    before = _counts()
    response = _move(client, idea, "review", version=0)
    assert _counts() == before and _state(idea.id) == ("withdrawn", 1)
    assert response.status_code == 409


# --- what the idea's page shows ----------------------------------------------------------------

def _history_items(html: str) -> list[str]:
    section = re.search(r'<section id="history".*?</section>', html, re.S)
    assert section, "no history section"
    return re.findall(r"<li\b.*?</li>", section.group(0), re.S)


def _text(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", fragment).split())


def test_the_page_shows_the_whole_history_in_order(client, people, anna, torino, new_idea):
    idea = new_idea(anna, torino)
    steps = [
        ("moderator_torino", "review", "Iniziamo l'esame con gli **uffici tecnici**."),
        ("admin", "reject", "Il costo supera il budget <script>alert(1)</script> disponibile."),
        ("moderator_torino", "reopen", "Il budget è stato *aumentato*: riapriamo."),
    ]
    for role, action, reason in steps:
        client.login(people[role])
        assert _move(client, idea, action, reason).status_code == 302, action
        client.submit("/account/logout")
    client.login("anna@example.it")
    assert client.submit(f"/ideas/{idea.id}/withdraw").status_code == 302

    for who in ("anonymous", "resident"):
        client.submit("/account/logout")
        if people[who]:
            client.login(people[who])
        english(client)
        html = client.get(f"/ideas/{idea.id}-{idea.slug}").get_data(as_text=True)
        items = [_text(item) for item in _history_items(html)]
        assert len(items) == 5, items
        assert "Published" in items[0] and "Author" in items[0]
        assert "Municipality of Torino" in items[1] and "Under review" in items[1]
        assert "Iniziamo l'esame con gli uffici tecnici." in items[1]
        assert "Municipality of Torino" in items[2] and "Not selected" in items[2]  # the admin speaks for the city
        assert "Il costo supera il budget" in items[2] and "disponibile." in items[2]
        assert "Municipality of Torino" in items[3] and "Under review" in items[3] and "riapriamo" in items[3]
        assert "Author" in items[4] and "Withdrawn" in items[4] and "Municipality" not in items[4]
        assert "<strong>uffici tecnici</strong>" in html and "<em>aumentato</em>" in html
        assert_inert(html)
        events = db.session.scalars(select(PostEvent).where(PostEvent.post_id == idea.id).order_by(PostEvent.id)).all()
        positions = [html.index(f'id="event-{e.id}"') for e in events]
        assert positions == sorted(positions) and len(positions) == 4


def test_the_decision_form_is_shown_only_to_the_city_moderators_and_admins(client, people, anna, torino, new_idea):
    idea = new_idea(anna, torino)
    url = f"/ideas/{idea.id}-{idea.slug}"
    form = f'action="/ideas/{idea.id}/moves"'
    for role, email in people.items():
        client.submit("/account/logout")
        if email:
            client.login(email)
        html = client.get(url).get_data(as_text=True)
        assert (form in html) == (role in MAY_MODERATE_TORINO), role
        if role in MAY_MODERATE_TORINO:
            options = re.findall(r'<option[^>]*value="([^"]*)"', re.search(r'<select[^>]*id="action".*?</select>',
                                                                           html, re.S).group(0))
            assert options == ["", "review", "reject"], role
            assert 'id="reason"' in html and 'name="version"' in html and 'value="0"' in html
    # Once the idea is completed, there is nothing left to decide: no form, even for the admin.
    _put_in(idea.id, "completed", 6)
    assert form not in client.get(url).get_data(as_text=True)
    _put_in(idea.id, "shortlisted", 6)
    html = client.get(url).get_data(as_text=True)
    assert form in html and re.search(r'name="version"[^>]*value="6"|value="6"[^>]*name="version"', html)


def _vote_count(idea_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Vote).where(Vote.post_id == idea_id))


def test_votes_are_open_only_in_the_votable_statuses(client, people, anna, torino, new_idea):
    idea = new_idea(anna, torino)
    client.login(people["resident"])
    for status in STATUSES:
        _put_in(idea.id, status)
        before = _counts()
        response = client.submit(f"/posts/{idea.id}/vote")
        if status in SPEC_VOTABLE:
            assert response.status_code == 302, status
            assert _vote_count(idea.id) == 1
            assert client.submit(f"/posts/{idea.id}/unvote").status_code == 302
            assert _vote_count(idea.id) == 0
        else:
            assert response.status_code == 403, status
            assert _counts() == before, status


def test_the_author_cannot_edit_once_the_idea_is_under_review(client, people, anna, torino, themes, new_idea):
    idea = new_idea(anna, torino)
    client.login("anna@example.it")
    english(client)
    assert client.get(f"/ideas/{idea.id}/edit").status_code == 200
    client.submit("/account/logout")
    client.login(people["moderator_torino"])
    assert _move(client, idea, "review").status_code == 302
    client.submit("/account/logout")
    client.login("anna@example.it")
    english(client)
    response = client.get(f"/ideas/{idea.id}/edit")
    assert response.status_code == 403
    assert "the municipality is already examining it" in response.get_data(as_text=True)
    before = _counts()
    response = client.submit(f"/ideas/{idea.id}/edit", {
        "title": "Titolo cambiato", "summary": "Un altro riassunto", "body": "Altro testo.",
        "theme": str(themes[0].id), "neighbourhood": "", "beneficiaries": "Tutti", "estimated_cost": ""})
    assert response.status_code == 403
    assert _counts() == before
    assert db.session.get(Idea, idea.id).title == "Riparare le fontanelle del quartiere"
    html = client.get(f"/ideas/{idea.id}-{idea.slug}").get_data(as_text=True)
    assert f'href="/ideas/{idea.id}/edit"' not in html
    # Still under review: she may withdraw it.
    assert f'action="/ideas/{idea.id}/withdraw"' in html
