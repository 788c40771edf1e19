"""Blocking an account: the person can no longer log in, and everything they published is hidden.

One transaction per block or unblock. Blocking hides only what was visible and marks it
`hidden_by_block`, so that unblocking shows again exactly that, and not what a moderator hid on
its own. Comment counts move with the comments (a post counts the comments that are neither
deleted nor hidden), in one statement per batch of posts, never one per comment.
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, select, update
from sqlalchemy.orm import joinedload

from civic.accounts import sessions
from civic.accounts.models import Role, User, new_session_token
from civic.accounts.permissions import can_moderate_user, is_admin, is_moderator, is_signed_in
from civic.audit import services as audit
from civic.comments.models import Comment
from civic.core.text import checked_line
from civic.core.timeutil import utcnow
from civic.extensions import db
from civic.moderation.models import Report
from civic.moderation.services import HIDE_REASON_MAX, ModerationError, StateConflict
from civic.posts.models import Post
from civic.posts.services import PostForbidden

log = logging.getLogger("civic.moderation")

BLOCK_REASON_MAX = HIDE_REASON_MAX  # user_account.blocked_reason is 500 characters, like a hiding reason
_BATCH = 200  # posts per counter update


def require_can_moderate(actor: User, person: User) -> None:
    """Refuse, saying why, when `actor` may not block, unblock or handle the reports of `person`."""
    if can_moderate_user(actor, person):
        return
    if is_signed_in(actor) and actor.id == person.id:
        raise PostForbidden(_l("You cannot do this on your own account."))
    if is_admin(actor) or not is_moderator(actor):
        raise PostForbidden(_l("Only moderators and administrators can do this."))
    if person.role != Role.RESIDENT:
        raise PostForbidden(_l("Only administrators can block or unblock a moderator or an administrator."))
    if person.home_city is None:
        raise PostForbidden(_l("This person has no home city: only administrators can act on this account."))
    raise PostForbidden(_l("Only the moderators of %(city)s can do this.", city=person.home_city.name))


def _checked_reason(reason: str | None) -> str:
    return checked_line(reason, "reason", maximum=BLOCK_REASON_MAX, error=ModerationError,
                        missing=_l("Write the reason: the person will see it when they try to log in."))


def _move_comment_counts(per_post: Counter, shown: bool) -> None:
    """Add (shown) or take away (hidden) the number of comments of each post from its comment_count:
    one statement per batch of posts, whatever the number of comments."""
    posts = Post.__table__
    post_ids = sorted(per_post)
    for start in range(0, len(post_ids), _BATCH):
        batch = post_ids[start:start + _BATCH]
        delta = case({post_id: per_post[post_id] for post_id in batch}, value=posts.c.id, else_=0)
        count = posts.c.comment_count + delta if shown else posts.c.comment_count - delta
        db.session.execute(update(posts).where(posts.c.id.in_(batch)).values(comment_count=count))


def _resolve_reports(actor: User, kind: str, target_ids) -> int:
    result = db.session.execute(
        update(Report).where(Report.target_kind == kind, Report.target_id.in_(target_ids), Report.resolved_at.is_(None))
        .values(resolved_at=utcnow(), resolved_by_id=actor.id).execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


@dataclass
class BlockResult:
    posts: int
    comments: int
    reports: int


def block(actor: User, person: User, reason: str) -> BlockResult:
    """Block `person`: login refused with the reason, every session ended, all their visible content hidden,
    the open reports on them and on that content closed. Raises StateConflict (409) if someone was quicker."""
    require_can_moderate(actor, person)
    text = _checked_reason(reason)
    now = utcnow()
    users, posts, comments = User.__table__, Post.__table__, Comment.__table__
    # The guarded update is the lock: of two blocks at once, the second finds the row already blocked.
    # A new session token ends every session of the person (it is part of the login cookie).
    blocked = db.session.execute(
        update(users).where(users.c.id == person.id, users.c.blocked_at.is_(None))
        .values(blocked_at=now, blocked_reason=text, session_token=new_session_token()).returning(users.c.id)
    ).first()
    if blocked is None:
        raise StateConflict(_l("This account is already blocked: another moderator may have just blocked it."))
    sessions.end_all(person)  # and the server forgets them
    hidden_posts = [row.id for row in db.session.execute(
        update(posts).where(posts.c.author_id == person.id, posts.c.hidden_at.is_(None))
        .values(hidden_at=now, hidden_reason=text, hidden_by_block=True).returning(posts.c.id))]
    # Only visible comments: a deleted one is already out of the count and has no text to hide.
    hidden_comments = db.session.execute(
        update(comments).where(comments.c.author_id == person.id, comments.c.hidden_at.is_(None),
                               comments.c.deleted_at.is_(None))
        .values(hidden_at=now, hidden_reason=text, hidden_by_block=True)
        .returning(comments.c.id, comments.c.post_id)).all()
    _move_comment_counts(Counter(row.post_id for row in hidden_comments), shown=False)
    closed = _resolve_reports(actor, "user", [person.id])
    # The reports on the content just hidden are dealt with too (hiding one item closes its reports).
    closed += _resolve_reports(actor, "post", select(posts.c.id).where(
        posts.c.author_id == person.id, posts.c.hidden_by_block.is_(True), posts.c.hidden_at.is_not(None)))
    closed += _resolve_reports(actor, "comment", select(comments.c.id).where(
        comments.c.author_id == person.id, comments.c.hidden_by_block.is_(True), comments.c.hidden_at.is_not(None)))
    db.session.flush()
    db.session.expire_all()  # the rows changed above, in every object the session holds
    audit.record(actor, "user.block", "user", person.id, person.display_name, reason=text,
                 city_id=person.home_city_id)
    log.info("account blocked", extra={"user_id": person.id, "actor_id": actor.id, "posts": len(hidden_posts),
                                       "comments": len(hidden_comments)})
    return BlockResult(posts=len(hidden_posts), comments=len(hidden_comments), reports=closed)


def unblock(actor: User, person: User) -> BlockResult:
    """Let `person` log in again and show again what the block hid (not what a moderator hid on its own).
    Raises StateConflict (409) if the account is not blocked."""
    require_can_moderate(actor, person)
    users, posts, comments = User.__table__, Post.__table__, Comment.__table__
    unblocked = db.session.execute(
        update(users).where(users.c.id == person.id, users.c.blocked_at.is_not(None))
        .values(blocked_at=None, blocked_reason=None).returning(users.c.id)
    ).first()
    if unblocked is None:
        raise StateConflict(_l("This account is not blocked: another moderator may have just unblocked it."))
    shown_posts = db.session.execute(
        update(posts).where(posts.c.author_id == person.id, posts.c.hidden_by_block.is_(True),
                            posts.c.hidden_at.is_not(None))
        .values(hidden_at=None, hidden_reason=None, hidden_by_block=False)).rowcount or 0
    # deleted_at as updated: a comment counts again only if it is not deleted.
    shown_comments = db.session.execute(
        update(comments).where(comments.c.author_id == person.id, comments.c.hidden_by_block.is_(True),
                               comments.c.hidden_at.is_not(None))
        .values(hidden_at=None, hidden_reason=None, hidden_by_block=False)
        .returning(comments.c.post_id, comments.c.deleted_at)).all()
    _move_comment_counts(Counter(row.post_id for row in shown_comments if row.deleted_at is None), shown=True)
    db.session.flush()
    db.session.expire_all()
    audit.record(actor, "user.unblock", "user", person.id, person.display_name, city_id=person.home_city_id)
    log.info("account unblocked", extra={"user_id": person.id, "actor_id": actor.id})
    return BlockResult(posts=shown_posts, comments=len(shown_comments), reports=0)


def dismiss_reports(actor: User, person: User) -> int:
    """The reports on a profile were not founded: close them, the account stays as it is."""
    require_can_moderate(actor, person)
    closed = _resolve_reports(actor, "user", [person.id])
    audit.record(actor, "user.dismiss_reports", "user", person.id, person.display_name,
                 city_id=person.home_city_id)
    return closed


def blocked_users(actor: User, limit: int = 100) -> list[User]:
    """The blocked accounts whose home city `actor` moderates (every one for admins), latest first."""
    query = select(User).where(User.blocked_at.is_not(None)).options(joinedload(User.home_city))
    if not is_admin(actor):
        query = query.where(User.home_city_id.in_([c.id for c in actor.moderated_cities] or [-1]))
    return list(db.session.scalars(query.order_by(User.blocked_at.desc(), User.id.desc()).limit(limit)))
