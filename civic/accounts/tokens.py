"""Signed, expiring tokens sent by email (password reset, email confirmation, email change)."""
from __future__ import annotations

import hashlib

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


def make_email_change_token(user: User, new_email: str) -> str:
    return _serializer("email-change").dumps({"uid": user.id, "from": user.email, "to": new_email})


def read_email_change_token(token: str) -> tuple[User, str] | None:
    """The user and the new address; None once used, since the address it moves from is gone."""
    try:
        data = _serializer("email-change").loads(token, max_age=current_app.config["TOKEN_MAX_AGE_CONFIRM"])
    except BadSignature:
        return None
    user = db.session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None or not user.active or user.email != data.get("from") or not isinstance(data.get("to"), str):
        return None
    return user, data["to"]
