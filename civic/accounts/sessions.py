"""Login sessions kept on the server.

The login cookie names the account, its session token (renewed by a new password, a reset, a block:
every device is logged out) and the key of one login session. The session is checked at every
request: it ends at logout, after CIVIC_SESSION_IDLE_MINUTES without use (unless "keep me logged in"
was ticked), at CIVIC_SESSION_LIFETIME after the login whatever happens, or when its owner ends it
from the list of their sessions. Its last use is written at most once a minute, on a connection of its
own, so that a page that only reads stays a read.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, request
from sqlalchemy import bindparam, delete, or_, select, update

from civic.accounts.models import LoginSession, User
from civic.core.timeutil import utcnow
from civic.extensions import db

TOUCH_EVERY = timedelta(minutes=1)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start(user: User, remember: bool) -> str:
    """A new login session for this device; the key goes into the cookie (User.get_id)."""
    now = utcnow()
    key = secrets.token_urlsafe(32)
    # The ended and expired sessions of this account are forgotten now: the table holds only live ones.
    db.session.execute(delete(LoginSession).where(
        LoginSession.user_id == user.id, or_(LoginSession.ended_at.is_not(None), LoginSession.expires_at <= now)))
    db.session.add(LoginSession(
        user_id=user.id, key_hash=_hash(key), remember=remember, created_at=now, last_seen_at=now,
        expires_at=now + current_app.permanent_session_lifetime,
        ip_address=(request.remote_addr or "")[:45] or None,
        user_agent=(request.user_agent.string or "")[:300] or None,
    ))
    user.login_key = key
    return key


def is_live(login: LoginSession, now: datetime) -> bool:
    if login.ended_at is not None or login.expires_at <= now:
        return False
    if login.remember:
        return True
    return now - login.last_seen_at < timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])


# Built once: the user loader runs it at every request of a logged-in visitor (one statement for both).
_ACCOUNT_AND_SESSION = (select(User, LoginSession).join(LoginSession, LoginSession.user_id == User.id)
                        .where(User.id == bindparam("user_id"), LoginSession.key_hash == bindparam("key_hash")))
_BY_KEY = select(LoginSession).where(LoginSession.key_hash == bindparam("key_hash"))


def load(user_id: int, key: str) -> User | None:
    """The account of a live login session, noting the session's use; None when it has ended."""
    row = db.session.execute(_ACCOUNT_AND_SESSION, {"user_id": user_id, "key_hash": _hash(key)}).first()
    now = utcnow()
    if row is None or not is_live(row.LoginSession, now):
        return None
    user, login = row
    if now - login.last_seen_at >= TOUCH_EVERY:
        with db.engine.begin() as connection:  # committed at once, whatever the request does next
            connection.execute(update(LoginSession.__table__).where(LoginSession.__table__.c.id == login.id)
                               .values(last_seen_at=now))
        login.last_seen_at = now
    user.login_key = key
    return user


def current(user: User) -> LoginSession | None:
    """The login session of this request's account."""
    key = getattr(user, "login_key", None)
    if not key:
        return None
    return db.session.scalar(_BY_KEY, {"key_hash": _hash(key)})


def end(login: LoginSession | None) -> None:
    if login is not None and login.ended_at is None:
        login.ended_at = utcnow()


def end_all(user: User, keep: LoginSession | None = None) -> int:
    """Ends every session of the account (but `keep`); returns how many were live."""
    query = update(LoginSession).where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
    if keep is not None:
        query = query.where(LoginSession.id != keep.id)
    return db.session.execute(query.values(ended_at=utcnow()).execution_options(synchronize_session=False)).rowcount


@dataclass
class Device:
    session: LoginSession
    this_one: bool
    browser: str
    system: str


_BROWSERS = (("Edg", "Edge"), ("OPR", "Opera"), ("Firefox", "Firefox"), ("Chrome", "Chrome"), ("Safari", "Safari"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("Linux", "Linux"))


def _named(agent: str, names) -> str:
    return next((name for token, name in names if token in agent), "")


def live_sessions(user: User) -> list[Device]:
    """The account's live sessions, the latest used first, each with its browser and system in words."""
    now = utcnow()
    mine = current(user)
    rows = db.session.scalars(select(LoginSession).where(LoginSession.user_id == user.id,
                                                         LoginSession.ended_at.is_(None),
                                                         LoginSession.expires_at > now)
                              .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc()))
    return [Device(row, mine is not None and row.id == mine.id, _named(row.user_agent or "", _BROWSERS),
                   _named(row.user_agent or "", _SYSTEMS)) for row in rows if is_live(row, now)]
