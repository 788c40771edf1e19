"""The Third Sector organisations taking part in a co-design process: expressions of interest
(manifestazioni di interesse), the commission's decisions, partners, participants-only documents.

- An administrator of an organisation expresses its interest while the process is in its
  "expressions of interest" stage (stages.accepts_expressions_of_interest), as lead partner
  (capofila: only a verified organisation, orgs.permissions.can_lead_codesign) or as partner; it
  may be changed or withdrawn while pending and while that stage runs. Admins only: the
  organisation commits itself, as when it signs.
- The commission (the moderators of the process's city and the admins: can_manage_process)
  admits or declines each one with a public reason, once the stage has begun and until the
  process is closed; at most one organisation is admitted as capofila (a second one is a 409:
  decline it, or let it apply as partner). A capofila is not required: the municipality may run
  the table with partners only. A decision is one conditional UPDATE on status = 'pending': of
  two decisions at once, one wins, the other gets 409. The organisation's members are notified.
- What everyone sees: the organisation, the role sought and, once decided, the decision and its
  reason. The contribution and the experience are seen by the commission and the organisation's
  own members only.
- Members of admitted organisations may upload documents (`admitted_organisation_member`, added to
  permissions.document_uploaders by civic/wiring.py) and see the documents reserved to participants.
- Closing the process records the admitted organisations as its partners (CodesignPartner),
  besides the free-text names of partners that are not registered here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exc, func, select, update
from sqlalchemy.orm import joinedload

from civic.accounts.models import User
from civic.accounts.permissions import is_signed_in
from civic.audit import services as audit
from civic.codesign import permissions, stages
from civic.codesign.models import (
    CodesignPartner,
    CodesignProcess,
    Document,
    DocumentVisibility,
    ExpressionOfInterest,
    InterestRole,
    InterestStatus,
    StageKind,
)
from civic.core.rules import Conflict, Forbidden, RuleError
from civic.core.text import checked_text
from civic.core.timeutil import utcnow
from civic.extensions import db
from civic.notifications.reading import event
from civic.notifications.services import notify
from civic.orgs.models import MemberRole, Membership, Organisation
from civic.orgs.permissions import can_lead_codesign

TEXT_MAX = 5_000
TEXT_MIN = 20
REASON_MAX = 2_000
PROCESS_KIND = "codesign"  # the followable kind of processes (civic/notifications/kinds.py)


class InterestError(RuleError):
    """What was written breaks a rule (422)."""


class InterestForbidden(Forbidden):
    pass


class InterestConflict(Conflict):
    """Not now: the stage is over, the process is closed, it was already decided (409)."""


# --- who is who -----------------------------------------------------------------------------------

def member_org_ids(user: User | None) -> set[int]:
    """The organisations the user is a member of (one query)."""
    if not is_signed_in(user):
        return set()
    return set(db.session.scalars(select(Membership.organisation_id).where(Membership.user_id == user.id)))


def eligible_organisations(user: User | None) -> list[Organisation]:
    """The organisations on whose behalf the user may express interest: those they administer."""
    if not is_signed_in(user):
        return []
    return list(db.session.scalars(
        select(Organisation).join(Membership, Membership.organisation_id == Organisation.id)
        .where(Membership.user_id == user.id, Membership.role == MemberRole.ADMIN)
        .order_by(Organisation.name, Organisation.id)))


def _is_org_admin(user: User | None, organisation_id: int) -> bool:
    if not is_signed_in(user):
        return False
    return db.session.scalar(select(Membership.id).where(
        Membership.organisation_id == organisation_id, Membership.user_id == user.id,
        Membership.role == MemberRole.ADMIN)) is not None


def is_admitted_member(user: User | None, process: CodesignProcess) -> bool:
    """A member of an organisation admitted to the process (one query)."""
    if not is_signed_in(user):
        return False
    return db.session.scalar(
        select(ExpressionOfInterest.id)
        .join(Membership, Membership.organisation_id == ExpressionOfInterest.organisation_id)
        .where(ExpressionOfInterest.process_id == process.id,
               ExpressionOfInterest.status == InterestStatus.ADMITTED, Membership.user_id == user.id)
        .limit(1)) is not None


def admitted_organisation_member(user: User, process: CodesignProcess) -> bool:
    return is_admitted_member(user, process)


def sees_participant_documents(user: User | None, process: CodesignProcess) -> bool:
    return permissions.can_manage_process(user, process) or is_admitted_member(user, process)


def visible_documents(user: User | None, process: CodesignProcess, documents: list[Document]) -> list[Document]:
    """The documents of the list the user may see (at most one query, only when some are reserved)."""
    if all(d.visibility == DocumentVisibility.PUBLIC for d in documents):
        return list(documents)
    if sees_participant_documents(user, process):
        return list(documents)
    return [d for d in documents if d.visibility == DocumentVisibility.PUBLIC]


def can_see_document(user: User | None, document: Document) -> bool:
    return (document.visibility == DocumentVisibility.PUBLIC
            or sees_participant_documents(user, document.process))


def check_visibility(value: str | None) -> str:
    value = value or DocumentVisibility.PUBLIC.value
    if value not in {v.value for v in DocumentVisibility}:
        raise InterestError(_l("Choose who can see the document."), "visibility")
    return value


# --- checks -----------------------------------------------------------------------------------------

def _text(value: str | None, field_name: str, missing, maximum: int = TEXT_MAX, minimum: int = 0) -> str:
    return checked_text(value, field_name, maximum=maximum, missing=missing, minimum=minimum, error=InterestError)


def check_accepting(process: CodesignProcess, on: date | None = None) -> None:
    """Expressions of interest are sent and changed only while their stage runs, in an open process."""
    if process.is_closed:
        raise InterestConflict(_l("This co-design process is closed: it can no longer be changed."))
    if not stages.accepts_expressions_of_interest(process, on):
        raise InterestConflict(_l("Expressions of interest are accepted only during the \"Expressions of interest\" "
                                  "stage of the process."))


def _checked_role(role: str | None, org: Organisation) -> str:
    if role not in {r.value for r in InterestRole}:
        raise InterestError(_l("Choose the role: lead partner (capofila) or partner."), "role")
    if role == InterestRole.LEAD and not can_lead_codesign(org):
        raise InterestError(_l("Only an organisation verified by the municipality can be lead partner (capofila): "
                               "apply as partner, or ask the moderators of %(city)s to verify %(name)s first.",
                               city=org.city.name, name=org.name), "role")
    return role


@dataclass
class InterestData:
    organisation_id: int | None
    role: str
    contribution: str
    experience: str


# --- expressing, changing, withdrawing -------------------------------------------------------------------

def express_interest(user: User, process: CodesignProcess, data: InterestData,
                     on: date | None = None) -> ExpressionOfInterest:
    """An organisation's administrator expresses its interest (`on`: the day, for the demo and tests)."""
    check_accepting(process, on)
    org = db.session.get(Organisation, data.organisation_id) if data.organisation_id else None
    if org is None:
        raise InterestError(_l("Choose one of the organisations you administer."), "organisation")
    if not _is_org_admin(user, org.id):
        raise InterestForbidden(_l("Only the administrators of %(name)s can express its interest.", name=org.name))
    role = _checked_role(data.role, org)
    contribution = _text(data.contribution, "contribution",
                         _l("Describe what the organisation would bring to the process."), minimum=TEXT_MIN)
    experience = _text(data.experience, "experience",
                       _l("Describe the organisation's experience in this field."), minimum=TEXT_MIN)
    exists = db.session.scalar(select(ExpressionOfInterest.id).where(
        ExpressionOfInterest.process_id == process.id, ExpressionOfInterest.organisation_id == org.id))
    if exists is not None:
        raise InterestConflict(_l("%(name)s has already expressed its interest in this process.", name=org.name))
    interest = ExpressionOfInterest(process_id=process.id, organisation_id=org.id, role=role,
                                    contribution=contribution, experience=experience,
                                    status=InterestStatus.PENDING, reason="", submitted_by_id=user.id)
    db.session.add(interest)
    try:
        db.session.flush()
    except exc.IntegrityError:  # the same organisation twice at once: the unique constraint refuses one
        raise InterestConflict(_l("%(name)s has already expressed its interest in this process.",
                                  name=org.name)) from None
    return interest


def _require_own_pending(user: User, interest: ExpressionOfInterest, on: date | None) -> None:
    if not _is_org_admin(user, interest.organisation_id):
        raise InterestForbidden(_l("Only the administrators of %(name)s can change its expression of interest.",
                                   name=interest.organisation.name))
    if not interest.is_pending:
        raise InterestConflict(_l("The commission has already decided on this expression of interest: it can no "
                                  "longer be changed."))
    check_accepting(interest.process, on)


def update_interest(user: User, interest: ExpressionOfInterest, data: InterestData,
                    on: date | None = None) -> None:
    _require_own_pending(user, interest, on)
    role = _checked_role(data.role, interest.organisation)
    contribution = _text(data.contribution, "contribution",
                         _l("Describe what the organisation would bring to the process."), minimum=TEXT_MIN)
    experience = _text(data.experience, "experience",
                       _l("Describe the organisation's experience in this field."), minimum=TEXT_MIN)
    changed = db.session.execute(
        update(ExpressionOfInterest).where(ExpressionOfInterest.id == interest.id,
                                           ExpressionOfInterest.status == InterestStatus.PENDING)
        .values(role=role, contribution=contribution, experience=experience, updated_at=utcnow())
        .returning(ExpressionOfInterest.id)).first()
    if changed is None:
        raise InterestConflict(_l("The commission has already decided on this expression of interest: it can no "
                                  "longer be changed."))
    db.session.expire(interest)


def withdraw_interest(user: User, interest: ExpressionOfInterest, on: date | None = None) -> None:
    """Withdrawn while pending: the row goes (the organisation may express interest again)."""
    _require_own_pending(user, interest, on)
    removed = db.session.execute(
        delete(ExpressionOfInterest).where(ExpressionOfInterest.id == interest.id,
                                           ExpressionOfInterest.status == InterestStatus.PENDING)
        .returning(ExpressionOfInterest.id)).first()
    if removed is None:
        raise InterestConflict(_l("The commission has already decided on this expression of interest: it can no "
                                  "longer be changed."))
    db.session.expunge(interest)


# --- the commission's decision ------------------------------------------------------------------------

def may_decide(user: User | None, process: CodesignProcess, on: date | None = None) -> bool:
    return (permissions.can_manage_process(user, process) and not process.is_closed
            and stages.has_reached(process, StageKind.EXPRESSIONS_OF_INTEREST, on))


def decide(user: User, interest: ExpressionOfInterest, admit: bool, reason: str,
           on: date | None = None) -> None:
    """Admit or decline with a public reason; once. The organisation's members are notified."""
    process = interest.process
    if not permissions.can_manage_process(user, process):
        raise InterestForbidden(_l("Only the moderators of %(city)s can decide on the expressions of interest in its "
                                   "co-design processes.", city=process.city.name))
    if process.is_closed:
        raise InterestConflict(_l("This co-design process is closed: it can no longer be changed."))
    if not stages.has_reached(process, StageKind.EXPRESSIONS_OF_INTEREST, on):
        raise InterestConflict(_l("The commission decides once the \"Expressions of interest\" stage has begun."))
    text = _text(reason, "reason", _l("Write the public reason of the decision."), maximum=REASON_MAX)
    if not interest.is_pending:
        raise InterestConflict(_l("The commission has already decided on this expression of interest."))
    if admit and interest.role == InterestRole.LEAD:
        lead = db.session.scalar(select(Organisation.name).join(
            ExpressionOfInterest, ExpressionOfInterest.organisation_id == Organisation.id).where(
            ExpressionOfInterest.process_id == process.id, ExpressionOfInterest.role == InterestRole.LEAD.value,
            ExpressionOfInterest.status == InterestStatus.ADMITTED))
        if lead is not None:
            raise InterestConflict(_l("%(name)s is already admitted as lead partner (capofila): a process has one.",
                                      name=lead))
    status = InterestStatus.ADMITTED if admit else InterestStatus.DECLINED
    decided = db.session.execute(
        update(ExpressionOfInterest).where(ExpressionOfInterest.id == interest.id,
                                           ExpressionOfInterest.status == InterestStatus.PENDING)
        .values(status=status.value, reason=text, decided_by_id=user.id, decided_at=utcnow(), updated_at=utcnow())
        .returning(ExpressionOfInterest.id)).first()
    if decided is None:
        raise InterestConflict(_l("The commission has already decided on this expression of interest."))
    db.session.expire(interest)
    org = interest.organisation
    audit.record(user, "codesign.interest_" + ("admit" if admit else "decline"), "codesign_interest", interest.id,
                 f"{process.title}: {org.name} ({interest.role})", reason=text, city_id=process.city_id)
    members = db.session.scalars(select(Membership.user_id).where(Membership.organisation_id == org.id)).all()
    notify("codesign.interest_decided", PROCESS_KIND, process.id, actor=user, recipients=members,
           organisation=org.name, status=status.value, role=interest.role, reason=text)


# --- partners -------------------------------------------------------------------------------------

def record_partners(process: CodesignProcess) -> list[CodesignPartner]:
    """At closing: the admitted organisations become the process's partners, with their role."""
    admitted = db.session.scalars(select(ExpressionOfInterest).where(
        ExpressionOfInterest.process_id == process.id,
        ExpressionOfInterest.status == InterestStatus.ADMITTED).order_by(ExpressionOfInterest.id)).all()
    known = set(db.session.scalars(select(CodesignPartner.organisation_id).where(
        CodesignPartner.process_id == process.id)))
    rows = [CodesignPartner(process_id=process.id, organisation_id=i.organisation_id, role=i.role)
            for i in admitted if i.organisation_id not in known]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def admitted_names(process: CodesignProcess) -> set[str]:
    return {name.casefold() for name in db.session.scalars(
        select(Organisation.name).join(ExpressionOfInterest, ExpressionOfInterest.organisation_id == Organisation.id)
        .where(ExpressionOfInterest.process_id == process.id,
               ExpressionOfInterest.status == InterestStatus.ADMITTED))}


def partners_of(process: CodesignProcess) -> list[CodesignPartner]:
    return list(db.session.scalars(
        select(CodesignPartner).where(CodesignPartner.process_id == process.id)
        .options(joinedload(CodesignPartner.organisation))
        .order_by(CodesignPartner.role, CodesignPartner.id)))


# --- what pages show --------------------------------------------------------------------------------

@dataclass
class InterestPanel:
    """Everything the process page shows about the organisations, read in a fixed number of queries."""

    interests: list[ExpressionOfInterest]
    private_ids: set[int]  # whose contribution and experience the reader sees
    own_ids: set[int]  # the ones the reader may change or withdraw
    accepting: bool
    may_decide: bool
    may_express: bool
    partners: list[CodesignPartner] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counted = {s.value: 0 for s in InterestStatus}
        for interest in self.interests:
            counted[interest.status] += 1
        return counted


def interests_of(process: CodesignProcess) -> list[ExpressionOfInterest]:
    return list(db.session.scalars(
        select(ExpressionOfInterest).where(ExpressionOfInterest.process_id == process.id)
        .options(joinedload(ExpressionOfInterest.organisation))
        .order_by(ExpressionOfInterest.created_at, ExpressionOfInterest.id)))


def panel(user: User | None, process: CodesignProcess) -> InterestPanel:
    interests = interests_of(process)
    manager = permissions.can_manage_process(user, process)
    accepting = stages.accepts_expressions_of_interest(process)
    own_orgs = member_org_ids(user)
    admin_orgs = {o.id for o in eligible_organisations(user)} if own_orgs else set()
    private = {i.id for i in interests if manager or i.organisation_id in own_orgs}
    own = {i.id for i in interests if i.organisation_id in admin_orgs and i.is_pending and accepting}
    taken = {i.organisation_id for i in interests}
    return InterestPanel(
        interests=interests, private_ids=private, own_ids=own, accepting=accepting,
        may_decide=manager and not process.is_closed
        and stages.has_reached(process, StageKind.EXPRESSIONS_OF_INTEREST),
        may_express=accepting and bool(admin_orgs - taken),
        partners=partners_of(process) if process.is_closed else [])


@dataclass
class Participation:
    process: CodesignProcess
    role: str
    partner: bool

    @property
    def role_label(self) -> str:
        return InterestRole(self.role).label


def participations_of(user: User | None, org: Organisation) -> list[Participation]:
    """The processes the organisation was admitted to (partners come from these), those the reader may
    see only: one query, the processes' origins loaded with it."""
    rows = db.session.execute(
        select(ExpressionOfInterest, CodesignPartner.id)
        .outerjoin(CodesignPartner, (CodesignPartner.process_id == ExpressionOfInterest.process_id)
                   & (CodesignPartner.organisation_id == ExpressionOfInterest.organisation_id))
        .where(ExpressionOfInterest.organisation_id == org.id,
               ExpressionOfInterest.status == InterestStatus.ADMITTED)
        .options(joinedload(ExpressionOfInterest.process).joinedload(CodesignProcess.city),
                 joinedload(ExpressionOfInterest.process).joinedload(CodesignProcess.idea),
                 joinedload(ExpressionOfInterest.process).joinedload(CodesignProcess.need))
        .order_by(ExpressionOfInterest.decided_at.desc(), ExpressionOfInterest.id.desc())).unique().all()
    return [Participation(interest.process, interest.role, partner_id is not None)
            for interest, partner_id in rows if permissions.can_view_process(user, interest.process)]


def interest_count(process: CodesignProcess) -> int:
    return db.session.scalar(select(func.count()).select_from(ExpressionOfInterest).where(
        ExpressionOfInterest.process_id == process.id)) or 0


# --- notifications --------------------------------------------------------------------------------

def _decided_text(n, title: str) -> str:
    name = n.params.get("organisation", "")
    if n.params.get("status") == InterestStatus.ADMITTED:
        return _("The commission admitted %(name)s to the co-design process \"%(title)s\".", name=name, title=title)
    return _("The commission did not admit %(name)s to the co-design process \"%(title)s\".", name=name, title=title)


NOTIFICATION_EVENTS = (
    event("codesign.interest_decided", _decided_text,
          detail=lambda n: _("Reason: %(reason)s", reason=n.params.get("reason", ""))),
)
