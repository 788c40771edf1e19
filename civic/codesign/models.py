"""Co-design processes (co-progettazione, Art. 55 of the Third Sector Code).

A process starts from one origin (an idea selected for co-design, a reported need or a call),
follows the stages of Art. 55 in their fixed order (each with dates: the current stage is
decided from them, see stages.py), holds the meetings of the co-design table with their
registrations and minutes, and the documents with all their versions. Closing it records the
public outcome and the partners; a closed process is read-only.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, false, or_, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.accounts.models import User
from civic.calls.models import Call
from civic.core.models import EnumText, enum_check
from civic.core.text import slugify
from civic.core.timeutil import utcnow
from civic.extensions import db
from civic.orgs.models import Organisation
from civic.posts.models import Idea, Need, Post
from civic.territories.models import City


class ProcessStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class StageKind(enum.StrEnum):
    """The stages of a co-progettazione (Art. 55, D.Lgs. 117/2017; DM 72/2021), in their only order."""

    PUBLIC_NOTICE = "public_notice"
    EXPRESSIONS_OF_INTEREST = "expressions_of_interest"
    ASSESSMENT = "assessment"
    CODESIGN_TABLE = "codesign_table"
    FINAL_PROJECT = "final_project"
    AGREEMENT = "agreement"

    @property
    def label(self) -> str:
        return str(STAGE_LABELS[self])

    @property
    def position(self) -> int:
        return list(StageKind).index(self)


STAGE_LABELS = {
    StageKind.PUBLIC_NOTICE: _l("Public notice (avviso pubblico)"),
    StageKind.EXPRESSIONS_OF_INTEREST: _l("Expressions of interest"),
    StageKind.ASSESSMENT: _l("Assessment (istruttoria)"),
    StageKind.CODESIGN_TABLE: _l("Co-design table"),
    StageKind.FINAL_PROJECT: _l("Final project"),
    StageKind.AGREEMENT: _l("Agreement (convenzione)"),
}


class DocumentRole(enum.StrEnum):
    """What a document is for the process: the final project and the agreement are the ones that count."""

    OTHER = "other"
    FINAL_PROJECT = "final_project"
    AGREEMENT = "agreement"

    @property
    def label(self) -> str:
        return str(DOCUMENT_ROLE_LABELS[self])


DOCUMENT_ROLE_LABELS = {
    DocumentRole.OTHER: _l("Working document"),
    DocumentRole.FINAL_PROJECT: _l("Final project"),
    DocumentRole.AGREEMENT: _l("Agreement (convenzione)"),
}


class DocumentVisibility(enum.StrEnum):
    """Who sees a document: everyone, or the commission and the admitted organisations' members."""

    PUBLIC = "public"
    PARTICIPANTS = "participants"

    @property
    def label(self) -> str:
        return str(DOCUMENT_VISIBILITY_LABELS[self])


DOCUMENT_VISIBILITY_LABELS = {
    DocumentVisibility.PUBLIC: _l("Public: everyone can download it"),
    DocumentVisibility.PARTICIPANTS: _l("Participants only: the commission and the admitted organisations"),
}


class CodesignProcess(db.Model):
    __tablename__ = "codesign_process"
    __table_args__ = (
        CheckConstraint(enum_check("status", ProcessStatus), name="status_known"),
        # Exactly one origin: an idea, a need or a call.
        CheckConstraint("(CASE WHEN idea_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN need_id IS NULL THEN 0 ELSE 1 END)"
                        " + (CASE WHEN call_id IS NULL THEN 0 ELSE 1 END) = 1", name="one_origin"),
        CheckConstraint("(status = 'open' AND closed_at IS NULL) OR (status = 'closed' AND closed_at IS NOT NULL)",
                        name="closed_when_closed"),
        Index("ix_codesign_process_city_status", "city_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80))
    summary_markdown: Mapped[str] = mapped_column(Text, default="")
    summary_html: Mapped[str] = mapped_column(Text, default="")
    # One process per idea; needs and calls may give rise to several.
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("idea.id", ondelete="RESTRICT"), unique=True)
    need_id: Mapped[int | None] = mapped_column(ForeignKey("need.id", ondelete="RESTRICT"), index=True)
    call_id: Mapped[int | None] = mapped_column(ForeignKey("call.id", ondelete="RESTRICT"), index=True)
    status: Mapped[ProcessStatus] = mapped_column(EnumText(ProcessStatus, 10), default=ProcessStatus.OPEN)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    closed_at: Mapped[datetime | None]
    # The public answer given at closing.
    outcome_markdown: Mapped[str] = mapped_column(Text, default="")
    outcome_html: Mapped[str] = mapped_column(Text, default="")
    # The partners who signed the agreement, as written by the moderator (a list of names).
    # Third Sector organisations will be linked in their own table, without changing this record.
    partners: Mapped[list] = mapped_column(JSON, default=list)
    # Kept by civic.notifications.follows in the transaction of each follow.
    follower_count: Mapped[int] = mapped_column(default=0, server_default="0")

    city: Mapped[City] = relationship()
    idea: Mapped[Idea | None] = relationship(foreign_keys=[idea_id])
    need: Mapped[Need | None] = relationship(foreign_keys=[need_id])
    call: Mapped[Call | None] = relationship()
    opened_by: Mapped[User | None] = relationship(foreign_keys=[opened_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    stages: Mapped[list[CodesignStage]] = relationship(
        back_populates="process", cascade="all, delete-orphan", order_by="CodesignStage.starts_on")
    meetings: Mapped[list[Meeting]] = relationship(
        back_populates="process", cascade="all, delete-orphan", order_by="Meeting.starts_at")
    documents: Mapped[list[Document]] = relationship(
        back_populates="process", cascade="all, delete-orphan", order_by="Document.id")

    def set_title(self, title: str) -> None:
        self.title = title
        self.slug = slugify(title, 80)

    @property
    def is_closed(self) -> bool:
        return self.status == ProcessStatus.CLOSED

    @property
    def origin(self):
        """The idea, need or call the process started from."""
        return self.idea or self.need or self.call


class CodesignStage(db.Model):
    """One stage of a process, from its first to its last day (both included, Italian time)."""

    __tablename__ = "codesign_stage"
    __table_args__ = (
        UniqueConstraint("process_id", "kind"),
        CheckConstraint(enum_check("kind", StageKind), name="kind_known"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("codesign_process.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    starts_on: Mapped[date]
    # The agreement has no end: once signed, it stays the stage of the process.
    ends_on: Mapped[date | None]
    summary_markdown: Mapped[str] = mapped_column(Text, default="")
    summary_html: Mapped[str] = mapped_column(Text, default="")

    process: Mapped[CodesignProcess] = relationship(back_populates="stages")

    @property
    def stage(self) -> StageKind:
        return StageKind(self.kind)

    @property
    def label(self) -> str:
        return self.stage.label


class Meeting(db.Model):
    """A session of the co-design table. Times are stored in UTC, entered and shown in Italian time."""

    __tablename__ = "codesign_meeting"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="times_in_order"),
        CheckConstraint("place IS NOT NULL OR online_url IS NOT NULL", name="has_place"),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        CheckConstraint("registration_count >= 0 AND (capacity IS NULL OR registration_count <= capacity)",
                        name="registrations_within_capacity"),
        Index("ix_codesign_meeting_process_starts", "process_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("codesign_process.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    place: Mapped[str | None] = mapped_column(String(300))
    online_url: Mapped[str | None] = mapped_column(String(500))
    agenda_markdown: Mapped[str] = mapped_column(Text, default="")
    agenda_html: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int | None]
    # Kept in the same transaction as the registrations it counts (a conditional UPDATE).
    registration_count: Mapped[int] = mapped_column(default=0, server_default="0")
    minutes_markdown: Mapped[str | None] = mapped_column(Text)
    minutes_html: Mapped[str | None] = mapped_column(Text)
    minutes_published_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    process: Mapped[CodesignProcess] = relationship(back_populates="meetings")

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.registration_count >= self.capacity

    @property
    def places_left(self) -> int | None:
        return None if self.capacity is None else max(0, self.capacity - self.registration_count)


class MeetingRegistration(db.Model):
    """One person registered to one meeting (once); `attended` is recorded with the minutes."""

    __tablename__ = "codesign_registration"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("codesign_meeting.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)
    attended: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class Document(db.Model):
    """A document of the process; its file changes through versions, all kept and listed."""

    __tablename__ = "codesign_document"
    __table_args__ = (CheckConstraint(enum_check("role", DocumentRole), name="role_known"),
                      CheckConstraint(enum_check("visibility", DocumentVisibility), name="visibility_known"))

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("codesign_process.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default=DocumentRole.OTHER.value)
    # "participants": only the commission and the members of the admitted organisations (participation.py).
    visibility: Mapped[str] = mapped_column(String(12), default="public", server_default="public")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    process: Mapped[CodesignProcess] = relationship(back_populates="documents")
    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="DocumentVersion.number.desc()")

    @property
    def role_label(self) -> str:
        return DocumentRole(self.role).label

    @property
    def latest(self) -> DocumentVersion | None:
        return self.versions[0] if self.versions else None


class DocumentVersion(db.Model):
    """One uploaded file: stored under a generated name, its type read from its content."""

    __tablename__ = "codesign_document_version"
    __table_args__ = (
        UniqueConstraint("document_id", "number"),
        CheckConstraint("number > 0 AND size > 0", name="number_and_size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("codesign_document.id", ondelete="CASCADE"))
    number: Mapped[int]
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    # The name it had on the uploader's computer, cleaned: used for the download only.
    original_name: Mapped[str] = mapped_column(String(200))
    file_type: Mapped[str] = mapped_column(String(10))  # pdf, odt, docx, xlsx, ods, png, jpeg
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"),
                                                       index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    document: Mapped[Document] = relationship(back_populates="versions")
    uploaded_by: Mapped[User | None] = relationship()


# --- the organisations taking part (see participation.py) --------------------------------------

class InterestRole(enum.StrEnum):
    """The role an organisation asks for, and keeps as a partner: lead (capofila) or partner."""

    LEAD = "capofila"
    PARTNER = "partner"

    @property
    def label(self) -> str:
        return str(INTEREST_ROLE_LABELS[self])


INTEREST_ROLE_LABELS = {InterestRole.LEAD: _l("Lead partner (capofila)"), InterestRole.PARTNER: _l("Partner")}


class InterestStatus(enum.StrEnum):
    PENDING = "pending"
    ADMITTED = "admitted"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return str(INTEREST_STATUS_LABELS[self])


INTEREST_STATUS_LABELS = {
    InterestStatus.PENDING: _l("Awaiting the commission's decision"),
    InterestStatus.ADMITTED: _l("Admitted"),
    InterestStatus.DECLINED: _l("Not admitted"),
}


class ExpressionOfInterest(db.Model):
    """An organisation's expression of interest (manifestazione di interesse) in a process: once per
    organisation and process; the commission admits or declines it with a public reason."""

    __tablename__ = "codesign_interest"
    __table_args__ = (
        UniqueConstraint("process_id", "organisation_id"),
        CheckConstraint(enum_check("role", InterestRole), name="role_known"),
        CheckConstraint(enum_check("status", InterestStatus), name="status_known"),
        CheckConstraint("(status = 'pending' AND decided_at IS NULL) OR (status <> 'pending' AND decided_at IS NOT NULL"
                        " AND reason <> '')", name="decided_with_reason"),
        Index("ix_codesign_interest_organisation_status", "organisation_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("codesign_process.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(10))
    contribution: Mapped[str] = mapped_column(Text)
    experience: Mapped[str] = mapped_column(Text)
    status: Mapped[InterestStatus] = mapped_column(EnumText(InterestStatus, 10), default=InterestStatus.PENDING)
    # The commission's public reason, shown with the decision.
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    decided_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"),
                                                        index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    process: Mapped[CodesignProcess] = relationship()
    organisation: Mapped[Organisation] = relationship()

    @property
    def role_label(self) -> str:
        return InterestRole(self.role).label

    @property
    def status_label(self) -> str:
        return InterestStatus(self.status).label

    @property
    def is_pending(self) -> bool:
        return self.status == InterestStatus.PENDING


class CodesignPartner(db.Model):
    """A registered organisation that took part in a closed process, as lead partner or partner
    (recorded from the admitted expressions of interest when the process is closed)."""

    __tablename__ = "codesign_partner"
    __table_args__ = (
        UniqueConstraint("process_id", "organisation_id"),
        CheckConstraint(enum_check("role", InterestRole), name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("codesign_process.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    process: Mapped[CodesignProcess] = relationship()
    organisation: Mapped[Organisation] = relationship()

    @property
    def role_label(self) -> str:
        return InterestRole(self.role).label


def visible_process():
    """The condition a co-design process must meet to appear publicly: the idea or need it started
    from is not hidden (the SQL form of civic.codesign.permissions.origin_is_hidden)."""
    hidden_origin = (
        select(Post.id).where(Post.hidden_at.is_not(None),
                              or_(Post.id == CodesignProcess.idea_id, Post.id == CodesignProcess.need_id))
        .correlate(CodesignProcess).exists())
    return ~hidden_origin
