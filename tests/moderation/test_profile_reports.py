"""Reporting a person's profile: one report per reporter, never one's own, handled in the right queue."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from civic.audit.models import AuditEvent
from civic.extensions import db
from tests.conftest import table_counts
from tests.moderation.helpers import reports_on
from tests.posts.helpers import english, next_of

_QUEUED_USER = re.compile(r'id="queue-user-(\d+)"')


def queued_profiles(html: str) -> set[int]:
    return {int(i) for i in _QUEUED_USER.findall(html)}


def _url(person) -> str:
    return f"/report/user/{person.id}"


@pytest.fixture
def people(make_user, torino, bari, bruno, carla, mod_torino, mod_bari, admin):
    return {
        "dario": make_user(email="dario@example.it", name="Dario Neri", home_city_id=torino.id),
        "elsa": make_user(email="elsa@example.it", name="Elsa Bari", home_city_id=bari.id),
        "ugo": make_user(email="ugo@example.it", name="Ugo Senzacittà"),  # no home city
    }


def test_the_profile_offers_a_report_link_to_other_logged_in_people(client, new_client, people):
    dario = people["dario"]
    link = f'href="{_url(dario)}"'
    assert link not in new_client().get(f"/users/{dario.id}").get_data(as_text=True)
    assert link not in new_client("dario@example.it").get(f"/users/{dario.id}").get_data(as_text=True)
    bruno = new_client("bruno@example.it")
    english(bruno)
    html = bruno.get(f"/users/{dario.id}").get_data(as_text=True)
    assert re.search(rf'<a {re.escape(link)}>Report<span class="visually-hidden"> the profile of Dario Neri</span></a>',
                     html)


def test_a_resident_reports_a_profile_once(client, new_client, people, bruno, carla, torino):
    dario = people["dario"]
    browser = new_client("bruno@example.it")
    english(browser)
    page = browser.get(_url(dario))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Report a profile" in html and "Dario Neri" in html and 'name="reason"' in html
    response = browser.submit(_url(dario), {"reason": "offensive", "details": "  Insulta nei commenti  "})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/users/{dario.id}")
    [entry] = reports_on("user", dario.id)
    assert (entry.reporter_id, entry.city_id, entry.reason, entry.details, entry.resolved_at) == (
        bruno.id, torino.id, "offensive", "Insulta nei commenti", None)
    # A second report from the same person is refused and stores nothing.
    before = table_counts()
    again = browser.submit(_url(dario), {"reason": "spam"})
    assert again.status_code == 409 and "already reported" in again.get_data(as_text=True)
    assert table_counts() == before
    # Someone else may report the same profile.
    assert new_client("carla@example.it").submit(_url(dario), {"reason": "spam"}).status_code == 302
    assert sorted(r.reporter_id for r in reports_on("user", dario.id)) == sorted([bruno.id, carla.id])


def test_a_profile_without_a_home_city_is_reported_to_the_admins(client, new_client, people):
    ugo = people["ugo"]
    assert new_client("bruno@example.it").submit(_url(ugo), {"reason": "spam"}).status_code == 302
    [entry] = reports_on("user", ugo.id)
    assert entry.city_id is None


def test_refused_profile_reports_store_nothing(client, new_client, people, mod_torino):
    dario = people["dario"]
    before = table_counts()
    # Anonymous: to the login page.
    anonymous = new_client()
    for response in (anonymous.get(_url(dario)), anonymous.submit(_url(dario), {"reason": "spam"})):
        assert response.status_code == 302 and next_of(response.headers["Location"]) == _url(dario)
    # One's own profile: refused, with a message.
    own = new_client("dario@example.it")
    english(own)
    for response in (own.get(_url(dario)), own.submit(_url(dario), {"reason": "spam"})):
        assert response.status_code == 403
        assert "You cannot report your own profile." in response.get_data(as_text=True)
    # Invalid data: 422 on the form.
    bruno = new_client("bruno@example.it")
    for data in ({}, {"reason": "bogus"}, {"reason": "other"}, {"reason": "spam", "details": "x" * 1001}):
        assert bruno.submit(_url(dario), data).status_code == 422, data
    # Missing people.
    assert bruno.get("/report/user/999999").status_code == 404
    assert bruno.submit("/report/user/999999", {"reason": "spam"}).status_code == 404
    assert table_counts() == before
    # A blocked account is not reported again (it is already dealt with), nor offered the link.
    assert new_client("mod.torino@example.it").submit(f"/moderation/user/{dario.id}/block",
                                                      {"reason": "Spam ripetuto"}).status_code == 302
    before = table_counts()
    english(bruno)
    response = bruno.submit(_url(dario), {"reason": "spam"})
    assert response.status_code == 409 and "This account is already suspended." in response.get_data(as_text=True)
    assert f'href="{_url(dario)}"' not in bruno.get(f"/users/{dario.id}").get_data(as_text=True)
    assert table_counts() == before


def test_reported_profiles_appear_in_the_queue_of_their_city_and_admins_see_all(
        client, new_client, people, add_report, bruno, carla):
    for person in people.values():
        add_report(bruno, person)
    add_report(carla, people["dario"], "other", "Si spaccia per un funzionario")
    expected = {"mod.torino@example.it": {people["dario"].id}, "mod.bari@example.it": {people["elsa"].id},
                "admin@example.it": {p.id for p in people.values()}}
    for email, ids in expected.items():
        browser = new_client(email)
        english(browser)
        html = browser.get("/moderation/").get_data(as_text=True)
        assert queued_profiles(html) == ids, email
        if email == "mod.torino@example.it":
            card = html[html.index(f'id="queue-user-{people["dario"].id}"'):html.index('id="blocked-heading"')]
            assert "Profile of" in card and "Dario Neri" in card and "Si spaccia per un funzionario" in card
            assert f'action="/moderation/user/{people["dario"].id}/block"' in card
            assert f'action="/moderation/user/{people["dario"].id}/dismiss"' in card
            assert "Ugo" not in html and "Elsa" not in html
        if email == "admin@example.it":
            assert "no home city" in html


def test_reports_on_a_moderator_profile_are_left_to_the_admins(client, new_client, make_user, torino, bari,
                                                             add_report, bruno):
    colleague = make_user("moderator", email="collega@example.it", name="Collega", cities=[bari],
                          home_city_id=torino.id)
    make_user("moderator", email="mod.torino@example.it", cities=[torino])
    add_report(bruno, colleague)
    browser = new_client("mod.torino@example.it")
    english(browser)
    html = browser.get("/moderation/").get_data(as_text=True)
    assert queued_profiles(html) == {colleague.id}
    card = html[html.index(f'id="queue-user-{colleague.id}"'):html.index('id="blocked-heading"')]
    assert "Only administrators can act on this account." in card and "/dismiss" not in card
    before = table_counts()
    assert browser.submit(f"/moderation/user/{colleague.id}/dismiss").status_code == 403
    assert table_counts() == before and reports_on("user", colleague.id)[0].resolved_at is None


def test_dismissing_the_reports_on_a_profile(client, new_client, people, add_report, bruno, carla, mod_torino,
                                             admin, torino):
    dario, ugo = people["dario"], people["ugo"]
    add_report(bruno, dario)
    add_report(carla, dario)
    add_report(bruno, ugo)

    def state():
        return table_counts(), [(r.id, r.resolved_at) for r in reports_on("user", dario.id) + reports_on("user", ugo.id)]

    before = state()
    for email in ("bruno@example.it", "mod.bari@example.it", "dario@example.it"):
        assert new_client(email).submit(f"/moderation/user/{dario.id}/dismiss").status_code == 403, email
    moderator = new_client("mod.torino@example.it")
    assert moderator.submit(f"/moderation/user/{ugo.id}/dismiss").status_code == 403  # no home city: admins only
    assert state() == before

    response = moderator.submit(f"/moderation/user/{dario.id}/dismiss", {"next": "/moderation/"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/moderation/")
    assert all(r.resolved_by_id == mod_torino.id and r.resolved_at for r in reports_on("user", dario.id))
    db.session.refresh(dario)
    assert dario.blocked_at is None  # the account stays as it is
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.dismiss_reports"))
    assert (event.actor_id, event.target_kind, event.target_id, event.city_id) == (
        mod_torino.id, "user", dario.id, torino.id)
    assert queued_profiles(moderator.get("/moderation/").get_data(as_text=True)) == set()

    assert new_client("admin@example.it").submit(f"/moderation/user/{ugo.id}/dismiss").status_code == 302
    assert reports_on("user", ugo.id)[0].resolved_by_id == admin.id


def test_blocking_from_the_queue_closes_the_profile_reports(client, new_client, people, add_report, bruno,
                                                            mod_torino):
    dario = people["dario"]
    add_report(bruno, dario)
    moderator = new_client("mod.torino@example.it")
    response = moderator.submit(f"/moderation/user/{dario.id}/block",
                                {"reason": "Profilo falso", "next": "/moderation/"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/moderation/")
    [entry] = reports_on("user", dario.id)
    assert entry.resolved_by_id == mod_torino.id
    html = moderator.get("/moderation/").get_data(as_text=True)
    assert queued_profiles(html) == set() and f'id="blocked-user-{dario.id}"' in html
