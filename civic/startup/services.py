"""The rules of start-up support plans. Services take the acting user, validate, change state and
flush; the view commits once.

- An idea that enters "in start-up support" gets its plan (`open_when_started` below, a receiver of
  the `idea_moved` signal connected by civic/wiring.py; idempotent): the team is the idea's author plus the organisations admitted to its co-design process.
- A moderator chooses the mentor (a moderator of the city or a member of a verified organisation) and
  the kinds of support; the mentor and the moderators add milestones and team members; the team submits
  evidence; the mentor or a moderator approves it; moderators add and approve stage gates.
- "fund" (lifecycle) is refused while the plan has a gate not passed (`refuse_fund_before_last_gate`, a
  receiver of the `idea_moving` signal for the action "fund").
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.datastructures import FileStorage

from civic.accounts.models import User
from civic.accounts.permissions import can_moderate_city, is_moderator
from civic.audit import services as audit
from civic.codesign import files
from civic.codesign.models import CodesignProcess, ExpressionOfInterest, InterestStatus
from civic.core.richtext import render_markdown
from civic.core.rules import Conflict, Forbidden, RuleError
from civic.core.text import checked_line, checked_text
from civic.core.timeutil import utcnow
from civic.extensions import db
from civic.notifications import follows
from civic.notifications.reading import event
from civic.notifications.services import notify
from civic.orgs.models import Membership, Organisation
from civic.posts import lifecycle
from civic.posts.models import Idea, PostEvent
from civic.posts.models import PostStatus as S
from civic.startup import permissions
from civic.startup.models import (
    MilestoneStatus,
    PrivateNote,
    ProgressUpdate,
    SupportEvidence,
    SupportGate,
    SupportMilestone,
    SupportPlan,
    TeamMember,
    TeamOrganisation,
    TeamRole,
)

log = logging.getLogger("civic.startup")

TITLE_MAX = 200
TEXT_MAX = 5_000
PLACE_MAX = 300
GRANT_MAX = Decimal("9999999999.99")


class StartupError(RuleError):
    """Bad input (422)."""


class StartupForbidden(Forbidden):
    pass


class StartupConflict(Conflict):
    pass


# --- text checks --------------------------------------------------------------------------------------

def _line(value: str | None, field: str, missing, maximum: int = TITLE_MAX) -> str:
    return checked_line(value, field, maximum=maximum, missing=missing, error=StartupError)


def _text(value: str | None, field: str, missing, maximum: int = TEXT_MAX) -> str:
    return checked_text(value, field, maximum=maximum, missing=missing, error=StartupError, controls=False)


# --- the plan -----------------------------------------------------------------------------------------

def plan_for_idea(idea) -> SupportPlan | None:
    return db.session.scalar(select(SupportPlan).where(SupportPlan.idea_id == idea.id))


def _admitted_organisation_ids(idea: Idea) -> list[int]:
    return list(db.session.scalars(
        select(ExpressionOfInterest.organisation_id)
        .join(CodesignProcess, CodesignProcess.id == ExpressionOfInterest.process_id)
        .where(CodesignProcess.idea_id == idea.id, ExpressionOfInterest.status == InterestStatus.ADMITTED)
        .order_by(ExpressionOfInterest.id)))


def open_for_idea(idea: Idea) -> SupportPlan:
    """The plan of an idea in start-up support: created once, with its first team."""
    existing = plan_for_idea(idea)
    if existing is not None:
        return existing
    plan = SupportPlan(idea_id=idea.id, city_id=idea.city_id)
    db.session.add(plan)
    db.session.flush()
    db.session.add(TeamMember(plan_id=plan.id, user_id=idea.author_id, role=TeamRole.PROPOSER.value))
    for org_id in dict.fromkeys(_admitted_organisation_ids(idea)):
        db.session.add(TeamOrganisation(plan_id=plan.id, organisation_id=org_id))
    db.session.flush()
    log.info("support plan opened", extra={"post_id": idea.id, "plan_id": plan.id})
    return plan


def open_when_started(status: S, *, idea: Idea, **_) -> None:
    """Receiver of idea_moved for IN_STARTUP: the idea's plan opens."""
    open_for_idea(idea)


def gates_pending(plan: SupportPlan) -> bool:
    return any(not gate.is_passed for gate in plan.gates)


def refuse_fund_before_last_gate(action: str, *, idea: Idea, **_) -> None:
    """Receiver of idea_moving for "fund": refused while the plan has a stage gate not passed."""
    plan = plan_for_idea(idea)
    if plan is not None and gates_pending(plan):
        raise StartupConflict(_l("This idea cannot be funded yet: its start-up support plan has stage gates not "
                                 "passed. A moderator approves the last gate first."))


# What a plan's pages show with it, loaded in the same few queries.
PLAN_LOADING = (joinedload(SupportPlan.idea), joinedload(SupportPlan.city), joinedload(SupportPlan.mentor),
                selectinload(SupportPlan.members).joinedload(TeamMember.user),
                selectinload(SupportPlan.organisations).joinedload(TeamOrganisation.organisation),
                selectinload(SupportPlan.milestones).selectinload(SupportMilestone.evidence),
                selectinload(SupportPlan.gates).selectinload(SupportGate.milestones))


def load_plan(plan_id: int) -> SupportPlan | None:
    return db.session.scalar(select(SupportPlan).where(SupportPlan.id == plan_id).options(*PLAN_LOADING))


def _manager_only(user: User, plan: SupportPlan) -> None:
    if not permissions.can_manage_plan(user, plan):
        raise StartupForbidden(_l("Only the moderators of %(city)s can do this.", city=plan.city.name))


def may_mentor(candidate: User, plan: SupportPlan) -> bool:
    """A moderator of the plan's city, or a member of a verified organisation."""
    if is_moderator(candidate) and can_moderate_city(candidate, plan.city):
        return True
    return db.session.scalar(
        select(Membership.id).join(Organisation, Organisation.id == Membership.organisation_id)
        .where(Membership.user_id == candidate.id, Organisation.verified_at.is_not(None)).limit(1)) is not None


@dataclass
class PlanData:
    mentor_email: str = ""
    tutoring: bool = False
    training: bool = False
    space: bool = False
    space_place: str = ""
    grant_amount: Decimal | None = None


def update_plan(user: User, plan: SupportPlan, data: PlanData) -> SupportPlan:
    """A moderator chooses the mentor and the kinds of support."""
    _manager_only(user, plan)
    mentor = None
    email = (data.mentor_email or "").strip().lower()
    if email:
        mentor = db.session.scalar(select(User).where(User.email == email))
        if mentor is None or not mentor.is_active:
            raise StartupError(_l("No active account has this email address."), "mentor_email")
        if not may_mentor(mentor, plan):
            raise StartupError(_l("The mentor must be a moderator of %(city)s or a member of a verified "
                                  "organisation.", city=plan.city.name), "mentor_email")
    place = ""
    if data.space:
        place = _line(data.space_place, "space_place", _l("Write where the space is (building and address)."),
                      PLACE_MAX)
    amount = data.grant_amount
    if amount is not None:
        if not amount.is_finite() or amount <= 0:
            raise StartupError(_l("The seed grant must be an amount greater than zero."), "grant_amount")
        if amount > GRANT_MAX or amount.as_tuple().exponent < -2:
            raise StartupError(_l("Enter an amount in euros with at most two decimals."), "grant_amount")
    plan.mentor_id = mentor.id if mentor else None
    plan.tutoring, plan.training, plan.space = bool(data.tutoring), bool(data.training), bool(data.space)
    plan.space_place = place
    plan.grant_amount = amount
    db.session.flush()
    summary = f"{plan.idea.title}: mentor {mentor.email if mentor else '-'}, grant {amount or '-'}"
    audit.record(user, "startup.plan_updated", "support_plan", plan.id, summary=summary, city_id=plan.city_id)
    return plan


def add_team_member(user: User, plan: SupportPlan, email: str) -> TeamMember:
    if not permissions.can_plan_milestones(user, plan):
        raise StartupForbidden(_l("Only the mentor and the moderators can change the team."))
    email = (email or "").strip().lower()
    member = db.session.scalar(select(User).where(User.email == email)) if email else None
    if member is None or not member.is_active:
        raise StartupError(_l("No active account has this email address."), "email")
    if db.session.scalar(select(TeamMember.id).where(TeamMember.plan_id == plan.id,
                                                     TeamMember.user_id == member.id)) is not None:
        raise StartupError(_l("This person is already in the team."), "email")
    row = TeamMember(plan_id=plan.id, user_id=member.id, role=TeamRole.MEMBER.value)
    db.session.add(row)
    db.session.flush()
    return row


# --- milestones ---------------------------------------------------------------------------------------

@dataclass
class MilestoneData:
    title: str
    due_date: date | None
    deliverable: str


def add_milestone(user: User, plan: SupportPlan, data: MilestoneData) -> SupportMilestone:
    if not permissions.can_plan_milestones(user, plan):
        raise StartupForbidden(_l("Only the mentor and the moderators can add milestones."))
    title = _line(data.title, "title", _l("Write the milestone's title."))
    if data.due_date is None:
        raise StartupError(_l("Enter the due date."), "due_date")
    deliverable = _text(data.deliverable, "deliverable", _l("Describe the deliverable."))
    milestone = SupportMilestone(plan_id=plan.id, title=title, due_date=data.due_date, deliverable=deliverable,
                          status=MilestoneStatus.OPEN)
    db.session.add(milestone)
    db.session.flush()
    return milestone


def submit_milestone(user: User, milestone: SupportMilestone, text: str, file: FileStorage | None = None) -> SupportMilestone:
    """The team gives its evidence: a text and, if any, a file (type checked from its content)."""
    plan = milestone.plan
    if not permissions.can_work_on_milestones(user, plan):
        raise StartupForbidden(_l("Only the team can submit the evidence of a milestone."))
    if milestone.is_approved:
        raise StartupConflict(_l("This milestone is already approved."))
    evidence = _text(text, "evidence", _l("Describe what was done: the evidence of the milestone."))
    stored = None
    if file is not None and getattr(file, "filename", None):
        stored = files.store(file, "evidenza", field="file")
    try:
        milestone.evidence_text = evidence
        milestone.status = MilestoneStatus.SUBMITTED
        milestone.submitted_at = utcnow()
        if stored is not None:
            db.session.add(SupportEvidence(milestone_id=milestone.id, stored_name=stored.stored_name,
                                    original_name=stored.original_name, content_type=stored.file_type.content_type,
                                    size=stored.size, uploaded_by_id=user.id))
        db.session.flush()
    except Exception:
        if stored is not None:
            files.discard(stored.stored_name)
        raise
    return milestone


def approve_milestone(user: User, milestone: SupportMilestone) -> SupportMilestone:
    plan = milestone.plan
    if not permissions.can_approve_milestone(user, plan):
        raise StartupForbidden(_l("Only the mentor and the moderators can approve a milestone."))
    if not milestone.awaiting_approval:
        raise StartupConflict(_l("Only a milestone with its evidence submitted can be approved."))
    milestone.status = MilestoneStatus.APPROVED
    milestone.approved_at = utcnow()
    milestone.approved_by_id = user.id
    db.session.flush()
    audit.record(user, "startup.milestone_approved", "support_milestone", milestone.id,
                 summary=f"{plan.idea.title}: {milestone.title}", city_id=plan.city_id)
    return milestone


# --- gates --------------------------------------------------------------------------------------------

def add_gate(user: User, plan: SupportPlan, title: str, milestone_ids: list[int]) -> SupportGate:
    _manager_only(user, plan)
    title = _line(title, "title", _l("Write the gate's title."))
    wanted = set(milestone_ids or [])
    chosen = [m for m in plan.milestones if m.id in wanted]
    if not wanted or len(chosen) != len(wanted):
        raise StartupError(_l("Choose the milestones of this plan the gate needs."), "milestones")
    position = max((g.position for g in plan.gates), default=0) + 1
    gate = SupportGate(plan_id=plan.id, position=position, title=title)
    gate.milestones = chosen
    db.session.add(gate)
    db.session.flush()
    db.session.expire(plan, ["gates"])
    audit.record(user, "startup.gate_added", "support_gate", gate.id, summary=f"{plan.idea.title}: {title}",
                 city_id=plan.city_id)
    return gate


def approve_gate(user: User, gate: SupportGate) -> SupportGate:
    plan = gate.plan
    _manager_only(user, plan)
    if gate.is_passed:
        raise StartupConflict(_l("This gate is already passed."))
    earlier = [g for g in plan.gates if g.position < gate.position and not g.is_passed]
    if earlier:
        raise StartupConflict(_l("Approve the earlier gates first: gates are passed in their order."))
    if not all(m.is_approved for m in gate.milestones):
        raise StartupConflict(_l("A gate is passed when all its milestones are approved: some are not yet."))
    gate.approved_at = utcnow()
    gate.approved_by_id = user.id
    db.session.flush()
    audit.record(user, "startup.gate_approved", "support_gate", gate.id,
                 summary=f"{plan.idea.title}: {gate.position}. {gate.title}", city_id=plan.city_id)
    return gate


def fund(user: User, plan: SupportPlan, reason: str) -> PostEvent:
    """Passing the last gate lets a moderator move the idea to "funded"."""
    _manager_only(user, plan)
    if not plan.gates:
        raise StartupConflict(_l("Add the stage gates of the plan first: the idea is funded after the last one."))
    if gates_pending(plan):
        raise StartupConflict(_l("This idea cannot be funded yet: its start-up support plan has stage gates not "
                                 "passed. A moderator approves the last gate first."))
    return lifecycle.perform(user, plan.idea, "fund", reason)


# --- notes and updates ------------------------------------------------------------------------------

def add_note(user: User, plan: SupportPlan, body: str) -> PrivateNote:
    """A private note: never notified, never listed anywhere public."""
    if not permissions.can_use_workspace(user, plan):
        raise StartupForbidden(_l("Only the team, the mentor and the moderators can write private notes."))
    text = _text(body, "body", _l("Write the note."))
    note = PrivateNote(plan_id=plan.id, author_id=user.id, body_markdown=text, body_html=render_markdown(text))
    db.session.add(note)
    db.session.flush()
    return note


def notes_of(plan: SupportPlan) -> list[PrivateNote]:
    return list(db.session.scalars(select(PrivateNote).where(PrivateNote.plan_id == plan.id)
                                   .options(joinedload(PrivateNote.author))
                                   .order_by(PrivateNote.created_at.desc(), PrivateNote.id.desc())))


def add_update(user: User, plan: SupportPlan, body: str) -> ProgressUpdate:
    """A public progress update, notified to the idea's followers."""
    if not permissions.can_post_update(user, plan):
        raise StartupForbidden(_l("Only the team and the mentor can publish progress updates."))
    text = _text(body, "body", _l("Write the update."))
    update = ProgressUpdate(plan_id=plan.id, author_id=user.id, body_markdown=text, body_html=render_markdown(text))
    db.session.add(update)
    db.session.flush()
    notify("startup.update", "idea", plan.idea_id, actor=user, recipients=follows.follower_ids("idea", plan.idea_id),
           plan_id=plan.id)
    return update


def updates_of(plan: SupportPlan) -> list[ProgressUpdate]:
    return list(db.session.scalars(select(ProgressUpdate).where(ProgressUpdate.plan_id == plan.id)
                                   .options(joinedload(ProgressUpdate.author))
                                   .order_by(ProgressUpdate.created_at.desc(), ProgressUpdate.id.desc())))


NOTIFICATION_EVENTS = (
    event("startup.update", lambda n, title: _(
        "%(name)s published a progress update of the start-up support of \"%(title)s\".",
        name=n.actor.display_name if n.actor is not None else _("Someone"), title=title)),
)
