"""Forms of the organisations. The rules live in services.py and fiscal.py; these collect the
input, show every message at once and keep what was typed."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import EmailField, SelectField, StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired

from civic.core.forms import MARKDOWN_HINT, MultiCheckboxField, optional_id, unix_newlines
from civic.extensions import db
from civic.orgs import fiscal, services
from civic.orgs.models import MemberRole, Organisation, RuntsSection
from civic.territories.models import Theme
from civic.territories.services import city_choices


def _fiscal_rule(normalise):
    """The service's rule for a code, checked with the other fields so every mistake shows at once."""

    def check(form, field) -> None:
        if not (field.data or "").strip():
            return
        try:
            normalise(field.data)
        except fiscal.FiscalError as error:
            raise ValidationError(str(error.message)) from None

    return check


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the name of the organisation."))],
                       description=_l("As in the statute, for example \"Associazione Il Ponte APS\"."),
                       render_kw={"maxlength": services.NAME_MAX})
    legal_form = StringField(
        _l("Legal form"),
        validators=[DataRequired(_l("Enter the legal form, for example Associazione or Cooperativa sociale."))],
        description=_l("For example: Associazione, Cooperativa sociale, Fondazione, Impresa sociale."),
        render_kw={"maxlength": services.LEGAL_FORM_MAX})
    runts_section = SelectField(
        _l("Section of the RUNTS"), validate_choice=False,
        validators=[DataRequired(_l("Choose the section of the RUNTS it is registered in."))],
        description=_l("The Registro Unico Nazionale del Terzo Settore section the organisation is registered in."))
    second_section = SelectField(
        _l("Second section (networks of associations only)"), validate_choice=False,
        description=_l("Only a network of associations (section e) can also sit in a second section."))
    codice_fiscale = StringField(
        _l("Codice fiscale"), validators=[DataRequired(_l("Enter the codice fiscale of the organisation.")),
                                          _fiscal_rule(fiscal.normalise_codice_fiscale)],
        description=_l("The 11 digits of the organisation's codice fiscale."),
        render_kw={"maxlength": 20, "inputmode": "numeric", "autocomplete": "off"})
    partita_iva = StringField(_l("Partita IVA (optional)"), description=_l("11 digits, when it has one."),
                              validators=[_fiscal_rule(fiscal.normalise_partita_iva)],
                              render_kw={"maxlength": 20, "inputmode": "numeric", "autocomplete": "off"})
    city = SelectField(_l("City"), coerce=optional_id, validate_choice=False,
                       validators=[DataRequired(_l("Choose the city where the organisation works."))])
    themes = MultiCheckboxField(_l("Areas of activity"), coerce=optional_id, validate_choice=False)
    description = TextAreaField(
        _l("Description"), validators=[DataRequired(_l("Describe what the organisation does, for whom and where."))],
        description=MARKDOWN_HINT, filters=[unix_newlines], render_kw={"rows": 8})
    website = StringField(_l("Website (optional)"), description=_l("For example https://www.example.it"),
                          render_kw={"maxlength": services.WEBSITE_MAX, "inputmode": "url"})
    contact_email = EmailField(_l("Contact email (optional)"), description=_l("Shown on the public profile."),
                               render_kw={"maxlength": 254})
    phone = StringField(_l("Telephone (optional)"), description=_l("Shown on the public profile."),
                        render_kw={"maxlength": services.PHONE_MAX, "inputmode": "tel"})

    def fill_choices(self) -> None:
        sections = [(s.value, s.full_label) for s in RuntsSection]
        self.runts_section.choices = [("", str(_l("Choose a section")))] + sections
        self.second_section.choices = [("", str(_l("None")))] + [c for c in sections if c[0] != RuntsSection.NETWORK]
        self.city.choices = city_choices(_l("Choose a city"))
        self.themes.choices = [(t.id, t.label) for t in db.session.scalars(select(Theme).order_by(Theme.position))]

    def data_for_service(self) -> services.OrgData:
        return services.OrgData(
            name=self.name.data, legal_form=self.legal_form.data, runts_section=self.runts_section.data or None,
            second_section=self.second_section.data or None, codice_fiscale=self.codice_fiscale.data,
            partita_iva=self.partita_iva.data, city_id=self.city.data,
            theme_ids=tuple(i for i in (self.themes.data or ()) if i), description=self.description.data,
            website=self.website.data, contact_email=self.contact_email.data, phone=self.phone.data)

    def load(self, org: Organisation) -> None:
        self.name.data, self.legal_form.data = org.name, org.legal_form
        self.runts_section.data, self.second_section.data = org.runts_section, org.second_section or ""
        self.codice_fiscale.data, self.partita_iva.data = org.codice_fiscale, org.partita_iva or ""
        self.city.data = org.city_id
        self.themes.data = [t.id for t in org.themes]
        self.description.data = org.description_markdown
        self.website.data, self.contact_email.data, self.phone.data = org.website, org.contact_email, org.phone


def _role_choices():
    return [(r.value, r.label) for r in MemberRole]


class InvitationForm(FlaskForm):
    email = EmailField(_l("Email of the person to invite"),
                       validators=[DataRequired(_l("Enter the email address of the person to invite."))],
                       description=_l("They receive a link that works once, for 7 days."),
                       render_kw={"maxlength": 254, "autocomplete": "off"})
    role = SelectField(_l("Role"), validate_choice=False, default=MemberRole.MEMBER)

    def fill_choices(self) -> None:
        self.role.choices = _role_choices()


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), validate_choice=False, validators=[DataRequired(_l("Choose a role from the list."))])

    def fill_choices(self) -> None:
        self.role.choices = _role_choices()


class UnverifyForm(FlaskForm):
    reason = TextAreaField(_l("Reason (for the audit log)"), filters=[unix_newlines], render_kw={"rows": 2,
                                                                                              "maxlength": 500})
