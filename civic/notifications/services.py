"""Notifications written and read as read: one `notify()` for every domain, read marks and email preferences.

`notify()` writes the notifications and, for the people who want them at once, their emails,
in the caller's transaction (it flushes, never commits). How each notification reads and who may
still see it is in civic/notifications/reading.py.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from civic.accounts.models import User
from civic.core.rules import NotFound, RuleError
from civic.core.timeutil import utcnow
from civic.extensions import db
from civic.notifications import follows, outbox
from civic.notifications.models import EmailFrequency, Notification

log = logging.getLogger("civic.notifications")

PARAM_TEXT_MAX = 500


class PreferenceError(RuleError):
    pass


# --- writing -------------------------------------------------------------------------------------

def _ids(people: Iterable[User | int]) -> set[int]:
    return {p if isinstance(p, int) else p.id for p in people if p is not None}


def _clean(params: dict) -> dict:
    cleaned = {}
    for key, value in params.items():
        if isinstance(value, str) and len(value) > PARAM_TEXT_MAX:
            value = value[:PARAM_TEXT_MAX - 1] + "…"
        cleaned[key] = value
    return cleaned


def notify(event: str, target_kind: str, target_id: int, *, actor: User | None = None,
           recipients: Iterable[User | int] | None = None, exclude: Iterable[User | int] = (),
           comment_id: int | None = None, email: bool = True, **params: Any) -> list[Notification]:
    """Notify `recipients` (by default the target's followers) of `event` on a registered target.

    The actor is never notified of their own action; blocked and deactivated accounts are skipped.
    `comment_id` names the comment the event is about (hidden with it); `params` (JSON values) are
    what the sentence needs. Emails of the people who want them at once are written in the same
    transaction. `email=False` for an event whose email is sent otherwise (an invitation's own email):
    it is only shown on the site, neither sent at once nor in the digest. Flushes, never commits.
    """
    if follows.followable(target_kind) is None:
        raise ValueError(f"{target_kind!r} is not a registered followable kind")
    wanted = _ids(recipients) if recipients is not None else follows.follower_ids(target_kind, target_id)
    wanted -= _ids(exclude)
    if actor is not None:
        wanted.discard(actor.id)
    if not wanted:
        return []
    people = db.session.scalars(select(User).where(User.id.in_(wanted), User.active.is_(True),
                                                   User.blocked_at.is_(None)).order_by(User.id)).all()
    now = utcnow()
    params = _clean(params)
    rows = []
    for person in people:
        daily = email and person.email_frequency == EmailFrequency.DAILY and person.email_confirmed
        rows.append(Notification(recipient_id=person.id, event=event, target_kind=target_kind, target_id=target_id,
                                 comment_id=comment_id, actor_id=actor.id if actor is not None else None,
                                 params=params, created_at=now, digest_pending=daily))
    db.session.add_all(rows)
    db.session.flush()
    immediate = [(person, row) for person, row in zip(people, rows, strict=True)
                 if email and person.email_frequency == EmailFrequency.IMMEDIATE and person.email_confirmed]
    if immediate:
        for _person, row in immediate:
            row.actor = actor
        outbox.queue_immediate(immediate)
    log.info("notified", extra={"event": event, "target": f"{target_kind}:{target_id}", "recipients": len(rows)})
    return rows


def mark_read(user: User, notification_id: int) -> None:
    """Only one's own notification (someone else's is answered as missing)."""
    found = db.session.scalar(select(Notification.id).where(Notification.id == notification_id,
                                                            Notification.recipient_id == user.id))
    if found is None:
        raise NotFound(_l("This notification does not exist."))
    db.session.execute(update(Notification).where(Notification.id == notification_id, Notification.read_at.is_(None))
                       .values(read_at=utcnow()))


def mark_all_read(user: User) -> int:
    result = db.session.execute(update(Notification).where(Notification.recipient_id == user.id,
                                                           Notification.read_at.is_(None)).values(read_at=utcnow()))
    return result.rowcount or 0


# --- email preferences ---------------------------------------------------------------------------

FREQUENCY_LABELS = {
    EmailFrequency.IMMEDIATE: _l("At once: one email for each notification"),
    EmailFrequency.DAILY: _l("Once a day: one summary email"),
    EmailFrequency.NEVER: _l("Never: only on the site"),
}


def set_email_frequency(user: User, frequency: str) -> None:
    if frequency not in {f.value for f in EmailFrequency}:
        raise PreferenceError(_l("Choose one of the options."), "email_frequency")
    user.email_frequency = frequency
    db.session.flush()
