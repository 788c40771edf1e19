"""Registration, login, passwords, email confirmation and public profiles."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from civic.accounts import reauth, services, sessions, tokens, twofactor
from civic.accounts.auth import ask_for_code, end_session, safe_next
from civic.accounts.forms import (
    EmailChangeForm,
    LoginForm,
    PasswordChangeForm,
    ProfileForm,
    RegistrationForm,
    ResetPasswordForm,
    ResetRequestForm,
)
from civic.accounts.models import LoginSession, User, new_session_token
from civic.core.errors import abort_with
from civic.core.forms import check_action, form_status, handle_form, run_form
from civic.core.i18n import LANGUAGES
from civic.core.mail import MailError
from civic.core.ratelimit import completed, config_limit
from civic.core.views import bp as core_bp
from civic.extensions import db, limiter

bp = Blueprint("accounts", __name__)


@core_bp.route("/language", methods=["POST"])
def set_language():
    """Switch the interface language; remembered in the session and, when logged in, the account."""
    locale = request.form.get("locale", "")
    if locale in LANGUAGES:
        session["locale"] = locale
        session.permanent = True  # kept across browser restarts, not only for this visit
        if current_user.is_authenticated:
            services.set_locale(current_user, locale)
            db.session.commit()
    return redirect(safe_next(request.form.get("next")))


def _start_session(user: User, remember: bool) -> None:
    # A new session at login: nothing from before the login survives (fixation).
    locale = session.get("locale")
    session.clear()
    if user.locale is None and locale:
        user.locale = locale
    sessions.start(user, remember)
    login_user(user, remember=remember)
    session.permanent = True
    reauth.mark_confirmed()  # the password was just given
    services.record_login(user)


@bp.route("/account/register", methods=["GET", "POST"])
@limiter.limit(config_limit("RATELIMIT_SIGNUP"), methods=["POST"], deduct_when=completed)
def register():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = RegistrationForm()
    form.fill_home_choices()
    done, user = run_form(form, lambda: services.register_user(
        email=form.email.data,
        display_name=form.display_name.data,
        password=form.password.data,
        home_city_id=form.home_city.data,
        home_neighbourhood_id=form.home_neighbourhood.data,
        locale=session.get("locale"),
        privacy_version=current_app.config["PRIVACY_VERSION"],  # the notice shown on the form
    ))
    if not done:
        return render_template("accounts/register.html", form=form), form_status(form)
    _start_session(user, remember=False)
    db.session.commit()
    try:
        services.send_confirmation(user)
        flash(_("Welcome! We sent you an email: open the link in it to confirm your address."), "success")
    except MailError:
        flash(_("Welcome! We could not send the confirmation email now: you can ask for it again from your account."),
              "warning")
    return redirect(url_for("accounts.account"))


@bp.route("/account/login", methods=["GET", "POST"])
@limiter.limit(config_limit("RATELIMIT_LOGIN"), methods=["POST"])
def login():
    form = LoginForm()
    next_url = request.args.get("next")
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None and user.blocked_at is not None:
            # Told only to whoever knows the password: the reason is not shown for a mere email address.
            form.form_errors.append(_("Your account has been suspended by the moderators. Reason: %(reason)s",
                                      reason=user.blocked_reason))
            return render_template("accounts/login.html", form=form, next_url=next_url), 403
        if user is not None and twofactor.enabled(user):
            ask_for_code(user, form.remember.data, next_url)
            return redirect(url_for("accounts.login_verify"))
        if user is not None:
            _start_session(user, remember=form.remember.data)
            db.session.commit()
            flash(_("You are logged in."), "success")
            return redirect(safe_next(next_url))
        # The same answer whether the email is unknown or the password wrong.
        form.form_errors.append(_("The email or the password is not correct."))
    return render_template("accounts/login.html", form=form, next_url=next_url), form_status(form)


@bp.route("/account/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        sessions.end(sessions.current(current_user))  # a copy of the cookie logs no one in any more
        db.session.commit()
    end_session()
    flash(_("You are logged out."), "info")
    return redirect(url_for("core.home"))


@bp.route("/account/", methods=["GET", "POST"])
@login_required
def account():
    user = current_user._get_current_object()
    form = ProfileForm(obj=None if request.method == "POST" else user)
    form.fill_home_choices()
    if request.method == "GET":
        form.home_city.data = user.home_city_id
        form.home_neighbourhood.data = user.home_neighbourhood_id
    return handle_form(form, lambda: services.update_profile(
        user,
        display_name=form.display_name.data,
        home_city_id=form.home_city.data,
        home_neighbourhood_id=form.home_neighbourhood.data,
    ), message=_("Your profile has been saved."), redirect_to=url_for("accounts.account"),
        template="accounts/account.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    user = current_user._get_current_object()
    form = PasswordChangeForm()
    return handle_form(form, lambda: services.change_password(user, form.current_password.data,
                                                              form.new_password.data),
                       # Every session ended with the new password: log in again here so that only the other
                       # devices are out.
                       before_commit=lambda _result: _start_session(user, remember=False),
                       message=_("Your password has been changed. Other devices have been logged out."),
                       redirect_to=url_for("accounts.account"), template="accounts/password_change.html", form=form)


@bp.route("/account/email", methods=["GET", "POST"])
@login_required
@limiter.limit(config_limit("RATELIMIT_RESET"), methods=["POST"], deduct_when=completed)
def change_email():
    user = current_user._get_current_object()
    form = EmailChangeForm()
    try:
        done, address = run_form(form, lambda: services.request_email_change(
            user, form.new_email.data, form.current_password.data))
    except MailError:
        form.form_errors.append(_("We could not send the email now. Try again in a few minutes."))
        return render_template("accounts/email_change.html", form=form), 503
    if not done:
        return render_template("accounts/email_change.html", form=form), form_status(form)
    flash(_("We sent a link to %(address)s: open it to confirm the new address. Until then you keep using %(current)s.",
            address=address, current=user.email), "info")
    return redirect(url_for("accounts.account"))


@bp.route("/account/email/<token>")
def confirm_email_change(token: str):
    try:
        user, old_address = services.confirm_email_change(token)
    except services.AccountError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
        return redirect(url_for("accounts.account") if current_user.is_authenticated else url_for("core.home"))
    db.session.commit()
    try:
        services.send_email_changed_notice(user, old_address)
    except MailError:
        current_app.logger.warning("the notice of an email change could not be sent", extra={"user_id": user.id})
    flash(_("Your email address is now %(address)s.", address=user.email), "success")
    return redirect(url_for("accounts.account") if current_user.is_authenticated else url_for("accounts.login"))


@bp.route("/account/reset", methods=["GET", "POST"])
@limiter.limit(config_limit("RATELIMIT_RESET"), methods=["POST"], deduct_when=completed)
def request_reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        try:
            services.send_password_reset(form.email.data)
        except MailError:
            flash(_("We could not send the email now. Try again in a few minutes."), "danger")
            return render_template("accounts/reset_request.html", form=form), 503
        flash(_("If an account exists for that address, we have sent it a link to choose a new password. "
                "Check your inbox (and the spam folder)."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form), form_status(form)


@bp.route("/account/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    if tokens.read_reset_token(token) is None:
        flash(_("This reset link is not valid or has expired. Ask for a new one."), "danger")
        return redirect(url_for("accounts.request_reset"))
    form = ResetPasswordForm()
    return handle_form(form, lambda: services.reset_password(token, form.password.data),
                       message=_("Your new password is saved. You can log in now."),
                       redirect_to=url_for("accounts.login"), template="accounts/reset_password.html", form=form)


@bp.route("/account/confirm/<token>")
def confirm_email(token: str):
    user = services.confirm_email(token)
    if user is None:
        flash(_("This confirmation link is not valid or has expired. Log in and ask for a new one."), "danger")
        return redirect(url_for("core.home"))
    db.session.commit()
    flash(_("Thank you: your email address is confirmed."), "success")
    return redirect(url_for("accounts.account") if current_user.is_authenticated else url_for("accounts.login"))


@bp.route("/account/confirm", methods=["POST"])
@login_required
@limiter.limit("3 per hour")
def resend_confirmation():
    if current_user.email_confirmed:
        flash(_("Your email address is already confirmed."), "info")
    else:
        try:
            services.send_confirmation(current_user)
            flash(_("We sent you a new confirmation email."), "success")
        except MailError:
            flash(_("We could not send the email now. Try again in a few minutes."), "danger")
    return redirect(url_for("accounts.account"))


@bp.route("/account/sessions")
@login_required
def login_sessions():
    return render_template("accounts/sessions.html", devices=sessions.live_sessions(current_user),
                           idle_minutes=current_app.config["SESSION_IDLE_MINUTES"])


@bp.route("/account/sessions/<int:session_id>/end", methods=["POST"])
@login_required
def end_login_session(session_id: int):
    check_action()
    user = current_user._get_current_object()
    login = db.session.get(LoginSession, session_id)
    if login is None or login.user_id != user.id or login.ended_at is not None:
        abort_with(404, _("This session has already ended."))
    this_one = sessions.current(user)
    sessions.end(login)
    db.session.commit()
    if this_one is not None and this_one.id == login.id:
        end_session()
        flash(_("You are logged out."), "info")
        return redirect(url_for("accounts.login"))
    flash(_("That device has been logged out."), "success")
    return redirect(url_for("accounts.login_sessions"))


@bp.route("/account/sessions/end-all", methods=["POST"])
@login_required
def end_all_login_sessions():
    """Log out everywhere, this device included: a cookie copied anywhere opens nothing any more."""
    check_action()
    user = current_user._get_current_object()
    sessions.end_all(user)
    user.session_token = new_session_token()
    db.session.commit()
    end_session()
    flash(_("You have been logged out on every device, this one included."), "info")
    return redirect(url_for("accounts.login"))
