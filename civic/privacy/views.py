"""The privacy notice and its acceptance, My data (a copy of everything, downloaded by its owner only)
and Delete my account."""
from __future__ import annotations

import gzip

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from civic.accounts.auth import end_session, safe_next
from civic.core.errors import abort_with
from civic.core.forms import ActionForm, check_action, handle_form
from civic.core.ratelimit import completed
from civic.core.rules import RuleError
from civic.core.timeutil import utcnow
from civic.extensions import db, limiter
from civic.privacy import consent, deletion, export
from civic.privacy.forms import ConsentForm, DeleteAccountForm
from civic.privacy.models import DataExport

bp = Blueprint("privacy", __name__)


@bp.route("/account/data")
@login_required
def my_data():
    user = current_user._get_current_object()
    return render_template("privacy/my_data.html", exports=export.exports_of(user), now=utcnow(),
                           sections=export.SECTIONS, form=ActionForm())


@bp.route("/account/data", methods=["POST"])
@login_required
@limiter.limit("10 per day", deduct_when=completed)
def request_data():
    check_action()
    user = current_user._get_current_object()
    try:
        requested = export.request_export(user)
    except RuleError as error:
        db.session.rollback()
        flash(str(error.message), "info")
        return redirect(url_for("privacy.my_data"))
    if export.is_small(user):
        export.prepare(requested)
        db.session.commit()
        flash(_("Your data is ready: download it below."), "success")
    else:
        db.session.commit()
        flash(_("You have a lot of data: we are preparing it and will email you when it is ready to download "
                "from this page."), "info")
    return redirect(url_for("privacy.my_data"))


@bp.route("/account/data/<int:export_id>")
@login_required
def download(export_id: int):
    user = current_user._get_current_object()
    found: DataExport | None = export.for_download(user, export_id)
    if found is None:
        abort_with(404, _("There is no such copy of your data."))
    if found.expired() or (found.content is None and found.ready_at is not None):
        abort_with(410, _("This copy of your data has expired and was erased. Ask for a new one."))
    if not found.is_ready:
        abort_with(409, _("This copy of your data is not ready yet."))
    found.downloads += 1
    body = gzip.decompress(found.content)
    db.session.commit()
    name = f"my-data-{found.ready_at:%Y-%m-%d}.json"
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "private, no-store",
    })


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"])
def delete_account():
    user = current_user._get_current_object()
    form = DeleteAccountForm()
    obstacles = deletion.obstacles(user)
    address, name, language = user.email, user.stored_name, user.locale or "it"
    def goodbye(_result) -> None:
        deletion.say_goodbye(address, name, language)
        end_session()

    return handle_form(form, lambda: deletion.delete_account(user, form.password.data), after_commit=goodbye,
                       message=_("Your account has been deleted. Thank you for taking part."),
                       redirect_to=url_for("core.home"), template="privacy/delete.html", form=form, obstacles=obstacles)


@bp.route("/privacy")
def notice():
    return render_template("privacy/notice.html", version=consent.current_version())


@bp.route("/privacy/accept", methods=["GET", "POST"])
@login_required
def accept():
    user = current_user._get_current_object()
    next_url = request.args.get("next")
    if not consent.needs_consent(user):
        return redirect(safe_next(next_url))
    form = ConsentForm()
    return handle_form(form, lambda: consent.record(user),
                       message=_("Thank you: your acceptance of the privacy notice is recorded."),
                       redirect_to=lambda _result: safe_next(next_url),
                       render=lambda status: (render_template("privacy/accept.html", form=form,
                                                              version=consent.current_version(),
                                                              first_time=user.privacy_version is None), status))
