"""The signed token of the one-click unsubscribe link in every notification email.

It does not expire (an old email's link keeps working) and carries a fingerprint of the address,
so a link stops working once the account's email changes.
"""
from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from civic.accounts.models import User
from civic.extensions import db

SALT = "civic.notifications.unsubscribe"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.email.encode()).hexdigest()[:12]


def make_unsubscribe_token(user: User) -> str:
    return _serializer().dumps({"uid": user.id, "e": _fingerprint(user)})


class BadToken(ValueError):
    pass


def read_unsubscribe_token(token: str) -> User:
    """The account the token names, or BadToken (tampered, truncated, or the account changed)."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        raise BadToken(token) from None
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
        raise BadToken(token)
    user = db.session.get(User, data["uid"])
    if user is None or data.get("e") != _fingerprint(user):
        raise BadToken(token)
    return user
