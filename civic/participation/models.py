"""Votes: one mechanism for every post. On a need it reads "support" ("anche io"), on an idea "vote"."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from civic.core.timeutil import utcnow
from civic.extensions import db


class Vote(db.Model):
    __tablename__ = "vote"
    # One per account and post, enforced by the database (concurrent clicks included).
    __table_args__ = (UniqueConstraint("post_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
