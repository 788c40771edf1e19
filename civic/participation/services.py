"""Votes on posts (supports on needs): one per account, counted exactly under concurrent use.

The vote row and the post's counter change in one transaction. The insert skips a
duplicate instead of failing (ON CONFLICT DO NOTHING on both SQLite and PostgreSQL), and
the counter moves only when a row was really added or removed, so 20 simultaneous
clicks leave one vote and a counter of one.
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, bindparam, delete, func, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY

from civic.accounts.models import User
from civic.core.rules import Conflict
from civic.core.timeutil import utcnow
from civic.extensions import db
from civic.participation.models import Vote
from civic.posts.lifecycle import VOTABLE
from civic.posts.models import Post
from civic.posts.permissions import call_votes_open, can_vote
from civic.posts.services import PostForbidden


class VotingClosed(Conflict):
    """The call this idea belongs to is not in its voting phase (409: it depends on the date)."""


@cache
def _statements() -> tuple:
    """The vote's INSERT and the counter's UPDATE, built once: composing them for each request cost
    more Python time than running them."""
    # ON CONFLICT DO NOTHING, the same on SQLite and PostgreSQL. Written as text because SQLAlchemy
    # compiles its dialects' ON CONFLICT statements again at each run (they are never cached).
    # A returned row is the proof that this request added the vote.
    add = text("INSERT INTO vote (post_id, user_id, created_at) VALUES (:post_id, :user_id, :now) "
               "ON CONFLICT (post_id, user_id) DO NOTHING RETURNING id").bindparams(
        bindparam("now", type_=Vote.__table__.c.created_at.type))
    # The status is judged again as the counter is written (this waits for a move being made on
    # the post): a vote that meets a merge committed meanwhile is taken back, not left on a merged idea.
    # A Core UPDATE (the table's): the ORM's would also look for the post among the session's objects,
    # which add_vote expires itself.
    post = Post.__table__.c
    count = (update(Post.__table__).where(post.id == bindparam("post_id"), post.status.in_([s.value for s in VOTABLE]))
             .values(vote_count=post.vote_count + 1, first_reaction_at=func.coalesce(
                 post.first_reaction_at, bindparam("now", type_=post.first_reaction_at.type)))
             .returning(post.id))
    # On PostgreSQL both in one statement (one round trip fewer for the busiest write of the site):
    # the UPDATE runs only when the INSERT returned a row; the answer says whether each happened.
    # SQLite has no INSERT inside a WITH, and runs the two above.
    both = text("WITH added AS (INSERT INTO vote (post_id, user_id, created_at) VALUES (:post_id, :user_id, :now) "
                "ON CONFLICT (post_id, user_id) DO NOTHING RETURNING id), "
                "counted AS (UPDATE post SET vote_count = vote_count + 1, "
                "first_reaction_at = coalesce(first_reaction_at, :now) "
                "WHERE id = :post_id AND status = ANY(:votable) AND EXISTS (SELECT 1 FROM added) RETURNING id) "
                "SELECT (SELECT id FROM added) AS id, (SELECT id FROM counted) AS counted").bindparams(
        bindparam("now", type_=Vote.__table__.c.created_at.type),
        bindparam("votable", value=[status.value for status in VOTABLE], type_=ARRAY(String)))
    return add, count, both


def add_vote(user: User, post: Post) -> bool:
    """True when a vote was added, False when the user had already voted."""
    if not can_vote(user, post):
        if not call_votes_open(post):
            raise VotingClosed(post.call.voting_note())
        raise PostForbidden(_l("Votes are closed for this idea.") if post.is_withdrawn else _l("You cannot vote here."))
    add, count, both = _statements()
    values = {"post_id": post.id, "user_id": user.id, "now": utcnow()}
    if db.session.get_bind().dialect.name == "postgresql":
        added, counted = db.session.execute(both, values).one()
    else:
        added = db.session.execute(add, values).scalar()
        counted = db.session.execute(count, values).scalar() if added is not None else None
    if added is None:
        return False
    if counted is None:
        db.session.execute(delete(Vote.__table__).where(Vote.id == added))
        db.session.expire(post)
        raise PostForbidden(_l("Votes are closed for this idea."))
    db.session.expire(post, ["vote_count", "first_reaction_at"])
    return True


def remove_vote(user: User, post: Post) -> bool:
    """True when a vote was removed. Withdrawing stays possible on a withdrawn idea, but
    not outside the voting phase of a call: the count it closed with is the call's result."""
    if not call_votes_open(post):
        raise VotingClosed(post.call.voting_note())
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
