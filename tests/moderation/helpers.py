"""Helpers of the moderation tests: reading reports, audit entries and counters fresh from the database."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from civic.audit.models import AuditEvent
from civic.comments.models import Comment
from civic.extensions import db
from civic.moderation.models import Report
from civic.posts.models import Post
from tests.posts.helpers import post_all_at_once  # noqa: F401 - the moderation tests import it from here


def reports_on(kind: str, target_id: int) -> list[Report]:
    return list(db.session.scalars(select(Report).where(Report.target_kind == kind, Report.target_id == target_id)
                                   .order_by(Report.id)))


def open_reports_on(kind: str, target_id: int) -> int:
    return sum(1 for r in reports_on(kind, target_id) if r.resolved_at is None)


def report_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Report))


def audit_trail() -> list[tuple[str, str, int | None, int | None]]:
    """(action, target kind, target id, actor id) of every audit entry about content, oldest first."""
    return [(e.action, e.target_kind, e.target_id, e.actor_id) for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.target_kind.in_(("post", "comment"))).order_by(AuditEvent.id))]


def hidden_at(target) -> object:
    model = Comment if isinstance(target, Comment) else Post
    return db.session.scalar(select(model.hidden_at).where(model.id == target.id))


def comment_count(post) -> int:
    return db.session.scalar(select(Post.comment_count).where(Post.id == post.id))



_QUEUED = re.compile(r'id="queue-(post|comment)-(\d+)"')


def queued(html: str) -> list[tuple[str, int]]:
    """The reported items of the moderation queue page, in page order."""
    return [(kind, int(i)) for kind, i in _QUEUED.findall(html)]
