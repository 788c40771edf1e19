"""Funded projects: the public record of an idea (or a programme project) that got public money.

Money is kept in euro cents-exact Numeric(14, 2) columns. The totals `committed_total` and
`paid_total` are kept by civic/projects/services.py in the transaction of each commitment or
payment, under a lock of the project row; nobody types them.
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Numeric, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.core.models import EnumText, enum_check
from civic.core.text import slugify
from civic.core.timeutil import utcnow
from civic.extensions import db
from civic.orgs.models import Organisation
from civic.posts.models import Idea
from civic.territories.models import City, Neighbourhood, Priority, Programme, SpecificObjective, Theme
from civic.uploads.models import Upload

CUP_PATTERN = r"^[A-Z][0-9]{2}[A-Z][0-9]{11}$"


class ProjectStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]()


# OpenCoesione's OC_STATO_PROGETTO: "Non avviato", "In corso", "Concluso" (a project: masculine in Italian).
# Worded when shown (pgettext: "Completed" of an idea is feminine in Italian, a project's masculine).
STATUS_LABELS = {
    ProjectStatus.NOT_STARTED: lambda: pgettext("project status", "Not started"),
    ProjectStatus.IN_PROGRESS: lambda: pgettext("project status", "In progress"),
    ProjectStatus.COMPLETED: lambda: pgettext("project status", "Completed"),
}


class PartnerRole(enum.StrEnum):
    LEAD = "lead"
    PARTNER = "partner"

    @property
    def label(self) -> str:
        return str(_l("Lead partner (capofila)") if self is PartnerRole.LEAD else _l("Partner"))


project_neighbourhood = Table(
    "project_neighbourhood", db.Model.metadata,
    Column("project_id", ForeignKey("funded_project.id", ondelete="CASCADE"), primary_key=True),
    Column("neighbourhood_id", ForeignKey("neighbourhood.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class FundedProject(db.Model):
    __tablename__ = "funded_project"
    __table_args__ = (
        CheckConstraint(enum_check("status", ProjectStatus), name="status_known"),
        UniqueConstraint("programme_id", "local_code"),
        CheckConstraint("funding_total >= 0 AND eu_share >= 0 AND eu_share <= funding_total", name="funding_valid"),
        CheckConstraint("committed_total >= 0 AND paid_total >= 0", name="totals_positive"),
        CheckConstraint("people_reached >= 0 AND housing_units >= 0 AND area_m2 >= 0", name="figures_positive"),
        CheckConstraint("cup IS NULL OR length(cup) = 15", name="cup_length"),
        Index("ix_funded_project_city_status", "city_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80))
    summary_markdown: Mapped[str] = mapped_column(Text, default="")
    summary_html: Mapped[str] = mapped_column(Text, default="")
    # Never changes during the project's life; empty until the municipality obtains it.
    cup: Mapped[str | None] = mapped_column(String(15), unique=True)
    local_code: Mapped[str | None] = mapped_column(String(40))
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programme.id", ondelete="RESTRICT"), index=True)
    priority_id: Mapped[int | None] = mapped_column(ForeignKey("priority.id", ondelete="RESTRICT"), index=True)
    objective_id: Mapped[int | None] = mapped_column(ForeignKey("specific_objective.id", ondelete="RESTRICT"),
                                                     index=True)
    action: Mapped[str] = mapped_column(String(300), default="")
    # OpenCoesione's OC_TEMA_SINTETICO, mapped to the platform's themes (the idea's theme when it has one).
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id", ondelete="RESTRICT"), index=True)
    beneficiary_name: Mapped[str] = mapped_column(String(200), default="")
    beneficiary_tax_code: Mapped[str | None] = mapped_column(String(16))
    starts_on: Mapped[date | None]
    planned_end_on: Mapped[date | None]
    ended_on: Mapped[date | None]
    status: Mapped[ProjectStatus] = mapped_column(EnumText(ProjectStatus, 12), default=ProjectStatus.NOT_STARTED)
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("idea.id", ondelete="RESTRICT"), unique=True)
    funding_total: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0.00"), server_default="0")
    eu_share: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0.00"), server_default="0")
    committed_total: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0.00"), server_default="0")
    paid_total: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0.00"), server_default="0")
    # The programme's headline figures, kept by civic/projects/services.py::refresh_figures from the
    # indicators in the transaction that changes them, so the dashboard sums columns.
    people_reached: Mapped[int] = mapped_column(default=0, server_default="0")
    housing_units: Mapped[int] = mapped_column(default=0, server_default="0")
    area_m2: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0.00"), server_default="0")
    # Kept by civic.notifications.follows in the transaction of each follow.
    follower_count: Mapped[int] = mapped_column(default=0, server_default="0")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    city: Mapped[City] = relationship()
    idea: Mapped[Idea | None] = relationship(foreign_keys=[idea_id])
    programme: Mapped[Programme | None] = relationship()
    priority: Mapped[Priority | None] = relationship()
    objective: Mapped[SpecificObjective | None] = relationship()
    theme: Mapped[Theme | None] = relationship()
    neighbourhoods: Mapped[list[Neighbourhood]] = relationship(secondary=project_neighbourhood,
                                                                order_by="Neighbourhood.name")
    partners: Mapped[list[ProjectPartner]] = relationship(back_populates="project", cascade="all, delete-orphan",
                                                          order_by="ProjectPartner.id")
    commitments: Mapped[list[Commitment]] = relationship(cascade="all, delete-orphan",
                                                         order_by="(Commitment.made_on, Commitment.id)")
    payments: Mapped[list[Payment]] = relationship(cascade="all, delete-orphan",
                                                   order_by="(Payment.made_on, Payment.id)")
    milestones: Mapped[list[Milestone]] = relationship(cascade="all, delete-orphan",
                                                       order_by="(Milestone.due_on, Milestone.id)")
    indicators: Mapped[list[Indicator]] = relationship(cascade="all, delete-orphan", order_by="Indicator.id")
    updates: Mapped[list[ProjectUpdate]] = relationship(cascade="all, delete-orphan",
                                                        order_by="ProjectUpdate.created_at.desc()")

    def set_title(self, title: str) -> None:
        self.title = title
        self.slug = slugify(title)[:80] or "progetto"

    @property
    def origin_hidden(self) -> bool:
        """The idea it came from was hidden by the moderators: its words must not show here."""
        return self.idea is not None and self.idea.hidden_at is not None

    @property
    def display_title(self) -> str:
        """The title to show: a hidden idea's own title (copied when the project was created, not yet
        rewritten by the moderators) gives way to a neutral one. The project stays public."""
        if self.origin_hidden and self.title == self.idea.title[:200]:
            return str(_l("Funded project no. %(num)d", num=self.id))
        return self.title

    @property
    def display_slug(self) -> str:
        if self.origin_hidden and self.title == self.idea.title[:200]:
            return "progetto"
        return self.slug

    @property
    def display_summary(self) -> str:
        """The summary as written (Markdown), under the same rule as display_summary_html."""
        if self.origin_hidden and self.summary_markdown == self.idea.summary:
            return ""
        return self.summary_markdown

    @property
    def display_summary_html(self) -> str:
        if self.origin_hidden and self.summary_markdown == self.idea.summary:
            return ""
        return self.summary_html

    @property
    def status_label(self) -> str:
        return ProjectStatus(self.status).label

    @property
    def progress(self) -> int:
        """Percentage done: the sum of the weights of the completed milestones."""
        return sum(m.weight for m in self.milestones if m.completed_at is not None)


class ProjectPartner(db.Model):
    """An implementing organisation (soggetto attuatore): the lead partner or a partner."""

    __tablename__ = "project_partner"
    __table_args__ = (
        UniqueConstraint("project_id", "organisation_id"),
        CheckConstraint(enum_check("role", PartnerRole), name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("funded_project.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="RESTRICT"), index=True)
    role: Mapped[str] = mapped_column(String(10))

    project: Mapped[FundedProject] = relationship(back_populates="partners")
    organisation: Mapped[Organisation] = relationship()

    @property
    def role_label(self) -> str:
        return PartnerRole(self.role).label


class _Money:
    """A commitment or a payment: a dated, positive amount, with an explained exception when it
    took a total above the one it depends on."""

    id: Mapped[int] = mapped_column(primary_key=True)
    made_on: Mapped[date]
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    description: Mapped[str] = mapped_column(String(300), default="")
    exception_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Commitment(_Money, db.Model):
    __tablename__ = "project_commitment"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    project_id: Mapped[int] = mapped_column(ForeignKey("funded_project.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)


class Payment(_Money, db.Model):
    __tablename__ = "project_payment"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    project_id: Mapped[int] = mapped_column(ForeignKey("funded_project.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)


class Milestone(db.Model):
    __tablename__ = "project_milestone"
    __table_args__ = (CheckConstraint("weight BETWEEN 1 AND 100", name="weight_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("funded_project.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date]
    weight: Mapped[int]
    completed_at: Mapped[datetime | None]


class Indicator(db.Model):
    __tablename__ = "project_indicator"
    __table_args__ = (
        UniqueConstraint("project_id", "code"),
        CheckConstraint("target >= 0 AND achieved >= 0", name="values_positive"),
        CheckConstraint("(women IS NULL OR women >= 0) AND (men IS NULL OR men >= 0)", name="breakdown_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("funded_project.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(40))
    target: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    achieved: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    women: Mapped[int | None]
    men: Mapped[int | None]

    @property
    def percent(self) -> int:
        if not self.target:
            return 0
        return min(100, int(self.achieved * 100 / self.target))


class ProjectUpdate(db.Model):
    __tablename__ = "project_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("funded_project.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    body_markdown: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    image_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    image: Mapped[Upload | None] = relationship()
