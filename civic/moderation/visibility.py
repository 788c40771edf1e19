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


def visible_process():
    """The condition a co-design process must meet to appear publicly: the idea or need it started
    from is not hidden (the SQL form of civic.codesign.permissions.origin_is_hidden)."""
    from sqlalchemy import or_, select

    from civic.codesign.models import CodesignProcess

    hidden_origin = (
        select(Post.id).where(Post.hidden_at.is_not(None),
                              or_(Post.id == CodesignProcess.idea_id, Post.id == CodesignProcess.need_id))
        .correlate(CodesignProcess).exists())
    return ~hidden_origin
