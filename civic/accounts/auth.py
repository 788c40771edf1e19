"""Login sessions: loading the user from the cookie, safe redirects after login, and a login waiting for its
second factor (civic/accounts/twofactor_views.py asks for the code)."""
from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, logout_user

from civic.accounts import sessions
from civic.accounts.models import User
from civic.extensions import db


def configure_login(manager: LoginManager) -> None:
    manager.login_view = "accounts.login"
    manager.login_message = _l("Log in to continue.")
    manager.login_message_category = "info"
    # "strong" would log out anyone whose mobile IP changes; the session is renewed at login instead.
    manager.session_protection = "basic"

    @manager.user_loader
    def load_user(cookie_id: str) -> User | None:
        user_id, token, key = (cookie_id.split(":") + ["", ""])[:3]
        if not user_id.isdigit() or not token or not key:
            return None
        user = sessions.load(int(user_id), key)
        if user is None or user.session_token != token:
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


# --- a login waiting for its second factor ------------------------------------------------------

PENDING = "two_factor_pending"  # the account that gave its password, waiting for its code
PENDING_SECONDS = 300


def ask_for_code(user: User, remember: bool, next_url: str | None) -> None:
    """The password was right: the login waits for the second factor (nothing else survives in the session)."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    session[PENDING] = {"id": user.id, "token": user.session_token, "remember": bool(remember),
                        "next": next_url, "since": int(time.time())}


def pending_login() -> tuple[User | None, dict]:
    """The account waiting for its second factor and what its login asked for, while the time lasts."""
    pending = session.get(PENDING) or {}
    if not pending or time.time() - pending.get("since", 0) > PENDING_SECONDS:
        return None, {}
    user = db.session.get(User, pending.get("id"))
    if user is None or not user.active or user.blocked_at is not None or user.session_token != pending.get("token"):
        return None, {}
    return user, pending
