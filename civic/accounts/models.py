"""People who use the platform and the role each one holds."""
from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import BigInteger, CheckConstraint, Column, ForeignKey, Index, String, Table, text
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.core.models import TimestampMixin
from civic.extensions import db
from civic.territories.models import City, Neighbourhood


class Role(enum.StrEnum):
    RESIDENT = "resident"
    MODERATOR = "moderator"  # municipal staff, scoped to one or more cities
    ADMIN = "admin"  # runs the platform

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


# How a deleted account is named wherever its public contributions are shown; the same words are stored in
# its row, for what reads the table directly.
DELETED_NAME = _l("deleted user")
DELETED_STORED_NAME = "utente eliminato"

ROLE_LABELS = {
    Role.RESIDENT: _l("Resident"),
    Role.MODERATOR: _l("Moderator"),
    Role.ADMIN: _l("Administrator"),
}

moderator_city = Table(
    "moderator_city",
    db.metadata,
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    Column("city_id", ForeignKey("city.id", ondelete="CASCADE"), primary_key=True, index=True),
)


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint("role IN ('resident', 'moderator', 'admin')", name="role_known"),
        CheckConstraint("locale IS NULL OR locale IN ('it', 'en')", name="locale_known"),
        # The moderators' list of blocked accounts, latest first: a few rows among hundreds of thousands.
        Index("ix_user_account_blocked", "blocked_at", postgresql_where=text("blocked_at IS NOT NULL"),
              sqlite_where=text("blocked_at IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so the unique constraint is case-insensitive on every backend.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # Read as `display_name`, which names a deleted account "deleted user" in the reader's language.
    stored_name: Mapped[str] = mapped_column("display_name", String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=Role.RESIDENT.value, index=True)
    home_city_id: Mapped[int | None] = mapped_column(ForeignKey("city.id", ondelete="SET NULL"), index=True)
    home_neighbourhood_id: Mapped[int | None] = mapped_column(
        ForeignKey("neighbourhood.id", ondelete="SET NULL"), index=True
    )
    locale: Mapped[str | None] = mapped_column(String(5))
    email_confirmed_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(default=True)
    # Blocked by a moderator: login refused with the reason, content hidden (civic/moderation/blocking.py).
    blocked_at: Mapped[datetime | None]
    blocked_reason: Mapped[str | None] = mapped_column(String(500))
    # Part of the login cookie: changing it (new password, reset) signs out every other session.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    # How notification emails arrive: immediate, daily (one digest) or never (civic/notifications/).
    email_frequency: Mapped[str] = mapped_column(String(10), default="immediate", server_default="immediate")
    # The version of the privacy notice last accepted (each acceptance is kept in civic/privacy's consent
    # table); a person who has not accepted the current one is asked before anything else.
    privacy_version: Mapped[str | None] = mapped_column(String(40))
    # Two-factor authentication (civic/accounts/twofactor.py): the TOTP secret once confirmed with a code, and
    # the last 30-second step accepted, so that a code is never accepted twice.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    # Deleted by its owner (civic/privacy/deletion.py): personal data erased, public contributions kept.
    deleted_at: Mapped[datetime | None]

    home_city: Mapped[City | None] = relationship(foreign_keys=[home_city_id])
    home_neighbourhood: Mapped[Neighbourhood | None] = relationship(foreign_keys=[home_neighbourhood_id])
    moderated_cities: Mapped[list[City]] = relationship(secondary=moderator_city, order_by=City.name)

    @hybrid_property
    def display_name(self) -> str:
        return str(DELETED_NAME) if self.deleted_at is not None else self.stored_name

    @display_name.inplace.setter
    def _display_name_setter(self, value: str) -> None:
        self.stored_name = value

    @display_name.inplace.expression
    @classmethod
    def _display_name_expression(cls):
        return cls.stored_name

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    # The key of this request's login session (civic/accounts/sessions.py), not stored with the account.
    login_key = None

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}:{self.login_key}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_moderator(self) -> bool:
        return self.role == Role.MODERATOR

    @property
    def role_label(self) -> str:
        return Role(self.role).label

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class LoginSession(db.Model):
    """One login on one device, checked on the server at every request (civic/accounts/sessions.py): it
    ends at logout, after a time without use, at its absolute lifetime, or when its owner ends it."""

    __tablename__ = "login_session"
    __table_args__ = (Index("ix_login_session_user_last_seen", "user_id", "last_seen_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    # SHA-256 of the key the cookie carries: a copy of the table logs no one in.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(default=False)  # "keep me logged in": no idle timeout but the lifetime
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(300))


class RecoveryCode(db.Model):
    """A single-use code that stands in for the authenticator app (shown once, stored as a hash)."""

    __tablename__ = "recovery_code"
    __table_args__ = (Index("ix_recovery_code_user", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
