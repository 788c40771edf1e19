"""Login sessions kept on the server: idle timeout, lifetime, logout, the list of one's devices."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from civic.accounts.models import LoginSession
from civic.core.timeutil import utcnow
from civic.extensions import db
from tests.conftest import PASSWORD
from tests.posts.helpers import english


@pytest.fixture
def anna(make_user):
    return make_user(email="anna@example.it", name="Anna Rossi")


@pytest.fixture
def device(app):
    """Another browser (its own cookies)."""
    from tests.conftest import Client

    def make():
        app.test_client_class = Client
        return app.test_client()

    return make


def _logged_in(client) -> bool:
    return client.get("/account/").status_code == 200


def _sessions(user_id: int) -> list[LoginSession]:
    return list(db.session.scalars(select(LoginSession).where(LoginSession.user_id == user_id)
                                   .order_by(LoginSession.id)))


def _age(user_id: int, **values) -> None:
    db.session.execute(update(LoginSession).where(LoginSession.user_id == user_id).values(**values))
    db.session.commit()


def test_logout_ends_the_session_on_the_server(client, device, anna):
    client.login(anna.email)
    stolen = client.get_cookie("session", domain="civic.test").value
    client.submit("/account/logout")
    assert _sessions(anna.id)[0].ended_at is not None
    thief = device()
    thief.set_cookie("session", stolen, domain="civic.test")
    assert not _logged_in(thief)


def test_a_session_ends_after_a_time_without_use_unless_kept(client, device, anna, app):
    client.login(anna.email)
    kept = device()
    kept.submit("/account/login", {"email": anna.email, "password": PASSWORD, "remember": "y"})
    _age(anna.id, last_seen_at=utcnow() - timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1))
    assert not _logged_in(client)
    assert _logged_in(kept)  # "keep me logged in" on that device


def test_every_session_ends_at_its_lifetime(client, anna):
    client.submit("/account/login", {"email": anna.email, "password": PASSWORD, "remember": "y"})
    assert _logged_in(client)
    _age(anna.id, expires_at=utcnow() - timedelta(seconds=1))
    assert not _logged_in(client)


def test_use_is_noted_at_most_once_a_minute_even_on_pages_that_only_read(client, anna):
    client.login(anna.email)
    long_ago = utcnow() - timedelta(minutes=30)
    _age(anna.id, last_seen_at=long_ago)
    assert _logged_in(client)
    seen = _sessions(anna.id)[0].last_seen_at
    assert seen > long_ago + timedelta(minutes=29)
    assert _logged_in(client)
    assert _sessions(anna.id)[0].last_seen_at == seen  # within the minute: not written again


def test_the_list_of_devices_and_logging_one_out(client, device, anna):
    phone = device()
    phone.environ_base["HTTP_USER_AGENT"] = ("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) "
                                             "Chrome/126.0 Mobile Safari/537.36")
    phone.login(anna.email)
    client.login(anna.email)
    english(client)
    page = client.get("/account/sessions")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Chrome · Android" in html and "this device" in html
    assert html.count("Log out this device") == 2

    phone_session = _sessions(anna.id)[0]
    response = client.submit(f"/account/sessions/{phone_session.id}/end")
    assert response.status_code == 302 and response.headers["Location"] == "/account/sessions"
    assert not _logged_in(phone)
    assert _logged_in(client)
    assert client.get("/account/sessions").get_data(as_text=True).count("Log out this device") == 1
    # Ended already, or someone else's: not found, nothing changes.
    assert client.submit(f"/account/sessions/{phone_session.id}/end").status_code == 404


def test_no_one_ends_someone_elses_session(client, device, anna, make_user):
    bruno = make_user(email="bruno@example.it")
    other = device()
    other.login(bruno.email)
    brunos = _sessions(bruno.id)[0]
    client.login(anna.email)
    assert client.submit(f"/account/sessions/{brunos.id}/end").status_code == 404
    assert _sessions(bruno.id)[0].ended_at is None and _logged_in(other)


def test_log_out_everywhere(client, device, anna):
    phone = device()
    phone.login(anna.email)
    client.login(anna.email)
    stolen = client.get_cookie("session", domain="civic.test").value
    response = client.submit("/account/sessions/end-all")
    assert response.status_code == 302 and response.headers["Location"] == "/account/login"
    assert not _logged_in(phone) and not _logged_in(client)
    thief = device()
    thief.set_cookie("session", stolen, domain="civic.test")
    assert not _logged_in(thief)
    assert all(s.ended_at is not None for s in _sessions(anna.id))


def test_a_new_password_ends_the_other_sessions(client, device, anna):
    phone = device()
    phone.login(anna.email)
    client.login(anna.email)
    response = client.submit("/account/password", {"current_password": PASSWORD,
                                                     "new_password": "una frase nuova e lunga",
                                                     "new_password_confirm": "una frase nuova e lunga"})
    assert response.status_code == 302
    assert _logged_in(client) and not _logged_in(phone)
    assert len([s for s in _sessions(anna.id) if s.ended_at is None]) == 1
