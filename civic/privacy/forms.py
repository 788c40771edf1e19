from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired, InputRequired


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[InputRequired(_l("Enter your password to confirm."))],
                             render_kw={"autocomplete": "current-password"})
    understood = BooleanField(
        _l("I understand that my account and my personal data will be erased for good, and that this cannot be "
           "undone."),
        validators=[DataRequired(_l("Tick the box to confirm that you want to delete your account."))])


class ConsentForm(FlaskForm):
    accept = BooleanField(
        _l("I have read the privacy notice and I agree to my data being used as it explains."),
        validators=[DataRequired(_l("Tick the box to accept the privacy notice, or log out."))])
