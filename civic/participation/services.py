"""Votes on posts (supports on needs): one per account, counted exactly under concurrent use.

The vote row and the post's counter change in one transaction. The insert skips a
duplicate instead of failing (ON CONFLICT DO NOTHING on both SQLite and PostgreSQL), and
the counter moves only when a row was really added or removed, so 20 simultaneous
clicks leave one vote and a counter of one.
"""
from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update

from civic.accounts.models import User
from civic.calls.phases import voting_note
from civic.core.rules import RuleError
from civic.core.timeutil import utcnow
from civic.extensions import db
from civic.participation.models import Vote
from civic.posts.models import Post
from civic.posts.permissions import call_votes_open, can_vote
from civic.posts.services import PostForbidden


class VotingClosed(RuleError):
    """The call this idea belongs to is not in its voting phase (409: it depends on the date)."""

    status = 409


def _insert_ignoring_duplicates():
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    # Core INSERT ... RETURNING: a returned row is the proof that this request added the vote
    # (rowcount is not reliable for ORM-level inserts on every driver).
    return insert(Vote.__table__).on_conflict_do_nothing(index_elements=["post_id", "user_id"]).returning(Vote.id)


def add_vote(user: User, post: Post) -> bool:
    """True when a vote was added, False when the user had already voted."""
    if not can_vote(user, post):
        if not call_votes_open(post):
            raise VotingClosed(voting_note(post.call))
        raise PostForbidden(_l("Votes are closed for this idea.") if post.is_withdrawn else _l("You cannot vote here."))
    added = db.session.execute(_insert_ignoring_duplicates().values(post_id=post.id, user_id=user.id,
                                                                    created_at=utcnow())).first()
    if added is None:
        return False
    # The status is judged again as the counter is written (this waits for a move being made on
    # the post): a vote that meets a merge committed meanwhile is taken back, not left on a merged idea.
    from civic.posts.lifecycle import VOTABLE

    counted = db.session.execute(update(Post).where(Post.id == post.id, Post.status.in_([s.value for s in VOTABLE]))
                                 .values(vote_count=Post.vote_count + 1,
                                         first_reaction_at=func.coalesce(Post.first_reaction_at, utcnow()))
                                 .returning(Post.id)).first()
    if counted is None:
        db.session.execute(delete(Vote.__table__).where(Vote.id == added.id))
        db.session.expire(post)
        raise PostForbidden(_l("Votes are closed for this idea."))
    db.session.expire(post, ["vote_count", "first_reaction_at"])
    return True


def remove_vote(user: User, post: Post) -> bool:
    """True when a vote was removed. Withdrawing stays possible on a withdrawn idea, but
    not outside the voting phase of a call: the count it closed with is the call's result."""
    if not call_votes_open(post):
        raise VotingClosed(voting_note(post.call))
    removed = db.session.execute(
        delete(Vote.__table__).where(Vote.post_id == post.id, Vote.user_id == user.id).returning(Vote.id)).first()
    if removed is None:
        return False
    db.session.execute(update(Post).where(Post.id == post.id).values(vote_count=Post.vote_count - 1))
    db.session.expire(post, ["vote_count"])
    return True


def voted_post_ids(user: User | None, posts: Iterable[Post]) -> set[int]:
    """Which of these posts the user voted for: one query for a whole list."""
    ids = [p.id for p in posts]
    if user is None or not getattr(user, "is_authenticated", False) or not ids:
        return set()
    return set(db.session.scalars(select(Vote.post_id).where(Vote.user_id == user.id, Vote.post_id.in_(ids))))
