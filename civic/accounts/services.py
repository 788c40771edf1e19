"""Account operations. Each takes the acting data explicitly, validates, changes state
and flushes; the caller (a view or a CLI command) commits once.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from civic.accounts import sessions, tokens
from civic.accounts.common_passwords import too_easy
from civic.accounts.models import Role, User, new_session_token
from civic.audit import services as audit
from civic.core import ratelimit, signals
from civic.core.mail import send_mail
from civic.core.rules import RuleError
from civic.core.text import has_forbidden_characters, normalise_line
from civic.core.timeutil import utcnow
from civic.extensions import db
from civic.territories.models import City, Neighbourhood
from civic.urls import site_url

log = logging.getLogger("civic.accounts")

PASSWORD_MAX_LENGTH = 256
# Checked against when the email is unknown, so both answers take as long.
_DUMMY_HASH = generate_password_hash("civic-timing-equaliser")


class AccountError(RuleError):
    """An account rule was broken (taken email, short password...)."""


def normalise_email(raw: str) -> str:
    """Lower-cased, syntax-checked address; raises AccountError with a readable message."""
    value = (raw or "").strip()
    if has_forbidden_characters(value) or len(value) > 254:
        raise AccountError(_l("Enter a valid email address."), "email")
    try:
        checked = validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        raise AccountError(_l("Enter a valid email address, for example name@example.it."), "email") from None
    return checked.normalized.lower()


def check_password_rules(password: str, personal: tuple[str, ...] = ()) -> None:
    """Length and guessability; `personal`: the account's email and name, which the password must not be."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if has_forbidden_characters(password):
        raise AccountError(_l("The password contains characters that are not allowed."), "password")
    if len(password) < minimum:
        raise AccountError(_l("The password must be at least %(num)d characters long.", num=minimum), "password")
    if len(password) > PASSWORD_MAX_LENGTH:
        raise AccountError(
            _l("The password must be at most %(num)d characters long.", num=PASSWORD_MAX_LENGTH), "password"
        )
    if too_easy(password, personal):
        raise AccountError(_l("This password is too easy to guess: it is a very common one, a run of keys or "
                              "your own name. Choose another, for instance three or four unrelated words."),
                           "password")


def hash_password(password: str) -> str:
    # scrypt: slow and salted. Tests configure cheaper parameters of the same method.
    return generate_password_hash(password, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def resolve_home(city_id: int | None, neighbourhood_id: int | None) -> tuple[City | None, Neighbourhood | None]:
    city = db.session.get(City, city_id) if city_id else None
    if city_id and city is None:
        raise AccountError(_l("Choose a city from the list."), "home_city")
    neighbourhood = db.session.get(Neighbourhood, neighbourhood_id) if neighbourhood_id else None
    if neighbourhood_id and neighbourhood is None:
        raise AccountError(_l("Choose a neighbourhood from the list."), "home_neighbourhood")
    if neighbourhood is not None and (city is None or neighbourhood.city_id != city.id):
        raise AccountError(_l("The neighbourhood you chose is not in the city you chose."), "home_neighbourhood")
    return city, neighbourhood


def register_user(
    *,
    email: str,
    display_name: str,
    password: str,
    home_city_id: int | None = None,
    home_neighbourhood_id: int | None = None,
    role: Role = Role.RESIDENT,
    locale: str | None = None,
    confirmed: bool = False,
    privacy_version: str | None = None,
) -> User:
    """`privacy_version`: the version of the privacy notice the person accepted while registering (None for an
    account made by someone else, whose owner is asked at the first login)."""
    email = normalise_email(email)
    name = normalise_line(display_name)
    if has_forbidden_characters(display_name) or not 2 <= len(name) <= 80:
        raise AccountError(_l("Enter a name between 2 and 80 characters, without special characters."), "display_name")
    check_password_rules(password, (email, name))
    city, neighbourhood = resolve_home(home_city_id, home_neighbourhood_id)
    if find_by_email(email) is not None:
        ratelimit.count_this_attempt()  # it tells that the address has an account
        raise AccountError(_l("An account with this email address already exists. Log in or reset your password."), "email")
    user = User(
        email=email,
        display_name=name,
        password_hash=hash_password(password),
        role=role.value,
        home_city=city,
        home_neighbourhood=neighbourhood,
        locale=locale,
        email_confirmed_at=utcnow() if confirmed else None,
    )
    db.session.add(user)
    db.session.flush()
    signals.account_registered.send(user, privacy_version=privacy_version)  # privacy records the acceptance
    log.info("account created", extra={"user_id": user.id, "role": user.role})
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None; an unknown email costs the same time."""
    try:
        address = normalise_email(email)
    except AccountError:
        address = None
    user = find_by_email(address) if address else None
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    return user


def record_login(user: User) -> None:
    user.last_login_at = utcnow()


def set_password(user: User, new_password: str) -> None:
    """Store a new password and sign out every other session of this account."""
    check_password_rules(new_password, (user.email, user.display_name))
    user.password_hash = hash_password(new_password)
    user.session_token = new_session_token()
    sessions.end_all(user)
    db.session.flush()


def _require_current_password(user: User, password: str | None) -> None:
    """The account's own password, asked again before changing how one logs in (password, email)."""
    if not check_password_hash(user.password_hash, password or ""):
        raise AccountError(_l("The current password is not correct."), "current_password")


def change_password(user: User, current_password: str, new_password: str) -> None:
    _require_current_password(user, current_password)
    set_password(user, new_password)
    log.info("password changed", extra={"user_id": user.id})


def update_profile(user: User, *, display_name: str, home_city_id: int | None, home_neighbourhood_id: int | None) -> None:
    name = normalise_line(display_name)
    if has_forbidden_characters(display_name) or not 2 <= len(name) <= 80:
        raise AccountError(_l("Enter a name between 2 and 80 characters, without special characters."), "display_name")
    city, neighbourhood = resolve_home(home_city_id, home_neighbourhood_id)
    user.display_name = name
    user.home_city = city
    user.home_neighbourhood = neighbourhood
    db.session.flush()


def set_locale(user: User, locale: str) -> None:
    user.locale = locale


def _send_in_their_language(user: User, address: str, compose: Callable[[], tuple[str, str]]) -> None:
    """Send (subject, body) written by `compose` in the account's language (Italian when it chose none)."""
    with force_locale(user.locale or "it"):
        subject, body = compose()
    send_mail(address, subject, body)


def send_password_reset(email: str) -> None:
    """Email a reset link if the account exists; say nothing either way."""
    try:
        user = find_by_email(normalise_email(email))
    except AccountError:
        return
    if user is None or not user.active:
        log.info("password reset asked for an unknown address")
        return
    link = site_url("accounts.reset_password", token=tokens.make_reset_token(user))
    minutes = current_app.config["TOKEN_MAX_AGE_RESET"] // 60
    _send_in_their_language(user, user.email, lambda: (_("Reset your password"), _(
        "Hello %(name)s,\n\nsomeone (hopefully you) asked to reset the password of your account "
        "on %(site)s. Open this link to choose a new password:\n\n%(link)s\n\n"
        "The link works once and expires in %(minutes)d minutes. If you did not ask for it, ignore this "
        "message: your password stays the same.",
        name=user.display_name, site=current_app.config["SITE_NAME"], link=link, minutes=minutes,
    )))


def send_confirmation(user: User) -> None:
    link = site_url("accounts.confirm_email", token=tokens.make_confirm_token(user))
    _send_in_their_language(user, user.email, lambda: (_("Confirm your email address"), _(
        "Hello %(name)s,\n\nwelcome to %(site)s. Open this link to confirm your email address:\n\n"
        "%(link)s\n\nIf you did not create an account, ignore this message.",
        name=user.display_name, site=current_app.config["SITE_NAME"], link=link,
    )))


def confirm_email(token: str) -> User | None:
    user = tokens.read_confirm_token(token)
    if user is not None and user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        db.session.flush()
    return user


def request_email_change(user: User, new_email: str, current_password: str) -> str:
    """Check the password and the address, and send the confirmation link to the new address;
    nothing changes until the link is opened. Returns the new address."""
    _require_current_password(user, current_password)
    try:
        address = normalise_email(new_email)
    except AccountError as error:
        raise AccountError(error.message, "new_email") from None
    if address == user.email:
        raise AccountError(_l("This is already your email address."), "new_email")
    if find_by_email(address) is not None:
        ratelimit.count_this_attempt()  # it tells that the address has an account
        raise AccountError(_l("Another account uses this email address."), "new_email")
    link = site_url("accounts.confirm_email_change", token=tokens.make_email_change_token(user, address))
    _send_in_their_language(user, address, lambda: (_("Confirm your new email address"), _(
        "Hello %(name)s,\n\nyou asked to use this address for your account on %(site)s. "
        "Open this link to confirm it:\n\n%(link)s\n\n"
        "Until you open it, your account keeps its current address. If you did not ask for this, ignore this message.",
        name=user.display_name, site=current_app.config["SITE_NAME"], link=link,
    )))
    log.info("email change asked", extra={"user_id": user.id})
    return address


def confirm_email_change(token: str) -> tuple[User, str]:
    """Move the account to the address the token was sent to; returns the user and the old address."""
    found = tokens.read_email_change_token(token)
    if found is None:
        raise AccountError(_l("This link is not valid, has expired or has already been used. "
                              "Ask for the change again from your account."))
    user, address = found
    taken = AccountError(_l("Another account has started using this email address in the meantime."))
    if find_by_email(address) is not None:
        raise taken
    old_address = user.email
    try:
        with db.session.begin_nested():  # the unique constraint decides a race with a registration
            user.email = address
            user.email_confirmed_at = utcnow()  # the link arrived there
    except IntegrityError:
        raise taken from None
    log.info("email changed", extra={"user_id": user.id})
    return user, old_address


def send_email_changed_notice(user: User, old_address: str) -> None:
    """Tell the old address, so that a change the owner did not make does not go unnoticed."""
    contact = (current_app.config.get("PRIVACY_CONTACT") or current_app.config.get("MAIL_FROM")
               or current_app.config["SITE_NAME"])
    _send_in_their_language(user, old_address, lambda: (_("The email address of your account has changed"), _(
        "Hello %(name)s,\n\nthe email address of your account on %(site)s has just been changed: "
        "from now on we write to the new address and you log in with it.\n\n"
        "If you did not make this change, reply to this message or write to %(contact)s straight away.",
        name=user.display_name, site=current_app.config["SITE_NAME"], contact=contact,
    )))


def reset_password(token: str, new_password: str) -> User:
    user = tokens.read_reset_token(token)
    if user is None:
        raise AccountError(_l("This reset link is not valid or has expired. Ask for a new one."))
    set_password(user, new_password)
    # Receiving the link proves the address is the user's.
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    log.info("password reset", extra={"user_id": user.id})
    return user


def grant_moderation(user: User, cities: list[City]) -> None:
    """Make the user a moderator of these cities (admins keep their role)."""
    if user.role == Role.RESIDENT:
        user.role = Role.MODERATOR.value
    for city in cities:
        if city not in user.moderated_cities:
            user.moderated_cities.append(city)
            audit.record(None, "user.grant_moderation", "user", user.id, f"{user.display_name} → {city.name}",
                         city_id=city.id)
    db.session.flush()
