"""Third Sector organisations (Enti del Terzo Settore), their members and the invitations to join.

An organisation is identified by its codice fiscale and sits in one section of the RUNTS
(Registro Unico Nazionale del Terzo Settore); only a rete associativa may sit in a second one.
Members are people with an account; an organisation always keeps at least one admin (see
services.py). Invitation tokens are stored only as their SHA-256 hash.
"""
from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.accounts.models import User
from civic.core.models import EnumText, TimestampMixin, enum_check
from civic.core.text import slugify
from civic.core.timeutil import utcnow
from civic.extensions import db
from civic.territories.models import City, Theme


class RuntsSection(enum.StrEnum):
    """The sections of the RUNTS (art. 46, D.Lgs. 117/2017)."""

    ODV = "a"
    APS = "b"
    PHILANTHROPIC = "c"
    SOCIAL_ENTERPRISE = "d"
    NETWORK = "e"
    MUTUAL_AID = "f"
    OTHER = "g"

    @property
    def label(self) -> str:
        return str(RUNTS_LABELS[self])

    @property
    def full_label(self) -> str:
        return f"{self.value}) {self.label}"


RUNTS_LABELS = {
    RuntsSection.ODV: _l("Voluntary organisation (ODV)"),
    RuntsSection.APS: _l("Social promotion association (APS)"),
    RuntsSection.PHILANTHROPIC: _l("Philanthropic body"),
    RuntsSection.SOCIAL_ENTERPRISE: _l("Social enterprise, including social cooperatives"),
    RuntsSection.NETWORK: _l("Network of associations (rete associativa)"),
    RuntsSection.MUTUAL_AID: _l("Mutual aid society"),
    RuntsSection.OTHER: _l("Other Third Sector body"),
}
_SECTIONS = ", ".join(f"'{s.value}'" for s in RuntsSection)
_SECOND_SECTIONS = ", ".join(f"'{s.value}'" for s in RuntsSection if s != RuntsSection.NETWORK)


class MemberRole(enum.StrEnum):
    ADMIN = "admin"
    MEMBER = "member"

    @property
    def label(self) -> str:
        return str(MEMBER_ROLE_LABELS[self])


MEMBER_ROLE_LABELS = {MemberRole.ADMIN: _l("Administrator of the organisation"), MemberRole.MEMBER: _l("Member")}
_ROLES = enum_check("role", MemberRole)

organisation_theme = Table(
    "organisation_theme",
    db.metadata,
    Column("organisation_id", ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("theme.id", ondelete="RESTRICT"), primary_key=True, index=True),
)


class Organisation(TimestampMixin, db.Model):
    __tablename__ = "organisation"
    __table_args__ = (
        CheckConstraint(f"runts_section IN ({_SECTIONS})", name="runts_section_known"),
        # Only a rete associativa (section e) may also sit in a second, different section.
        CheckConstraint(f"second_section IS NULL OR (runts_section = 'e' AND second_section IN ({_SECOND_SECTIONS}))",
                        name="second_section_only_for_networks"),
        CheckConstraint("length(codice_fiscale) = 11", name="codice_fiscale_length"),
        CheckConstraint("partita_iva IS NULL OR length(partita_iva) = 11", name="partita_iva_length"),
        CheckConstraint("member_count >= 0", name="member_count_not_negative"),
        CheckConstraint("verified_role IS NULL OR verified_role IN ('moderator', 'admin')", name="verified_role_known"),
        Index("ix_organisation_city_name", "city_id", "name"),
        Index("ix_organisation_section_name", "runts_section", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80))
    legal_form: Mapped[str] = mapped_column(String(100))
    runts_section: Mapped[str] = mapped_column(String(1))
    second_section: Mapped[str | None] = mapped_column(String(1))
    codice_fiscale: Mapped[str] = mapped_column(String(11), unique=True)
    partita_iva: Mapped[str | None] = mapped_column(String(11), unique=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id", ondelete="RESTRICT"))
    description_markdown: Mapped[str] = mapped_column(Text)
    description_html: Mapped[str] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(String(300))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(30))
    # Checked by a moderator of its city (or an admin) against the RUNTS; the role is kept as it was.
    verified_at: Mapped[datetime | None] = mapped_column(index=True)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    verified_role: Mapped[str | None] = mapped_column(String(20))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    # Kept in the same transaction as the memberships it counts.
    member_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # Kept by civic.notifications.follows in the transaction of each follow.
    follower_count: Mapped[int] = mapped_column(default=0, server_default="0")

    city: Mapped[City] = relationship()
    themes: Mapped[list[Theme]] = relationship(secondary=organisation_theme, order_by=Theme.position)
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    memberships: Mapped[list[Membership]] = relationship(back_populates="organisation", cascade="all, delete-orphan",
                                                         passive_deletes=True)

    def set_name(self, name: str) -> None:
        self.name = name
        self.slug = slugify(name, 80)

    @property
    def section(self) -> RuntsSection:
        return RuntsSection(self.runts_section)

    @property
    def second(self) -> RuntsSection | None:
        return RuntsSection(self.second_section) if self.second_section else None

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    def __repr__(self) -> str:
        return f"<Organisation {self.id}>"


class Membership(db.Model):
    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("organisation_id", "user_id"),
        CheckConstraint(_ROLES, name="role_known"),
        Index("ix_membership_organisation_role", "organisation_id", "role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[MemberRole] = mapped_column(EnumText(MemberRole, 10), default=MemberRole.MEMBER)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()

    @property
    def is_admin(self) -> bool:
        return self.role == MemberRole.ADMIN

    @property
    def role_label(self) -> str:
        return MemberRole(self.role).label


class Invitation(db.Model):
    """An invitation to join, sent by email; the link works once, for 7 days, unless revoked."""

    __tablename__ = "invitation"
    __table_args__ = (
        CheckConstraint(_ROLES, name="role_known"),
        CheckConstraint("expires_at > created_at", name="expires_after_creation"),
        Index("ix_invitation_organisation_created", "organisation_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[MemberRole] = mapped_column(EnumText(MemberRole, 10), default=MemberRole.MEMBER)
    # SHA-256 of the token sent by email: the database alone cannot open an invitation.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The token is derived from this seed with the secret key (services.invitation_token), so that the
    # email waiting in the outbox is written when sent, without the token ever being stored.
    token_seed: Mapped[str | None] = mapped_column(String(64))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    revoked_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    @property
    def role_label(self) -> str:
        return MemberRole(self.role).label

    def is_pending(self, now: datetime | None = None) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > (now or utcnow())
