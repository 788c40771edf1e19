"""Forms of start-up support plans: they only collect the input; the services check it."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, StringField, TextAreaField
from wtforms.validators import Optional

from civic.core.forms import MARKDOWN_HINT, FiniteDecimalField, MultiCheckboxField, unix_newlines

DATE_ERROR = _l("Enter a date as day, month and year (for example 2027-03-31).")


def _text(label, rows=4, description=MARKDOWN_HINT):
    return TextAreaField(label, filters=[unix_newlines], description=description, render_kw={"rows": rows})


class PlanForm(FlaskForm):
    mentor_email = StringField(_l("Mentor (email address)"),
                               description=_l("A moderator of the city or a member of a verified organisation."))
    tutoring = BooleanField(_l("Tutoring"))
    training = BooleanField(_l("Training"))
    space = BooleanField(_l("Space in a recovered public building"))
    space_place = StringField(_l("Where the space is"))
    grant_amount = FiniteDecimalField(_l("Seed grant (euros)"), validators=[Optional()], places=2)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.grant_amount.errors:
            self.grant_amount.errors = [str(_l("Enter an amount in euros, for example 15000.00."))]
        return valid


class MilestoneForm(FlaskForm):
    title = StringField(_l("Milestone"))
    due_date = DateField(_l("Due date"), validators=[Optional()])
    deliverable = _text(_l("Deliverable"), rows=3)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.due_date.errors:
            self.due_date.errors = [str(DATE_ERROR)]
        return valid


class SubmitForm(FlaskForm):
    evidence = _text(_l("Evidence"), rows=3)
    file = FileField(_l("File (optional)"))


class GateForm(FlaskForm):
    title = StringField(_l("Stage gate"))
    milestones = MultiCheckboxField(_l("Milestones it needs"), coerce=int, validate_choice=False)


class NoteForm(FlaskForm):
    body = _text(_l("Private note"))


class UpdateForm(FlaskForm):
    body = _text(_l("Public progress update"))


class MemberForm(FlaskForm):
    email = StringField(_l("Add a team member (email address)"))


class FundForm(FlaskForm):
    reason = _text(_l("Public answer"), rows=3)
