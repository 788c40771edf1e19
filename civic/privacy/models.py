"""A copy of everything the platform holds about one person, prepared on request, kept a few days."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from civic.core.models import EnumText, enum_check
from civic.core.timeutil import utcnow
from civic.extensions import db


class ExportStatus(enum.StrEnum):
    PENDING = "pending"  # waits for the worker (large) or for the end of the request (small)
    READY = "ready"
    FAILED = "failed"


class DataExport(db.Model):
    __tablename__ = "data_export"
    __table_args__ = (
        CheckConstraint(enum_check("status", ExportStatus), name="status_known"),
        # One request waiting per person: a second click while it is prepared adds nothing.
        Index("ix_data_export_one_pending", "user_id", unique=True,
              postgresql_where=text("status = 'pending'"), sqlite_where=text("status = 'pending'")),
        Index("ix_data_export_user_requested", "user_id", "requested_at"),
        Index("ix_data_export_status_requested", "status", "requested_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    status: Mapped[ExportStatus] = mapped_column(EnumText(ExportStatus, 10), default=ExportStatus.PENDING)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    ready_at: Mapped[datetime | None]
    # The download works until then; the worker then erases the file's content.
    expires_at: Mapped[datetime | None]
    # The JSON document, compressed with gzip: kept in the database so that every app server can serve it
    # and a backup never holds a copy elsewhere; erased at expiry.
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    size_bytes: Mapped[int | None]  # of the uncompressed JSON
    downloads: Mapped[int] = mapped_column(default=0, server_default="0")

    @property
    def is_ready(self) -> bool:
        return self.status == ExportStatus.READY and self.content is not None

    def expired(self, now: datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or utcnow())


class Consent(db.Model):
    """One acceptance of one version of the privacy notice: the record that shows when, and to what, a
    person agreed. The account's `privacy_version` repeats the latest, so that no request reads this."""

    __tablename__ = "consent"
    __table_args__ = (UniqueConstraint("user_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    version: Mapped[str] = mapped_column(String(40))
    accepted_at: Mapped[datetime] = mapped_column(default=utcnow)
