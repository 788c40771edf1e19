"""Signed, expiring tokens sent by email (password reset, email confirmation, email change).

Each works once: it names a state of the account that using it changes. A reset names the password
(which it replaces), a confirmation the address (confirming twice changes nothing), an email change the
address it moves from and the moment the current address was confirmed (which the change sets again, so
that moving back to an earlier address does not make an old link work again).
"""
from __future__ import annotations

import hashlib
from datetime import UTC

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from civic.accounts.models import User
from civic.extensions import db


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"civic.accounts.{purpose}")


def _password_fingerprint(user: User) -> str:
    # A reset token stops working once the password it was issued for has changed.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_reset_token(user: User) -> str:
    return _serializer("reset").dumps({"uid": user.id, "pw": _password_fingerprint(user)})


def read_reset_token(token: str) -> User | None:
    try:
        data = _serializer("reset").loads(token, max_age=current_app.config["TOKEN_MAX_AGE_RESET"])
    except BadSignature:  # includes SignatureExpired
        return None
    user = db.session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None or not user.active or data.get("pw") != _password_fingerprint(user):
        return None
    return user


def make_confirm_token(user: User) -> str:
    return _serializer("confirm").dumps({"uid": user.id, "email": user.email})


def read_confirm_token(token: str) -> User | None:
    try:
        data = _serializer("confirm").loads(token, max_age=current_app.config["TOKEN_MAX_AGE_CONFIRM"])
    except BadSignature:
        return None
    user = db.session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None or user.email != data.get("email"):
        return None
    return user


def _address_fingerprint(user: User) -> str:
    # The address and when it was confirmed: both change when an email change is used.
    confirmed = user.email_confirmed_at
    if confirmed is not None and confirmed.tzinfo is not None:
        confirmed = confirmed.astimezone(UTC).replace(tzinfo=None)
    moment = confirmed.isoformat(timespec="microseconds") if confirmed else ""
    return hashlib.sha256(f"{user.email}\n{moment}".encode()).hexdigest()[:16]


def make_email_change_token(user: User, new_email: str) -> str:
    return _serializer("email-change").dumps({"uid": user.id, "from": user.email, "to": new_email,
                                              "at": _address_fingerprint(user)})


def read_email_change_token(token: str) -> tuple[User, str] | None:
    """The user and the new address; None once used, since the address it moves from, or the moment it was
    confirmed, has changed."""
    try:
        data = _serializer("email-change").loads(token, max_age=current_app.config["TOKEN_MAX_AGE_CONFIRM"])
    except BadSignature:
        return None
    user = db.session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if (user is None or not user.active or user.email != data.get("from") or not isinstance(data.get("to"), str)
            or data.get("at") != _address_fingerprint(user)):
        return None
    return user, data["to"]
