"""Funded projects: creation (from an idea that gets funded, or by a moderator), the project's
data, money (commitments and payments), milestones, indicators and public updates.

Services take the acting user, check, change state and flush; the view commits once. Refusals
are RuleErrors: 422 for what was typed, 403 for who acts, 409 for a conflict (a CUP already used).

Money rules: amounts > 0 with at most two decimals; paid total ≤ committed total ≤ public funding,
unless the moderator confirms an explained exception (stored on the row and in the audit log).
Totals live in columns changed only here, after locking the project row (SELECT ... FOR UPDATE
on PostgreSQL; on SQLite a first UPDATE of the row takes the database's single write lock), and
the checks read the totals again after the lock: two simultaneous payments cannot both pass.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from werkzeug.datastructures import FileStorage

from civic.accounts.models import User
from civic.audit import services as audit
from civic.codesign.models import CodesignPartner, CodesignProcess
from civic.core.richtext import render_markdown
from civic.core.rules import Conflict, Forbidden, RuleError
from civic.core.text import checked_line, checked_text
from civic.core.timeutil import utcnow
from civic.extensions import db
from civic.notifications import follows
from civic.notifications.reading import event
from civic.notifications.services import notify
from civic.orgs.fiscal import normalise_codice_fiscale
from civic.posts.models import Idea
from civic.posts.models import PostStatus as S
from civic.projects import permissions
from civic.projects.figures import refresh_figures
from civic.projects.models import (
    CUP_PATTERN,
    Commitment,
    FundedProject,
    Indicator,
    Milestone,
    PartnerRole,
    Payment,
    ProjectPartner,
    ProjectStatus,
    ProjectUpdate,
)
from civic.projects.money import parse_amount
from civic.territories.models import City, Neighbourhood, Priority, Programme, SpecificObjective, Theme
from civic.uploads.services import save_image

log = logging.getLogger("civic.projects")

KIND = "project"
TITLE_MAX = 200
TEXT_MAX = 20_000
REASON_MAX = 2_000
DESCRIPTION_MAX = 300
LOCAL_CODE = re.compile(r"^[A-Z0-9][A-Z0-9.\-/]{1,39}$")

NOTIFICATION_EVENTS = (
    event("project.update", lambda n, title: _(
        "New update on the funded project \"%(title)s\".", title=title)),
    event("project.status", lambda n, title: _(
        "The funded project \"%(title)s\" is now \"%(status)s\".", title=title,
        status=ProjectStatus(n.params.get("status", "not_started")).label)),
)


class ProjectError(RuleError):
    """What was typed breaks a rule (422)."""


class ProjectForbidden(Forbidden):
    pass


class ProjectConflict(Conflict):
    pass


def _require_manager(user: User | None, city: City) -> None:
    if not permissions.can_manage(user, city):
        raise ProjectForbidden(_l("Only the moderators of %(city)s can manage its funded projects.", city=city.name))


def _text(value: str | None, field_name: str, missing=None, maximum: int = TEXT_MAX) -> str:
    return checked_text(value, field_name, maximum=maximum, missing=missing, error=ProjectError)


def _line(value: str | None, field_name: str, missing=None, minimum: int = 0, maximum: int = TITLE_MAX) -> str:
    return checked_line(value, field_name, maximum=maximum, missing=missing, minimum=minimum, error=ProjectError)


def check_cup(raw: str | None) -> str | None:
    """The CUP in capitals, None when empty, or ProjectError."""
    value = re.sub(r"\s+", "", raw or "").upper()
    if not value:
        return None
    if len(value) != 15:
        raise ProjectError(_l("A CUP has 15 characters (you entered %(got)d).", got=len(value)), "cup")
    if not re.fullmatch(CUP_PATTERN, value):
        raise ProjectError(_l("This CUP is not valid: it is a letter, two digits, a letter and eleven digits "
                              "(e.g. D11B16000230007)."), "cup")
    return value


def _positive(raw: str | None, field_name: str, allow_zero: bool = False) -> Decimal:
    value = parse_amount(raw, field_name)
    if value < 0 or (value == 0 and not allow_zero):
        raise ProjectError(_l("Enter an amount greater than zero."), field_name)
    return value


# --- creation -----------------------------------------------------------------------------------

def project_for_idea(idea) -> FundedProject | None:
    return db.session.scalar(select(FundedProject).where(FundedProject.idea_id == idea.id))


def _default_beneficiary(city: City) -> str:
    return f"Comune di {city.name}"


def create_for_idea(user: User, idea: Idea) -> FundedProject:
    """The project of an idea that got funded: created once, from what the idea and its co-design say.
    A moderator completes the rest (CUP, money, dates)."""
    existing = project_for_idea(idea)
    if existing is not None:
        return existing
    project = FundedProject(city_id=idea.city_id, idea_id=idea.id, status=ProjectStatus.NOT_STARTED,
                            summary_markdown=idea.summary, summary_html=render_markdown(idea.summary),
                            beneficiary_name=_default_beneficiary(idea.city), created_by_id=user.id,
                            theme_id=idea.theme_id,
                            funding_total=Decimal("0.00"), eu_share=Decimal("0.00"),
                            committed_total=Decimal("0.00"), paid_total=Decimal("0.00"))
    project.set_title(idea.title[:TITLE_MAX])
    if idea.call is not None:
        project.programme_id = idea.call.programme_id
        project.priority_id = idea.call.priority_id
        project.objective_id = idea.call.objective_id
    if idea.neighbourhood is not None:
        project.neighbourhoods = [idea.neighbourhood]
    db.session.add(project)
    db.session.flush()
    partners = db.session.scalars(
        select(CodesignPartner).join(CodesignProcess, CodesignPartner.process_id == CodesignProcess.id)
        .where(CodesignProcess.idea_id == idea.id).order_by(CodesignPartner.id))
    for partner in partners:
        role = PartnerRole.LEAD.value if partner.role == PartnerRole.LEAD.value else PartnerRole.PARTNER.value
        db.session.add(ProjectPartner(project_id=project.id, organisation_id=partner.organisation_id, role=role))
    db.session.flush()
    if idea.author_id is not None:
        follows.follow(db.session.get(User, idea.author_id), KIND, project.id, check_visible=False)
    audit.record(user, "project.create", "project", project.id, project.title, city_id=project.city_id)
    log.info("funded project created", extra={"project_id": project.id, "post_id": idea.id})
    return project


def create_when_funded(status: S, *, user: User, idea: Idea, **_) -> None:
    """Receiver of civic.core.signals.idea_moved for FUNDED (connected by civic/wiring.py)."""
    create_for_idea(user, idea)


@dataclass
class ProjectData:
    title: str
    summary: str
    cup: str = ""
    local_code: str = ""
    programme_id: int | None = None
    priority_id: int | None = None
    objective_id: int | None = None
    theme_id: int | None = None
    action: str = ""
    beneficiary_name: str = ""
    beneficiary_tax_code: str = ""
    neighbourhood_ids: list[int] = field(default_factory=list)
    starts_on: date | None = None
    planned_end_on: date | None = None
    ended_on: date | None = None
    status: str = ProjectStatus.NOT_STARTED
    funding_total: str = "0"
    eu_share: str = "0"
    exception: bool = False
    exception_reason: str = ""


def _apply(user: User, project: FundedProject, city: City, data: ProjectData) -> list[str]:
    """Check and set the project's fields; the list of what changed that the audit log must show."""
    title = _line(data.title, "title", _l("Enter a title."), minimum=5)
    summary = _text(data.summary, "summary", _l("Write a public summary of the project."))
    cup = check_cup(data.cup)
    if project.cup and cup != project.cup:
        raise ProjectError(_l("The CUP of a project never changes: it stays %(cup)s.", cup=project.cup), "cup")
    local_code = _line(data.local_code, "local_code", maximum=40).upper() or None
    if local_code and not LOCAL_CODE.match(local_code):
        raise ProjectError(_l("Write the local project code with capital letters, digits and dots, "
                              "e.g. TO4.4.11.1.b."), "local_code")
    programme = db.session.get(Programme, data.programme_id) if data.programme_id else None
    if data.programme_id and programme is None:
        raise ProjectError(_l("Choose a programme from the list."), "programme")
    priority = db.session.get(Priority, data.priority_id) if data.priority_id else None
    if data.priority_id and (priority is None or programme is None or priority.programme_id != programme.id):
        raise ProjectError(_l("Choose an axis or priority of the chosen programme."), "priority")
    if data.objective_id and db.session.get(SpecificObjective, data.objective_id) is None:
        raise ProjectError(_l("Choose a specific objective from the list."), "objective")
    if data.theme_id and db.session.get(Theme, data.theme_id) is None:
        raise ProjectError(_l("Choose a theme from the list."), "theme")
    neighbourhoods = []
    if data.neighbourhood_ids:
        neighbourhoods = list(db.session.scalars(select(Neighbourhood).where(
            Neighbourhood.id.in_(data.neighbourhood_ids), Neighbourhood.city_id == city.id)))
        if len(neighbourhoods) != len(set(data.neighbourhood_ids)):
            raise ProjectError(_l("Choose neighbourhoods of %(city)s.", city=city.name), "neighbourhoods")
    beneficiary = _line(data.beneficiary_name, "beneficiary_name") or _default_beneficiary(city)
    tax_code = (normalise_codice_fiscale(data.beneficiary_tax_code, "beneficiary_tax_code")
                if (data.beneficiary_tax_code or "").strip() else None)
    if data.status not in {s.value for s in ProjectStatus}:
        raise ProjectError(_l("Choose a status from the list."), "status")
    for first, then, name in ((data.starts_on, data.planned_end_on, "planned_end_on"),
                              (data.starts_on, data.ended_on, "ended_on")):
        if first and then and then < first:
            raise ProjectError(_l("The end cannot come before the start."), name)
    if data.status == ProjectStatus.COMPLETED and data.ended_on is None:
        raise ProjectError(_l("Enter the actual end date of a completed project."), "ended_on")
    funding = _positive(data.funding_total, "funding_total", allow_zero=True)
    eu_share = _positive(data.eu_share, "eu_share", allow_zero=True)
    if eu_share > funding:
        raise ProjectError(_l("The EU share cannot exceed the public funding."), "eu_share")
    if cup and cup != project.cup:
        taken = db.session.scalar(select(FundedProject.id).where(FundedProject.cup == cup,
                                                                 FundedProject.id != (project.id or 0)))
        if taken is not None:
            raise ProjectConflict(_l("The CUP %(cup)s is already used by another project.", cup=cup), "cup")
    if local_code and (local_code != project.local_code or (programme.id if programme else None)
                       != project.programme_id):
        taken = db.session.scalar(select(FundedProject.id).where(
            FundedProject.local_code == local_code, FundedProject.programme_id == (programme.id if programme else None),
            FundedProject.id != (project.id or 0)))
        if taken is not None:
            raise ProjectConflict(_l("The local code %(code)s is already used by another project of this "
                                     "programme.", code=local_code), "local_code")
    changed = []
    if project.id is not None and funding < (project.committed_total or 0) and not data.exception:
        raise ProjectError(_l("The public funding cannot be lower than what is already committed "
                              "(%(amount)s): confirm the exception and explain it.",
                              amount=f"{project.committed_total}"), "funding_total")
    reason = ""
    if data.exception:
        reason = _text(data.exception_reason, "exception_reason", _l("Explain the exception."), REASON_MAX)
    if project.funding_total != funding or project.eu_share != eu_share:
        changed.append(f"funding {project.funding_total} → {funding}, EU share {project.eu_share} → {eu_share}")
    if project.status != data.status:
        changed.append(f"status {project.status} → {data.status}")
    project.set_title(title)
    project.summary_markdown, project.summary_html = summary, render_markdown(summary)
    project.cup, project.local_code = cup, local_code
    project.programme_id = programme.id if programme else None
    project.priority_id = priority.id if priority else None
    project.objective_id = data.objective_id or None
    project.theme_id = data.theme_id or None
    project.action = _line(data.action, "action", maximum=300)
    project.beneficiary_name, project.beneficiary_tax_code = beneficiary, tax_code
    project.neighbourhoods = neighbourhoods
    project.starts_on, project.planned_end_on, project.ended_on = data.starts_on, data.planned_end_on, data.ended_on
    project.status = data.status
    project.funding_total, project.eu_share = funding, eu_share
    if reason:
        changed.append(f"exception: {reason}")
    return changed


def create_project(user: User, city: City, data: ProjectData) -> FundedProject:
    _require_manager(user, city)
    project = FundedProject(city_id=city.id, city=city, created_by_id=user.id, committed_total=Decimal("0.00"),
                            paid_total=Decimal("0.00"), funding_total=Decimal("0.00"), eu_share=Decimal("0.00"),
                            status=ProjectStatus.NOT_STARTED)
    project.status = ""
    changed = _apply(user, project, city, data)
    db.session.add(project)
    db.session.flush()
    audit.record(user, "project.create", "project", project.id, "; ".join([project.title, *changed]),
                 city_id=city.id)
    return project


def update_project(user: User, project: FundedProject, data: ProjectData) -> None:
    _require_manager(user, project.city)
    _lock(project)
    before = project.status
    changed = _apply(user, project, project.city, data)
    db.session.flush()
    if changed:
        audit.record(user, "project.update", "project", project.id, "; ".join([project.title, *changed]),
                     reason=data.exception_reason if data.exception else "", city_id=project.city_id)
    if before != project.status:
        notify("project.status", KIND, project.id, actor=user, status=project.status)


# --- money --------------------------------------------------------------------------------------

def _lock(project: FundedProject) -> None:
    """Hold the project row until the commit, then read it again."""
    table = FundedProject.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(table.c.id).where(table.c.id == project.id).with_for_update())
    else:
        # The first write of a SQLite transaction takes the database's write lock: other writers wait.
        db.session.execute(update(table).where(table.c.id == project.id).values(id=table.c.id))
    db.session.refresh(project, ["funding_total", "committed_total", "paid_total", "cup", "status"])


@dataclass
class MoneyData:
    made_on: date | None
    amount: str
    description: str = ""
    exception: bool = False
    exception_reason: str = ""


def _money(data: MoneyData) -> tuple[Decimal, str, str]:
    if data.made_on is None:
        raise ProjectError(_l("Enter the date."), "made_on")
    amount = _positive(data.amount, "amount")
    description = _line(data.description, "description", maximum=DESCRIPTION_MAX)
    reason = ""
    if data.exception:
        reason = _text(data.exception_reason, "exception_reason",
                       _l("Explain why this exception to the rule is correct."), REASON_MAX)
    return amount, description, reason


def add_commitment(user: User, project: FundedProject, data: MoneyData) -> Commitment:
    _require_manager(user, project.city)
    amount, description, reason = _money(data)
    _lock(project)
    total = project.committed_total + amount
    if total > project.funding_total and not data.exception:
        raise ProjectError(_l("With this commitment the commitments (%(total)s €) would exceed the public funding "
                              "(%(funding)s €). Check the amount, or confirm the exception and explain it.",
                              total=total, funding=project.funding_total), "amount")
    row = Commitment(project_id=project.id, made_on=data.made_on, amount=amount, description=description,
                     exception_reason=reason, created_by_id=user.id)
    db.session.add(row)
    project.committed_total = total
    db.session.flush()
    audit.record(user, "project.commitment", "project", project.id,
                 f"{project.title}: + {amount} € committed ({total} € in all)", reason=reason,
                 city_id=project.city_id)
    return row


def add_payment(user: User, project: FundedProject, data: MoneyData) -> Payment:
    _require_manager(user, project.city)
    amount, description, reason = _money(data)
    _lock(project)
    total = project.paid_total + amount
    if total > project.committed_total and not data.exception:
        raise ProjectError(_l("With this payment the payments (%(total)s €) would exceed the commitments "
                              "(%(committed)s €). Check the amount, or confirm the exception and explain it.",
                              total=total, committed=project.committed_total), "amount")
    row = Payment(project_id=project.id, made_on=data.made_on, amount=amount, description=description,
                  exception_reason=reason, created_by_id=user.id)
    db.session.add(row)
    project.paid_total = total
    db.session.flush()
    audit.record(user, "project.payment", "project", project.id,
                 f"{project.title}: + {amount} € paid ({total} € in all)", reason=reason, city_id=project.city_id)
    return row


# --- milestones and indicators ------------------------------------------------------------------

def weights_total(project: FundedProject) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(Milestone.weight), 0))
                             .where(Milestone.project_id == project.id)) or 0


def add_milestone(user: User, project: FundedProject, title: str, due_on: date | None, weight: int | None
                  ) -> Milestone:
    """Milestones are added one by one; their weights may not go above 100 in all, and progress
    counts only once they make exactly 100 (completing one is refused before)."""
    _require_manager(user, project.city)
    title = _line(title, "title", _l("Enter a title."), minimum=3)
    if due_on is None:
        raise ProjectError(_l("Enter the date."), "due_on")
    if weight is None or not 1 <= weight <= 100:
        raise ProjectError(_l("The weight is a whole number from 1 to 100."), "weight")
    _lock(project)
    total = weights_total(project) + weight
    if total > 100:
        raise ProjectError(_l("The weights of the milestones must make 100 in all: with this one they would "
                              "make %(total)d.", total=total), "weight")
    milestone = Milestone(project_id=project.id, title=title, due_on=due_on, weight=weight)
    db.session.add(milestone)
    db.session.flush()
    audit.record(user, "project.milestone", "project", project.id, f"{project.title}: {title} ({weight})",
                 city_id=project.city_id)
    return milestone


def complete_milestone(user: User, milestone: Milestone) -> None:
    project = db.session.get(FundedProject, milestone.project_id)
    _require_manager(user, project.city)
    _lock(project)
    if weights_total(project) != 100:
        raise ProjectConflict(_l("The weights of the milestones make %(total)d, not 100: add the missing "
                                 "milestones before marking one as reached.", total=weights_total(project)))
    if milestone.completed_at is not None:
        raise ProjectConflict(_l("This milestone is already reached."))
    milestone.completed_at = utcnow()
    db.session.flush()
    db.session.expire(project, ["milestones"])
    audit.record(user, "project.milestone_reached", "project", project.id, f"{project.title}: {milestone.title}",
                 city_id=project.city_id)


@dataclass
class IndicatorData:
    code: str
    name: str
    unit: str
    target: str
    achieved: str = "0"
    women: int | None = None
    men: int | None = None


def save_indicator(user: User, project: FundedProject, data: IndicatorData,
                   indicator: Indicator | None = None) -> Indicator:
    _require_manager(user, project.city)
    code = _line(data.code, "code", _l("Enter the indicator's code, e.g. EECO16."), maximum=20).upper()
    name = _line(data.name, "name", _l("Enter the indicator's name."), minimum=3)
    unit = _line(data.unit, "unit", _l("Enter the unit of measure."), maximum=40)
    target = parse_amount(data.target, "target")
    achieved = parse_amount(data.achieved or "0", "achieved")
    for value, name_ in ((data.women, "women"), (data.men, "men")):
        if value is not None and value < 0:
            raise ProjectError(_l("Enter a number of people, zero or more."), name_)
    if data.women is not None and data.men is not None and data.women + data.men > achieved:
        raise ProjectError(_l("Women and men together cannot be more than the value achieved."), "women")
    taken = db.session.scalar(select(Indicator.id).where(Indicator.project_id == project.id, Indicator.code == code,
                                                         Indicator.id != (indicator.id if indicator else 0)))
    if taken is not None:
        raise ProjectConflict(_l("This project already has an indicator %(code)s.", code=code), "code")
    if indicator is None:
        indicator = Indicator(project_id=project.id)
        db.session.add(indicator)
    indicator.code, indicator.name, indicator.unit = code, name, unit
    indicator.target, indicator.achieved, indicator.women, indicator.men = target, achieved, data.women, data.men
    refresh_figures(project)
    db.session.flush()
    db.session.expire(project, ["indicators"])
    audit.record(user, "project.indicator", "project", project.id,
                 f"{project.title}: {code} {achieved}/{target} {unit}", city_id=project.city_id)
    return indicator


# --- updates ------------------------------------------------------------------------------------

def post_update(user: User, project: FundedProject, text: str, image: FileStorage | None = None) -> ProjectUpdate:
    _require_manager(user, project.city)
    body = _text(text, "body", _l("Write the update."))
    image_row = None
    if image is not None and image.filename:
        image_row = save_image(image, user, "image")
    update_row = ProjectUpdate(project_id=project.id, author_id=user.id, body_markdown=body,
                               body_html=render_markdown(body), image_id=image_row.id if image_row else None)
    db.session.add(update_row)
    db.session.flush()
    db.session.expire(project, ["updates"])
    notify("project.update", KIND, project.id, actor=user)
    audit.record(user, "project.update_posted", "project", project.id, project.title, city_id=project.city_id)
    return update_row


# --- corrections --------------------------------------------------------------------------------
# A moderator corrects a commitment, a payment or a milestone not yet reached, or deletes it, giving a
# reason kept in the audit log with the values before and after. Money totals are recomputed under
# the project lock and the money rules hold after the change, as when adding.

def _correction_reason(raw: str | None) -> str:
    return _text(raw, "reason", _l("Explain the reason for this correction."), REASON_MAX)


def _row_text(row) -> str:
    text = f"{row.made_on.isoformat()}, {row.amount} €"
    return f"{text}, «{row.description}»" if row.description else text


def _sum(model, project: FundedProject) -> Decimal:
    return db.session.scalar(select(func.coalesce(func.sum(model.amount), 0))
                             .where(model.project_id == project.id)) or Decimal("0")


def _check_row(project: FundedProject, row) -> None:
    if row is None or row.project_id != project.id:
        raise ProjectError(_l("This row does not belong to this project."))


def _check_totals(project: FundedProject, committed: Decimal, paid: Decimal, *, commitments_up: bool,
                  commitments_down: bool, payments_up: bool, exception: bool, field_name: str) -> None:
    """The money rules after a correction; a rule is checked only when the change moves the totals
    towards breaking it (a correction of a description keeps an exception explained before)."""
    if exception:
        return
    if commitments_up and committed > project.funding_total:
        raise ProjectError(_l("After this correction the commitments (%(total)s €) would exceed the public funding "
                              "(%(funding)s €). Check the amount, or confirm the exception and explain it.",
                              total=committed, funding=project.funding_total), field_name)
    if commitments_down and paid > committed:
        raise ProjectError(_l("After this correction the payments (%(paid)s €) would exceed the commitments "
                              "(%(total)s €). Check the amount, or confirm the exception and explain it.",
                              paid=paid, total=committed), field_name)
    if payments_up and paid > committed:
        raise ProjectError(_l("After this correction the payments (%(paid)s €) would exceed the commitments "
                              "(%(total)s €). Check the amount, or confirm the exception and explain it.",
                              paid=paid, total=committed), field_name)


def _exception_reason(exception: bool, raw: str | None) -> str:
    if not exception:
        return ""
    return _text(raw, "exception_reason", _l("Explain why this exception to the rule is correct."), REASON_MAX)


def _audit_reason(reason: str, exception_reason: str) -> str:
    return f"{reason}\nexception: {exception_reason}" if exception_reason else reason


def correct_money(user: User, project: FundedProject, row: Commitment | Payment, data: MoneyData,
                  reason: str) -> None:
    """Change the date, amount and description of a commitment or a payment."""
    _require_manager(user, project.city)
    _check_row(project, row)
    amount, description, exception_reason = _money(data)
    reason = _correction_reason(reason)
    _lock(project)
    db.session.refresh(row)
    before = _row_text(row)
    is_commitment = isinstance(row, Commitment)
    committed, paid = project.committed_total, project.paid_total
    if is_commitment:
        committed = committed - row.amount + amount
    else:
        paid = paid - row.amount + amount
    _check_totals(project, committed, paid, commitments_up=is_commitment and amount > row.amount,
                  commitments_down=is_commitment and amount < row.amount,
                  payments_up=not is_commitment and amount > row.amount, exception=data.exception,
                  field_name="amount")
    row.made_on, row.amount, row.description = data.made_on, amount, description
    if exception_reason:
        row.exception_reason = exception_reason
    _recount_and_record(user, project, row, "corrected", f"{before} → {_row_text(row)}",
                        _audit_reason(reason, exception_reason))


def delete_money(user: User, project: FundedProject, row: Commitment | Payment, reason: str,
                 exception: bool = False, exception_reason: str = "") -> None:
    """Delete a commitment or a payment recorded by mistake."""
    _require_manager(user, project.city)
    _check_row(project, row)
    reason = _correction_reason(reason)
    exception_reason = _exception_reason(exception, exception_reason)
    _lock(project)
    db.session.refresh(row)
    is_commitment = isinstance(row, Commitment)
    committed, paid = project.committed_total, project.paid_total
    if is_commitment:
        committed -= row.amount
    else:
        paid -= row.amount
    _check_totals(project, committed, paid, commitments_up=False, commitments_down=is_commitment,
                  payments_up=False, exception=exception, field_name="exception")
    before = _row_text(row)
    db.session.delete(row)
    _recount_and_record(user, project, row, "deleted", f"{before} → deleted", _audit_reason(reason, exception_reason))


def _recount_and_record(user: User, project: FundedProject, row: Commitment | Payment, done: str, change: str,
                        reason: str) -> None:
    """After a correction: the totals summed again from the rows, and the audit entry with before → after."""
    db.session.flush()
    project.committed_total, project.paid_total = _sum(Commitment, project), _sum(Payment, project)
    db.session.flush()
    db.session.expire(project, ["commitments", "payments"])
    what = "commitment" if isinstance(row, Commitment) else "payment"
    audit.record(user, f"project.{what}_{done}", "project", project.id,
                 f"{project.title}: {what} #{row.id} {change} "
                 f"({project.committed_total} € committed, {project.paid_total} € paid)",
                 reason=reason, city_id=project.city_id)


def _open_milestone(project: FundedProject, milestone: Milestone) -> None:
    _check_row(project, milestone)
    if milestone.completed_at is not None:
        raise ProjectConflict(_l("This milestone is already reached: it can no longer be changed."))


def update_milestone(user: User, project: FundedProject, milestone: Milestone, title: str, due_on: date | None,
                     weight: int | None) -> None:
    """Change a milestone not yet reached; the weights may still not go above 100 in all."""
    _require_manager(user, project.city)
    _open_milestone(project, milestone)
    title = _line(title, "title", _l("Enter a title."), minimum=3)
    if due_on is None:
        raise ProjectError(_l("Enter the date."), "due_on")
    if weight is None or not 1 <= weight <= 100:
        raise ProjectError(_l("The weight is a whole number from 1 to 100."), "weight")
    _lock(project)
    db.session.refresh(milestone)
    _open_milestone(project, milestone)
    total = weights_total(project) - milestone.weight + weight
    if total > 100:
        raise ProjectError(_l("The weights of the milestones must make 100 in all: with this one they would "
                              "make %(total)d.", total=total), "weight")
    before = f"{milestone.title}, {milestone.due_on.isoformat()}, {milestone.weight}"
    milestone.title, milestone.due_on, milestone.weight = title, due_on, weight
    db.session.flush()
    db.session.expire(project, ["milestones"])
    audit.record(user, "project.milestone_changed", "project", project.id,
                 f"{project.title}: {before} → {title}, {due_on.isoformat()}, {weight}", city_id=project.city_id)


def delete_milestone(user: User, project: FundedProject, milestone: Milestone) -> None:
    _require_manager(user, project.city)
    _open_milestone(project, milestone)
    _lock(project)
    db.session.refresh(milestone)
    _open_milestone(project, milestone)
    summary = f"{project.title}: {milestone.title}, {milestone.due_on.isoformat()}, {milestone.weight} → deleted"
    db.session.delete(milestone)
    db.session.flush()
    db.session.expire(project, ["milestones"])
    audit.record(user, "project.milestone_deleted", "project", project.id, summary, city_id=project.city_id)
