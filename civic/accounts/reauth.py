"""Sensitive changes need a recent password: the public money of funded projects (budget, commitments,
payments, imports). A login counts as a confirmation; after CIVIC_REAUTH_MINUTES the next such change
asks for the password again, on a page that carries what was submitted, so that nothing typed is lost:
confirming sends it all again, and the change goes through. (Role changes ask for the password every
time, in their own form.)"""
from __future__ import annotations

import time

from flask import current_app, render_template, request, session
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.security import check_password_hash

CONFIRMED_AT = "password_confirmed_at"
FIELD = "reauth_password"


def mark_confirmed() -> None:
    session[CONFIRMED_AT] = int(time.time())


def confirmed_recently() -> bool:
    return time.time() - session.get(CONFIRMED_AT, 0) < current_app.config["REAUTH_MINUTES"] * 60


def ask_if_needed():
    """Called by a view that changes public money, after its permission check: None to go on (a GET,
    a recent confirmation, or the right password sent with the carried fields), else the page that asks
    for the password with what was submitted kept in it."""
    if request.method != "POST" or confirmed_recently():
        return None
    password = request.form.get(FIELD)
    if password is not None and check_password_hash(current_user.password_hash, password):
        mark_confirmed()
        return None
    error = _("The password is not correct.") if password is not None else None
    fields = [(name, value) for name, values in request.form.lists() if name != FIELD for value in values]
    return render_template("accounts/confirm_password.html", fields=fields, error=error,
                           action=request.full_path.rstrip("?")), 422 if error else 200
