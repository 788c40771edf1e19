"""Two-factor authentication: a time-based code (TOTP, RFC 6238) from an authenticator app, or one of ten
single-use recovery codes.

Anyone may set it up; the roles in CIVIC_TWO_FACTOR_ROLES (moderators and administrators by default)
must, before they can do anything else once logged in. With it, a login asks for the code after the
password. A code is accepted once (the last step used is kept), within one step of the server's clock.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import pyotp
import segno
from flask import current_app
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import delete, select, update
from werkzeug.security import check_password_hash

from civic.accounts.models import RecoveryCode, User
from civic.core import gates
from civic.core.rules import RuleError
from civic.core.timeutil import utcnow
from civic.extensions import db

RECOVERY_CODES = 10
STEP_SECONDS = 30


class TwoFactorError(RuleError):
    pass


def required(user: User) -> bool:
    return user.role in current_app.config["TWO_FACTOR_ROLES"]


def enabled(user: User) -> bool:
    return user.totp_enabled_at is not None


def new_secret() -> str:
    return pyotp.random_base32()


def qr_code(user: User, secret: str) -> Markup:
    """The setup QR code as inline SVG (no script, no request elsewhere), for the authenticator app."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=current_app.config["SITE_NAME"])
    svg = segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff", omitsize=False)
    return Markup(svg)  # noqa: S704 - segno writes the SVG from the URI's bits, no text of ours in it


def _app_code(code: str | None) -> str | None:
    """The 6 digits of an app's code as typed (spaces allowed, "123 456"), or None for anything else (a
    recovery code may hold six digits among its letters: it is not read as an app's code)."""
    compact = "".join((code or "").split())
    return compact if len(compact) == 6 and compact.isascii() and compact.isdigit() else None


def _step_of_code(secret: str, code: str, now: datetime) -> int | None:
    """The 30-second step whose code this is (the current one or one either side), or None."""
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in (current, current - 1, current + 1):
        if secrets.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _hash(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").lower().encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    now = utcnow()
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = secrets.token_hex(5)  # 10 hexadecimal characters, shown as two groups of five
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash(raw), created_at=now))
    return codes


def _check_password(user: User, password: str | None) -> None:
    if not check_password_hash(user.password_hash, password or ""):
        raise TwoFactorError(_l("The password is not correct."), "password")


def enable(user: User, secret: str, code: str, password: str, now: datetime | None = None) -> list[str]:
    """Turn it on with the secret the app was given, once a code from the app proves it; returns the
    recovery codes to show (once)."""
    _check_password(user, password)
    digits = _app_code(code)
    step = _step_of_code(secret, digits, now or utcnow()) if digits else None
    if step is None:
        raise TwoFactorError(_l("This code is not right: enter the 6 digits the app shows now."), "code")
    user.totp_secret = secret
    user.totp_enabled_at = now or utcnow()
    user.totp_last_step = step
    codes = _new_recovery_codes(user)
    db.session.flush()
    return codes


def disable(user: User, password: str) -> None:
    if required(user):
        raise TwoFactorError(_l("Your role requires two-factor authentication: it cannot be turned off."))
    _check_password(user, password)
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()


def renew_recovery_codes(user: User, password: str) -> list[str]:
    _check_password(user, password)
    codes = _new_recovery_codes(user)
    db.session.flush()
    return codes


def unused_recovery_codes(user: User) -> int:
    return len(db.session.scalars(select(RecoveryCode.id).where(RecoveryCode.user_id == user.id,
                                                               RecoveryCode.used_at.is_(None))).all())


def verify(user: User, code: str, now: datetime | None = None) -> bool:
    """A login's second step: a code from the app (each accepted once) or an unused recovery code."""
    now = now or utcnow()
    digits = _app_code(code)
    if digits and user.totp_secret:
        step = _step_of_code(user.totp_secret, digits, now)
        if step is None:
            return False
        # Accepted only if later than the last one accepted: the same code cannot log in twice.
        users = User.__table__
        return bool(db.session.execute(
            update(users).where(users.c.id == user.id, (users.c.totp_last_step.is_(None))
                                | (users.c.totp_last_step < step)).values(totp_last_step=step)).rowcount)
    cleaned = (code or "").strip().replace(" ", "")
    if len(cleaned.replace("-", "")) != 10:
        return False
    table = RecoveryCode.__table__
    return bool(db.session.execute(
        update(table).where(table.c.user_id == user.id, table.c.code_hash == _hash(cleaned), table.c.used_at.is_(None))
        .values(used_at=now)).rowcount)


GATE = gates.Gate(
    applies=lambda user: required(user) and not enabled(user),
    endpoint="accounts.two_factor",
    open_endpoints=frozenset({"accounts.two_factor", "accounts.two_factor_setup", "accounts.two_factor_codes",
                              "privacy.my_data", "privacy.request_data", "privacy.download", "privacy.delete_account",
                              "privacy.accept"}),
)
