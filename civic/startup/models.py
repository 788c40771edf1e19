"""Start-up support plans (incubation): one plan per idea that enters "in start-up support".

A plan has a team (the idea's author, the organisations admitted to its co-design process and the
members added by the mentor or the moderators), a mentor chosen by a moderator, the kinds of support
given (columns of the plan: each kind is given once), milestones with their evidence, ordered stage
gates that each need some milestones, private notes (team, mentor and moderators only) and public
progress updates.
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, ForeignKey, Numeric, String, Table, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.accounts.models import User
from civic.core.models import EnumText, enum_check
from civic.core.timeutil import utcnow
from civic.extensions import db
from civic.orgs.models import Organisation
from civic.posts.models import Idea
from civic.territories.models import City


class TeamRole(enum.StrEnum):
    PROPOSER = "proposer"
    ORGANISATION = "organisation"
    MEMBER = "member"

    @property
    def label(self) -> str:
        return str({TeamRole.PROPOSER: _l("Proposer"), TeamRole.ORGANISATION: _l("Organisation"),
                    TeamRole.MEMBER: _l("Team member")}[self])


class MilestoneStatus(enum.StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"
    APPROVED = "approved"

    @property
    def label(self) -> str:
        return str({MilestoneStatus.OPEN: _l("Open"), MilestoneStatus.SUBMITTED: _l("Evidence submitted"),
                    MilestoneStatus.APPROVED: _l("Approved")}[self])


class SupportPlan(db.Model):
    __tablename__ = "support_plan"
    __table_args__ = (
        CheckConstraint("grant_amount IS NULL OR grant_amount > 0", name="grant_positive"),
        CheckConstraint("NOT space OR space_place <> ''", name="space_has_place"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"), unique=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id", ondelete="RESTRICT"), index=True)
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    # The kinds of support: tutoring, training, space in a recovered public building, seed grant.
    tutoring: Mapped[bool] = mapped_column(default=False, server_default=false())
    training: Mapped[bool] = mapped_column(default=False, server_default=false())
    space: Mapped[bool] = mapped_column(default=False, server_default=false())
    space_place: Mapped[str] = mapped_column(String(300), default="", server_default="")
    grant_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    idea: Mapped[Idea] = relationship()
    city: Mapped[City] = relationship()
    mentor: Mapped[User | None] = relationship()
    members: Mapped[list[TeamMember]] = relationship(back_populates="plan", cascade="all, delete-orphan",
                                                     order_by="TeamMember.id")
    organisations: Mapped[list[TeamOrganisation]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="TeamOrganisation.id")
    milestones: Mapped[list[SupportMilestone]] = relationship(back_populates="plan", cascade="all, delete-orphan",
                                                       order_by="(SupportMilestone.due_date, SupportMilestone.id)")
    gates: Mapped[list[SupportGate]] = relationship(back_populates="plan", cascade="all, delete-orphan",
                                             order_by="SupportGate.position")

    @property
    def title(self) -> str:
        return self.idea.title


class TeamMember(db.Model):
    __tablename__ = "support_team_member"
    __table_args__ = (
        UniqueConstraint("plan_id", "user_id"),
        CheckConstraint(enum_check("role", TeamRole), name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("support_plan.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))

    plan: Mapped[SupportPlan] = relationship(back_populates="members")
    user: Mapped[User] = relationship()

    @property
    def role_label(self) -> str:
        return TeamRole(self.role).label


class TeamOrganisation(db.Model):
    __tablename__ = "support_team_organisation"
    __table_args__ = (UniqueConstraint("plan_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("support_plan.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)

    plan: Mapped[SupportPlan] = relationship(back_populates="organisations")
    organisation: Mapped[Organisation] = relationship()


class SupportMilestone(db.Model):
    __tablename__ = "support_milestone"
    __table_args__ = (
        CheckConstraint(enum_check("status", MilestoneStatus), name="status_known"),
        CheckConstraint("(status = 'approved') = (approved_at IS NOT NULL)", name="approved_when_approved"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("support_plan.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[date]
    deliverable: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[MilestoneStatus] = mapped_column(EnumText(MilestoneStatus, 10), default=MilestoneStatus.OPEN)
    evidence_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    submitted_at: Mapped[datetime | None]
    approved_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    plan: Mapped[SupportPlan] = relationship(back_populates="milestones")
    evidence: Mapped[list[SupportEvidence]] = relationship(back_populates="milestone", cascade="all, delete-orphan",
                                                    order_by="SupportEvidence.id")

    @property
    def status_label(self) -> str:
        return MilestoneStatus(self.status).label

    @property
    def awaiting_approval(self) -> bool:
        """Its evidence is submitted: the mentor or a moderator may approve it."""
        return self.status == MilestoneStatus.SUBMITTED

    @property
    def is_approved(self) -> bool:
        return self.status == MilestoneStatus.APPROVED


class SupportEvidence(db.Model):
    """A file given as evidence of a milestone (type read from the content, stored under a generated name)."""

    __tablename__ = "support_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("support_milestone.id", ondelete="CASCADE"), index=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    milestone: Mapped[SupportMilestone] = relationship(back_populates="evidence")


gate_milestone = Table(
    "support_gate_milestone", db.metadata,
    Column("gate_id", ForeignKey("support_gate.id", ondelete="CASCADE"), primary_key=True),
    Column("milestone_id", ForeignKey("support_milestone.id", ondelete="CASCADE"), primary_key=True),
)


class SupportGate(db.Model):
    """A stage gate (verifica di fase): passed when a moderator approves it, once all its milestones are."""

    __tablename__ = "support_gate"
    __table_args__ = (
        UniqueConstraint("plan_id", "position"),
        CheckConstraint("position > 0", name="position_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("support_plan.id", ondelete="CASCADE"))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    approved_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    plan: Mapped[SupportPlan] = relationship(back_populates="gates")
    milestones: Mapped[list[SupportMilestone]] = relationship(secondary=gate_milestone, order_by="SupportMilestone.id")

    @property
    def is_passed(self) -> bool:
        return self.approved_at is not None


class PrivateNote(db.Model):
    """A note between the team and the mentor: seen only by them and the city's moderators."""

    __tablename__ = "support_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("support_plan.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    body_markdown: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship()


class ProgressUpdate(db.Model):
    """A public progress update, shown on the plan's page and notified to the idea's followers."""

    __tablename__ = "support_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("support_plan.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    body_markdown: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship()
