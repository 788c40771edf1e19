"""Account forms. Rules that also apply outside forms live in services.py."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField, ValidationError
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length

from civic.accounts.services import AccountError, check_password_rules
from civic.core.forms import PlainLine, optional_id
from civic.territories.services import city_choices, neighbourhood_choices


def password_rules(form, field) -> None:
    """The service's password rules, checked with the other fields so every mistake shows at once
    (the account's own email and name are those of the form, where it has them)."""
    personal = tuple(getattr(form, name).data or "" for name in ("email", "display_name") if hasattr(form, name))
    try:
        check_password_rules(field.data or "", personal)
    except AccountError as error:
        raise ValidationError(str(error.message)) from None


class HomeFieldsMixin:
    def fill_home_choices(self) -> None:
        self.home_city.choices = city_choices(_l("I prefer not to say"))
        self.home_neighbourhood.choices = neighbourhood_choices(_l("I prefer not to say"))


class RegistrationForm(HomeFieldsMixin, FlaskForm):
    display_name = StringField(
        _l("Name shown to others"),
        validators=[DataRequired(_l("Enter the name others will see.")), PlainLine(2, 80)],
        description=_l("Your first name, a nickname or your full name: it appears next to what you post."),
        render_kw={"autocomplete": "nickname", "maxlength": 80},
    )
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(_l("Enter your email address.")), Length(max=254)],
        description=_l("Never shown publicly. We use it to confirm your account and to reset your password."),
        render_kw={"autocomplete": "email"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(_l("Choose a password.")), password_rules],
        description=_l("At least 10 characters. A phrase of several words is easy to remember and hard to guess."),
        render_kw={"autocomplete": "new-password"},
    )
    password_confirm = PasswordField(
        _l("Repeat the password"),
        validators=[InputRequired(_l("Repeat the password.")), EqualTo("password", _l("The two passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )
    home_city = SelectField(_l("Your city"), coerce=optional_id, validate_choice=True)
    home_neighbourhood = SelectField(
        _l("Your neighbourhood"),
        coerce=optional_id,
        description=_l("Optional. It helps you follow what happens where you live."),
    )
    accept_privacy = BooleanField(
        _l("I have read the privacy notice and I agree to my data being used as it explains."),
        validators=[DataRequired(_l("To create an account, read the privacy notice and tick the box."))],
    )


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter your email address."))],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[InputRequired(_l("Enter your password."))],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me logged in on this device"))


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[InputRequired(_l("Enter your current password."))],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(_l("New password"), validators=[InputRequired(_l("Choose a new password.")), password_rules],
                                 description=_l("At least 10 characters."), render_kw={"autocomplete": "new-password"})
    new_password_confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[InputRequired(_l("Repeat the new password.")), EqualTo("new_password", _l("The two passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )


class EmailChangeForm(FlaskForm):
    new_email = EmailField(_l("New email address"), validators=[DataRequired(_l("Enter the new email address."))],
                           description=_l("We send a link to this address: the change happens when you open it."),
                           render_kw={"autocomplete": "email", "maxlength": 254})
    current_password = PasswordField(_l("Current password"), validators=[InputRequired(_l("Enter your current password."))],
                                     render_kw={"autocomplete": "current-password"})


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter your email address."))],
                       render_kw={"autocomplete": "email"})


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[InputRequired(_l("Choose a new password.")), password_rules],
                             description=_l("At least 10 characters."), render_kw={"autocomplete": "new-password"})
    password_confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[InputRequired(_l("Repeat the new password.")), EqualTo("password", _l("The two passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )


class ProfileForm(HomeFieldsMixin, FlaskForm):
    display_name = StringField(_l("Name shown to others"),
                               validators=[DataRequired(_l("Enter the name others will see.")), PlainLine(2, 80)],
                               render_kw={"autocomplete": "nickname", "maxlength": 80})
    home_city = SelectField(_l("Your city"), coerce=optional_id)
    home_neighbourhood = SelectField(_l("Your neighbourhood"), coerce=optional_id)


class TwoFactorCodeForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(_l("Enter the code."))],
                       description=_l("The 6 digits your authenticator app shows now, or one of your recovery codes."),
                       render_kw={"autocomplete": "one-time-code", "inputmode": "text", "maxlength": 20})


class TwoFactorSetupForm(FlaskForm):
    # The key proposed by the page, signed for this account (civic/accounts/twofactor_views.py): the page
    # remembers nothing until a code typed from it confirms it.
    proposal = HiddenField()
    code = StringField(_l("Code from the app"), validators=[DataRequired(_l("Enter the 6 digits the app shows."))],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": 10})
    password = PasswordField(_l("Your password"), validators=[InputRequired(_l("Enter your password to confirm."))],
                             render_kw={"autocomplete": "current-password"})


class PasswordConfirmForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[InputRequired(_l("Enter your password to confirm."))],
                             render_kw={"autocomplete": "current-password"})

