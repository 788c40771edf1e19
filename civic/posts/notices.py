"""What the people of an idea are told when it moves, and how that notification reads.

`tell_followers_of_move` is a receiver of civic.core.signals.idea_moved, connected by civic/wiring.py
for every status; `NOTIFICATION_EVENTS` is registered there too.
"""
from __future__ import annotations

from flask_babel import gettext as _

from civic.notifications import follows
from civic.notifications.models import Notification
from civic.notifications.reading import event
from civic.notifications.services import notify
from civic.posts.models import PostStatus


def tell_followers_of_move(status: PostStatus, *, user, idea, action: str, reason: str, **_ignored) -> None:
    """The author and the followers of the idea (never the person who moved it)."""
    notify("idea.moved", "idea", idea.id, actor=user,
           recipients=follows.follower_ids("idea", idea.id) | {idea.author_id},
           action=action, to_status=status.value, reason=reason)


def _moved(n: Notification, title: str) -> str:
    action = n.params.get("action")
    if action == "withdraw":
        return _("The author withdrew the idea \"%(title)s\".", title=title)
    if action == "merge":
        return _("The idea \"%(title)s\" was merged into another idea.", title=title)
    try:
        status = PostStatus(n.params.get("to_status")).label
    except ValueError:
        status = n.params.get("to_status") or ""
    return _("The idea \"%(title)s\" is now \"%(status)s\".", title=title, status=status)


def _answer(n: Notification) -> str | None:
    reason = n.params.get("reason")
    return _("Answer of the municipality: %(answer)s", answer=reason) if reason else None


NOTIFICATION_EVENTS = (
    event("idea.moved", _moved, detail=_answer),
)
