"""What the public may see. Every list, count, page and export asks here, so that hidden
content is hidden everywhere (tests/moderation checks every page for it)."""
from __future__ import annotations

from civic.comments.models import Comment
from civic.posts.models import Post


def visible_post():
    """The condition a post must meet to appear anywhere public."""
    return Post.hidden_at.is_(None)


def visible_comment():
    return Comment.hidden_at.is_(None) & Comment.deleted_at.is_(None)
