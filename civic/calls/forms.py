"""The call form: every field of a call on one page that works without JavaScript
(fixed rows for the phases and the criteria; empty rows are skipped)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import DateField, Form, FormField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields import FieldList
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from civic.calls import services
from civic.calls.models import Call, PhaseKind
from civic.core.forms import MARKDOWN_HINT, FiniteDecimalField, MultiCheckboxField, optional_id, unix_newlines
from civic.extensions import db
from civic.territories.models import Programme, SpecificObjective, Theme

CRITERIA_ROWS = 6
DATE_ERROR = _l("Enter a date as day, month and year (for example 2027-03-31).")


class CriterionRow(Form):
    name = StringField(_l("Criterion"), render_kw={"maxlength": services.CRITERION_NAME_MAX})
    weight = IntegerField(_l("Weight (per cent)"), validators=[Optional()],
                          render_kw={"inputmode": "numeric", "min": 1, "max": 100})


def _date(label):
    return DateField(label, validators=[Optional()], format="%Y-%m-%d")


class CallForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter a title."))],
                        render_kw={"maxlength": services.TITLE_MAX})
    description = TextAreaField(_l("Description"), validators=[DataRequired(_l("Write a description."))],
                                description=MARKDOWN_HINT, filters=[unix_newlines], render_kw={"rows": 8})
    themes = MultiCheckboxField(_l("Themes"), coerce=optional_id, validate_choice=False)
    programme = SelectField(_l("Programme"), coerce=optional_id, validate_choice=False,
                            validators=[DataRequired(_l("Choose the programme that funds the call."))])
    priority = SelectField(_l("Priority or axis (optional)"), coerce=optional_id, validate_choice=False)
    objective = SelectField(_l("Specific objective"), coerce=optional_id, validate_choice=False,
                            validators=[DataRequired(_l("Choose the specific objective: ESO4.8 or ESO4.11."))])
    budget = FiniteDecimalField(
        _l("Budget available (euros)"), places=2,
        validators=[InputRequired(_l("Enter the budget available, in euros (0 or more).")),
                    NumberRange(min=0, max=float(services.BUDGET_MAX),
                                message=_l("Enter the budget available, in euros (0 or more)."))],
        render_kw={"inputmode": "decimal"})
    eligibility = TextAreaField(
        _l("Who can take part"), validators=[DataRequired(_l("Say who can take part and on which conditions."))],
        description=_l("The eligibility rules in plain words: who may submit, where, with which limits."),
        filters=[unix_newlines], render_kw={"rows": 5})
    submission_starts_on = _date(_l("Submission of ideas: first day"))
    submission_ends_on = _date(_l("Submission of ideas: last day"))
    voting_starts_on = _date(_l("Voting: first day"))
    voting_ends_on = _date(_l("Voting: last day"))
    evaluation_starts_on = _date(_l("Evaluation: first day"))
    evaluation_ends_on = _date(_l("Evaluation: last day"))
    results_starts_on = _date(_l("Results: publication day"))
    criteria = FieldList(FormField(CriterionRow), label=_l("Evaluation criteria"), min_entries=CRITERIA_ROWS,
                         max_entries=CRITERIA_ROWS)

    def fill_choices(self) -> None:
        programmes = db.session.scalars(
            select(Programme).options(selectinload(Programme.priorities)).order_by(Programme.start_year.desc())).all()
        self.programme.choices = [("", str(_l("Choose a programme")))] + [(str(p.id), p.name) for p in programmes]
        self.priority.choices = [("", str(_l("None")))] + [
            (str(pr.id), f"{p.name} · {pr.code} {pr.label}") for p in programmes for pr in p.priorities]
        objectives = db.session.scalars(
            select(SpecificObjective).where(SpecificObjective.code.in_(services.OBJECTIVES))
            .order_by(SpecificObjective.code)).all()
        self.objective.choices = [("", str(_l("Choose an objective")))] + [
            (str(o.id), f"{o.code} · {o.label}") for o in objectives]
        themes = db.session.scalars(select(Theme).order_by(Theme.position)).all()
        self.themes.choices = [(t.id, t.label) for t in themes]

    def phase_fields(self):
        """(kind, first-day field, last-day field or None) in the order of the phases."""
        return [(kind, getattr(self, f"{kind.value}_starts_on"), getattr(self, f"{kind.value}_ends_on", None))
                for kind in PhaseKind]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in (*[f for _k, start, end in self.phase_fields() for f in (start, end) if f is not None],
                      *[row.form.weight for row in self.criteria]):
            if field.errors:  # WTForms' own "Not a valid ..." messages are not clear enough
                field.errors = [str(DATE_ERROR) if isinstance(field, DateField)
                                else str(_l("Enter a whole number from 1 to 100."))]
        return valid

    def data_for_service(self) -> services.CallData:
        return services.CallData(
            title=self.title.data, description=self.description.data, programme_id=self.programme.data,
            priority_id=self.priority.data, objective_id=self.objective.data, budget=self.budget.data,
            eligibility=self.eligibility.data, theme_ids=tuple(i for i in (self.themes.data or ()) if i),
            phases=[services.PhaseData(kind.value, start.data, end.data if end is not None else None)
                    for kind, start, end in self.phase_fields()],
            criteria=[services.CriterionData(row.form.name.data or "", row.form.weight.data) for row in self.criteria],
        )

    def load(self, call: Call) -> None:
        self.title.data = call.title
        self.description.data = call.description_markdown
        self.eligibility.data = call.eligibility_markdown
        self.programme.data, self.priority.data, self.objective.data = (
            call.programme_id, call.priority_id, call.objective_id)
        self.budget.data = call.budget_eur
        self.themes.data = [t.id for t in call.themes]
        for phase in call.phases:
            getattr(self, f"{phase.kind}_starts_on").data = phase.starts_on
            if phase.kind != PhaseKind.RESULTS:
                getattr(self, f"{phase.kind}_ends_on").data = phase.ends_on
        for row, criterion in zip(self.criteria, call.criteria, strict=False):
            row.form.name.data, row.form.weight.data = criterion.name, criterion.weight
