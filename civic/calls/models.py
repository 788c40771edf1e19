"""Calls for ideas (avvisi): phases with dates, weighted evaluation criteria, and the
moderators' scores. What residents may do in a call follows from its phases' dates
(civic/calls/phases.py), never from a flag someone must remember to switch.
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Numeric, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.accounts.models import User
from civic.core.models import EnumText, TimestampMixin, enum_check
from civic.core.text import slugify
from civic.extensions import db
from civic.territories.models import City, Priority, Programme, SpecificObjective, Theme

SCORE_MIN, SCORE_MAX = 0, 10
ROME = ZoneInfo("Europe/Rome")


def today() -> date:
    """The calendar day in Italy: a phase ending on the 30th is open until midnight in Rome."""
    return datetime.now(ROME).date()


class CallStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class PhaseKind(enum.StrEnum):
    """The phases of a call, in their only possible order."""

    SUBMISSION = "submission"
    VOTING = "voting"
    EVALUATION = "evaluation"
    RESULTS = "results"

    @property
    def label(self) -> str:
        return str(PHASE_LABELS[self])

    @property
    def position(self) -> int:
        return list(PhaseKind).index(self)


PHASE_LABELS = {
    PhaseKind.SUBMISSION: _l("Submission of ideas"),
    PhaseKind.VOTING: _l("Voting"),
    PhaseKind.EVALUATION: _l("Evaluation"),
    PhaseKind.RESULTS: _l("Results"),
}

call_theme = Table(
    "call_theme",
    db.metadata,
    Column("call_id", ForeignKey("call.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("theme.id", ondelete="RESTRICT"), primary_key=True, index=True),
)


class Call(TimestampMixin, db.Model):
    __tablename__ = "call"
    __table_args__ = (
        CheckConstraint(enum_check("status", CallStatus), name="status_known"),
        CheckConstraint("budget_eur >= 0", name="budget_not_negative"),
        Index("ix_call_city_status_published", "city_id", "status", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80))
    description_markdown: Mapped[str] = mapped_column(Text)
    description_html: Mapped[str] = mapped_column(Text)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="RESTRICT"), index=True)
    priority_id: Mapped[int | None] = mapped_column(ForeignKey("priority.id", ondelete="RESTRICT"), index=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("specific_objective.id", ondelete="RESTRICT"), index=True)
    budget_eur: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    eligibility_markdown: Mapped[str] = mapped_column(Text)
    eligibility_html: Mapped[str] = mapped_column(Text)
    status: Mapped[CallStatus] = mapped_column(EnumText(CallStatus, 20), default=CallStatus.DRAFT)
    published_at: Mapped[datetime | None]
    # Set once, in the transaction that moves every idea of the call to its outcome.
    results_published_at: Mapped[datetime | None]
    # Kept by civic/notifications/follows.py in the transaction of the follow.
    follower_count: Mapped[int] = mapped_column(default=0, server_default="0")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)

    city: Mapped[City] = relationship()
    programme: Mapped[Programme] = relationship()
    priority: Mapped[Priority | None] = relationship()
    objective: Mapped[SpecificObjective] = relationship()
    themes: Mapped[list[Theme]] = relationship(secondary=call_theme, order_by=Theme.position)
    phases: Mapped[list[CallPhase]] = relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="CallPhase.starts_on")
    criteria: Mapped[list[CallCriterion]] = relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="CallCriterion.position")
    created_by: Mapped[User | None] = relationship()

    def set_title(self, title: str) -> None:
        self.title = title
        self.slug = slugify(title, 80)

    @property
    def is_draft(self) -> bool:
        return self.status == CallStatus.DRAFT

    # What the call allows today, from its phases' dates (civic/calls/phases.py builds on these). They are
    # methods so that a post asks its own call (`idea.call.accepts_votes()`) without importing the calls.

    def phase(self, kind: PhaseKind) -> CallPhase | None:
        return next((p for p in self.phases if p.kind == kind), None)

    def running_phase(self, on: date | None = None) -> CallPhase | None:
        """The phase running on that day; None for a draft, before the first phase and between phases."""
        if self.status != CallStatus.PUBLISHED:
            return None
        on = on or today()
        return next((p for p in self.phases if p.starts_on <= on and (p.ends_on is None or on <= p.ends_on)), None)

    def accepts_votes(self, on: date | None = None) -> bool:
        phase = self.running_phase(on)
        return phase is not None and phase.kind == PhaseKind.VOTING and self.results_published_at is None

    def voting_note(self) -> str:
        """Why the ideas of this call cannot be voted now, in words: when the vote runs."""
        voting = self.phase(PhaseKind.VOTING)
        if voting is None:
            return str(_l("This call has no public vote: the municipality evaluates its ideas."))
        return str(_l("Votes for the ideas of this call are open from %(start)s to %(end)s.",
                      start=format_date(voting.starts_on, "long"), end=format_date(voting.ends_on, "long")))


class CallPhase(db.Model):
    """One phase of a call, from its first to its last day (both included, Italian time)."""

    __tablename__ = "call_phase"
    __table_args__ = (
        UniqueConstraint("call_id", "kind"),
        CheckConstraint("kind IN ('submission', 'voting', 'evaluation', 'results')", name="kind_known"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    starts_on: Mapped[date]
    # The results phase has no end: once published, results stay.
    ends_on: Mapped[date | None]

    call: Mapped[Call] = relationship(back_populates="phases")

    @property
    def phase(self) -> PhaseKind:
        return PhaseKind(self.kind)

    @property
    def label(self) -> str:
        return self.phase.label


class CallCriterion(db.Model):
    """An evaluation criterion; the weights of a call's criteria add up to 100."""

    __tablename__ = "call_criterion"
    __table_args__ = (
        CheckConstraint("weight BETWEEN 1 AND 100", name="weight_in_range"),
        UniqueConstraint("call_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    weight: Mapped[int]

    call: Mapped[Call] = relationship(back_populates="criteria")


class Evaluation(db.Model):
    """One moderator's assessment of one idea of a call: a score per criterion and a private note."""

    __tablename__ = "evaluation"
    __table_args__ = (UniqueConstraint("idea_id", "evaluator_id"), Index("ix_evaluation_call_idea", "call_id", "idea_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"))
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"))
    evaluator_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    # Seen by the city's moderators only, never published.
    private_note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime]

    evaluator: Mapped[User] = relationship()
    scores: Mapped[list[EvaluationScore]] = relationship(cascade="all, delete-orphan")


class EvaluationScore(db.Model):
    __tablename__ = "evaluation_score"
    __table_args__ = (CheckConstraint(f"score BETWEEN {SCORE_MIN} AND {SCORE_MAX}", name="score_in_range"),)

    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluation.id", ondelete="CASCADE"), primary_key=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("call_criterion.id", ondelete="CASCADE"), primary_key=True,
                                              index=True)
    score: Mapped[int]
