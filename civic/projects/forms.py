"""Forms of funded projects: they only collect the input; the services check it (amounts are read
by civic/projects/money.py, which accepts Italian and English separators)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from civic.codesign.forms import _ClearerMessages
from civic.core.forms import MARKDOWN_HINT, MultiCheckboxField, unix_newlines
from civic.projects import services
from civic.projects.models import FundedProject, ProjectStatus
from civic.projects.money import format_amount

AMOUNT_HINT = _l("In euro, e.g. 1.234,56 or 1234.56.")
EXCEPTION_LABEL = _l("I confirm an exception to the rule (the total goes above the one it depends on)")


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class ProjectForm(_ClearerMessages, FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter a title."))],
                        render_kw={"maxlength": services.TITLE_MAX})
    summary = TextAreaField(_l("Public summary"), validators=[DataRequired(_l("Write a public summary of the "
                                                                             "project."))],
                            description=MARKDOWN_HINT, filters=[unix_newlines], render_kw={"rows": 6})
    cup = StringField(_l("CUP (Codice Unico di Progetto)"), description=_l("15 characters, e.g. D11B16000230007. "
                                                                          "Leave it empty until it is known."),
                      render_kw={"maxlength": 20, "autocapitalize": "characters"})
    local_code = StringField(_l("Local project code"), description=_l("e.g. TO4.4.11.1.b"),
                             render_kw={"maxlength": 40})
    programme = SelectField(_l("Programme"), coerce=_optional_int, validate_choice=False)
    priority = SelectField(_l("Axis or priority"), coerce=_optional_int, validate_choice=False)
    objective = SelectField(_l("Specific objective"), coerce=_optional_int, validate_choice=False)
    theme = SelectField(_l("Theme"), coerce=_optional_int, validate_choice=False)
    action = StringField(_l("Action"), render_kw={"maxlength": 300})
    beneficiary_name = StringField(_l("Beneficiary"), description=_l("By default the municipality."),
                                   render_kw={"maxlength": 200})
    beneficiary_tax_code = StringField(_l("Codice fiscale of the beneficiary"), render_kw={"maxlength": 16})
    neighbourhoods = MultiCheckboxField(_l("Neighbourhoods"), coerce=int, validate_choice=False)
    starts_on = DateField(_l("Start date"), validators=[Optional()])
    planned_end_on = DateField(_l("Planned end date"), validators=[Optional()])
    ended_on = DateField(_l("Actual end date"), validators=[Optional()])
    status = SelectField(_l("Status"), choices=lambda: [(s.value, s.label) for s in ProjectStatus])
    funding_total = StringField(_l("Total public funding"), description=AMOUNT_HINT)
    eu_share = StringField(_l("EU share"), description=AMOUNT_HINT)
    exception = BooleanField(EXCEPTION_LABEL)
    exception_reason = TextAreaField(_l("Explanation of the exception"), filters=[unix_newlines],
                                     render_kw={"rows": 3})

    def load(self, project: FundedProject) -> None:
        self.title.data, self.summary.data = project.title, project.summary_markdown
        self.cup.data, self.local_code.data = project.cup or "", project.local_code or ""
        self.programme.data, self.priority.data = project.programme_id, project.priority_id
        self.objective.data, self.action.data = project.objective_id, project.action
        self.theme.data = project.theme_id
        self.beneficiary_name.data = project.beneficiary_name
        self.beneficiary_tax_code.data = project.beneficiary_tax_code or ""
        self.neighbourhoods.data = [n.id for n in project.neighbourhoods]
        self.starts_on.data, self.planned_end_on.data = project.starts_on, project.planned_end_on
        self.ended_on.data, self.status.data = project.ended_on, project.status
        self.funding_total.data = format_amount(project.funding_total)
        self.eu_share.data = format_amount(project.eu_share)

    def data_for_service(self) -> services.ProjectData:
        return services.ProjectData(
            title=self.title.data, summary=self.summary.data, cup=self.cup.data, local_code=self.local_code.data,
            programme_id=self.programme.data, priority_id=self.priority.data, objective_id=self.objective.data,
            theme_id=self.theme.data,
            action=self.action.data, beneficiary_name=self.beneficiary_name.data,
            beneficiary_tax_code=self.beneficiary_tax_code.data, neighbourhood_ids=list(self.neighbourhoods.data or []),
            starts_on=self.starts_on.data, planned_end_on=self.planned_end_on.data, ended_on=self.ended_on.data,
            status=self.status.data, funding_total=self.funding_total.data or "0", eu_share=self.eu_share.data or "0",
            exception=bool(self.exception.data), exception_reason=self.exception_reason.data or "")


class MoneyForm(_ClearerMessages, FlaskForm):
    made_on = DateField(_l("Date"), validators=[DataRequired(_l("Enter the date."))])
    amount = StringField(_l("Amount"), validators=[DataRequired(_l("Enter an amount in euro."))],
                         description=AMOUNT_HINT)
    description = StringField(_l("Description"), render_kw={"maxlength": services.DESCRIPTION_MAX})
    exception = BooleanField(EXCEPTION_LABEL)
    exception_reason = TextAreaField(_l("Explanation of the exception"), filters=[unix_newlines],
                                     render_kw={"rows": 3})

    def data_for_service(self) -> services.MoneyData:
        return services.MoneyData(made_on=self.made_on.data, amount=self.amount.data,
                                  description=self.description.data or "", exception=bool(self.exception.data),
                                  exception_reason=self.exception_reason.data or "")


class MilestoneForm(_ClearerMessages, FlaskForm):
    title = StringField(_l("Milestone"), validators=[DataRequired(_l("Enter a title."))])
    due_on = DateField(_l("Due date"), validators=[DataRequired(_l("Enter the date."))])
    weight = IntegerField(_l("Weight (1-100)"), validators=[DataRequired(_l("The weight is a whole number from 1 "
                                                                            "to 100."))])


class IndicatorForm(_ClearerMessages, FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(_l("Enter the indicator's code, e.g. EECO16."))])
    name = StringField(_l("Indicator"), validators=[DataRequired(_l("Enter the indicator's name."))])
    unit = StringField(_l("Unit of measure"), validators=[DataRequired(_l("Enter the unit of measure."))])
    target = StringField(_l("Target"), validators=[DataRequired(_l("Enter the target."))])
    achieved = StringField(_l("Achieved"))
    women = IntegerField(_l("of whom women"), validators=[Optional()])
    men = IntegerField(_l("of whom men"), validators=[Optional()])

    def data_for_service(self) -> services.IndicatorData:
        return services.IndicatorData(code=self.code.data, name=self.name.data, unit=self.unit.data,
                                      target=self.target.data, achieved=self.achieved.data or "0",
                                      women=self.women.data, men=self.men.data)


class UpdateForm(FlaskForm):
    body = TextAreaField(_l("Update"), validators=[DataRequired(_l("Write the update."))], description=MARKDOWN_HINT,
                         filters=[unix_newlines], render_kw={"rows": 5})
    image = FileField(_l("Photo (optional)"))


REASON_LABEL = _l("Reason for the correction")
REASON_HINT = _l("Kept in the audit log with the values before and after.")


class MoneyCorrectionForm(MoneyForm):
    reason = TextAreaField(REASON_LABEL, validators=[DataRequired(_l("Explain the reason for this correction."))],
                           description=REASON_HINT, filters=[unix_newlines], render_kw={"rows": 3})

    def load(self, row) -> None:
        self.made_on.data, self.amount.data = row.made_on, format_amount(row.amount)
        self.description.data = row.description


class DeleteMoneyForm(_ClearerMessages, FlaskForm):
    reason = TextAreaField(REASON_LABEL, validators=[DataRequired(_l("Explain the reason for this correction."))],
                           description=REASON_HINT, filters=[unix_newlines], render_kw={"rows": 3})
    exception = BooleanField(EXCEPTION_LABEL)
    exception_reason = TextAreaField(_l("Explanation of the exception"), filters=[unix_newlines],
                                     render_kw={"rows": 3})


class DeleteForm(FlaskForm):
    """A confirmation button (milestones): only the CSRF token."""
