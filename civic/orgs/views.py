"""The pages of organisations: the list, registration and editing, members and invitations, and the
moderators' verification. An organisation's own page shows what it posted and the projects it carries
out, so it joins this blueprint from above both: civic/projects/org_views.py."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from civic.core.access import load_or_404, perform, require
from civic.core.errors import abort_with
from civic.core.forms import UNVERIFIED, ActionForm, check_action, handle_button, handle_form
from civic.core.ratelimit import completed, per_account
from civic.core.rules import RuleError
from civic.extensions import db, limiter
from civic.orgs import permissions, services
from civic.orgs.forms import InvitationForm, OrganisationForm, RoleForm, UnverifyForm
from civic.orgs.models import MemberRole, Organisation, RuntsSection
from civic.territories.services import all_cities
from civic.urls import org_url

bp = Blueprint("orgs", __name__)


def _invitations_limit() -> str:
    """Invitations send email to any address: an account may send this many (CIVIC_RATELIMIT_INVITE)."""
    return current_app.config["RATELIMIT_INVITE"]


bp.add_app_template_global(permissions.can_lead_codesign, "can_lead_codesign")


def _org(org_id: int) -> Organisation:
    return load_or_404(Organisation, org_id, _("This organisation does not exist."))


def _user():
    return current_user._get_current_object() if current_user.is_authenticated else None


@bp.route("/organisations")
def index():
    try:
        listing = services.parse_listing(request.args)
    except services.ListingError as error:
        abort_with(400, error.message)
    services.run_listing(listing)
    user = _user()
    return render_template(
        "orgs/list.html", listing=listing, cities=all_cities(), runts_sections=list(RuntsSection),
        awaiting=services.awaiting_verification(user), may_register=permissions.can_register_organisation(user),
        mine=permissions.organisations_of(user))


@bp.route("/organisations/new", methods=["GET", "POST"])
@login_required
def new():
    user = current_user._get_current_object()
    require(permissions.can_register_organisation(user),
            _("Confirm your email address before registering an organisation: open the link we sent you, or ask "
              "for a new one from your account."))
    form = OrganisationForm()
    form.fill_choices()
    if not form.is_submitted() and user.home_city_id:
        form.city.data = user.home_city_id
    return handle_form(form, lambda: services.register_organisation(user, form.data_for_service()),
                       message=lambda org: _("The organisation is registered and you are its administrator. A "
                                             "moderator of %(city)s will verify it.", city=org.city.name),
                       redirect_to=org_url, template="orgs/form.html", form=form, org=None)


@bp.route("/organisations/<int:org_id>/edit", methods=["GET", "POST"])
@login_required
def edit(org_id: int):
    org = _org(org_id)
    user = current_user._get_current_object()
    perform(lambda: services.check_can_edit(user, org))
    form = OrganisationForm()
    form.fill_choices()
    if not form.is_submitted():
        form.load(org)
    def saved(dropped: bool) -> list:
        messages = [(_("Your changes are saved."), "success")]
        if dropped:
            messages.append((_("You changed the name, the codes or the sections: the organisation must be verified "
                               "again by a moderator."), "warning"))
        return messages

    return handle_form(form, lambda: services.update_organisation(user, org, form.data_for_service()),
                       message=saved, redirect_to=lambda _dropped: org_url(org),
                       template="orgs/form.html", form=form, org=org)


def _members_page(org: Organisation, invitation_form: InvitationForm | None = None, status: int = 200):
    user = current_user._get_current_object()
    require(permissions.can_manage_members(user, org),
            _("Only the administrators of %(name)s can manage its members.", name=org.name))
    if invitation_form is None:
        invitation_form = InvitationForm(formdata=None)
    invitation_form.fill_choices()
    role_form = RoleForm(formdata=None)
    role_form.fill_choices()
    return render_template(
        "orgs/members.html", org=org, members=services.members(org),
        invitations=services.pending_invitations(user, org), invitation_form=invitation_form, role_form=role_form,
        action_form=ActionForm(), roles=list(MemberRole)), status


@bp.route("/organisations/<int:org_id>/members")
@login_required
def members(org_id: int):
    return _members_page(_org(org_id))


@bp.route("/organisations/<int:org_id>/invitations", methods=["POST"])
@login_required
@limiter.limit(_invitations_limit, key_func=per_account, deduct_when=completed)
def invite(org_id: int):
    org = _org(org_id)
    user = current_user._get_current_object()
    require(permissions.can_manage_members(user, org),
            _("Only the administrators of %(name)s can invite members.", name=org.name))
    form = InvitationForm()
    form.fill_choices()
    return handle_form(form, lambda: services.invite(user, org, form.email.data, form.role.data),
                       # queued with the invitation: sent by the worker, retried if need be
                       before_commit=lambda result: services.send_invitation(result[0]),
                       message=lambda result: _("Invitation sent to %(email)s. The link works once, for 7 days.",
                                                email=result[0].email),
                       redirect_to=url_for("orgs.members", org_id=org.id),
                       render=lambda status: _members_page(org, form, status))


@bp.route("/organisations/<int:org_id>/invitations/<int:inv_id>/revoke", methods=["POST"])
@login_required
def revoke(org_id: int, inv_id: int):
    org = _org(org_id)
    return handle_button(lambda: services.revoke_invitation(current_user._get_current_object(), org, inv_id),
                         message=lambda invitation: _("The invitation to %(email)s is revoked: its link no longer "
                                                      "works.", email=invitation.email),
                         category="info", redirect_to=url_for("orgs.members", org_id=org.id))


@bp.route("/organisations/invitations/<token>", methods=["GET", "POST"])
def invitation(token: str):
    try:
        found = services.find_invitation(token)
    except RuleError as error:
        return render_template("orgs/invitation.html", invitation=None, error=error.message), error.status
    user = _user()
    if request.method == "GET":
        membership = permissions.membership_of(user, found.organisation)
        return render_template("orgs/invitation.html", invitation=found, error=None, membership=membership,
                               action_form=ActionForm())
    if user is None:
        return redirect(url_for("accounts.login", next=request.path))
    check_action()
    try:
        services.accept_invitation(user, token)
    except RuleError as error:
        db.session.rollback()
        return render_template("orgs/invitation.html", invitation=None, error=error.message), error.status
    db.session.commit()
    flash(_("Welcome to %(name)s: you are now one of its members.", name=found.organisation.name), "success")
    return redirect(org_url(found.organisation))


@bp.route("/organisations/<int:org_id>/members/<int:user_id>/remove", methods=["POST"])
@login_required
def remove_member(org_id: int, user_id: int):
    org = _org(org_id)
    check_action()
    user = current_user._get_current_object()
    if user_id == user.id:
        perform(lambda: services.leave(user, org))
    else:
        perform(lambda: services.remove_member(user, org, user_id))
    db.session.commit()
    flash(_("The member has been removed."), "info")
    if user_id == user.id:
        return redirect(org_url(org))
    return redirect(url_for("orgs.members", org_id=org.id))


@bp.route("/organisations/<int:org_id>/members/<int:user_id>/role", methods=["POST"])
@login_required
def change_role(org_id: int, user_id: int):
    org = _org(org_id)
    user = current_user._get_current_object()
    form = RoleForm()
    form.fill_choices()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort_with(400, UNVERIFIED)
        abort_with(422, _("Choose a role from the list."))
    perform(lambda: services.change_role(user, org, user_id, form.role.data))
    db.session.commit()
    flash(_("The role is changed."), "success")
    if not permissions.can_manage_members(user, org):  # an admin who made themselves a member
        return redirect(org_url(org))
    return redirect(url_for("orgs.members", org_id=org.id))


@bp.route("/organisations/<int:org_id>/leave", methods=["POST"])
@login_required
def leave(org_id: int):
    org = _org(org_id)
    return handle_button(lambda: services.leave(current_user._get_current_object(), org),
                         message=_("You have left %(name)s.", name=org.name), category="info",
                         redirect_to=lambda _result: org_url(org))


@bp.route("/organisations/<int:org_id>/verify", methods=["POST"])
@login_required
def verify(org_id: int):
    org = _org(org_id)
    return handle_button(lambda: services.verify(current_user._get_current_object(), org),
                         message=_("%(name)s is verified: the badge is shown on its profile.", name=org.name),
                         redirect_to=lambda _result: org_url(org))


@bp.route("/organisations/<int:org_id>/unverify", methods=["POST"])
@login_required
def unverify(org_id: int):
    org = _org(org_id)
    form = UnverifyForm()
    if not form.validate_on_submit():
        abort_with(400, UNVERIFIED)
    perform(lambda: services.unverify(current_user._get_current_object(), org, form.reason.data or ""))
    db.session.commit()
    flash(_("The verification of %(name)s has been withdrawn.", name=org.name), "info")
    return redirect(org_url(org))

