"""Forms for needs and ideas. The rules themselves live in services.py; these give
every message at once and keep what was typed."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from civic.core.forms import (
    MARKDOWN_HINT,
    FiniteDecimalField,
    MultiCheckboxField,
    PlainLine,
    optional_id,
    required_id,
    unix_newlines,
)
from civic.extensions import db
from civic.orgs.permissions import organisations_of
from civic.posts import services
from civic.posts.merging import parse_idea_number
from civic.posts.models import Need, Post
from civic.territories.models import City, Theme


class PostForm(FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[DataRequired(_l("Enter a title.")), PlainLine(5, services.TITLE_MAX)],
        description=_l("A short sentence that says what it is about."),
        render_kw={"maxlength": services.TITLE_MAX},
    )
    body = TextAreaField(
        _l("Description"),
        validators=[DataRequired(_l("Write a description.")),
                    Length(max=services.BODY_MAX,
                           message=_l("Enter at most %(max)d characters.", max=services.BODY_MAX))],
        description=MARKDOWN_HINT,
        filters=[unix_newlines],
        render_kw={"rows": 8},
    )
    neighbourhood = SelectField(_l("Neighbourhood"), coerce=optional_id)
    theme = SelectField(_l("Theme"), coerce=optional_id,
                        validators=[DataRequired(_l("Choose a theme."))])
    organisation = SelectField(_l("On behalf of"), coerce=optional_id, validate_choice=False,
                               description=_l("Post it as yourself, or on behalf of an organisation you are a "
                                              "member of: its name is shown beside yours."))
    image = FileField(_l("Image (optional)"),
                      description=_l("JPEG, PNG, WebP or GIF, up to 5 MB. Do not show people who can be recognised without their consent."))

    def fill_choices(self, city: City) -> None:
        self.neighbourhood.choices = [("", str(_l("The whole city")))] + [
            (str(n.id), n.name) for n in city.neighbourhoods
        ]
        themes = db.session.scalars(select(Theme).order_by(Theme.position)).all()
        self.theme.choices = [("", str(_l("Choose a theme")))] + [(str(t.id), t.label) for t in themes]

    def fill_organisations(self, user, current=None) -> None:
        """The organisations the user is a member of (plus the post's own, kept on an edit);
        the template hides the field when there is none."""
        organisations = organisations_of(user)
        if current is not None and all(o.id != current.id for o in organisations):
            organisations.append(current)
        self.organisation.choices = ([("", str(_l("Only myself")))] + [(str(o.id), o.name) for o in organisations]
                                     if organisations else [])

    def data_for_service(self) -> services.PostData:
        return services.PostData(
            title=self.title.data, body=self.body.data, theme_id=self.theme.data,
            neighbourhood_id=self.neighbourhood.data, image=self.image.data or None,
            organisation_id=self.organisation.data,
        )

    def load(self, post: Post) -> None:
        self.organisation.data = post.organisation_id
        self.title.data = post.title
        self.body.data = post.body_markdown
        self.neighbourhood.data = post.neighbourhood_id
        self.theme.data = post.theme_id


class NeedForm(PostForm):
    location_text = StringField(
        _l("Where exactly (optional)"),
        validators=[Optional(), PlainLine(2, services.LOCATION_MAX)],
        description=_l("A street, a square, a building: whatever helps others recognise the place."),
        render_kw={"maxlength": services.LOCATION_MAX},
    )

    def data_for_service(self) -> services.PostData:
        data = super().data_for_service()
        data.location_text = self.location_text.data
        return data

    def load(self, post: Post) -> None:
        super().load(post)
        self.location_text.data = post.location_text


class IdeaForm(PostForm):
    summary = StringField(
        _l("Summary"),
        validators=[DataRequired(_l("Write a summary.")), PlainLine(10, services.SUMMARY_MAX)],
        description=_l("One or two sentences: shown in the lists of ideas."),
        render_kw={"maxlength": services.SUMMARY_MAX},
    )
    beneficiaries = StringField(
        _l("Who benefits"),
        validators=[DataRequired(_l("Say who would benefit.")), PlainLine(3, services.BENEFICIARIES_MAX)],
        description=_l("For example: young people of the neighbourhood not in education or work, older people living alone."),
        render_kw={"maxlength": services.BENEFICIARIES_MAX},
    )
    estimated_cost = FiniteDecimalField(
        _l("Rough cost in euros (optional)"), places=2,
        validators=[Optional(), NumberRange(min=0, max=100_000_000,
                                            message=_l("Enter an amount between 0 and 100,000,000 euros."))],
        description=_l("An estimate is enough, for example 25000."),
        render_kw={"inputmode": "decimal"},
    )
    needs = MultiCheckboxField(_l("Needs this idea answers (optional)"), coerce=required_id, validate_choice=False)
    call = SelectField(_l("Call for ideas"), coerce=optional_id, validate_choice=False,
                       description=_l("Submit it to a call of the municipality that is open now, or post it on the "
                                      "city's open ideas board."))

    def fill_calls(self, open_calls) -> None:
        """Only when posting: an idea stays in the call (or on the board) it was posted to."""
        self.call.choices = [("", str(_l("No call: the city's open ideas board")))] + [
            (str(c.id), c.title) for c in open_calls]

    def fill_choices(self, city: City, extra_need_ids=()) -> None:
        super().fill_choices(city)
        # The most supported needs of the city, plus any already chosen.
        needs = list(db.session.scalars(
            select(Need).where(Need.city_id == city.id, Need.hidden_at.is_(None))
            .order_by(Need.vote_count.desc(), Need.id.desc()).limit(30)))
        known = {n.id for n in needs}
        wanted = [i for i in extra_need_ids if i not in known]
        if wanted:
            needs += list(db.session.scalars(
                select(Need).where(Need.id.in_(wanted), Need.city_id == city.id, Need.hidden_at.is_(None))))
        self.needs.choices = [(n.id, n.title) for n in needs]

    def data_for_service(self) -> services.PostData:
        data = super().data_for_service()
        data.summary = self.summary.data
        data.beneficiaries = self.beneficiaries.data
        data.estimated_cost = self.estimated_cost.data
        data.need_ids = tuple(self.needs.data or ())
        data.call_id = self.call.data if self.call.choices else None
        return data

    def load(self, post: Post) -> None:
        super().load(post)
        self.summary.data = post.summary
        self.beneficiaries.data = post.beneficiaries
        self.estimated_cost.data = post.estimated_cost
        self.needs.data = [n.id for n in post.needs]


class MoveForm(FlaskForm):
    """A step of the idea's lifecycle, with the public answer that explains it."""

    # The service judges the action (and answers 409 to a page that went stale), not the list.
    action = SelectField(_l("Decision"), validators=[DataRequired(_l("Choose a decision."))], validate_choice=False)
    reason = TextAreaField(
        _l("Public answer"),
        description=_l("Shown on the idea's page with the date and your role; the author and the followers are told."),
        filters=[unix_newlines],
        render_kw={"rows": 4},
    )
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])

    def fill_choices(self, moves) -> None:
        self.action.choices = [("", str(_l("Choose a decision")))] + [(m.action, str(m.label)) for m in moves]


class MergeForm(FlaskForm):
    """Merging an idea into the idea that remains, with the public answer that explains it."""

    target = StringField(
        _l("Number of the idea that remains"),
        validators=[DataRequired(_l("Enter the number of the idea that remains."))],
        description=_l("The number is in the address of its page: for /ideas/123-… it is 123. "
                       "You can also paste the address."),
        render_kw={"maxlength": 300, "autocomplete": "off"},
    )
    reason = TextAreaField(
        _l("Public answer"),
        description=_l("Shown in the history of this idea with the date and your role: say why it is the same "
                       "idea as the one that remains."),
        filters=[unix_newlines],
        render_kw={"rows": 4},
    )
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])

    def validate_target(self, field) -> None:
        self.target_id = parse_idea_number(field.data)
        if self.target_id is None:
            raise ValidationError(_l("Enter the number of the idea that remains, for example 123, "
                                     "or paste the address of its page."))
