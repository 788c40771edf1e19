"""The moderators' pages of a call's evaluation: the ranking of the shortlisted ideas, the
scoring form of each idea, and the form that publishes the results.

Every page is for the moderators of the call's city (and the admins): a draft call does not
exist for anyone else (404), a published one answers 403. The rules live in evaluation.py.
"""
from __future__ import annotations

import re

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, TextAreaField
from wtforms.validators import DataRequired, Length, StopValidation

from civic.calls import evaluation, permissions, phases
from civic.calls.models import SCORE_MAX, SCORE_MIN, Call, CallCriterion, PhaseKind
from civic.core.access import load_or_404, perform
from civic.core.errors import abort_with
from civic.core.forms import NOT_AN_ID, handle_form, optional_id, show_rule_error, unix_newlines
from civic.core.rules import RuleError
from civic.core.templating import format_eur
from civic.extensions import db
from civic.posts.models import Idea, PostStatus
from civic.urls import call_url

bp = Blueprint("evaluation", __name__)

_SCORE_KEY = re.compile(r"^score_(\d{1,10})$")


def _call(call_id: int) -> Call:
    """The call, for the moderators of its city: 404 for a draft to anyone else, 403 for a published call."""
    return load_or_404(
        Call, call_id, _("This call does not exist."),
        visible=lambda call: permissions.can_see_call(current_user, call),
        guard=lambda call: permissions.can_evaluate(current_user, call),
        refusal=lambda call: _("Only the moderators of %(city)s can evaluate the ideas of its calls.",
                               city=call.city.name),
        city=lambda call: call.city)


def _idea(call: Call, idea_id: int) -> Idea:
    return perform(lambda: evaluation.check_idea(call, db.session.get(Idea, idea_id)))


# --- forms -----------------------------------------------------------------------------------------

class ScoreField(IntegerField):
    """A whole number; anything else is refused by ScoreRule with a message naming the criterion."""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0].strip():
            text = valuelist[0].strip()
            if not re.fullmatch(r"[+-]?\d{1,9}", text):
                raise ValueError("not a whole number")
            self.data = int(text)


class ScoreRule:
    """Required, a whole number, within SCORE_MIN..SCORE_MAX; one message that names the criterion."""

    field_flags = {"required": True}

    def __init__(self, criterion: CallCriterion):
        self.name = criterion.name

    def __call__(self, form, field) -> None:
        if field.process_errors or (field.data is not None and not SCORE_MIN <= field.data <= SCORE_MAX):
            field.errors[:] = []
            raise StopValidation(_("The score of \"%(criterion)s\" must be a whole number from %(min)d to %(max)d.",
                                   criterion=self.name, min=SCORE_MIN, max=SCORE_MAX))
        if field.data is None:
            raise StopValidation(_("Give \"%(criterion)s\" a score: a whole number from %(min)d to %(max)d.",
                                   criterion=self.name, min=SCORE_MIN, max=SCORE_MAX))


class ScoreForm(FlaskForm):
    private_note = TextAreaField(
        _l("Private note"),
        description=_l("Seen only by the moderators of the city and the administrators; never published."),
        filters=[unix_newlines],
        validators=[Length(max=evaluation.NOTE_MAX,
                           message=_l("Enter at most %(max)d characters.", max=evaluation.NOTE_MAX))],
        render_kw={"rows": 5, "maxlength": evaluation.NOTE_MAX},
    )

    def scores(self) -> dict[int, int | None]:
        """The score of each criterion on the form, plus any other criterion the page was sent with
        (a page older than the call's criteria): the service refuses those."""
        scores = {int(name.removeprefix("score_")): f.data for name, f in self._fields.items()
                  if name.startswith("score_")}
        for key in request.form:
            match = _SCORE_KEY.match(key)
            if match and int(match.group(1)) not in scores:
                value = request.form[key].strip()
                scores[int(match.group(1))] = int(value) if re.fullmatch(r"[+-]?\d{1,9}", value) else None
        return scores


def score_form(call: Call) -> tuple[ScoreForm, list]:
    """The form, with one field per criterion; and the (criterion, field) pairs in the criteria's order."""

    class Form(ScoreForm):
        pass

    for criterion in call.criteria:
        setattr(Form, evaluation.score_field(criterion.id), ScoreField(
            _l("%(criterion)s (weight %(weight)d%%)", criterion=criterion.name, weight=criterion.weight),
            description=_l("A whole number from %(min)d to %(max)d.", min=SCORE_MIN, max=SCORE_MAX),
            validators=[ScoreRule(criterion)],
            render_kw={"min": SCORE_MIN, "max": SCORE_MAX, "step": 1, "inputmode": "numeric"},
        ))
    form = Form()
    return form, [(c, form[evaluation.score_field(c.id)]) for c in call.criteria]


class ResultsForm(FlaskForm):
    # The shortlisted ideas the page showed: if the shortlist changed meanwhile, the service answers 409.
    shown = HiddenField()

    def decisions(self) -> evaluation.ResultsDecisions:
        ideas = {}
        for text in (self.shown.data or "").split(","):
            idea_id = optional_id(text)
            if idea_id in (None, NOT_AN_ID):
                continue
            selected = self._fields.get(f"selected_{idea_id}")
            answer = self._fields.get(evaluation.answer_field(idea_id))
            ideas[idea_id] = evaluation.IdeaDecision(selected=bool(selected is not None and selected.data),
                                                     answer=answer.data if answer is not None else "")
        return evaluation.ResultsDecisions(ideas=ideas, others_answer=self.others_answer.data or "")


def results_form(ranked: list[evaluation.RankedIdea], others: list[Idea], submitted: bool = True) -> ResultsForm:
    """A "Selected" box and a required public answer per shortlisted idea, and the others' common answer."""

    class Form(ResultsForm):
        pass

    answer_length = Length(max=evaluation.ANSWER_MAX,
                           message=_l("Enter at most %(max)d characters.", max=evaluation.ANSWER_MAX))
    for entry in ranked:
        title = entry.idea.title
        setattr(Form, f"selected_{entry.idea.id}", BooleanField(_l("Select \"%(title)s\" for co-design", title=title)))
        setattr(Form, evaluation.answer_field(entry.idea.id), TextAreaField(
            _l("Public answer for \"%(title)s\"", title=title),
            validators=[DataRequired(_l("Write the public answer for this idea.")), answer_length],
            filters=[unix_newlines], render_kw={"rows": 3},
        ))
    Form.others_answer = TextAreaField(
        _l("Public answer for the ideas that were not shortlisted"),
        description=_l("Shown on the page of each of these ideas, which are not selected."),
        validators=[DataRequired(_l("Write the public answer for the ideas that were not shortlisted."))
                    if others else _optional, answer_length],
        filters=[unix_newlines], render_kw={"rows": 3},
    )
    form = Form() if submitted else Form(formdata=None)
    if not form.is_submitted() or not submitted:
        form.shown.data = ",".join(str(entry.idea.id) for entry in ranked)
    return form


def _optional(form, field) -> None:
    """No rule: the common answer is needed only when some ideas are not shortlisted."""


# --- pages -----------------------------------------------------------------------------------------

def _phase_context(call: Call) -> dict:
    return {
        "evaluation_phase": phases.phase_of(call, PhaseKind.EVALUATION),
        "current": phases.current_phase(call),
        "accepts_scores": phases.accepts_scores(call),
        "scoring_note": evaluation.scoring_note(call),
        "may_publish": phases.may_publish_results(call),
        "publishing_note": evaluation.publishing_note(call),
    }


def _render_ranking(call: Call, form: ResultsForm | None = None, ranked=None, others=None, status: int = 200):
    user = current_user._get_current_object()
    ranked = evaluation.ranking(call) if ranked is None else ranked
    context = _phase_context(call)
    if context["may_publish"]:
        others = evaluation.open_other_ideas(call) if others is None else others
        form = form or results_form(ranked, others, submitted=False)
    # The running total of the estimated costs, in ranking order: how far the budget goes.
    running, total = [], 0
    for entry in ranked:
        total += entry.idea.estimated_cost or 0
        running.append(total)
    checked_cost = None
    if form is not None and form.is_submitted():
        checked = [e.idea for e in ranked if form[f"selected_{e.idea.id}"].data]
        checked_cost = evaluation.selected_cost(checked)
    # Once published, the shortlisted ideas have their outcome: listed with it, their evaluations a click away.
    outcomes = [e for e in evaluation.published_results(call) if e.shortlisted] if call.results_published_at else []
    return render_template(
        "calls/evaluation.html", call=call, ranked=ranked, running=running, others=others or [],
        scored=evaluation.evaluated_idea_ids(call, user), form=form, checked_cost=checked_cost, outcomes=outcomes,
        **context,
    ), status


@bp.route("/calls/<int:call_id>/evaluation")
@login_required
def ranking(call_id: int):
    return _render_ranking(_call(call_id))


@bp.route("/calls/<int:call_id>/evaluation/<int:idea_id>", methods=["GET", "POST"])
@login_required
def score(call_id: int, idea_id: int):
    call = _call(call_id)
    idea = _idea(call, idea_id)
    user = current_user._get_current_object()
    evaluations = evaluation.evaluations_of(idea)
    own = next((e for e in evaluations if e.evaluator_id == user.id), None)
    form, fields = score_form(call)
    if not form.is_submitted() and own is not None:
        given = {s.criterion_id: s.score for s in own.scores}
        for criterion, score_input in fields:
            score_input.data = given.get(criterion.id)
        form.private_note.data = own.private_note

    def page(status: int):
        return render_template(
            "calls/evaluation_score.html", call=call, idea=idea, form=form, fields=fields, own=own,
            others=[e for e in evaluations if e.evaluator_id != user.id],
            can_score=phases.accepts_scores(call) and idea.status == PostStatus.SHORTLISTED,
            weighted={e.id: evaluation.weighted_score(call, e) for e in evaluations},
            **_phase_context(call),
        ), status

    if form.is_submitted():
        try:
            evaluation.check_can_score(user, call, idea)  # when (409) before what was typed (422)
        except RuleError as error:
            db.session.rollback()
            if error.status != 422:
                abort_with(error.status, error.message)
            show_rule_error(form, error)
            return page(422)
    return handle_form(form, lambda: evaluation.save_evaluation(user, call, idea, form.scores(), form.private_note.data),
                       message=_("Your evaluation of \"%(title)s\" is saved.", title=idea.title),
                       redirect_to=url_for("evaluation.ranking", call_id=call.id), render=page)


@bp.route("/calls/<int:call_id>/results", methods=["POST"])
@login_required
def publish_results(call_id: int):
    call = _call(call_id)
    user = current_user._get_current_object()
    perform(lambda: evaluation.check_may_publish(user, call))  # already published, or too early: 409 whatever was typed
    ranked = evaluation.ranking(call)
    others = evaluation.open_other_ideas(call)
    form = results_form(ranked, others)
    def published(summary) -> list:
        messages = [(_("The results are published: %(selected)d of %(total)d shortlisted ideas selected for "
                       "co-design.", selected=len(summary.selected),
                       total=len(summary.selected) + len(summary.not_selected)), "success")]
        if summary.over_budget:
            messages.append((_("The selected ideas cost %(cost)s in total by their estimates, more than the "
                               "%(budget)s of the call.", cost=format_eur(summary.selected_cost),
                               budget=format_eur(summary.budget)), "warning"))
        return messages

    return handle_form(form, lambda: evaluation.publish_results(user, call, form.decisions()),
                       message=published, redirect_to=lambda _summary: call_url(call),
                       render=lambda status: _render_ranking(call, form, ranked, others, status=status))

