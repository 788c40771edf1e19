"""Merging a duplicate idea into the idea that remains.

A moderator of the city (or an admin) closes an idea as a duplicate of another idea of the
same city. The status move is an ordinary move of the lifecycle (`lifecycle.perform`, action
"merge"); in the same transaction this module then moves the votes, points the merged idea
(and any idea merged into it before) to the idea that remains, and recounts both ideas.

Rules kept here, on both backends and under simultaneous requests:
- the idea that remains is another idea of the same city, not hidden, not merged, withdrawn or
  rejected; since only such an idea can receive others and merged ideas are always re-pointed
  to the idea that absorbed them, `merged_into` never leads to a merged idea: no chain, no cycle;
- the `idea` rows of both ideas are locked (in id order, so two merges never wait on each
  other in a circle) before anything is checked: two merges of the same idea, or A into B
  while B goes into C, run one after the other and the second sees what the first did;
- votes move with set-based statements: whoever voted for both ideas counts once.
"""
from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, exists, func, literal, or_, select, update

from civic.accounts.models import User
from civic.accounts.permissions import can_moderate_city
from civic.core.forms import ID_MAX
from civic.core.rules import RuleError
from civic.core.timeutil import utcnow
from civic.extensions import db
from civic.posts import lifecycle
from civic.posts.models import Idea, Post, PostEvent, Vote
from civic.posts.models import PostStatus as S
from civic.posts.permissions import can_merge  # noqa: F401 - the views ask here
from civic.posts.services import PostForbidden

log = logging.getLogger("civic.merging")

ACTION = "merge"
FIELD = "target"  # the form field the messages about the idea that remains belong to
# An idea in one of these statuses cannot receive other ideas.
CLOSED = frozenset({S.MERGED, S.WITHDRAWN, S.REJECTED})

_NUMBER = re.compile(r"#?\s*(\d{1,12})")
_IDEA_PATH = re.compile(r"(?:^|/)ideas/(\d{1,12})(?:-[^/]*)?/?$")


class MergeError(RuleError):
    """The idea that remains cannot be this one (422, shown next to its field)."""

    def __init__(self, message, field: str | None = FIELD):
        super().__init__(message, field)


def parse_idea_number(text: str | None) -> int | None:
    """The number of an idea from what a moderator typed: "123", "#123", or a pasted address
    such as "/ideas/123-slug" or "https://.../ideas/123-slug?x#y". None when it is neither."""
    value = (text or "").strip()
    if not value or len(value) > 2000:
        return None
    if match := _NUMBER.fullmatch(value):
        return int(match.group(1))
    parts = urlsplit(value)
    if parts.scheme not in ("", "http", "https"):
        return None
    if match := _IDEA_PATH.search(parts.path):
        return int(match.group(1))
    return None


def merged_into_this(idea: Post) -> list[Idea]:
    """The visible ideas merged into this one, oldest first."""
    if not isinstance(idea, Idea):
        return []
    return list(db.session.scalars(
        select(Idea).where(Idea.merged_into_id == idea.id, Idea.hidden_at.is_(None)).order_by(Idea.id)))


def _check_may_merge(user: User | None, idea: Post) -> None:
    if user is None or not getattr(user, "is_authenticated", False) or not can_moderate_city(user, idea.city):
        raise PostForbidden(_l("Only the moderators of %(city)s can do this.", city=idea.city.name))


def _on_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _lock_and_reload(idea_id: int, into_id: int) -> dict[int, Idea]:
    """Lock the `idea` rows the merge writes (both ideas, and those merged into the first one
    before, which will be re-pointed), in id order, then read both ideas again: every check
    below sees what a merge that finished meanwhile did. PostgreSQL only: SQLite runs one
    writer at a time, and the writes below re-check what they depend on."""
    if _on_postgresql():
        table = Idea.__table__
        ids = {idea_id, into_id} | set(db.session.scalars(select(table.c.id).where(table.c.merged_into_id == idea_id)))
        db.session.execute(select(table.c.id).where(table.c.id.in_(ids)).order_by(table.c.id).with_for_update())
        # The merged idea's votes stay put until they move: a vote withdrawn at this moment
        # waits for the merge (locked before the idea's status, in the order a withdrawal takes them).
        votes = Vote.__table__
        db.session.execute(select(votes.c.id).where(votes.c.post_id == idea_id).with_for_update())
    rows = db.session.scalars(select(Idea).where(Idea.id.in_([idea_id, into_id]))
                              .execution_options(populate_existing=True))
    return {row.id: row for row in rows}


def _unknown(number: int) -> MergeError:
    return MergeError(_l("There is no idea number %(num)d.", num=number))


def check_target(user: User, idea: Idea, target: Idea | None, number: int) -> Idea:
    """The idea that remains, or MergeError saying why it cannot be this one."""
    if target is None:
        raise _unknown(number)
    # A hidden idea of another city does not exist for this moderator.
    if target.hidden_at is not None and not can_moderate_city(user, target.city):
        raise _unknown(number)
    if target.id == idea.id:
        raise MergeError(_l("An idea cannot be merged into itself: enter the number of the other idea."))
    if target.city_id != idea.city_id:
        raise MergeError(_l("Idea %(num)d is in %(other)s: an idea can be merged only into an idea of %(city)s.",
                            num=number, other=target.city.name, city=idea.city.name))
    if target.hidden_at is not None:
        raise MergeError(_l("Idea %(num)d is hidden by the moderators: it cannot receive other ideas.", num=number))
    if target.status == S.MERGED or target.merged_into_id is not None:
        if target.merged_into_id is not None:
            raise MergeError(_l("Idea %(num)d has itself been merged into idea %(other)d: merge into that one.",
                                num=number, other=target.merged_into_id))
        raise MergeError(_l("Idea %(num)d has itself been merged into another idea.", num=number))
    if target.status in CLOSED:
        raise MergeError(_l("Idea %(num)d is \"%(status)s\": it cannot receive other ideas.",
                            num=number, status=target.status_label))
    return target


def merge_idea(user: User, idea: Post, into_id: int, reason: str | None,
               expected_version: int | None = None) -> PostEvent:
    """Merge `idea` into the idea numbered `into_id`, with the public answer. Flushes; the caller
    commits, or rolls back on any error (some are found after the move was written)."""
    _check_may_merge(user, idea)
    if not isinstance(idea, Idea):
        raise lifecycle.MoveError(_l("This action does not exist."), "action")
    if not 0 < into_id <= ID_MAX:
        raise _unknown(into_id)
    ideas = _lock_and_reload(idea.id, into_id)
    target = check_target(user, idea, ideas.get(into_id), into_id)

    # The move itself: permission, version (409 to a stale page or the second of two merges),
    # status and public answer are judged by the lifecycle, which records the step and the audit entry.
    event = lifecycle.perform(user, idea, ACTION, reason, expected_version=expected_version, into=target)

    moved = _move_votes(idea.id, target.id)
    # Ideas merged into this one before now belong to the idea that remains: no chains.
    db.session.execute(update(Idea.__table__)
                       .where(or_(Idea.__table__.c.id == idea.id, Idea.__table__.c.merged_into_id == idea.id))
                       .values(merged_into_id=target.id))
    _recount(idea.id, target.id, moved)
    db.session.expire(idea)
    db.session.expire(target)
    db.session.flush()
    log.info("idea merged", extra={"post_id": idea.id, "into_id": target.id, "votes_moved": moved,
                                   "user_id": user.id})
    return event


def _move_votes(from_id: int, to_id: int) -> int:
    """Move every vote to the idea that remains, except from those who voted it already.
    Returns how many votes were added to it."""
    vote = Vote.__table__
    other = vote.alias("already")
    if _on_postgresql():
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    voters = select(literal(to_id), vote.c.user_id, vote.c.created_at).where(
        vote.c.post_id == from_id,
        ~exists().where(other.c.post_id == to_id, other.c.user_id == vote.c.user_id),
    )
    # ON CONFLICT: a vote given to the idea that remains at this very moment is not an error.
    added = db.session.execute(
        insert(vote).from_select(["post_id", "user_id", "created_at"], voters)
        .on_conflict_do_nothing(index_elements=["post_id", "user_id"]).returning(vote.c.id)
    ).all()
    db.session.execute(delete(vote).where(vote.c.post_id == from_id))
    return len(added)


def _recount(merged_id: int, remaining_id: int, moved: int) -> None:
    """Both counters from the rows; the idea that remains is checked once more as it is written."""
    post = Post.__table__
    counted = (select(func.count()).select_from(Vote.__table__)
               .where(Vote.__table__.c.post_id == post.c.id).scalar_subquery())
    db.session.execute(update(post).where(post.c.id == merged_id).values(vote_count=counted))
    # The row lock of this UPDATE also waits for a decision being made on the idea that remains
    # at this moment (rejected, hidden...): it is judged as it is once that decision is committed.
    still_open = and_(post.c.id == remaining_id, post.c.hidden_at.is_(None),
                      post.c.status.not_in([s.value for s in CLOSED]))
    values = {"vote_count": counted}
    if moved:
        # Votes arrived: its text is now what these people support (see permissions.is_locked).
        values["first_reaction_at"] = func.coalesce(post.c.first_reaction_at, utcnow())
    written = db.session.execute(update(post).where(still_open).values(**values).returning(post.c.id)).first()
    if written is None:
        raise MergeError(_l("The idea that remains changed meanwhile and can no longer receive other ideas. "
                            "Reload the page and choose again."))
