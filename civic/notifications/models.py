"""Follows, notifications and the email outbox.

A follow names its target by kind and id (the kinds are registered in follows.py), so one
table serves needs, ideas, calls and whatever other domains register. A notification keeps
the event and its parameters, never a translated sentence: it is written in the reader's
language when shown. An email waits in `email_message` until a worker hands it to SMTP.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.accounts.models import User
from civic.core.models import EnumText, enum_check
from civic.core.timeutil import utcnow
from civic.extensions import db


class EmailFrequency(enum.StrEnum):
    IMMEDIATE = "immediate"
    DAILY = "daily"
    NEVER = "never"


class EmailStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a worker until next_attempt_at (its lease)
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt
    DROPPED = "dropped"  # no longer to be sent: content hidden, or the person unsubscribed


class EmailKind(enum.StrEnum):
    IMMEDIATE = "immediate"
    DIGEST = "digest"
    INVITATION = "invitation"  # to an address, maybe without an account; written when sent (civic.orgs)


class Follow(db.Model):
    __tablename__ = "follow"
    __table_args__ = (
        UniqueConstraint("user_id", "target_kind", "target_id"),
        Index("ix_follow_target", "target_kind", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    target_kind: Mapped[str] = mapped_column(String(30))
    target_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Notification(db.Model):
    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_recipient_read_created", "recipient_id", "read_at", "created_at"),
        Index("ix_notification_target", "target_kind", "target_id"),
        Index("ix_notification_digest", "digest_pending", "recipient_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(40))
    target_kind: Mapped[str] = mapped_column(String(30))
    target_id: Mapped[int]
    # The comment the event is about (a new comment, a reply, a hidden comment): hidden with it.
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    # Waiting for the recipient's daily digest.
    digest_pending: Mapped[bool] = mapped_column(default=False)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


STATUS_CHECK = enum_check("status", EmailStatus)


class EmailMessage(db.Model):
    """One email to send: written with the notification (immediate), by the worker (digest), or with an
    invitation to join an organisation (addressed to an email, whose link is written when sent)."""

    __tablename__ = "email_message"
    __table_args__ = (
        CheckConstraint(STATUS_CHECK, name="status_known"),
        CheckConstraint("kind IN ('immediate', 'digest', 'invitation')", name="kind_known"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        Index("ix_email_message_status_next", "status", "next_attempt_at"),
        Index("ix_email_message_recipient_kind_created", "recipient_id", "kind", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for an invitation to an address without an account.
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id", ondelete="CASCADE"), index=True)
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notification.id", ondelete="SET NULL"),
                                                        index=True)
    kind: Mapped[str] = mapped_column(String(10))
    to_address: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(5))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    unsubscribe_url: Mapped[str | None] = mapped_column(String(1000))  # None: not a notification
    # Kept from the first attempt: a message sent again after a crash carries the same id.
    message_id: Mapped[str] = mapped_column(String(200))
    status: Mapped[EmailStatus] = mapped_column(EnumText(EmailStatus, 10), default=EmailStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    # When it is due; while "sending", when the worker's claim (lease) runs out.
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claim_token: Mapped[str | None] = mapped_column(String(40))
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    recipient: Mapped[User | None] = relationship()
