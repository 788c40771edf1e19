"""The notifications page, follow and unfollow, email preferences and the one-click unsubscribe."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import RadioField

from civic.accounts.auth import safe_next
from civic.core.errors import abort_with
from civic.core.forms import ActionForm, check_action, handle_button, handle_form
from civic.core.routing import query_int
from civic.extensions import csrf, db
from civic.notifications import follows, reading, services
from civic.notifications.models import EmailFrequency
from civic.notifications.tokens import BadToken, read_unsubscribe_token

bp = Blueprint("notifications", __name__)


@bp.app_context_processor
def _bell() -> dict:
    def unread_notification_count() -> int:
        """Computed once per page, only when the header shows the bell (one query)."""
        if not current_user.is_authenticated:
            return 0
        if "unread_notifications" not in g:
            g.unread_notifications = reading.unread_count(current_user)
        return g.unread_notifications

    def following(kind: str, target) -> bool:
        return follows.is_following(current_user, kind, target.id)

    return {"unread_notification_count": unread_notification_count, "is_following": following}


def _back(kind: str, target) -> str:
    entry = follows.followable(kind)
    fallback = entry.url(target) if target is not None else url_for("core.home")
    wanted = request.form.get("next")
    return safe_next(wanted) if wanted else fallback


@bp.route("/follow/<kind>/<int:target_id>", methods=["POST"])
@login_required
def follow(kind: str, target_id: int):
    if follows.followable(kind) is None:
        abort_with(404, _("This content does not exist."))
    check_action()
    try:
        target = follows.visible_target(kind, target_id)
        added = follows.follow(current_user._get_current_object(), kind, target_id)
    except follows.UnknownTarget as error:
        abort_with(404, error.message)
    db.session.commit()
    flash(_("You follow it now: you will be notified of what happens.") if added
          else _("You already follow it."), "success")
    return redirect(_back(kind, target))


@bp.route("/unfollow/<kind>/<int:target_id>", methods=["POST"])
@login_required
def unfollow(kind: str, target_id: int):
    entry = follows.followable(kind)
    if entry is None:
        abort_with(404, _("This content does not exist."))
    check_action()
    try:
        target = follows.visible_target(kind, target_id)
    except follows.UnknownTarget as error:
        abort_with(404, error.message)
    removed = follows.unfollow(current_user._get_current_object(), kind, target_id)
    db.session.commit()
    flash(_("You no longer follow it.") if removed else _("You were not following it."), "info")
    return redirect(_back(kind, target))


@bp.route("/notifications")
@login_required
def index():
    page = query_int("page", 1, maximum=100_000)
    items, has_more = reading.page_of(current_user._get_current_object(), page)
    return render_template("notifications/index.html", items=items, page=page, has_more=has_more,
                           action_form=ActionForm())


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def read_all():
    return handle_button(lambda: services.mark_all_read(current_user._get_current_object()),
                         message=_("All your notifications are marked as read."),
                         redirect_to=url_for("notifications.index"))


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@login_required
def read(notification_id: int):
    check_action()
    try:
        services.mark_read(current_user._get_current_object(), notification_id)
    except services.NotFound as error:
        abort_with(404, error.message)
    db.session.commit()
    wanted = request.form.get("next")
    return redirect(safe_next(wanted, "notifications.index") if wanted else url_for("notifications.index"))


class PreferencesForm(FlaskForm):
    email_frequency = RadioField(choices=[], validate_choice=False)

    def fill(self) -> None:
        self.email_frequency.label.text = _("How do you want to receive notifications by email?")
        self.email_frequency.choices = [(f.value, str(services.FREQUENCY_LABELS[f])) for f in EmailFrequency]


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def preferences():
    user = current_user._get_current_object()
    form = PreferencesForm()
    form.fill()
    if not form.is_submitted():
        form.email_frequency.data = user.email_frequency
    return handle_form(form, lambda: services.set_email_frequency(user, form.email_frequency.data),
                       message=_("Your email preferences are saved."), redirect_to=url_for("notifications.preferences"),
                       template="notifications/preferences.html", form=form)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the proof; mail clients post here without a session (RFC 8058)
def unsubscribe(token: str):
    try:
        user = read_unsubscribe_token(token)
    except BadToken:
        abort_with(400, _("This unsubscribe link is not valid: it may be incomplete. Copy the whole link from "
                          "the email, or change your email preferences from your account."))
    if request.method == "POST":
        user.email_frequency = EmailFrequency.NEVER.value
        db.session.commit()
        return render_template("notifications/unsubscribed.html", email=user.email)
    return render_template("notifications/unsubscribe.html", token=token, email=user.email,
                           already=user.email_frequency == EmailFrequency.NEVER)
