"""How notifications read and who may see them: each event's sentence (declared by the domains, registered
by civic/wiring.py), the condition of a notification that may still be shown, and the reader's list.

A notification stores its event and parameters; its sentence is written when shown, in the reader's
language (`describe_all`). Content hidden after the event disappears from the list, the unread count
and the digest: every read goes through `visible_condition()`. The list, the bell and the email
outbox (civic/notifications/outbox.py) read through this module.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select, true
from sqlalchemy.orm import joinedload

from civic.accounts.models import User
from civic.extensions import db
from civic.notifications import follows
from civic.notifications.models import Notification

PER_PAGE = 20


# --- events: how each one reads ------------------------------------------------------------------

@dataclass(frozen=True)
class Event:
    name: str
    text: Callable[[Notification, str], str]  # (notification, title of its target) -> sentence
    detail: Callable[[Notification], str | None] = lambda n: None
    # False for news about one's own hidden content: shown although its target is hidden (without its title).
    requires_visible: bool = True
    anchor_comment: bool = False


_EVENTS: dict[str, Event] = {}


def event(name: str, text: Callable[[Notification, str], str], *,
          detail: Callable[[Notification], str | None] | None = None,
          requires_visible: bool = True, anchor_comment: bool = False) -> Event:
    """How an event reads; `text` is called when shown, in the reader's language. Each domain declares
    its events in a table (`NOTIFICATION_EVENTS`) that civic/wiring.py registers."""
    return Event(name, text, detail or (lambda n: None), requires_visible, anchor_comment)


def register_events(events: Iterable[Event]) -> None:
    """Called by the app factory (civic/wiring.py) with each domain's table; registering again replaces."""
    for declared in events:
        _EVENTS[declared.name] = declared


def actor_name(n: Notification) -> str:
    """Who acted, for a sentence: their name, or "Someone" (an account deleted since)."""
    return n.actor.display_name if n.actor is not None else _("Someone")


def _event(name: str) -> Event:
    return _EVENTS.get(name) or Event(name, lambda n, title: _("News about \"%(title)s\".", title=title))


# --- visibility ----------------------------------------------------------------------------------

# The SELECT of the ids of the comments that may be shown (a notification about a comment hidden or
# deleted since is not): set by the app factory (civic/wiring.py), as comments build on this module.
_visible_comment_ids: Callable[[], Any] | None = None


def register_comment_visibility(visible_ids: Callable[[], Any]) -> None:
    global _visible_comment_ids
    _visible_comment_ids = visible_ids


def visible_condition():
    """The SQL condition of a notification that may be shown: its target (and comment) still visible."""
    targets = [and_(Notification.target_kind == entry.kind, Notification.target_id.in_(entry.visible_ids()))
               for entry in (follows.followable(kind) for kind in follows.followable_kinds())]
    comment_ok = or_(Notification.comment_id.is_(None),
                     Notification.comment_id.in_(_visible_comment_ids()) if _visible_comment_ids else true())
    always = [e.name for e in _EVENTS.values() if not e.requires_visible]
    return or_(Notification.event.in_(always), and_(or_(*targets), comment_ok))


# --- reading -------------------------------------------------------------------------------------

@dataclass
class Shown:
    """A notification as the reader sees it."""

    notification: Notification
    text: str
    detail: str | None
    url: str | None

    @property
    def id(self) -> int:
        return self.notification.id

    @property
    def is_read(self) -> bool:
        return self.notification.is_read

    @property
    def created_at(self):
        return self.notification.created_at


def targets_of(notifications: list[Notification]) -> dict[tuple[str, int], tuple[Any, bool]]:
    """The targets of a page of notifications, each with whether it is visible: one query per kind
    present, whatever the number of rows."""
    wanted: dict[str, set[int]] = {}
    for n in notifications:
        wanted.setdefault(n.target_kind, set()).add(n.target_id)
    found = {}
    for kind, ids in wanted.items():
        entry = follows.followable(kind)
        if entry is None:
            continue
        rows = db.session.execute(select(entry.model, entry.is_visible().label("visible"))
                                  .where(entry.model.id.in_(ids)))
        for row, visible in rows:
            found[(kind, row.id)] = (row, bool(visible))
    return found


def describe_all(notifications: list[Notification], targets: dict | None = None) -> list[Shown]:
    """The sentence, detail and link of each notification, in the current language."""
    targets = targets_of(notifications) if targets is None else targets
    shown = []
    for n in notifications:
        event = _event(n.event)
        entry = follows.followable(n.target_kind)
        target, visible = targets.get((n.target_kind, n.target_id), (None, False))
        # Hidden content is never named, not even by its address (which carries its title).
        shown_target = target if (entry is not None and visible) else None
        title = entry.title(shown_target) if (shown_target is not None and event.requires_visible) else ""
        url = entry.url(shown_target) if shown_target is not None else None
        if url and n.comment_id and event.anchor_comment:
            url = url_for("comments.show", comment_id=n.comment_id)  # it finds the page that shows it
        shown.append(Shown(n, event.text(n, title), event.detail(n), url))
    return shown


def page_of(user: User, page: int = 1) -> tuple[list[Shown], bool]:
    """A page of the user's visible notifications, newest first, and whether another page follows."""
    rows = db.session.scalars(
        select(Notification).where(Notification.recipient_id == user.id, visible_condition())
        .options(joinedload(Notification.actor))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE)).all()
    return describe_all(list(rows[:PER_PAGE])), len(rows) > PER_PAGE


def unread_count(user: User) -> int:
    """One query; the same condition as the list, so the bell and the page agree."""
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.recipient_id == user.id, Notification.read_at.is_(None), visible_condition())) or 0


def unread_state(user: User) -> tuple[int, int | None]:
    """How many of the user's notifications are unread, and the latest of them: it changes whenever one
    arrives or is read (ids only grow). The pages kept for an account (civic/core/pagecache.py) carry
    the bell, and writing a notification raises no content version."""
    count, latest = db.session.execute(select(func.count(), func.max(Notification.id)).where(
        Notification.recipient_id == user.id, Notification.read_at.is_(None))).one()
    return count, latest
