"""The public lifecycle of an idea: every status, every allowed move, who may make it and
what it requires, in one table; one function performs a move and records it.

Views, templates and the API ask `available_moves(user, idea)` and call `perform(...)`;
none of them decides a status on its own. Later stages (co-design, start-up support,
funded projects) react through two signals (civic/core/signals.py): `idea_moving`, whose
receivers may refuse a move, and `idea_moved`, whose receivers attach their own records.
"""
from __future__ import annotations

import enum
import logging
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from civic.accounts.models import User
from civic.accounts.permissions import can_moderate_city
from civic.audit import services as audit
from civic.core import signals
from civic.core.richtext import render_markdown
from civic.core.rules import Conflict, RuleError
from civic.core.text import checked_text
from civic.extensions import db
from civic.posts.errors import PostForbidden
from civic.posts.models import Idea, Post, PostEvent
from civic.posts.models import PostStatus as S

log = logging.getLogger("civic.lifecycle")

REASON_MAX = 5_000


class Actor(enum.StrEnum):
    MODERATOR = "moderator"  # a moderator of the idea's city, or an admin
    AUTHOR = "author"

    @property
    def label(self) -> str:
        return str(ACTOR_LABELS[self])


ACTOR_LABELS = {Actor.MODERATOR: _l("Municipality"), Actor.AUTHOR: _l("Author")}


@dataclass(frozen=True)
class Move:
    action: str
    sources: frozenset[S]
    target: S
    actor: Actor
    label: object  # a lazy string
    reason_required: bool = True
    # The move names another idea (merge: the idea that remains). It is made on its own page,
    # through civic/posts/merging.py, never from the decision form.
    needs_target: bool = False


def _move(action, sources, target, actor, label, reason_required=True, needs_target=False) -> Move:
    return Move(action, frozenset(sources), target, actor, label, reason_required, needs_target)


MOVES: tuple[Move, ...] = (
    _move("review", {S.PUBLISHED}, S.UNDER_REVIEW, Actor.MODERATOR, _l("Start the review")),
    _move("shortlist", {S.UNDER_REVIEW}, S.SHORTLISTED, Actor.MODERATOR, _l("Shortlist")),
    _move("select", {S.SHORTLISTED}, S.SELECTED_FOR_CODESIGN, Actor.MODERATOR, _l("Select for co-design")),
    _move("start_codesign", {S.SELECTED_FOR_CODESIGN}, S.IN_CODESIGN, Actor.MODERATOR, _l("Start the co-design")),
    _move("start_support", {S.IN_CODESIGN}, S.IN_STARTUP, Actor.MODERATOR, _l("Start the start-up support")),
    _move("fund", {S.IN_STARTUP}, S.FUNDED, Actor.MODERATOR, _l("Mark as funded")),
    _move("complete", {S.FUNDED}, S.COMPLETED, Actor.MODERATOR, _l("Mark as completed")),
    _move("reject", {S.PUBLISHED, S.UNDER_REVIEW, S.SHORTLISTED, S.SELECTED_FOR_CODESIGN}, S.REJECTED,
          Actor.MODERATOR, _l("Do not select")),
    _move("reopen", {S.REJECTED}, S.UNDER_REVIEW, Actor.MODERATOR, _l("Reopen the review")),
    _move("withdraw", {S.PUBLISHED, S.UNDER_REVIEW}, S.WITHDRAWN, Actor.AUTHOR, _l("Withdraw"),
          reason_required=False),
    _move("merge", {S.PUBLISHED, S.UNDER_REVIEW, S.SHORTLISTED}, S.MERGED, Actor.MODERATOR,
          _l("Merge into another idea"), needs_target=True),
)
MOVES_BY_ACTION = {move.action: move for move in MOVES}

# Statuses in which an idea still collects votes (calls will narrow this to their voting phase).
VOTABLE = frozenset({S.PUBLISHED, S.UNDER_REVIEW, S.SHORTLISTED})

class MoveError(RuleError):
    """The move is not possible from the idea's current status."""


class MoveConflict(Conflict):
    """Someone else moved the idea meanwhile (409)."""


def _may_act(user: User | None, idea: Post, actor: Actor) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if actor is Actor.MODERATOR:
        return can_moderate_city(user, idea.city)
    return idea.author_id == user.id


def available_moves(user: User | None, idea: Post) -> list[Move]:
    if not isinstance(idea, Idea):
        return []
    status = S(idea.status)
    return [m for m in MOVES if status in m.sources and _may_act(user, idea, m.actor)]


def perform(user: User, idea: Post, action: str, reason: str | None = "",
            expected_version: int | None = None, into: Idea | None = None) -> PostEvent:
    """Move the idea and record the step with its public answer, or refuse with a clear reason.

    `into` is the other idea a move names (the idea that remains, for a merge): only
    civic/posts/merging.py passes it, after checking it, and does the rest of the merge.
    """
    move = MOVES_BY_ACTION.get(action)
    if move is None or not isinstance(idea, Idea):
        raise MoveError(_l("This action does not exist."), "action")
    if not _may_act(user, idea, move.actor):
        if move.actor is Actor.MODERATOR:
            raise PostForbidden(_l("Only the moderators of %(city)s can do this.", city=idea.city.name))
        raise PostForbidden(_l("Only the author can do this."))
    current = S(idea.status)
    if expected_version is not None and expected_version != idea.status_version:
        raise MoveConflict(_l("This idea changed while you were looking at it: it is now \"%(status)s\". "
                              "Reload the page and decide again.", status=current.label))
    if current not in move.sources:
        raise MoveError(_l("\"%(action)s\" is not possible for an idea that is \"%(status)s\".",
                           action=move.label, status=current.label), "action")
    if move.needs_target and into is None:
        raise MoveError(_l("To merge this idea, use the page \"Merge into another idea\": there you choose "
                           "the idea that remains."), "action")
    if into is not None and not move.needs_target:
        raise ValueError(f"the move {move.action!r} names no other idea")
    text = checked_text(reason, "reason", maximum=REASON_MAX, error=MoveError, controls=False, missing=_l(
        "Write the public answer: it explains the decision to the author and to everyone.") if move.reason_required
        else None)

    signals.idea_moving.send(move.action, user=user, idea=idea)  # a receiver may refuse (a RuleError)
    # Compare-and-set on the status and its version: of two simultaneous moves, one wins.
    moved = db.session.execute(
        update(Post.__table__)
        .where(Post.id == idea.id, Post.status == current.value, Post.status_version == idea.status_version)
        .values(status=move.target.value, status_version=Post.status_version + 1)
        .returning(Post.id)
    ).first()
    if moved is None:
        db.session.expire(idea)
        raise MoveConflict(_l("This idea changed while you were looking at it. Reload the page and decide again."))
    db.session.expire(idea, ["status", "status_version"])
    event = PostEvent(
        post_id=idea.id, action=move.action, from_status=current.value, to_status=move.target.value,
        reason_markdown=text, reason_html=render_markdown(text) if text else "",
        actor_id=user.id, actor_role=move.actor.value,
    )
    db.session.add(event)
    db.session.flush()
    if move.actor is Actor.MODERATOR:
        summary = f"{idea.title}: {current.value} → {move.target.value}"
        if into is not None:
            summary += f", into #{into.id}: {into.title}"
        audit.record(user, f"idea.{move.action}", "idea", idea.id, summary=summary, reason=text, city_id=idea.city_id)
    # Later stages attach their records; the author and the followers are told.
    signals.idea_moved.send(move.target, user=user, idea=idea, event=event, action=move.action, reason=text)
    log.info("idea moved", extra={"post_id": idea.id, "action": move.action, "to": move.target.value,
                                  "user_id": user.id})
    return event


def history(post: Post) -> list[PostEvent]:
    return list(db.session.scalars(
        select(PostEvent).where(PostEvent.post_id == post.id).options(joinedload(PostEvent.actor))
        .order_by(PostEvent.created_at, PostEvent.id)
    ))
