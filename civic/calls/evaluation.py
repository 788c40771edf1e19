"""Evaluating the ideas of a call: each moderator's scores against the call's weighted
criteria, the ranking they make, and the publication of the results, which moves every
open idea of the call to its outcome, with its public answer, in one transaction.

Services take the acting user explicitly and flush; the view commits once. Private notes
are read only through `evaluations_of`, which only the moderators' pages call.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import joinedload, selectinload

from civic.accounts.models import User
from civic.audit import services as audit
from civic.calls import permissions, phases
from civic.calls.models import SCORE_MAX, SCORE_MIN, Call, CallCriterion, Evaluation, EvaluationScore, PhaseKind
from civic.core.rules import Conflict, NotFound, RuleError
from civic.core.text import checked_text
from civic.core.timeutil import utcnow
from civic.extensions import db
from civic.notifications.reading import event
from civic.notifications.services import notify
from civic.posts import lifecycle
from civic.posts.models import Idea, Post, PostEvent, visible_post
from civic.posts.models import PostStatus as S
from civic.posts.services import PostForbidden

log = logging.getLogger("civic.calls.evaluation")

NOTE_MAX = 5_000
ANSWER_MAX = lifecycle.REASON_MAX
# The ideas of a call still waiting for a decision when the results are published, besides the shortlist:
# they are not selected, all with one common answer.
OPEN_NOT_SHORTLISTED = (S.PUBLISHED, S.UNDER_REVIEW)
RESULT_ACTIONS = ("select", "reject")


class EvaluationError(RuleError):
    """What was typed breaks a rule (422, shown on the form)."""


class EvaluationClosed(Conflict):
    """Not possible in the call's current phase or state (409)."""


# --- who and when ----------------------------------------------------------------------------------

def check_moderator(user: User | None, call: Call) -> None:
    if not permissions.can_evaluate(user, call):
        raise PostForbidden(_l("Only the moderators of %(city)s can evaluate the ideas of its calls.",
                               city=call.city.name))


def _day(value) -> str:
    return format_date(value, "long") if value else ""


def scoring_note(call: Call) -> str:
    """When the ideas of this call are scored, in words (why scoring is closed, or until when it is open)."""
    evaluation = phases.phase_of(call, PhaseKind.EVALUATION)
    if call.results_published_at is not None:
        return str(_l("The results of this call are published: the evaluation is closed."))
    if evaluation is None:
        return str(_l("This call has no evaluation phase: its ideas are not scored."))
    dates = {"start": _day(evaluation.starts_on), "end": _day(evaluation.ends_on)}
    if call.is_draft:
        return str(_l("This call is not published yet. Its ideas are scored during the evaluation phase, "
                      "from %(start)s to %(end)s.", **dates))
    today = phases.today()
    if phases.accepts_scores(call, today):
        return str(_l("Scores are accepted during the evaluation phase, from %(start)s to %(end)s.", **dates))
    if today < evaluation.starts_on:
        return str(_l("Ideas are scored during the evaluation phase, from %(start)s to %(end)s: "
                      "it has not started yet.", **dates))
    return str(_l("Ideas were scored during the evaluation phase, from %(start)s to %(end)s: it has ended.",
                  **dates))


def publishing_note(call: Call) -> str:
    """When the results of this call can be published, in words."""
    if call.results_published_at is not None:
        return str(_l("The results of this call were published on %(date)s.", date=_day(call.results_published_at)))
    first = phases.phase_of(call, PhaseKind.EVALUATION) or phases.phase_of(call, PhaseKind.RESULTS)
    if first is None:
        return str(_l("This call has neither an evaluation nor a results phase: its results cannot be published."))
    if call.is_draft:
        return str(_l("This call is not published yet: its results can be published from %(date)s.",
                      date=_day(first.starts_on)))
    if phases.may_publish_results(call):
        return str(_l("The results can be published now, once."))
    return str(_l("The results can be published from %(date)s.", date=_day(first.starts_on)))


def check_idea(call: Call, idea: Post | None) -> Idea:
    """The idea, when it is one of the call's visible ideas (else 404)."""
    if not isinstance(idea, Idea) or idea.call_id != call.id or idea.hidden_at is not None:
        raise NotFound(_l("This idea is not one of the ideas of this call."))
    return idea


def check_can_score(user: User | None, call: Call, idea: Post | None) -> Idea:
    """Everything but the scores themselves: who (403), which idea (404), when (409), its status (422)."""
    check_moderator(user, call)
    idea = check_idea(call, idea)
    if not phases.accepts_scores(call):
        raise EvaluationClosed(scoring_note(call))
    if idea.status != S.SHORTLISTED:
        raise EvaluationError(_l("Only shortlisted ideas are scored: this idea is \"%(status)s\". "
                                 "Shortlist it from its page first.", status=idea.status_label))
    return idea


# --- scoring ---------------------------------------------------------------------------------------

def score_field(criterion_id: int) -> str:
    """The name of a criterion's field on the scoring form (the service names it in its messages)."""
    return f"score_{criterion_id}"


def _checked_scores(call: Call, scores: dict) -> dict[int, int]:
    criteria = list(call.criteria)
    if not criteria:
        raise EvaluationClosed(_l("This call has no evaluation criteria: its ideas cannot be scored."))
    known = {c.id for c in criteria}
    if any(key not in known for key in scores):
        raise EvaluationError(_l("Some scores are for criteria that are not this call's (the criteria may have "
                                 "changed): reload the page and score again."))
    checked = {}
    for criterion in criteria:
        value = scores.get(criterion.id)
        if value is None:
            raise EvaluationError(_l("Give \"%(criterion)s\" a score: a whole number from %(min)d to %(max)d.",
                                     criterion=criterion.name, min=SCORE_MIN, max=SCORE_MAX),
                                  score_field(criterion.id))
        if isinstance(value, bool) or not isinstance(value, int) or not SCORE_MIN <= value <= SCORE_MAX:
            raise EvaluationError(_l("The score of \"%(criterion)s\" must be a whole number from %(min)d to %(max)d.",
                                     criterion=criterion.name, min=SCORE_MIN, max=SCORE_MAX),
                                  score_field(criterion.id))
        checked[criterion.id] = value
    return checked


def _checked_text(value: str | None, field_name: str, maximum: int) -> str:
    return checked_text(value, field_name, maximum=maximum, error=EvaluationError)


def _upsert_evaluation():
    """INSERT ... ON CONFLICT (idea, evaluator) DO UPDATE ... RETURNING id, on both backends.

    Two submissions of the same moderator at once cannot both insert: the second waits for the
    first on the unique index, then updates the row the first wrote (and holds its lock until it
    commits, so the scores below are replaced by one submission at a time)."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    statement = dialect_insert(Evaluation.__table__)
    return statement.on_conflict_do_update(
        index_elements=["idea_id", "evaluator_id"],
        set_={"private_note": statement.excluded.private_note, "updated_at": statement.excluded.updated_at},
    ).returning(Evaluation.__table__.c.id)


def save_evaluation(user: User, call: Call, idea: Post, scores: dict, private_note: str) -> Evaluation:
    """Record (or replace) this moderator's scores and private note for one shortlisted idea of the call.

    `scores` maps each criterion id of the call to an integer from SCORE_MIN to SCORE_MAX."""
    idea = check_can_score(user, call, idea)
    checked = _checked_scores(call, scores)
    note = _checked_text(private_note, "private_note", NOTE_MAX)
    evaluation_id = db.session.execute(_upsert_evaluation().values(
        call_id=call.id, idea_id=idea.id, evaluator_id=user.id, private_note=note, updated_at=utcnow(),
    )).scalar_one()
    db.session.execute(delete(EvaluationScore.__table__).where(EvaluationScore.evaluation_id == evaluation_id))
    db.session.execute(insert(EvaluationScore.__table__), [
        {"evaluation_id": evaluation_id, "criterion_id": criterion_id, "score": value}
        for criterion_id, value in checked.items()
    ])
    # The row may be in the session already, with the values it had before this submission.
    evaluation = db.session.get(Evaluation, evaluation_id, populate_existing=True)
    db.session.expire(evaluation, ["scores"])
    weights = {c.id: c.weight for c in call.criteria}
    weighted = _rounded(sum(value * weights[c] for c, value in checked.items()), 1)
    # The note is private: it stays out of the audit log, which records who scored what.
    audit.record(user, "call.evaluate", "idea", idea.id,
                 summary=f"{call.title} · {idea.title}: {weighted}/100", city_id=call.city_id)
    log.info("idea evaluated", extra={"call_id": call.id, "post_id": idea.id, "user_id": user.id})
    return evaluation


def evaluations_of(idea: Idea) -> list[Evaluation]:
    """Every evaluation of the idea, with its evaluator and scores (private notes: moderators' pages only)."""
    return list(db.session.scalars(
        select(Evaluation).where(Evaluation.idea_id == idea.id)
        .options(joinedload(Evaluation.evaluator), selectinload(Evaluation.scores))
        .order_by(Evaluation.updated_at.desc(), Evaluation.id)
    ).unique())


def weighted_score(call: Call, evaluation: Evaluation) -> Decimal:
    """One evaluation's score out of 100: the sum of score × weight, divided by 10."""
    weights = {c.id: c.weight for c in call.criteria}
    return _rounded(sum(s.score * weights.get(s.criterion_id, 0) for s in evaluation.scores), 1)


def evaluated_idea_ids(call: Call, user: User) -> set[int]:
    """The ideas of this call the user has scored, in one query."""
    return set(db.session.scalars(
        select(Evaluation.idea_id).where(Evaluation.call_id == call.id, Evaluation.evaluator_id == user.id)))


# --- the ranking -----------------------------------------------------------------------------------

@dataclass
class RankedIdea:
    idea: Idea
    score: Decimal | None  # 0..100, one decimal; None while nobody scored the idea
    evaluators: int
    votes: int
    position: int = 0


def _rounded(points: int, evaluators: int) -> Decimal:
    """The mean over evaluators of Σ(score × weight) / 10, to one decimal (halves rounded up)."""
    return (Decimal(points) / Decimal(10 * evaluators)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def ranking(call: Call) -> list[RankedIdea]:
    """The call's visible shortlisted ideas, best first: score, then public votes, then the oldest.

    One query: the scores are summed in SQL per idea (integers, exact), the mean is taken here."""
    totals = (
        select(Evaluation.idea_id.label("idea_id"),
               func.sum(EvaluationScore.score * CallCriterion.weight).label("points"),
               func.count(func.distinct(Evaluation.id)).label("evaluators"))
        .join(EvaluationScore, EvaluationScore.evaluation_id == Evaluation.id)
        .join(CallCriterion, CallCriterion.id == EvaluationScore.criterion_id)
        .where(Evaluation.call_id == call.id, CallCriterion.call_id == call.id)
        .group_by(Evaluation.idea_id)
    ).subquery()
    rows = db.session.execute(
        select(Idea, totals.c.points, totals.c.evaluators)
        .outerjoin(totals, totals.c.idea_id == Idea.id)
        .where(Idea.call_id == call.id, Post.status == S.SHORTLISTED, visible_post())
    ).all()
    ranked = [
        RankedIdea(idea=idea, score=_rounded(int(points), int(evaluators)) if evaluators else None,
                   evaluators=int(evaluators or 0), votes=idea.vote_count)
        for idea, points, evaluators in rows
    ]
    ranked.sort(key=lambda r: (r.score is None, -(r.score or 0), -r.votes, r.idea.id))
    for position, entry in enumerate(ranked, 1):
        entry.position = position
    return ranked


def open_other_ideas(call: Call) -> list[Idea]:
    """The call's visible ideas still published or under review: the results reject them with one answer."""
    return list(db.session.scalars(
        select(Idea).where(Idea.call_id == call.id, Post.status.in_(OPEN_NOT_SHORTLISTED), visible_post())
        .order_by(Post.id)))


# --- publishing the results ------------------------------------------------------------------------

def answer_field(idea_id: int) -> str:
    return f"answer_{idea_id}"


OTHERS_FIELD = "others_answer"


@dataclass
class IdeaDecision:
    selected: bool
    answer: str


@dataclass
class ResultsDecisions:
    """A decision for every shortlisted idea of the call (by id), and the answer to the other open ideas."""

    ideas: dict[int, IdeaDecision] = field(default_factory=dict)
    others_answer: str = ""


@dataclass
class ResultsSummary:
    selected: list[Idea]
    not_selected: list[Idea]
    others: list[Idea]
    selected_cost: Decimal  # the estimated costs of the selected ideas that have one
    unestimated: int  # selected ideas without an estimated cost
    budget: Decimal

    @property
    def over_budget(self) -> bool:
        return self.selected_cost > self.budget


def check_may_publish(user: User | None, call: Call) -> None:
    check_moderator(user, call)
    if not phases.may_publish_results(call):
        raise EvaluationClosed(publishing_note(call))


def _checked_answer(value: str | None, field_name: str, missing) -> str:
    text = _checked_text(value, field_name, ANSWER_MAX)
    if not text:
        raise EvaluationError(missing, field_name)
    return text


def selected_cost(ideas: list[Idea]) -> tuple[Decimal, int]:
    """The sum of the estimated costs, and how many of the ideas have none."""
    costs = [i.estimated_cost for i in ideas if i.estimated_cost is not None]
    return sum(costs, Decimal("0")), len(ideas) - len(costs)


def publish_results(user: User, call: Call, decisions: ResultsDecisions) -> ResultsSummary:
    """Move every open idea of the call to its outcome, with its public answer, and mark the results published.

    Each visible shortlisted idea is selected for co-design (lifecycle "select") or not ("reject"), each
    with its own answer; the visible ideas still published or under review are not selected, with one
    common answer. Hidden ideas are left as they are: they take no part in the public results.
    Selecting no idea is allowed (a call may end without a winner); the budget is information only.
    Everything is checked before anything is written; the caller's transaction makes it all-or-nothing,
    and the conditional UPDATE of results_published_at lets only one of two simultaneous publications
    through (the other gets 409)."""
    check_may_publish(user, call)
    ranked = ranking(call)
    if set(decisions.ideas) != {r.idea.id for r in ranked}:
        raise EvaluationClosed(_l("The shortlist of this call changed while you were deciding: "
                                  "reload the page and decide again."))
    answers = {}
    for entry in ranked:
        answers[entry.idea.id] = _checked_answer(
            decisions.ideas[entry.idea.id].answer, answer_field(entry.idea.id),
            _l("Write the public answer for \"%(title)s\": it explains the decision to the author and to everyone.",
               title=entry.idea.title))
    others = open_other_ideas(call)
    others_answer = ""
    if others:
        others_answer = _checked_answer(
            decisions.others_answer, OTHERS_FIELD,
            _l("Write the public answer for the ideas that were not shortlisted."))

    published_at = utcnow()
    claimed = db.session.execute(
        update(Call).where(Call.id == call.id, Call.results_published_at.is_(None))
        .values(results_published_at=published_at).returning(Call.id)
    ).first()
    if claimed is None:
        db.session.expire(call, ["results_published_at"])
        raise EvaluationClosed(_l("The results of this call have already been published."))
    db.session.expire(call, ["results_published_at"])

    # Ranking order: the public results list the ideas in the order their decisions were recorded.
    selected, not_selected = [], []
    for entry in ranked:
        chosen = decisions.ideas[entry.idea.id].selected
        lifecycle.perform(user, entry.idea, "select" if chosen else "reject", answers[entry.idea.id],
                          expected_version=entry.idea.status_version)
        (selected if chosen else not_selected).append(entry.idea)
    for idea in others:
        lifecycle.perform(user, idea, "reject", others_answer, expected_version=idea.status_version)

    cost, unestimated = selected_cost(selected)
    audit.record(user, "call.publish_results", "call", call.id,
                 summary=f"{call.title}: {len(selected)} selected, {len(not_selected)} shortlisted not selected, "
                         f"{len(others)} others not selected; selected cost {cost} of {call.budget_eur}",
                 city_id=call.city_id)
    # The call's followers (each idea's people are told by its move).
    notify("call.results", "call", call.id, actor=user, selected=len(selected))
    log.info("call results published", extra={"call_id": call.id, "user_id": user.id, "selected": len(selected)})
    return ResultsSummary(selected=selected, not_selected=not_selected, others=others, selected_cost=cost,
                          unestimated=unestimated, budget=call.budget_eur)


@dataclass
class ResultEntry:
    idea: Idea
    selected: bool
    shortlisted: bool  # it had its own answer; the others share the common one
    answer_html: str
    decided_at: datetime


def published_results(call: Call) -> list[ResultEntry]:
    """The visible ideas that got their decision when the results were published: the selected ones
    first, then the others, each in the order decided (the ranking), each with its public answer.

    The decision of an idea is its first "select" or "reject" from the publication on (a later move,
    such as reopening, does not change the published results). One query, whatever the number of ideas."""
    if call.results_published_at is None:
        return []
    first_decisions = (
        select(func.min(PostEvent.id))
        .join(Idea, Idea.id == PostEvent.post_id)
        .join(Call, Call.id == Idea.call_id)
        .where(Idea.call_id == call.id, PostEvent.action.in_(RESULT_ACTIONS),
               PostEvent.created_at >= Call.results_published_at)
        .group_by(PostEvent.post_id)
    )
    rows = db.session.execute(
        select(Idea, PostEvent).join(PostEvent, PostEvent.post_id == Idea.id)
        .where(PostEvent.id.in_(first_decisions), Idea.call_id == call.id, visible_post())
        .order_by(PostEvent.id)
    ).all()
    entries = [ResultEntry(idea=idea, selected=event.action == "select",
                           shortlisted=event.from_status == S.SHORTLISTED,
                           answer_html=event.reason_html, decided_at=event.created_at)
               for idea, event in rows]
    entries.sort(key=lambda e: not e.selected)  # stable: the decision order stays within each group
    return entries


NOTIFICATION_EVENTS = (
    event("call.results", lambda n, title: _("The results of the call \"%(title)s\" are published.", title=title)),
)
