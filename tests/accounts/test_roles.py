"""Administrators manage people and roles, with their password again, every change in the audit log."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from civic.accounts.models import User
from civic.audit.models import AuditEvent
from civic.extensions import db
from tests.conftest import PASSWORD, table_counts
from tests.posts.helpers import english


@pytest.fixture
def cities(make_city):
    return make_city("Torino"), make_city("Bari")


@pytest.fixture
def admin(make_user):
    return make_user("admin", email="admin@example.it", name="Amministratrice")


@pytest.fixture
def carla(make_user):
    return make_user(email="carla@example.it", name="Carla Verdi")


def _role_of(user_id: int) -> tuple[str, list[str]]:
    person = db.session.get(User, user_id)
    db.session.refresh(person)
    return person.role, sorted(c.name for c in person.moderated_cities)


def test_an_admin_makes_a_resident_moderator_of_two_cities(client, admin, carla, cities):
    torino, bari = cities
    client.login(admin.email)
    english(client)
    listing = client.get("/admin/users?q=carla").get_data(as_text=True)
    assert "carla@example.it" in listing and "admin@example.it" not in listing
    assert client.get(f"/admin/users/{carla.id}").status_code == 200
    response = client.submit(f"/admin/users/{carla.id}", {"role": "moderator", "cities": [torino.id, bari.id],
                                                          "password": PASSWORD})
    assert response.status_code == 302
    assert _role_of(carla.id) == ("moderator", ["Bari", "Torino"])
    entry = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.role"))
    assert entry.actor_id == admin.id and entry.target_id == carla.id
    assert entry.summary == "Carla Verdi: resident → moderator (Bari, Torino)"
    assert "moderator" in client.get("/admin/users?role=moderator").get_data(as_text=True)


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"role": "moderator", "cities": [], "password": PASSWORD}, "cities", "A moderator moderates at least one city"),
    ({"role": "admin", "password": "not my password"}, "password", "Your password is not correct"),
    ({"role": "king", "password": PASSWORD}, "role", "Choose a role."),
])
def test_a_refused_change_changes_nothing(client, admin, carla, cities, data, field, message):
    client.login(admin.email)
    english(client)
    before = table_counts()
    response = client.submit(f"/admin/users/{carla.id}", data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html
    assert table_counts() == before and _role_of(carla.id) == ("resident", [])


def test_no_one_changes_their_own_role_and_only_admins_manage_roles(client, app, admin, carla, cities, make_user):
    client.login(admin.email)
    english(client)
    own = client.submit(f"/admin/users/{admin.id}", {"role": "resident", "password": PASSWORD})
    assert own.status_code == 403 and "You cannot change your own role" in own.get_data(as_text=True)
    assert _role_of(admin.id) == ("admin", [])

    moderator = make_user("moderator", email="mod@example.it", cities=[cities[0]])
    for email in (carla.email, moderator.email):
        other = app.test_client()
        other.login(email)
        assert other.get("/admin/users").status_code == 403
        assert other.submit(f"/admin/users/{carla.id}", {"role": "admin", "password": PASSWORD}).status_code == 403
    assert _role_of(carla.id) == ("resident", [])


def test_taking_a_role_back_ends_the_persons_sessions(client, app, admin, cities, make_user):
    moderator = make_user("moderator", email="mod@example.it", name="Mario Moderatore", cities=[cities[0]])
    their_device = app.test_client()
    their_device.login(moderator.email)
    assert their_device.get("/moderation/").status_code == 200
    client.login(admin.email)
    assert client.submit(f"/admin/users/{moderator.id}", {"role": "resident", "password": PASSWORD}).status_code == 302
    assert _role_of(moderator.id) == ("resident", [])
    assert their_device.get("/moderation/").status_code == 302  # logged out
    entry = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.role"))
    assert entry.summary == "Mario Moderatore: moderator (Torino) → resident"
