"""Who may do what with a comment: named predicates (civic/core/predicates.py) shared by the views, the
templates and the services."""
from __future__ import annotations

from civic.accounts.models import User
from civic.accounts.permissions import is_signed_in
from civic.comments.models import Comment
from civic.core.predicates import predicate


@predicate
def wrote(user: User | None, comment: Comment) -> bool:
    return comment.author_id == user.id


@predicate
def is_deleted(user: User | None, comment: Comment) -> bool:
    return comment.is_deleted


@predicate
def is_hidden(user: User | None, comment: Comment) -> bool:
    """Hidden by the moderators."""
    return comment.hidden_at is not None


is_comment_author = (is_signed_in & wrote).named("is_comment_author")
# Editing and deleting: the author, while the comment is there (a hidden one is refused with its own reason).
can_change_comment = (is_comment_author & ~is_deleted).named("can_change_comment")

TEMPLATE_PERMISSIONS = {
    "is_comment_author": is_comment_author,
}
