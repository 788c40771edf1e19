"""Reports of abuse sent by users, handled in the moderation queue."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.accounts.models import User
from civic.core.timeutil import utcnow
from civic.extensions import db


class ReportReason(enum.StrEnum):
    SPAM = "spam"
    OFFENSIVE = "offensive"
    OFF_TOPIC = "off_topic"
    PERSONAL_DATA = "personal_data"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(REASON_LABELS[self])


REASON_LABELS = {
    ReportReason.SPAM: _l("Spam or advertising"),
    ReportReason.OFFENSIVE: _l("Offensive or discriminatory"),
    ReportReason.OFF_TOPIC: _l("Off topic"),
    ReportReason.PERSONAL_DATA: _l("Shows personal data"),
    ReportReason.OTHER: _l("Other"),
}


class Report(db.Model):
    __tablename__ = "report"
    __table_args__ = (
        # One report per person and item.
        UniqueConstraint("reporter_id", "target_kind", "target_id"),
        CheckConstraint("target_kind IN ('post', 'comment', 'user')", name="target_known"),
        CheckConstraint("reason IN ('spam', 'offensive', 'off_topic', 'personal_data', 'other')", name="reason_known"),
        Index("ix_report_target", "target_kind", "target_id"),
        Index("ix_report_open_created", "resolved_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    target_kind: Mapped[str] = mapped_column(String(10))
    target_id: Mapped[int]
    # The city whose moderators handle it; None for a profile without a home city (admins handle it).
    city_id: Mapped[int | None] = mapped_column(ForeignKey("city.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(20))
    details: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id])

    @property
    def reason_label(self) -> str:
        return ReportReason(self.reason).label
