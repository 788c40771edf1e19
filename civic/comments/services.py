"""Comments on posts: one level of replies; authors edit and delete their own.

The post's comment_count counts the comments that are not deleted, and moves in the
same transaction as the comment.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import joinedload, selectinload

from civic.accounts.models import User
from civic.comments import notices, permissions
from civic.comments.models import Comment, visible_comment
from civic.core.richtext import render_markdown
from civic.core.rules import Conflict, RuleError
from civic.core.text import checked_text
from civic.core.timeutil import utcnow
from civic.extensions import db
from civic.orgs.models import Organisation
from civic.orgs.permissions import membership_of
from civic.posts.models import Post, visible_post
from civic.posts.permissions import can_comment
from civic.posts.services import PostForbidden

log = logging.getLogger("civic.comments")

COMMENT_MAX = 5_000
THREADS_PER_PAGE = 50  # comments (each with its replies) on a page of a post


class CommentError(RuleError):
    pass


def _checked_body(body: str | None) -> str:
    return checked_text(body, "body", maximum=COMMENT_MAX, missing=_l("Write something before sending."),
                        error=CommentError, controls=False)


def _organisation(author: User, organisation_id: int | None) -> Organisation | None:
    """Written on behalf of an organisation: only one the author is a member of (checked when
    writing; the comment keeps it afterwards, even if the author leaves the organisation)."""
    if organisation_id is None:
        return None
    org = db.session.get(Organisation, organisation_id) if organisation_id > 0 else None
    if org is None:
        raise CommentError(_l("Choose one of your organisations from the list."), "organisation")
    if membership_of(author, org) is None:
        raise PostForbidden(_l("You can comment on behalf of %(name)s only if you are one of its members.",
                               name=org.name), "organisation")
    return org


def add_comment(user: User, post: Post, body: str, parent_id: int | None = None,
                organisation_id: int | None = None) -> Comment:
    if not can_comment(user, post):
        raise PostForbidden(_l("Log in to comment."))
    parent = None
    if parent_id is not None:
        parent = db.session.get(Comment, parent_id)
        if parent is None or parent.post_id != post.id:
            raise CommentError(_l("The comment you are replying to does not exist."), "parent_id")
        if parent.parent_id is not None:
            raise CommentError(_l("You can reply to a comment, not to a reply. Reply to the first comment of the thread."),
                               "parent_id")
        if not parent.is_visible:
            raise CommentError(_l("This comment was deleted: it cannot receive new replies."), "parent_id")
    text = _checked_body(body)
    organisation = _organisation(user, organisation_id)
    comment = Comment(post_id=post.id, author=user, parent=parent, organisation=organisation, body_markdown=text,
                      body_html=render_markdown(text))
    db.session.add(comment)
    db.session.execute(update(Post).where(Post.id == post.id).values(
        comment_count=Post.comment_count + 1, first_reaction_at=func.coalesce(Post.first_reaction_at, utcnow())))
    db.session.flush()
    db.session.expire(post, ["comment_count", "first_reaction_at"])
    notices.comment_added(user, post, comment, parent)  # followers, and the author of the comment answered
    log.info("comment posted", extra={"comment_id": comment.id, "post_id": post.id, "user_id": user.id})
    return comment


def _own(user: User, comment: Comment) -> None:
    if not permissions.is_comment_author(user, comment):
        raise PostForbidden(_l("Only the author can change this comment."))
    if comment.is_deleted:
        raise Conflict(_l("This comment was deleted."))


def edit_comment(user: User, comment: Comment, body: str) -> None:
    """Changes the text only: the organisation it was written on behalf of stays."""
    _own(user, comment)
    if comment.hidden_at is not None or comment.post.hidden_at is not None:
        raise PostForbidden(_l("The moderators hid this comment: it can no longer be changed."))
    text = _checked_body(body)
    comment.body_markdown = text
    comment.body_html = render_markdown(text)
    comment.edited_at = utcnow()
    db.session.flush()


def delete_comment(user: User, comment: Comment) -> None:
    """The comment keeps its place in the thread, without its text."""
    _own(user, comment)
    # Only the request that really deletes it moves the counter (a double click sends two).
    # RETURNING reads hidden_at from the row as updated, after any hiding committed meanwhile, so a
    # comment hidden and deleted at the same moment leaves the count once.
    deleted = db.session.execute(
        update(Comment.__table__).where(Comment.id == comment.id, Comment.deleted_at.is_(None))
        .values(deleted_at=utcnow(), body_markdown="", body_html="").returning(Comment.hidden_at)
    ).first()
    if deleted is None:
        raise Conflict(_l("This comment was deleted."))
    if deleted.hidden_at is None:  # a hidden comment was already taken out of the count
        db.session.execute(update(Post).where(Post.id == comment.post_id).values(comment_count=Post.comment_count - 1))
    db.session.expire(comment)
    db.session.flush()


@dataclass
class ThreadPage:
    """A page of a post's conversation: THREADS_PER_PAGE comments in order, each with all its replies."""
    threads: list[tuple[Comment, list[Comment]]]
    page: int
    pages: int


def thread(post: Post, page: int = 1) -> ThreadPage:
    """A page of the post's comments in order (a page past the last gives the last), each with its
    replies and the organisation each is written on behalf of: the same few queries whatever the size
    of the conversation (an idea can gather thousands of comments)."""
    roots_total = db.session.scalar(select(func.count()).select_from(Comment).where(
        Comment.post_id == post.id, Comment.parent_id.is_(None))) or 0
    pages = max(1, -(-roots_total // THREADS_PER_PAGE))
    page = min(max(page, 1), pages)
    page_roots = (
        select(Comment.id).where(Comment.post_id == post.id, Comment.parent_id.is_(None))
        .order_by(Comment.created_at, Comment.id).limit(THREADS_PER_PAGE).offset((page - 1) * THREADS_PER_PAGE)
    ).scalar_subquery()
    comments = db.session.scalars(
        select(Comment).where(Comment.post_id == post.id,
                              or_(Comment.id.in_(page_roots), Comment.parent_id.in_(page_roots)))
        .options(selectinload(Comment.author), joinedload(Comment.organisation))
        .order_by(Comment.created_at, Comment.id)
    ).all()
    replies: dict[int, list[Comment]] = {}
    roots = []
    for comment in comments:
        if comment.parent_id is None:
            roots.append(comment)
        else:
            replies.setdefault(comment.parent_id, []).append(comment)
    return ThreadPage(threads=[(root, replies.get(root.id, [])) for root in roots], page=page, pages=pages)


def page_of(comment: Comment) -> int:
    """The page of its post's conversation that shows the comment (a reply is shown with its thread)."""
    root = comment.parent if comment.parent_id is not None else comment
    before = db.session.scalar(select(func.count()).select_from(Comment).where(
        Comment.post_id == root.post_id, Comment.parent_id.is_(None),
        or_(Comment.created_at < root.created_at, and_(Comment.created_at == root.created_at, Comment.id < root.id)))) or 0
    return before // THREADS_PER_PAGE + 1


def by_author(author_id: int, limit: int = 20) -> list[Comment]:
    """A person's latest visible comments, with the post each belongs to and its organisation."""
    return list(db.session.scalars(
        select(Comment).join(Post, Post.id == Comment.post_id)
        .where(Comment.author_id == author_id, visible_comment(), visible_post())
        .options(selectinload(Comment.post), joinedload(Comment.organisation)).order_by(Comment.created_at.desc(), Comment.id.desc()).limit(limit)
    ))
