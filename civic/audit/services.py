"""Writing to and reading the audit log. There is no function that edits or deletes an entry."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from civic.audit.models import AuditEvent
from civic.extensions import db

if TYPE_CHECKING:  # the audit log sits below the accounts (.importlinter)
    from civic.accounts.models import User

PER_PAGE = 50


def record(actor: User | None, action: str, target_kind: str, target_id: int | None, summary: str,
           reason: str = "", city_id: int | None = None) -> AuditEvent:
    """Append one entry, in the same transaction as the action it describes."""
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        actor_role=actor.role if actor is not None else "system",
        action=action, target_kind=target_kind, target_id=target_id, city_id=city_id,
        summary=summary[:300], reason=reason or "",
    )
    db.session.add(event)
    return event


@dataclass
class AuditPage:
    items: list[AuditEvent]
    total: int
    page: int
    pages: int


def browse(action: str | None = None, city_id: int | None = None, actor_id: int | None = None,
           page: int = 1) -> AuditPage:
    conditions = []
    if action:
        conditions.append(AuditEvent.action == action)
    if city_id:
        conditions.append(AuditEvent.city_id == city_id)
    if actor_id:
        conditions.append(AuditEvent.actor_id == actor_id)
    total = db.session.scalar(select(func.count()).select_from(AuditEvent).where(*conditions))
    pages = max(1, -(-total // PER_PAGE))
    items = db.session.scalars(
        select(AuditEvent).where(*conditions).options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(PER_PAGE).offset((min(page, pages) - 1) * PER_PAGE)
    ).all()
    return AuditPage(items=list(items), total=total, page=min(page, pages), pages=pages)


def known_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))
