"""What a new comment tells: its post's followers, and the author of the comment it answers. The
comments' notifications read as declared in `NOTIFICATION_EVENTS` (registered by civic/wiring.py)."""
from __future__ import annotations

from flask_babel import gettext as _

from civic.accounts.models import User
from civic.comments.models import Comment
from civic.notifications.reading import actor_name, event
from civic.notifications.services import notify


def comment_added(author: User, post, comment: Comment, parent: Comment | None) -> None:
    """A new comment: its post's followers are told; a reply also tells the author of the comment it answers."""
    already: set[int] = set()
    if parent is not None and parent.author_id != author.id:
        notify("comment.reply", post.kind, post.id, actor=author, recipients=[parent.author_id], comment_id=comment.id)
        already.add(parent.author_id)
    notify("comment.new", post.kind, post.id, actor=author, exclude=already, comment_id=comment.id)


NOTIFICATION_EVENTS = (
    event("comment.new", lambda n, title: _("%(name)s commented on \"%(title)s\".", name=actor_name(n),
                                           title=title), anchor_comment=True),
    event("comment.reply", lambda n, title: _("%(name)s replied to your comment on \"%(title)s\".",
                                             name=actor_name(n), title=title), anchor_comment=True),
)
