"""Who may change what: every route that can change something, read from the URL map, sent with a valid
CSRF token by people who may not use it, on the demo content.

- An anonymous visitor is sent to the login page (or refused) by every such route but the few meant for
  visitors (ANONYMOUS_MAY), and changes nothing.
- A moderator of a city with none of the demo content is refused the same, but for importing projects, and
  so is the administrator of another organisation.
- A resident with no role, no organisation and nothing of their own among the demo content is refused
  (403, or 404 where the thing is not theirs to know about) by every route but the ones any resident may
  use on others' content (RESIDENT_MAY), and changes nothing. The refusal comes before the form is read:
  a form filled in wrongly gets the same answer as one filled in well.

- The administrator and a moderator of Torino, the city of the demo content, are refused (403) nothing on
  any route, GET or changing, but what belongs to one person or organisation (ADMIN_REFUSED) and, for the
  moderator, what is for administrators or another city (MODERATOR_REFUSED).

A new route is covered without being named: it must refuse both, or be added to a list with its reason.
"""
from __future__ import annotations

import pytest

from civic.core import content_version
from civic.demo.content import load_demo_content
from civic.extensions import db
from tests.conftest import table_counts
from tests.posts.helpers import english
from tests.security.routes import filled, rules

# What a visitor without an account may send, and why.
ANONYMOUS_MAY = {
    "accounts.register": "creating an account",
    "accounts.login": "logging in",
    "accounts.login_verify": "the login's second step (sends back to the login without a pending one)",
    "accounts.request_reset": "asking for a new password",
    "accounts.reset_password": "choosing a new password with an emailed link",
    "accounts.logout": "logging out (nothing to end)",
    "core.set_language": "the language, kept in the session",
    "core.choose_city": "the city of the header's selector, kept in the session",
    "notifications.unsubscribe": "the one-click unsubscribe of an email, proven by its signed token",
    "orgs.invitation": "an invitation's page: accepting it needs an account",
}

# What any resident may send about content that is not theirs, and why.
RESIDENT_MAY = {
    **ANONYMOUS_MAY,
    "accounts.register": "sends a logged-in person to the home page",
    "accounts.account": "their own profile",
    "accounts.change_password": "their own password",
    "accounts.change_email": "their own address, with their password",
    "accounts.end_all_login_sessions": "their own sessions",
    "accounts.end_login_session": "their own sessions (another's: 404, checked in tests/accounts)",
    "accounts.resend_confirmation": "their own address",
    "accounts.two_factor_codes": "their own second factor",
    "accounts.two_factor_off": "their own second factor",
    "accounts.two_factor_setup": "their own second factor",
    "privacy.accept": "their own consent",
    "privacy.delete_account": "their own account",
    "privacy.request_data": "their own data",
    "notifications.preferences": "their own email preferences",
    "notifications.read": "their own notifications (another's: 404, checked in tests/notifications)",
    "notifications.read_all": "their own notifications",
    "notifications.follow": "following public content",
    "notifications.unfollow": "following public content",
    "participation.vote": "supporting a need or voting an idea",
    "participation.unvote": "taking their support or vote back",
    "comments.add": "commenting",
    "moderation.report": "reporting content to the moderators",
    "posts.new_need": "writing a need",
    "posts.new_idea": "proposing an idea",
    "orgs.new": "registering an organisation",
    "codesign.register": "registering to a public co-design meeting",
    "codesign.unregister": "their own registration",
}

# What a moderator may send whatever the city of the content, and why.
MODERATOR_ELSEWHERE_MAY = {
    "project_import.upload": "importing funded projects: each row's city is checked against the moderator's "
                             "(tests/projects/test_import.py)",
}

# A form's fields filled in plausibly: a route that forgot its permission check would act on them.
PAYLOAD = {
    "title": "Titolo di prova abbastanza lungo", "body": "Un testo di prova.", "summary": "Un riassunto di prova",
    "beneficiaries": "Chi abita nel quartiere", "reason": "Motivo di prova", "text": "Testo di prova",
    "name": "Nome di prova", "email": "prova@example.it", "role": "admin", "amount": "100", "date": "2026-01-10",
    "status": "published", "locale": "it", "password": "a-long-enough-password", "code": "123456",
}


@pytest.fixture
def demo(app, reference_data, make_user):
    content_version.create_rows()
    load_demo_content()
    db.session.commit()


def _changing_routes(app) -> list[tuple[str, str, str]]:
    changing = {"POST", "PUT", "PATCH", "DELETE"}
    routes = set()
    for rule in rules(app, changing):
        url = filled(rule).replace("nothing-here", "torino") if "<slug>" in rule.rule else filled(rule)
        routes |= {(method, url, rule.endpoint) for method in rule.methods & changing}
    return sorted(routes)


def _state():
    db.session.expire_all()
    return table_counts(), content_version.current()


def _check(client, app, allowed: dict, good_answer) -> list[str]:
    token = client.csrf_token("/privacy")  # a page every visitor may read
    wrong, statuses = [], []
    for method, url, endpoint in _changing_routes(app):
        if endpoint in allowed:
            continue
        before = _state()
        response = client.open(url, method=method, data={**PAYLOAD, "csrf_token": token})
        statuses.append(response.status_code)
        if not good_answer(response):
            wrong.append(f"{response.status_code} {method} {url} ({endpoint})")
        if _state() != before:
            wrong.append(f"changed the database: {method} {url} ({endpoint})")
    # Most refusals must be about who asks, not about ids that name nothing (the demo has them all).
    assert statuses.count(404) < len(statuses) / 4, sorted(statuses)
    return wrong


def test_an_anonymous_visitor_is_sent_to_log_in_and_changes_nothing(app, client, demo):
    def sent_to_login(response) -> bool:
        return (response.status_code == 302 and "/account/login" in response.headers["Location"]) \
            or response.status_code in (403, 404)

    routes = _changing_routes(app)
    assert len(routes) > 80, "the URL map should hold the site's forms"
    wrong = _check(client, app, ANONYMOUS_MAY, sent_to_login)
    assert not wrong, "\n".join(wrong)


def test_a_resident_is_refused_what_is_not_theirs_and_changes_nothing(app, client, demo, make_user):
    make_user(email="nessuno@example.it", name="Persona Qualunque")
    client.login("nessuno@example.it")

    def refused(response) -> bool:  # 409: leaving an organisation one is not a member of
        return response.status_code in (403, 404, 409)

    wrong = _check(client, app, RESIDENT_MAY, refused)
    assert not wrong, "\n".join(wrong)


def test_a_moderator_of_another_city_is_refused_what_is_not_theirs_and_changes_nothing(app, client, demo, make_user):
    """A moderator of a city without any of the demo content acts on it like any resident, no more."""
    from civic.territories.models import City

    elsewhere = db.session.scalar(db.select(City).where(City.slug == "napoli"))
    make_user("moderator", email="mod.altrove@example.it", cities=[elsewhere])
    client.login("mod.altrove@example.it")

    def refused(response) -> bool:
        return response.status_code in (403, 404, 409)

    wrong = _check(client, app, {**RESIDENT_MAY, **MODERATOR_ELSEWHERE_MAY}, refused)
    assert not wrong, "\n".join(wrong)


def test_the_administrator_of_another_organisation_is_refused_what_is_not_theirs(app, client, demo, make_user):
    """Running one organisation gives no hand on another's (the demo's organisation 1 is not theirs)."""
    from civic.orgs import services as orgs
    from civic.territories.models import City, Theme
    from tests.orgs.conftest import CF_C, org_data

    person = make_user(email="presidente@example.it", name="Presidente Altra")
    napoli = db.session.scalar(db.select(City).where(City.slug == "napoli"))
    theme = db.session.scalar(db.select(Theme).order_by(Theme.position))
    mine = orgs.register_organisation(person, org_data(napoli, [theme], name="Altra Associazione APS",
                                                       codice_fiscale=CF_C))
    db.session.commit()
    assert mine.id != 1
    client.login(person.email)

    def refused(response) -> bool:
        return response.status_code in (403, 404, 409)

    wrong = _check(client, app, RESIDENT_MAY, refused)
    assert not wrong, "\n".join(wrong)


# --- and those who may: nothing refused but what belongs to one person or to administrators -----------

# What the administrator is refused (403) on the demo content, and why: what belongs to one person or
# one organisation, which staff moderate (hide, block) but do not write in their name.
ADMIN_REFUSED = {
    "GET comments.edit": "a comment is edited by its author", "POST comments.edit": "the same",
    "POST comments.delete": "a comment is deleted by its author (staff hide it)",
    "GET posts.edit_need": "a need is edited by its author", "POST posts.edit_need": "the same",
    "GET orgs.edit": "an organisation's profile is written by its administrators", "POST orgs.edit": "the same",
    "GET orgs.members": "an organisation's members are managed by its administrators",
    "POST orgs.change_role": "the same", "POST orgs.remove_member": "the same", "POST orgs.invite": "the same",
    "POST orgs.revoke": "the same",
    "GET codesign.express_interest": "an expression of interest is an organisation's own",
    "POST codesign.express_interest": "the same", "POST codesign.withdraw_interest": "the same",
    "POST startup.add_update": "a start-up's updates are written by its team",
}
# What a moderator of Torino (the city of most demo content the ids name) is refused beyond those, and why.
MODERATOR_REFUSED = {
    "GET audit.index": "the audit log is for administrators",
    "GET people.index": "roles are given by administrators", "GET people.person": "the same",
    "POST people.person": "the same",
    "GET territories.neighbourhoods": "a city's neighbourhoods are edited by administrators",
    "POST territories.neighbourhoods": "the same", "GET territories.rename_neighbourhood": "the same",
    "POST territories.rename_neighbourhood": "the same", "POST territories.delete_neighbourhood": "the same",
    "POST moderation.block_user": "the demo's account 1 is the administrator, whom moderators do not block",
    "POST moderation.act_on_user": "the same",
    "GET startup.edit": "the demo's start-up plan 1 is in Palermo", "POST startup.edit": "the same",
    "POST startup.approve_gate": "the same", "POST startup.fund": "the same",
}
CSRF_REFUSED = "Your form has expired or was not sent from this site."
ALLOWED_PASSWORD = "not-their-password"  # nothing that asks for the password (deleting the account…) is done


# Routes that end the session they are sent in: the crawl would go on logged out.
ENDS_THE_SESSION = {"accounts.logout", "accounts.end_all_login_sessions", "accounts.end_login_session"}


def _refused_routes(app, client) -> set[str]:
    """Every route, GET and changing ones, with the forms filled in plausibly: the endpoints answering 403."""
    refused = set()
    for rule in rules(app, {"GET"}):
        url = filled(rule).replace("nothing-here", "torino") if "<slug>" in rule.rule else filled(rule)
        response = client.get(url)
        response.close()
        if response.status_code == 403:
            refused.add(f"GET {rule.endpoint}")
    token = client.csrf_token("/privacy")
    for method, url, endpoint in _changing_routes(app):
        if endpoint in ENDS_THE_SESSION:
            continue
        response = client.open(url, method=method,
                               data={**PAYLOAD, "password": ALLOWED_PASSWORD, "csrf_token": token})
        assert CSRF_REFUSED not in response.get_data(as_text=True), url
        if response.status_code == 403:
            refused.add(f"{method} {endpoint}")
    assert client.get("/account/").status_code == 200, "the crawl must stay logged in to prove anything"
    return refused


def test_the_administrator_is_refused_nothing_meant_for_staff(app, client, demo, make_user):
    make_user("admin", email="capo@example.it", name="Amministratrice Tutto")
    client.login("capo@example.it")
    english(client)
    refused = _refused_routes(app, client)
    assert refused == set(ADMIN_REFUSED), (f"refused but not listed: {sorted(refused - set(ADMIN_REFUSED))}; "
                                           f"listed but allowed: {sorted(set(ADMIN_REFUSED) - refused)}")


def test_a_moderator_of_the_city_is_refused_nothing_meant_for_its_moderators(app, client, demo, make_user):
    from civic.territories.models import City

    torino = db.session.scalar(db.select(City).where(City.slug == "torino"))
    make_user("moderator", email="mod.qui@example.it", cities=[torino])
    client.login("mod.qui@example.it")
    english(client)
    refused = _refused_routes(app, client)
    expected = set(ADMIN_REFUSED) | set(MODERATOR_REFUSED)
    assert refused == expected, (f"refused but not listed: {sorted(refused - expected)}; "
                                 f"listed but allowed: {sorted(expected - refused)}")
