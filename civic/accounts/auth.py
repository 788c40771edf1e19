"""Login sessions: loading the user from the cookie and safe redirects after login."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, logout_user
from sqlalchemy import bindparam, select

from civic.accounts.models import User
from civic.extensions import db


def configure_login(manager: LoginManager) -> None:
    manager.login_view = "accounts.login"
    manager.login_message = _l("Log in to continue.")
    manager.login_message_category = "info"
    # "strong" would log out anyone whose mobile IP changes; the session is renewed at login instead.
    manager.session_protection = "basic"

    # Built once: every request of a logged-in visitor runs it (db.session.get composes its query each time).
    _ACCOUNT = select(User).where(User.id == bindparam("id"))

    @manager.user_loader
    def load_user(cookie_id: str) -> User | None:
        user_id, _, token = cookie_id.partition(":")
        if not user_id.isdigit():
            return None
        user = db.session.scalar(_ACCOUNT, {"id": int(user_id)})
        if user is None or not token or user.session_token != token:
            return None
        if user.blocked_at is not None:  # blocking also renews the token; this covers any cookie left over
            return None
        return user


def end_session() -> None:
    """Log out of this browser; only the chosen language survives."""
    logout_user()
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale


def safe_next(target: str | None, fallback_endpoint: str = "core.home") -> str:
    """`target` when it is a path on this site, else the fallback page."""
    if target and _is_local_path(target):
        return target
    return url_for(fallback_endpoint)


def _is_local_path(target: str) -> bool:
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc
