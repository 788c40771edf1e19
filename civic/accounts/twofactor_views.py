"""Two-factor authentication: setting it up, the login's second step, recovery codes, turning it off.
These routes join the accounts blueprint."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from itsdangerous import BadSignature, URLSafeTimedSerializer

from civic.accounts import twofactor
from civic.accounts.auth import PENDING, pending_login, safe_next
from civic.accounts.forms import PasswordConfirmForm, TwoFactorCodeForm, TwoFactorSetupForm
from civic.accounts.models import User
from civic.accounts.views import _start_session, bp
from civic.core.forms import form_status, handle_form, run_form
from civic.extensions import db, limiter

# A key proposed by the setup page is signed for its account into the page's form, and good this long:
# the page itself remembers nothing (no GET changes the session).
PROPOSAL_SALT = "two-factor-setup"
PROPOSAL_SECONDS = 1800


def _proposals() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=PROPOSAL_SALT)


def _proposed_secret(user: User, signed: str | None) -> str:
    """The key the page proposed to this account, while it is good; else a new one (shown again)."""
    if signed:
        try:
            proposal = _proposals().loads(signed, max_age=PROPOSAL_SECONDS)
        except BadSignature:
            proposal = None
        if isinstance(proposal, dict) and proposal.get("user") == user.id and isinstance(proposal.get("secret"), str):
            return proposal["secret"]
    return twofactor.new_secret()


def _pending_key() -> str:
    return f"two-factor:{(session.get(PENDING) or {}).get('id')}"


@bp.route("/account/login/verify", methods=["GET", "POST"])
@limiter.limit("10 per 10 minutes", key_func=_pending_key, methods=["POST"])
def login_verify():
    user, pending = pending_login()
    if user is None:
        session.pop(PENDING, None)
        flash(_("Log in again: the time to enter the code has run out."), "info")
        return redirect(url_for("accounts.login"))
    form = TwoFactorCodeForm()
    if form.validate_on_submit():
        if twofactor.verify(user, form.code.data):
            session.pop(PENDING, None)
            _start_session(user, remember=pending.get("remember", False))
            db.session.commit()
            flash(_("You are logged in."), "success")
            return redirect(safe_next(pending.get("next")))
        db.session.rollback()
        form.code.errors = [_("This code is not right, or was already used. Enter the code the app shows now.")]
    return render_template("accounts/login_verify.html", form=form), form_status(form)


def _status_page(user: User, form: PasswordConfirmForm):
    return render_template("accounts/two_factor.html", enabled=twofactor.enabled(user),
                           required=twofactor.required(user), left=twofactor.unused_recovery_codes(user),
                           form=form), form_status(form)


@bp.route("/account/two-factor")
@login_required
def two_factor():
    return _status_page(current_user._get_current_object(), PasswordConfirmForm())


@bp.route("/account/two-factor/setup", methods=["GET", "POST"])
@login_required
def two_factor_setup():
    user = current_user._get_current_object()
    if twofactor.enabled(user):
        return redirect(url_for("accounts.two_factor"))
    form = TwoFactorSetupForm()
    secret = _proposed_secret(user, form.proposal.data if request.method == "POST" else None)
    form.proposal.data = _proposals().dumps({"user": user.id, "secret": secret})
    done, codes = run_form(form, lambda: twofactor.enable(user, secret, form.code.data, form.password.data))
    if not done:
        return render_template("accounts/two_factor_setup.html", form=form, secret=secret,
                               qr=twofactor.qr_code(user, secret)), form_status(form)
    db.session.commit()
    flash(_("Two-factor authentication is on."), "success")
    return render_template("accounts/recovery_codes.html", codes=codes)


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
@login_required
def two_factor_codes():
    user = current_user._get_current_object()
    form = PasswordConfirmForm()
    done, codes = run_form(form, lambda: twofactor.renew_recovery_codes(user, form.password.data))
    if not done:
        return _status_page(user, form)
    db.session.commit()
    return render_template("accounts/recovery_codes.html", codes=codes)


@bp.route("/account/two-factor/off", methods=["POST"])
@login_required
def two_factor_off():
    user = current_user._get_current_object()
    form = PasswordConfirmForm()
    return handle_form(form, lambda: twofactor.disable(user, form.password.data),
                       message=_("Two-factor authentication is off."), category="info",
                       redirect_to=url_for("accounts.two_factor"), render=lambda _status: _status_page(user, form))
