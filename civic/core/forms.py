"""Validators and fields every form uses."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, g, redirect, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from wtforms import DecimalField, Field, SelectMultipleField, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from civic.core.access import Duplicate, once_more_if_duplicate, perform
from civic.core.errors import DUPLICATE, abort_with, duplicate_columns, is_unique_violation
from civic.core.rules import RuleError
from civic.core.text import checked_line, too_short
from civic.extensions import db

MARKDOWN_HINT = _l("You can use Markdown: **bold**, *italics*, lists with -, links as [text](https://...).")


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (themes, cities, kinds of support…)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


# Primary keys are 32-bit integers on every backend: larger numbers cannot name a row.
ID_MAX = 2**31 - 1
NOT_AN_ID = -1  # matches no choice and no row, so the field or the service refuses it clearly


def optional_id(value):
    """Coerce a submitted id: None when empty, NOT_AN_ID when not a valid id."""
    if value in (None, "", "None"):
        return None
    if isinstance(value, int):
        return value if 0 < value <= ID_MAX else NOT_AN_ID
    text = str(value).strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 10) or not 0 < int(text) <= ID_MAX:
        return NOT_AN_ID
    return int(text)


def required_id(value):
    return NOT_AN_ID if (coerced := optional_id(value)) is None else coerced


def unix_newlines(value):
    """Browsers send CRLF line breaks: count and store one character per line break."""
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


class FiniteDecimalField(DecimalField):
    """A decimal number that refuses NaN and infinities, which Decimal() would accept."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(self.gettext("Not a valid decimal value."))


class ActionForm(FlaskForm):
    """No fields: carries the CSRF token of a button (vote, withdraw, delete)."""


# A refused POST that names no field: its CSRF token was missing or stale.
UNVERIFIED = _l("The request could not be verified. Reload the page and try again.")


def check_action() -> None:
    """A button's bare POST: its CSRF token must be valid, else 400 with a clear message."""
    if g.get("csrf_valid"):  # CSRFProtect checked it before the view, as it does every POST
        return
    if not ActionForm().validate_on_submit():
        abort_with(400, UNVERIFIED)


class PlainLine:
    """A one-line text: no control or direction-override characters, length in bounds."""

    def __init__(self, min_length: int = 1, max_length: int = 255):
        self.min_length = min_length
        self.max_length = max_length

    def __call__(self, form, field) -> None:
        field.data = checked_line(field.data, field.name, maximum=self.max_length, minimum=self.min_length,
                                  missing=too_short(self.min_length) if self.min_length > 0 else None,
                                  error=lambda message, _field: ValidationError(message))


def show_rule_error(form: FlaskForm, error: RuleError) -> None:
    """Put a service's message next to the field it concerns, or above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error.message)]
    else:
        form.form_errors.append(str(error.message))


def show_duplicate(form: FlaskForm, columns: list[str]) -> None:
    """A row this form writes was written meanwhile by another request: say so next to the field that
    holds the constraint's column (the email of an account…), or above the form."""
    field = next((f for name in columns if isinstance(f := getattr(form, name, None), Field)), None)
    if field is not None:
        field.errors = [*field.errors, str(DUPLICATE)]
    else:
        form.form_errors.append(str(DUPLICATE))


def run_form(form: FlaskForm, action: Callable[[], Any]) -> tuple[bool, Any]:
    """Validate a submitted form and run the service on it.

    Returns (True, result) when the service succeeded (the view then commits), else
    (False, None) with the form carrying the messages and the session rolled back.
    A refusal that is not about the input (403, 409) ends the request with its error page.
    A unique constraint met at the service's flush runs it once more (`once_more_if_duplicate`), so a
    second request that passed the check together with the first gets the check's own message.
    """
    if not form.validate_on_submit():
        return False, None
    try:
        result = once_more_if_duplicate(action)
    except Duplicate as error:
        show_duplicate(form, error.columns)
        return False, None
    except RuleError as error:
        db.session.rollback()
        if error.status != 422:
            abort_with(error.status, error.message)
        show_rule_error(form, error)
        return False, None
    return True, result


def form_status(form: FlaskForm) -> int:
    """422 for a submitted form that was refused, 200 for a form shown for the first time."""
    return 422 if form.is_submitted() else 200


def check_refusal_shown(form: FlaskForm) -> None:
    """A form of a larger page refused with no message to show failed only its CSRF token: 400."""
    if not form.errors and not form.form_errors:
        abort_with(400, UNVERIFIED)


def _flashes(message, category: str) -> list[tuple[Any, str]]:
    if message is None:
        return []
    if isinstance(message, list):
        return message
    if isinstance(message, tuple):
        return [message]
    return [(message, category)]


def handle_form(
    form: FlaskForm,
    action: Callable[[], Any],
    /,
    *,
    redirect_to: str | Callable[[Any], str],
    message: Any = None,
    category: str = "success",
    before_commit: Callable[[Any], Any] | None = None,
    after_commit: Callable[[Any], Any] | None = None,
    template: str | None = None,
    render: Callable[[int], Any] | None = None,
    **context: Any,
):
    """The answer of a form page: validate → service → commit → flash → redirect, or the form again.

    `action` runs the service (see `run_form`); its result is passed to the callables below.
    Success: `before_commit(result)`, the commit, `after_commit(result)`, then the flash of
    `message` (a text, or a callable of the result returning a text, a (text, category) pair, a
    list of pairs or None), then a redirect to `redirect_to` (an address, or a callable of the result).
    Refusal: `render_template(template, **context)` (the context usually names the form too) or `render(status)`, with 200 for a form shown
    for the first time and 422 for a refused one; with neither, the form is a button and its
    refusal is a 400 (its CSRF token was not valid).
    """
    done, result = run_form(form, action)
    if not done:
        status = form_status(form)
        if render is not None:
            return render(status)
        if template is not None:
            return render_template(template, **context), status
        abort_with(400, UNVERIFIED)
    if before_commit is not None:
        before_commit(result)
    try:
        db.session.commit()
    except IntegrityError as error:
        if not is_unique_violation(error):
            raise
        db.session.rollback()  # a row written meanwhile, met only at the commit: the form again, 409
        show_duplicate(form, duplicate_columns(error))
        if render is not None:
            return render(409)
        if template is not None:
            return render_template(template, **context), 409
        abort_with(409, DUPLICATE)
    if after_commit is not None:
        after_commit(result)
    for text, kind in _flashes(message(result) if callable(message) else message, category):
        flash(text, kind)
    return redirect(redirect_to(result) if callable(redirect_to) else redirect_to)


def handle_button(
    action: Callable[[], Any],
    /,
    *,
    redirect_to: str | Callable[[Any], str],
    message: Any = None,
    category: str = "success",
):
    """The answer of a button (publish, verify, leave, delete…): its CSRF token checked (400), the service
    run (its refusal answered with its status and message, nothing written), the commit, the flash of
    `message` and the redirect, as `handle_form` does for a form."""
    check_action()
    result = perform(action)
    try:
        db.session.commit()
    except IntegrityError as error:
        if not is_unique_violation(error):
            raise
        db.session.rollback()
        abort_with(409, DUPLICATE)
    for text, kind in _flashes(message(result) if callable(message) else message, category):
        flash(text, kind)
    return redirect(redirect_to(result) if callable(redirect_to) else redirect_to)
