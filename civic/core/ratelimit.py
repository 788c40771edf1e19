"""Helpers for Flask-Limiter: limits read from the configuration, counted per account."""
from __future__ import annotations

from flask import current_app
from flask_limiter.util import get_remote_address
from flask_login import current_user


def config_limit(key: str):
    """The limit string in app.config[key], read at request time (so tests and operators can change it)."""
    return lambda: current_app.config[key]


def per_account() -> str:
    """Signed-in users are counted per account, whatever their address; others per address."""
    if current_user and current_user.is_authenticated:
        return f"account:{current_user.id}"
    return f"address:{get_remote_address()}"


def completed(response) -> bool:
    """Count only requests that did something (a redirect after success), not refused forms."""
    return response.status_code in (302, 303)
