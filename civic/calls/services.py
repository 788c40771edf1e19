"""Creating, editing and publishing calls. Every rule about a call's content lives here;
forms only collect the input, views only translate outcomes into pages."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from civic.accounts.models import User
from civic.audit import services as audit
from civic.calls import permissions, phases
from civic.calls.models import Call, CallCriterion, CallPhase, CallStatus, Evaluation, PhaseKind
from civic.core.richtext import render_markdown
from civic.core.rules import Conflict, RuleError
from civic.core.schedule import check_sequence
from civic.core.text import checked_text, has_forbidden_characters, normalise_line
from civic.core.timeutil import utcnow
from civic.extensions import db
from civic.posts.models import Idea, Post
from civic.posts.services import PostForbidden
from civic.territories.models import City, Priority, Programme, SpecificObjective, Theme

log = logging.getLogger("civic.calls")

TITLE_MAX = 200
TEXT_MAX = 20_000
BUDGET_MAX = Decimal("10000000000")  # ten billion euros: more than any programme
CRITERIA_MAX = 8
CRITERION_NAME_MAX = 200
# The two specific objectives of the programme's social-inclusion priorities.
OBJECTIVES = ("ESO4.8", "ESO4.11")


class CallError(RuleError):
    """The call as written breaks a rule (422, shown on the form)."""


@dataclass
class PhaseData:
    kind: str
    starts_on: date | None = None
    ends_on: date | None = None


@dataclass
class CriterionData:
    name: str
    weight: int | None


@dataclass
class CallData:
    title: str
    description: str
    programme_id: int | None
    objective_id: int | None
    budget: Decimal | None
    eligibility: str
    priority_id: int | None = None
    theme_ids: tuple[int, ...] = ()
    phases: list[PhaseData] = field(default_factory=list)
    criteria: list[CriterionData] = field(default_factory=list)


def _require_moderator(user: User | None, city: City) -> None:
    if not permissions.can_manage_calls(user, city):
        raise PostForbidden(_l("Only the moderators of %(city)s can manage its calls.", city=city.name))


def _text(value: str | None, field_name: str, label_missing, maximum: int = TEXT_MAX) -> str:
    return checked_text(value, field_name, maximum=maximum, missing=label_missing, error=CallError)


def _checked_phases(items: list[PhaseData]) -> list[PhaseData]:
    """Present phases in their fixed order, each with its dates, none overlapping the next."""
    known = {k.value for k in PhaseKind}
    if any(p.kind not in known for p in items) or len({p.kind for p in items}) != len(items):
        raise CallError(_l("Each phase can appear only once."), "phases")
    present = [p for p in items if p.starts_on or p.ends_on]
    if not present:
        raise CallError(_l("Give the dates of at least one phase: a call without phases cannot run."), "phases")
    return check_sequence(present, PhaseKind, PhaseKind.RESULTS, CallError)


def _checked_criteria(items: list[CriterionData], needs_criteria: bool) -> list[CriterionData]:
    criteria = []
    for item in items:
        name = normalise_line(item.name or "")
        if not name and item.weight is None:
            continue  # an empty row of the form
        if has_forbidden_characters(item.name or ""):
            raise CallError(_l("This field contains characters that are not allowed."), "criteria")
        if not name:
            raise CallError(_l("Each criterion with a weight needs a name."), "criteria")
        if len(name) > CRITERION_NAME_MAX:
            raise CallError(_l("A criterion's name can have at most %(num)d characters.", num=CRITERION_NAME_MAX),
                            "criteria")
        if item.weight is None or not 1 <= item.weight <= 100:
            raise CallError(_l("The weight of \"%(name)s\" must be a whole number from 1 to 100.", name=name),
                            "criteria")
        criteria.append(CriterionData(name, item.weight))
    if len({c.name.casefold() for c in criteria}) != len(criteria):
        raise CallError(_l("Two criteria have the same name."), "criteria")
    if len(criteria) > CRITERIA_MAX:
        raise CallError(_l("Use at most %(num)d criteria.", num=CRITERIA_MAX), "criteria")
    if needs_criteria and not criteria:
        raise CallError(_l("An evaluation phase needs evaluation criteria with their weights."), "criteria")
    total = sum(c.weight for c in criteria)
    if criteria and total != 100:
        raise CallError(_l("The weights of the criteria must add up to 100 (now they add up to %(total)d).",
                           total=total), "criteria")
    return criteria


@dataclass
class _Checked:
    """A call's input after every rule passed: ready to be written."""

    title: str
    description: str
    eligibility: str
    programme: Programme
    priority: Priority | None
    objective: SpecificObjective
    budget: Decimal
    themes: list[Theme]
    phases: list[PhaseData]
    criteria: list[CriterionData]


def _check(data: CallData) -> _Checked:
    title = _text(data.title, "title", _l("Enter a title."), TITLE_MAX)
    if len(normalise_line(title)) < 5:
        raise CallError(_l("Enter at least %(num)d characters.", num=5), "title")
    description = _text(data.description, "description", _l("Write a description."))
    eligibility = _text(data.eligibility, "eligibility", _l("Say who can take part and on which conditions."))
    programme = db.session.get(Programme, data.programme_id) if data.programme_id else None
    if programme is None:
        raise CallError(_l("Choose the programme that funds the call."), "programme")
    priority = db.session.get(Priority, data.priority_id) if data.priority_id else None
    if data.priority_id and (priority is None or priority.programme_id != programme.id):
        raise CallError(_l("Choose a priority of the programme %(programme)s.", programme=programme.name), "priority")
    objective = db.session.get(SpecificObjective, data.objective_id) if data.objective_id else None
    if objective is None or objective.code not in OBJECTIVES:
        raise CallError(_l("Choose the specific objective: ESO4.8 or ESO4.11."), "objective")
    if data.budget is None or not data.budget.is_finite() or not 0 <= data.budget <= BUDGET_MAX:
        raise CallError(_l("Enter the budget available, in euros (0 or more)."), "budget")
    themes = list(db.session.scalars(select(Theme).where(Theme.id.in_(data.theme_ids)))) if data.theme_ids else []
    if not themes or len(themes) != len(set(data.theme_ids)):
        raise CallError(_l("Choose at least one theme."), "themes")
    present = _checked_phases(data.phases)
    criteria = _checked_criteria(data.criteria, any(p.kind == PhaseKind.EVALUATION for p in present))
    return _Checked(title, description, eligibility, programme, priority, objective,
                    data.budget.quantize(Decimal("0.01")), themes, present, criteria)


def _write(call: Call, checked: _Checked) -> None:
    call.set_title(checked.title)
    call.description_markdown, call.description_html = checked.description, render_markdown(checked.description)
    call.eligibility_markdown, call.eligibility_html = checked.eligibility, render_markdown(checked.eligibility)
    call.programme, call.priority, call.objective = checked.programme, checked.priority, checked.objective
    call.budget_eur = checked.budget
    call.themes = checked.themes
    criteria = [(c.name, c.weight) for c in checked.criteria]
    rewrite_criteria = criteria != [(c.name, c.weight) for c in call.criteria]
    if call.id is not None:
        # The old rows go first: the new ones reuse their (call, kind) and (call, position).
        call.phases = []
        if rewrite_criteria:
            call.criteria = []
        db.session.flush()
    call.phases = [CallPhase(kind=p.kind, starts_on=p.starts_on, ends_on=p.ends_on) for p in checked.phases]
    if rewrite_criteria:
        call.criteria = [CallCriterion(position=i, name=n, weight=w) for i, (n, w) in enumerate(criteria, 1)]


def create_call(user: User, city: City, data: CallData) -> Call:
    _require_moderator(user, city)
    checked = _check(data)
    call = Call(city=city, status=CallStatus.DRAFT, created_by=user)
    _write(call, checked)
    db.session.add(call)
    db.session.flush()
    audit.record(user, "call.create", "call", call.id, call.title, city_id=city.id)
    log.info("call created", extra={"call_id": call.id, "user_id": user.id})
    return call


def check_can_edit(user: User | None, call: Call) -> None:
    _require_moderator(user, call.city)
    if call.results_published_at is not None:
        raise Conflict(_l("The results of this call are published: it can no longer be changed."))


def update_call(user: User, call: Call, data: CallData) -> None:
    check_can_edit(user, call)
    checked = _check(data)
    # The scores given so far refer to the criteria: once someone scored, they stay as they are.
    if [(c.name, c.weight) for c in checked.criteria] != [(c.name, c.weight) for c in call.criteria] \
            and _evaluation_started(call):
        raise CallError(_l("The evaluation has started: the criteria and their weights can no longer change."),
                        "criteria")
    _write(call, checked)
    db.session.flush()
    audit.record(user, "call.edit", "call", call.id, call.title, city_id=call.city_id)


def _evaluation_started(call: Call) -> bool:
    return db.session.scalar(select(func.count()).select_from(Evaluation).where(Evaluation.call_id == call.id)) > 0


def publish_call(user: User, call: Call) -> None:
    """A draft becomes public; only once (a second click is told it already happened)."""
    _require_moderator(user, call.city)
    if not call.phases:
        raise CallError(_l("Give the dates of at least one phase: a call without phases cannot run."))
    published = db.session.execute(
        update(Call).where(Call.id == call.id, Call.status == CallStatus.DRAFT)
        .values(status=CallStatus.PUBLISHED, published_at=utcnow()).returning(Call.id)
    ).first()
    if published is None:
        raise Conflict(_l("This call is already published."))
    db.session.expire(call, ["status", "published_at"])
    audit.record(user, "call.publish", "call", call.id, call.title, city_id=call.city_id)


def idea_counts(call_ids: list[int]) -> dict[int, int]:
    """Visible ideas per call, in one query."""
    if not call_ids:
        return {}
    rows = db.session.execute(
        select(Idea.call_id, func.count()).where(Idea.call_id.in_(call_ids), Post.hidden_at.is_(None))
        .group_by(Idea.call_id))
    return dict(rows.all())


def running_calls(city: City, limit: int = 5) -> list[Call]:
    """Published calls of the city whose results are not out yet, newest first (for the city page)."""
    return list(db.session.scalars(
        select(Call).where(Call.city_id == city.id, Call.status == CallStatus.PUBLISHED,
                           Call.results_published_at.is_(None))
        .options(selectinload(Call.phases)).order_by(Call.published_at.desc()).limit(limit)))


def open_calls(city: City) -> list[Call]:
    """Published calls of the city that accept ideas today."""
    return [c for c in running_calls(city, limit=50) if phases.accepts_ideas(c)]


def check_idea_submitted(idea, *, city: City, call_id: int, **_) -> None:
    """Receiver of civic.core.signals.idea_submitting: the call chosen exists and takes ideas today."""
    call = db.session.get(Call, call_id)
    if call is None:
        raise CallError(_l("Choose one of the calls open in %(city)s.", city=city.name), "call")
    check_accepts_ideas(call, city)


def check_accepts_ideas(call: Call, city: City) -> None:
    """An idea may join a call of its own city during the submission phase only."""
    if call.city_id != city.id or call.status != CallStatus.PUBLISHED:
        raise CallError(_l("Choose one of the calls open in %(city)s.", city=city.name), "call")
    if not phases.accepts_ideas(call):
        submission = phases.phase_of(call, PhaseKind.SUBMISSION)
        if submission is None:
            raise CallError(_l("This call does not collect ideas."), "call")
        raise CallError(_l("This call collects ideas from %(start)s to %(end)s: it is not open now.",
                           start=_day(submission.starts_on), end=_day(submission.ends_on)), "call")


def _day(value: date | None) -> str:
    from flask_babel import format_date

    return format_date(value, "long") if value else ""
