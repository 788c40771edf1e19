"""Reports, hiding and the moderation queue. Moderators act only in their cities; every
action is written to the audit log."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, literal, select, union_all, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from civic.accounts.models import User
from civic.accounts.permissions import can_moderate_city, is_admin
from civic.audit import services as audit
from civic.comments.models import Comment
from civic.core.rules import Conflict, Forbidden, RuleError
from civic.core.text import checked_line, checked_text
from civic.core.timeutil import utcnow
from civic.extensions import db
from civic.moderation import notices
from civic.moderation.models import Report, ReportReason
from civic.posts.models import Post
from civic.posts.services import PostForbidden

log = logging.getLogger("civic.moderation")

DETAILS_MAX = 1000
HIDE_REASON_MAX = 500


class ModerationError(RuleError):
    pass


class StateConflict(ModerationError, Conflict):
    """The content is already in the state asked for (another moderator acted first)."""


def _returned_flags(model) -> tuple:
    # A comment's deleted_at, read from the row as updated: the count moves only for a live comment.
    return (model.id, model.deleted_at) if model is Comment else (model.id,)


def find_target(kind: str, target_id: int) -> Post | Comment | User | None:
    model = {"post": Post, "comment": Comment, "user": User}.get(kind)
    return db.session.get(model, target_id) if model is not None else None


def target_kind(target: Post | Comment | User) -> str:
    if isinstance(target, User):
        return "user"
    return "post" if isinstance(target, Post) else "comment"


def target_city_id(target: Post | Comment | User) -> int | None:
    """The city whose moderators handle it: a profile's home city (None: only admins)."""
    if isinstance(target, User):
        return target.home_city_id
    return target.city_id if isinstance(target, Post) else target.post.city_id


def _require_moderator(user: User, target: Post | Comment) -> None:
    post = target if isinstance(target, Post) else target.post
    if not can_moderate_city(user, post.city):
        raise PostForbidden(_l("Only the moderators of %(city)s can do this.", city=post.city.name))


def check_reportable(user: User, target: Post | Comment | User) -> None:
    """A profile cannot be reported by its owner, nor once blocked."""
    if isinstance(target, User):
        if target.id == user.id:
            raise Forbidden(_l("You cannot report your own profile."))
        if target.blocked_at is not None:
            raise StateConflict(_l("This account is already suspended."))


def report(user: User, target: Post | Comment | User, reason: str, details: str = "") -> Report:
    """A user flags content or a profile; one report per user and item."""
    kind = target_kind(target)
    check_reportable(user, target)
    if reason not in {r.value for r in ReportReason}:
        raise ModerationError(_l("Choose a reason from the list."), "reason")
    text = checked_text(details, "details", maximum=DETAILS_MAX, error=ModerationError,
                        missing=_l("Say briefly what is wrong.") if reason == ReportReason.OTHER else None)
    exists = db.session.scalar(select(Report.id).where(
        Report.reporter_id == user.id, Report.target_kind == kind, Report.target_id == target.id))
    if exists:
        raise Conflict(_l("You have already reported this. The moderators will look at it."))
    entry = Report(reporter_id=user.id, target_kind=kind, target_id=target.id, city_id=target_city_id(target),
                   reason=reason, details=text)
    db.session.add(entry)
    try:
        db.session.flush()
    except IntegrityError:  # the same report sent twice at once
        db.session.rollback()
        raise Conflict(_l("You have already reported this. The moderators will look at it.")) from None
    log.info("content reported", extra={"target": f"{kind}:{target.id}", "user_id": user.id})
    return entry


def _checked_reason(reason: str) -> str:
    return checked_line(reason, "reason", maximum=HIDE_REASON_MAX, error=ModerationError,
                        missing=_l("Write the reason: the author will see it."))


def _resolve_reports(user: User, kind: str, target_id: int) -> int:
    result = db.session.execute(
        update(Report).where(Report.target_kind == kind, Report.target_id == target_id, Report.resolved_at.is_(None))
        .values(resolved_at=utcnow(), resolved_by_id=user.id)
    )
    return result.rowcount or 0


def hide(user: User, target: Post | Comment, reason: str) -> None:
    _require_moderator(user, target)
    text = _checked_reason(reason)
    kind = "post" if isinstance(target, Post) else "comment"
    model = Post if kind == "post" else Comment
    hidden = db.session.execute(
        update(model.__table__).where(model.id == target.id, model.hidden_at.is_(None))
        .values(hidden_at=utcnow(), hidden_reason=text, hidden_by_block=False).returning(*_returned_flags(model))
    ).first()
    if hidden is None:
        raise StateConflict(_l("This content is already hidden."))
    if kind == "comment" and hidden.deleted_at is None:
        db.session.execute(update(Post).where(Post.id == target.post_id).values(comment_count=Post.comment_count - 1))
    _resolve_reports(user, kind, target.id)
    db.session.expire(target)
    notices.content_hidden(user, target, text)  # the author is told why (a block tells no one)
    audit.record(user, f"{kind}.hide", kind, target.id, _describe(target), reason=text, city_id=target_city_id(target))


def unhide(user: User, target: Post | Comment) -> None:
    _require_moderator(user, target)
    kind = "post" if isinstance(target, Post) else "comment"
    model = Post if kind == "post" else Comment
    shown = db.session.execute(
        update(model.__table__).where(model.id == target.id, model.hidden_at.is_not(None))
        .values(hidden_at=None, hidden_reason=None, hidden_by_block=False).returning(*_returned_flags(model))
    ).first()
    if shown is None:
        raise StateConflict(_l("This content is not hidden."))
    if kind == "comment" and shown.deleted_at is None:
        db.session.execute(update(Post).where(Post.id == target.post_id).values(comment_count=Post.comment_count + 1))
    db.session.expire(target)
    audit.record(user, f"{kind}.unhide", kind, target.id, _describe(target), city_id=target_city_id(target))


def dismiss(user: User, target: Post | Comment) -> int:
    """The reports were not founded: close them, the content stays."""
    _require_moderator(user, target)
    kind = "post" if isinstance(target, Post) else "comment"
    closed = _resolve_reports(user, kind, target.id)
    audit.record(user, f"{kind}.dismiss_reports", kind, target.id, _describe(target),
                 city_id=target_city_id(target))
    return closed


def _describe(target: Post | Comment) -> str:
    if isinstance(target, Post):
        return target.title
    return f"{target.post.title} · #{target.id}"


@dataclass
class QueueItem:
    kind: str
    target: Post | Comment | User
    reports: list[Report] = field(default_factory=list)
    latest: datetime | None = None


HIDDEN_PER_PAGE = 20


@dataclass
class HiddenPage:
    """A page of the hidden posts and comments, most recently hidden first."""

    items: list[Post | Comment]
    page: int
    has_next: bool


@dataclass
class Desk:
    """What the moderation page shows: the open reports by item and a page of hidden content."""

    queue: list[QueueItem]
    hidden: HiddenPage


def desk(user: User, sort: str = "newest", hidden_page: int = 1) -> Desk:
    """Open reports grouped by item, in the cities the user moderates (all for admins), and a page of
    the content hidden there. The posts, comments and accounts of both are read together: a fixed
    number of queries whatever the number of reports or the page."""
    conditions = [Report.resolved_at.is_(None)]
    city_ids = None if is_admin(user) else [c.id for c in user.moderated_cities] or [-1]
    if city_ids is not None:
        conditions.append(Report.city_id.in_(city_ids))
    reports = db.session.scalars(select(Report).where(*conditions).options(joinedload(Report.reporter))
                                 .order_by(Report.created_at.desc())).all()
    grouped: dict[tuple[str, int], QueueItem] = {}
    for entry in reports:
        key = (entry.target_kind, entry.target_id)
        if key not in grouped:
            grouped[key] = QueueItem(kind=entry.target_kind, target=None, latest=entry.created_at)
        grouped[key].reports.append(entry)
    hidden_refs = _hidden_refs(city_ids, hidden_page)
    targets = _targets([*grouped, *hidden_refs])
    items = []
    for (kind, target_id), item in grouped.items():
        item.target = targets[kind].get(target_id)
        if item.target is not None:
            items.append(item)
    if sort == "most_reported":
        items.sort(key=lambda i: (len(i.reports), i.latest), reverse=True)
    hidden = [targets[kind][target_id] for kind, target_id in hidden_refs if target_id in targets[kind]]
    return Desk(queue=items, hidden=HiddenPage(items=hidden[:HIDDEN_PER_PAGE], page=hidden_page,
                                               has_next=len(hidden_refs) > HIDDEN_PER_PAGE))


def _hidden_refs(city_ids: list[int] | None, page: int) -> list[tuple[str, int]]:
    """(kind, id) of the hidden posts and comments of a page and the first of the next, most recently
    hidden first. The content of a blocked author is not listed one by one: the page lists the blocked
    accounts (blocking.py)."""
    posts = select(literal("post").label("kind"), Post.id.label("id"), Post.hidden_at.label("at")).where(
        Post.hidden_at.is_not(None), Post.hidden_by_block.is_(False))
    comments = select(literal("comment").label("kind"), Comment.id.label("id"), Comment.hidden_at.label("at")).join(
        Post, Post.id == Comment.post_id).where(Comment.hidden_at.is_not(None), Comment.hidden_by_block.is_(False))
    if city_ids is not None:
        posts = posts.where(Post.city_id.in_(city_ids))
        comments = comments.where(Post.city_id.in_(city_ids))
    # Each kind's first rows up to this page, read backwards along its index of hidden rows, then the
    # page from both: sorting all the hidden rows of a city took four times as long on page 1.
    enough = page * HIDDEN_PER_PAGE + 1
    branches = [query.order_by(at.desc(), ident.desc()).limit(enough).subquery()
                for query, at, ident in ((posts, Post.hidden_at, Post.id), (comments, Comment.hidden_at, Comment.id))]
    both = union_all(*(select(b.c.kind, b.c.id, b.c.at) for b in branches)).subquery()
    rows = db.session.execute(select(both.c.kind, both.c.id)
                              .order_by(both.c.at.desc(), both.c.kind, both.c.id.desc())
                              .limit(HIDDEN_PER_PAGE + 1).offset((page - 1) * HIDDEN_PER_PAGE))
    return [(kind, target_id) for kind, target_id in rows]


def _targets(keys: list[tuple[str, int]]) -> dict[str, dict[int, Post | Comment | User]]:
    """The posts, comments and accounts named, with what the page shows of them: one query a kind."""
    wanted: dict[str, set[int]] = {"post": set(), "comment": set(), "user": set()}
    for kind, target_id in keys:
        wanted[kind].add(target_id)
    found: dict[str, dict] = {kind: {} for kind in wanted}
    if wanted["post"]:
        found["post"] = {p.id: p for p in db.session.scalars(
            select(Post).where(Post.id.in_(wanted["post"])).options(joinedload(Post.city)))}
    if wanted["comment"]:
        found["comment"] = {c.id: c for c in db.session.scalars(
            select(Comment).where(Comment.id.in_(wanted["comment"]))
            .options(joinedload(Comment.post).joinedload(Post.city)))}
    if wanted["user"]:
        found["user"] = {u.id: u for u in db.session.scalars(
            select(User).where(User.id.in_(wanted["user"])).options(joinedload(User.home_city)))}
    return found


def open_report_count(user: User) -> int:
    conditions = [Report.resolved_at.is_(None)]
    if not is_admin(user):
        conditions.append(Report.city_id.in_([c.id for c in user.moderated_cities] or [-1]))
    return db.session.scalar(select(func.count()).select_from(Report).where(*conditions))
