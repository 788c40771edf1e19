"""Forms of co-design processes: they only collect the input; the services check it."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Optional

from civic.codesign import services
from civic.codesign.models import (
    STAGE_LABELS,
    CodesignProcess,
    DocumentRole,
    DocumentVisibility,
    InterestRole,
    StageKind,
)
from civic.core.forms import MARKDOWN_HINT, MultiCheckboxField, unix_newlines

DATE_ERROR = _l("Enter a date as day, month and year (for example 2027-03-31).")
TIME_ERROR = _l("Enter a day and a time (for example 2027-03-31 18:00).")


def _markdown(label, required_message=None, rows=5, description=MARKDOWN_HINT):
    validators = [DataRequired(required_message)] if required_message else []
    return TextAreaField(label, validators=validators, description=description, filters=[unix_newlines],
                         render_kw={"rows": rows})


class _ClearerMessages:
    """WTForms' own "Not a valid ..." messages are not clear enough: say what to type."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for f in self:
            if f.errors and isinstance(f, DateTimeLocalField):
                f.errors = [str(TIME_ERROR)]
            elif f.errors and isinstance(f, DateField):
                f.errors = [str(DATE_ERROR)]
            elif f.errors and isinstance(f, IntegerField):
                f.errors = [str(_l("Enter a whole number."))]
        return valid


class OpeningForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter a title."))],
                        render_kw={"maxlength": services.TITLE_MAX})
    summary = _markdown(_l("Public summary"), _l("Write a public summary of the process."), rows=6)


class ProcessForm(_ClearerMessages, FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter a title."))],
                        render_kw={"maxlength": services.TITLE_MAX})
    summary = _markdown(_l("Public summary"), _l("Write a public summary of the process."), rows=6)

    def stage_fields(self):
        """(kind, first-day field, last-day field or None, summary field) in the order of the stages."""
        return [(kind, getattr(self, f"{kind.value}_starts_on"), getattr(self, f"{kind.value}_ends_on", None),
                 getattr(self, f"{kind.value}_summary")) for kind in StageKind]

    def data_for_service(self) -> services.ProcessData:
        return services.ProcessData(
            title=self.title.data or "", summary=self.summary.data or "",
            stages=[services.StageData(kind.value, start.data, end.data if end is not None else None,
                                       summary.data or "")
                    for kind, start, end, summary in self.stage_fields()])

    def load(self, process: CodesignProcess) -> None:
        self.title.data, self.summary.data = process.title, process.summary_markdown
        for stage in process.stages:
            getattr(self, f"{stage.kind}_starts_on").data = stage.starts_on
            if stage.kind != StageKind.AGREEMENT:
                getattr(self, f"{stage.kind}_ends_on").data = stage.ends_on
            getattr(self, f"{stage.kind}_summary").data = stage.summary_markdown


for _kind in StageKind:
    setattr(ProcessForm, f"{_kind.value}_starts_on",
            DateField(_l("%(stage)s: first day", stage=STAGE_LABELS[_kind]), validators=[Optional()], format="%Y-%m-%d"))
    if _kind != StageKind.AGREEMENT:
        setattr(ProcessForm, f"{_kind.value}_ends_on",
                DateField(_l("%(stage)s: last day", stage=STAGE_LABELS[_kind]), validators=[Optional()], format="%Y-%m-%d"))
    setattr(ProcessForm, f"{_kind.value}_summary",
            _markdown(_l("%(stage)s: public summary", stage=STAGE_LABELS[_kind]), rows=3))


class StartForm(FlaskForm):
    reason = _markdown(_l("Public answer"), _l("Write the public answer: it explains the decision to the author "
                                               "and to everyone."), rows=4,
                       description=_l("Shown on the idea's page with its new status."))


class MeetingForm(_ClearerMessages, FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter a title."))],
                        render_kw={"maxlength": services.TITLE_MAX})
    starts_at = DateTimeLocalField(_l("Starts at (Italian time)"), format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired(_l("Enter the day and time the meeting starts."))])
    ends_at = DateTimeLocalField(_l("Ends at (Italian time)"), format="%Y-%m-%dT%H:%M",
                                 validators=[DataRequired(_l("Enter the day and time the meeting ends."))])
    place = StringField(_l("Place"), description=_l("The address, or the room. Leave empty for an online meeting."),
                        render_kw={"maxlength": services.PLACE_MAX})
    online_url = StringField(_l("Online meeting link"), description=_l("Optional: https://..."),
                             render_kw={"maxlength": services.URL_MAX, "inputmode": "url"})
    agenda = _markdown(_l("Agenda"), _l("Write the agenda of the meeting."), rows=6)
    capacity = IntegerField(_l("Places available"), validators=[Optional()],
                            description=_l("Leave empty when there is no limit."),
                            render_kw={"inputmode": "numeric", "min": 1})

    def data_for_service(self) -> services.MeetingData:
        return services.MeetingData(title=self.title.data or "", starts_at=self.starts_at.data,
                                    ends_at=self.ends_at.data, place=self.place.data or "",
                                    online_url=self.online_url.data or "", agenda=self.agenda.data or "",
                                    capacity=self.capacity.data)


class MinutesForm(FlaskForm):
    minutes = _markdown(_l("Minutes (verbale)"), _l("Write the minutes of the meeting."), rows=10)
    attended = MultiCheckboxField(_l("Who attended"), coerce=int, validate_choice=False,
                                  description=_l("Among the people registered to the meeting."))


class DocumentForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter the document's title."))],
                        render_kw={"maxlength": services.TITLE_MAX})
    role = SelectField(_l("This document is"), choices=[], default=DocumentRole.OTHER.value, validate_choice=False)
    visibility = RadioField(_l("Who can see it"), choices=[], default=DocumentVisibility.PUBLIC.value,
                            validate_choice=False)
    file = FileField(_l("File"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [(r.value, r.label) for r in DocumentRole]
        self.visibility.choices = [(v.value, v.label) for v in DocumentVisibility]


class VersionForm(FlaskForm):
    file = FileField(_l("New version"))


class CloseForm(FlaskForm):
    answer = _markdown(_l("Public answer"), _l("Write the public answer: it explains the outcome to everyone."),
                       rows=6, description=_l("Shown on the process's page and, with the idea's new status, on the "
                                              "idea's page."))
    next_status = SelectField(_l("Next status of the idea"), validate_choice=False)
    # Optional when organisations were admitted to the process (they are recorded on their own): the service checks.
    partners = TextAreaField(_l("Partners who signed the agreement"), filters=[unix_newlines],
                             description=_l("One per line: the Third Sector organisations and the other bodies."),
                             render_kw={"rows": 4})
    version = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.next_status.choices = [(s.value, s.label) for s in services.NEXT_STATUSES]


class InterestForm(FlaskForm):
    """An expression of interest (civic/codesign/participation.py checks it)."""

    organisation = SelectField(_l("On behalf of"), choices=[], validate_choice=False)
    role = RadioField(_l("Role sought"), choices=[], validate_choice=False)
    contribution = TextAreaField(_l("What the organisation would bring"), filters=[unix_newlines],
                                 description=_l("Activities, people, places and resources the organisation offers."),
                                 render_kw={"rows": 6})
    experience = TextAreaField(_l("Experience of the organisation"), filters=[unix_newlines],
                               description=_l("Similar projects, in this neighbourhood or elsewhere."),
                               render_kw={"rows": 5})

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = [(str(o.id), o.name) for o in organisations]
        self.role.choices = [(r.value, r.label) for r in InterestRole]


class DecisionForm(FlaskForm):
    reason = TextAreaField(_l("Public reason of the decision"), filters=[unix_newlines], render_kw={"rows": 3})
