"""What the author of content hidden by a moderator is told (a block tells no one), and how it reads:
`NOTIFICATION_EVENTS`, registered by civic/wiring.py."""
from __future__ import annotations

from flask_babel import gettext as _

from civic.accounts.models import User
from civic.comments.models import Comment
from civic.notifications.models import Notification
from civic.notifications.reading import event
from civic.notifications.services import notify


def content_hidden(moderator: User, target, reason: str) -> None:
    """The author of the hidden post or comment is told why (and no one else)."""
    if isinstance(target, Comment):
        post = target.post
        notify("content.hidden", post.kind, post.id, actor=moderator, recipients=[target.author_id],
               comment_id=target.id, what="comment", reason=reason)
    else:
        notify("content.hidden", target.kind, target.id, actor=moderator, recipients=[target.author_id],
               what=target.kind, reason=reason)


def _hidden(n: Notification, title: str) -> str:
    what = n.params.get("what")
    if what == "comment":
        return _("The moderators hid one of your comments.")
    if what == "idea":
        return _("The moderators hid one of your ideas.")
    return _("The moderators hid one of your needs.")


NOTIFICATION_EVENTS = (
    event("content.hidden", _hidden, requires_visible=False,
          detail=lambda n: _("Reason: %(reason)s", reason=n.params.get("reason", ""))),
)
