"""Two-factor authentication: setting it up, logging in with a code or a recovery code, required of staff."""
from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import func, select

from civic.accounts.models import RecoveryCode, User
from civic.extensions import db
from tests.conftest import PASSWORD
from tests.posts.helpers import english


@pytest.fixture
def app_config():
    return {"TWO_FACTOR_ROLES": ("moderator", "admin")}


@pytest.fixture
def anna(make_user):
    return make_user(email="anna@example.it", name="Anna Rossi")


def _proposal(page: str) -> str:
    """The key the page proposes, signed for the account: the form sends it back with the code."""
    return re.search(r'name="proposal"[^>]*value="([^"]+)"', page).group(1)


def _set_up(client) -> tuple[str, list[str]]:
    """Through the pages: the key shown, a code from it, the password; returns the key and the recovery codes."""
    page = client.get("/account/two-factor/setup").get_data(as_text=True)
    assert "<svg" in page  # the QR code, inline
    secret = re.search(r'<code class="user-select-all">([A-Z2-7]+)</code>', page).group(1)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)  # the home page may wait for this
    response = client.post("/account/two-factor/setup", data={"code": pyotp.TOTP(secret).now(), "password": PASSWORD,
                                                               "csrf_token": token, "proposal": _proposal(page)})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    codes = re.findall(r"<li><code>([0-9a-f]{5}-[0-9a-f]{5})</code></li>", response.get_data(as_text=True))
    return secret, codes


def _password_step(client, email: str):
    return client.submit("/account/login", {"email": email, "password": PASSWORD})


def _logged_in(client) -> bool:
    return client.get("/account/").status_code == 200


def test_a_resident_sets_it_up_and_logs_in_with_a_code(client, app, anna):
    client.login(anna.email)
    english(client)
    assert "Set up two-factor authentication" in client.get("/account/two-factor").get_data(as_text=True)
    page = client.get("/account/two-factor/setup").get_data(as_text=True)
    secret = re.search(r'<code class="user-select-all">([A-Z2-7]+)</code>', page).group(1)
    wrong = client.submit("/account/two-factor/setup", {"code": "000000", "password": PASSWORD,
                                                        "proposal": _proposal(page)})
    assert wrong.status_code == 422
    assert "This code is not right" in wrong.get_data(as_text=True)
    assert f'<code class="user-select-all">{secret}</code>' in wrong.get_data(as_text=True)  # the same key
    bad_password = client.submit("/account/two-factor/setup", {"code": pyotp.TOTP(secret).now(), "password": "x",
                                                               "proposal": _proposal(wrong.get_data(as_text=True))})
    assert bad_password.status_code == 422
    assert db.session.get(User, anna.id).totp_enabled_at is None

    # The secret shown stays the same across the refused tries, and a right code turns it on.
    secret, codes = _set_up(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert db.session.get(User, anna.id).totp_enabled_at is not None
    assert db.session.scalar(select(func.count()).select_from(RecoveryCode).where(RecoveryCode.user_id == anna.id)) == 10

    client.submit("/account/logout")
    step = _password_step(client, anna.email)
    assert step.status_code == 302 and step.headers["Location"] == "/account/login/verify"
    assert not _logged_in(client)  # the password alone logs no one in
    assert client.submit("/account/login/verify", {"code": "123456"}).status_code == 422
    totp = pyotp.TOTP(secret)
    code = totp.at(int(time.time()) + 30)  # the next step's: the one used to set up is spent
    done = client.submit("/account/login/verify", {"code": code})
    assert done.status_code == 302 and _logged_in(client)

    # The same code cannot log in twice (say, seen over a shoulder).
    client.submit("/account/logout")
    _password_step(client, anna.email)
    assert client.submit("/account/login/verify", {"code": code}).status_code == 422
    assert not _logged_in(client)


def test_a_recovery_code_logs_in_once(client, anna):
    client.login(anna.email)
    _secret, codes = _set_up(client)
    client.submit("/account/logout")
    _password_step(client, anna.email)
    assert client.submit("/account/login/verify", {"code": codes[0].upper()}).status_code == 302
    assert _logged_in(client)
    client.submit("/account/logout")
    _password_step(client, anna.email)
    assert client.submit("/account/login/verify", {"code": codes[0]}).status_code == 422
    assert client.submit("/account/login/verify", {"code": codes[1]}).status_code == 302


def test_the_code_must_come_soon_after_the_password(client, anna):
    client.login(anna.email)
    secret, _codes = _set_up(client)
    client.submit("/account/logout")
    _password_step(client, anna.email)
    with client.session_transaction() as session:
        session["two_factor_pending"]["since"] -= 301
        session.modified = True
    late = client.submit("/account/login/verify", {"code": pyotp.TOTP(secret).at(int(time.time()) + 30)})
    assert late.status_code == 302 and late.headers["Location"] == "/account/login"
    assert not _logged_in(client)


def test_a_resident_can_turn_it_off_with_the_password(client, anna):
    client.login(anna.email)
    _set_up(client)
    assert client.submit("/account/two-factor/off", {"password": "wrong"}).status_code == 422
    assert client.submit("/account/two-factor/off", {"password": PASSWORD}).status_code == 302
    assert db.session.get(User, anna.id).totp_enabled_at is None
    client.submit("/account/logout")
    assert _password_step(client, anna.email).headers["Location"] == "/"


def test_moderators_set_it_up_before_they_can_act(client, make_user, torino_city, reported_post):
    moderator = make_user("moderator", email="mod@example.it", cities=[torino_city])
    english(client)
    client.login(moderator.email)
    asked = client.get("/moderation/")
    assert asked.status_code == 303 and asked.headers["Location"].startswith("/account/two-factor")
    token = client.csrf_token("/account/two-factor")  # the home page waits too
    hide = client.post(f"/moderation/post/{reported_post.id}/hide", data={"reason": "Offensivo", "csrf_token": token})
    assert hide.status_code == 303
    assert reported_post.hidden_at is None and db.session.get(type(reported_post), reported_post.id).hidden_at is None
    assert "Your role requires two-factor authentication" in client.get("/account/two-factor").get_data(as_text=True)

    _set_up(client)
    assert client.get("/moderation/").status_code == 200
    refused = client.post("/account/two-factor/off", data={"password": PASSWORD, "csrf_token": token})
    assert refused.status_code == 422
    assert "it cannot be turned off" in refused.get_data(as_text=True)
    assert db.session.get(User, moderator.id).totp_enabled_at is not None


@pytest.fixture
def torino_city(make_city):
    return make_city("Torino")


@pytest.fixture
def reported_post(make_user, torino_city, app):
    from civic.posts import services
    from civic.posts.services import PostData
    from civic.territories.models import Theme

    theme = Theme(slug="abitare", name_it="Abitare", name_en="Housing", position=1)
    db.session.add(theme)
    db.session.commit()
    author = make_user(email="autore@example.it")
    need = services.create_need(author, torino_city, PostData(title="Una panchina rotta", body="Da riparare.",
                                                              theme_id=theme.id))
    db.session.commit()
    return need


def test_a_recovery_code_with_six_digits_among_its_letters_is_read_as_a_recovery_code(app, anna):
    from civic.accounts import twofactor

    secret = twofactor.new_secret()
    twofactor.enable(anna, secret, pyotp.TOTP(secret).now(), PASSWORD)
    db.session.execute(RecoveryCode.__table__.delete())
    db.session.add(RecoveryCode(user_id=anna.id, code_hash=twofactor._hash("39ed18eb81"), created_at=anna.created_at))
    db.session.commit()
    assert twofactor.verify(anna, "39ED1-8EB81")
    assert not twofactor.verify(anna, "39ed1-8eb81")  # once


def test_the_demo_staff_have_the_second_factor_and_the_cli_prints_its_code(app, runner, reference_data):
    from civic.demo.content import DEMO_TOTP_SECRET, load_demo_content

    load_demo_content()
    db.session.commit()
    staff = db.session.scalars(select(User).where(User.role != "resident")).all()
    assert staff and all(u.totp_enabled_at is not None and u.totp_secret == DEMO_TOTP_SECRET for u in staff)
    assert all(u.totp_enabled_at is None for u in db.session.scalars(select(User).where(User.role == "resident")))
    result = runner.invoke(args=["demo", "code"])
    assert result.exit_code == 0
    assert result.output.strip() in {pyotp.TOTP(DEMO_TOTP_SECRET).at(time.time() + d) for d in (-30, 0, 30)}


def test_the_proposed_key_is_only_good_for_its_account(client, app, anna, make_user):
    """The page proposes a key without remembering it, signed for its account: a key proposed to another
    account is not taken, even with a right code for it; a made-up proposal neither."""
    bruno = make_user(email="bruno.2fa@example.it")
    client.login(bruno.email)
    page = client.get("/account/two-factor/setup").get_data(as_text=True)
    brunos_key = re.search(r'<code class="user-select-all">([A-Z2-7]+)</code>', page).group(1)
    brunos_proposal = _proposal(page)
    client.submit("/account/logout")
    client.login(anna.email)
    for proposal in (brunos_proposal, "made-up"):
        answer = client.submit("/account/two-factor/setup", {"code": pyotp.TOTP(brunos_key).now(),
                                                             "password": PASSWORD, "proposal": proposal})
        assert answer.status_code == 422
        assert brunos_key not in answer.get_data(as_text=True)  # Anna is shown a key of her own
        assert db.session.get(User, anna.id).totp_enabled_at is None
