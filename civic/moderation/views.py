"""Reporting content, and the moderation queue of the city's moderators."""
from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from civic.accounts.auth import safe_next
from civic.accounts.models import User
from civic.accounts.permissions import can_use_moderation_desk
from civic.comments.models import Comment
from civic.comments.views import comment_url
from civic.core import pagecache
from civic.core.access import load_or_404, perform, require
from civic.core.errors import abort_with
from civic.core.forms import UNVERIFIED, ActionForm, handle_form
from civic.core.ratelimit import completed, config_limit, per_account
from civic.core.routing import ParameterError, positive_int
from civic.extensions import limiter
from civic.moderation import blocking, services
from civic.moderation.forms import BlockForm, HideForm, ReportForm
from civic.posts.models import Post
from civic.urls import post_url

bp = Blueprint("moderation", __name__)


def _target(kind: str, target_id: int, visible_only: bool = True) -> Post | Comment:
    target = services.find_target(kind, target_id)
    post = target if isinstance(target, Post) else getattr(target, "post", None)
    if target is None or (visible_only and (target.hidden_at is not None or post.hidden_at is not None)):
        abort_with(404, _("This content does not exist."))
    return target


def _person(user_id: int) -> User:
    return load_or_404(User, user_id, _("This person does not exist."), visible=lambda person: person.active)


def _back_to(target: Post | Comment | User) -> str:
    if isinstance(target, User):
        return url_for("accounts.profile", user_id=target.id)
    if isinstance(target, Post):
        return post_url(target)
    return comment_url(target)


@bp.route("/report/<any(post, comment, user):kind>/<int:target_id>", methods=["GET", "POST"])
@login_required
@limiter.limit(config_limit("RATELIMIT_COMMENT"), key_func=per_account, methods=["POST"], deduct_when=completed)
def report(kind: str, target_id: int):
    target = _person(target_id) if kind == "user" else _target(kind, target_id)
    perform(lambda: services.check_reportable(current_user._get_current_object(), target))
    form = ReportForm()
    form.fill_choices()
    return handle_form(form, lambda: services.report(
        current_user._get_current_object(), target, form.reason.data, form.details.data),
        message=_("Thank you: the moderators will look at your report."), redirect_to=lambda _result: _back_to(target),
        template="moderation/report.html", form=form, target=target, kind=kind)


def _require_moderator_role() -> None:
    require(can_use_moderation_desk(current_user), _("Only moderators and administrators can see the moderation queue."))


@bp.route("/moderation/")
@pagecache.kept_for_account  # built again after any report, hiding or block (each raises the version)
@login_required
def queue():
    _require_moderator_role()
    sort = request.args.get("sort", "newest")
    if sort not in ("newest", "most_reported"):
        abort_with(400, _("Unknown sort order. Use one of: %(sorts)s.", sorts="newest, most_reported"))
    try:
        hidden_page = positive_int(request.args.get("hidden"), "hidden", 1, maximum=100_000)
    except ParameterError as error:
        abort_with(400, error.message)
    user = current_user._get_current_object()
    desk = services.desk(user, sort, hidden_page)
    return render_template("moderation/queue.html", items=desk.queue, sort=sort, hidden=desk.hidden,
                           hide_form=HideForm(), action_form=ActionForm(),
                           blocked=blocking.blocked_users(user), block_form=BlockForm())


@bp.route("/moderation/<any(post, comment):kind>/<int:target_id>/<any(hide, unhide, dismiss):action>",
          methods=["POST"])
@login_required
def act(kind: str, target_id: int, action: str):
    _require_moderator_role()
    target = _target(kind, target_id, visible_only=False)
    user = current_user._get_current_object()
    if action == "hide":
        form = HideForm()
        return handle_form(form, lambda: services.hide(user, target, form.reason.data),
                           message=_("The content is now hidden everywhere."), redirect_to=url_for("moderation.queue"),
                           template="moderation/hide.html", form=form, target=target, kind=kind)
    button = ActionForm()
    return handle_form(button, lambda: (services.unhide if action == "unhide" else services.dismiss)(user, target),
                       message=_("The content is visible again.") if action == "unhide"
                       else _("The reports were dismissed."),
                       redirect_to=url_for("moderation.queue"),
                       render=lambda _status: abort_with(409 if button.form_errors else 400,
                                                         " ".join(map(str, button.form_errors)) or UNVERIFIED))


# --- accounts: block, unblock, dismiss the reports on a profile ------------------------------------

def _acting_on(user_id: int) -> tuple[User, User]:
    """The moderator and the person, once the moderator is known to be allowed to act on that account."""
    person = _person(user_id)
    user = current_user._get_current_object()
    perform(lambda: blocking.require_can_moderate(user, person))
    return user, person


def _after_acting() -> str:
    """Back to the page the moderator acted from (the profile or the queue)."""
    return safe_next(request.form.get("next"), "moderation.queue")


@bp.route("/moderation/user/<int:user_id>/block", methods=["POST"])
@login_required
def block_user(user_id: int):
    user, person = _acting_on(user_id)
    form = BlockForm()
    return handle_form(form, lambda: blocking.block(user, person, form.reason.data),
                       message=_("%(name)s is blocked: their content is hidden and they can no longer log in.",
                                 name=person.display_name),
                       redirect_to=lambda _result: _after_acting(),
                       template="moderation/block.html", form=form, person=person, next_url=request.form.get("next"))


@bp.route("/moderation/user/<int:user_id>/<any(unblock, dismiss):action>", methods=["POST"])
@login_required
def act_on_user(user_id: int, action: str):
    user, person = _acting_on(user_id)
    return handle_form(ActionForm(), lambda: (blocking.unblock if action == "unblock" else blocking.dismiss_reports)(
        user, person),
        message=_("%(name)s is unblocked: the content hidden by the block is visible again.", name=person.display_name)
        if action == "unblock" else _("The reports were dismissed."),
        redirect_to=lambda _result: _after_acting())
