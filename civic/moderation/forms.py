from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from civic.core.forms import unix_newlines
from civic.moderation.models import ReportReason
from civic.moderation.services import DETAILS_MAX, HIDE_REASON_MAX


class ReportForm(FlaskForm):
    reason = RadioField(_l("What is wrong?"), validators=[DataRequired(_l("Choose a reason."))])
    details = TextAreaField(
        _l("Details (optional, required for \"Other\")"),
        validators=[Length(max=DETAILS_MAX, message=_l("Enter at most %(max)d characters.", max=DETAILS_MAX))],
        filters=[unix_newlines], render_kw={"rows": 3},
    )

    def fill_choices(self) -> None:
        self.reason.choices = [(r.value, r.label) for r in ReportReason]


class HideForm(FlaskForm):
    reason = StringField(
        _l("Reason shown to the author"),
        validators=[DataRequired(_l("Write the reason: the author will see it.")),
                    Length(max=HIDE_REASON_MAX, message=_l("Enter at most %(max)d characters.", max=HIDE_REASON_MAX))],
    )


class BlockForm(FlaskForm):
    reason = StringField(
        _l("Reason shown to the person"),
        description=_l("They will read it when they try to log in."),
        validators=[DataRequired(_l("Write the reason: the person will see it when they try to log in.")),
                    Length(max=HIDE_REASON_MAX, message=_l("Enter at most %(max)d characters.", max=HIDE_REASON_MAX))],
    )
