"""The pages of start-up support plans: the public page, the workspace of the team and the mentor,
the moderators' form. Importing this module (done by the blueprint registration) also registers the
lifecycle hooks of civic/startup/services.py."""
from __future__ import annotations

from flask import Blueprint, render_template, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from civic.codesign import files
from civic.core.access import load_or_404, require
from civic.core.errors import error_response
from civic.core.forms import ActionForm, handle_form
from civic.posts.models import Idea
from civic.startup import permissions, services
from civic.startup.forms import (
    FundForm,
    GateForm,
    MemberForm,
    MilestoneForm,
    NoteForm,
    PlanForm,
    SubmitForm,
    UpdateForm,
)
from civic.startup.models import SupportEvidence, SupportGate, SupportMilestone, SupportPlan
from civic.uploads.services import format_size
from civic.urls import plan_url

bp = Blueprint("startup", __name__)

UPLOAD_ENDPOINTS = {"startup.submit_milestone"}


@bp.app_template_global()
def startup_plan_of(post) -> SupportPlan | None:
    """The support plan of an idea, for the idea's page (None for a need or without a plan)."""
    if not isinstance(post, Idea):
        return None
    return services.plan_for_idea(post)


@bp.url_value_preprocessor
def _evidence_size_limit(endpoint, values):
    if endpoint in UPLOAD_ENDPOINTS and request.method == "POST":
        base = request.max_content_length or 0
        request.max_content_length = max(base, files.max_bytes() + files.FORM_OVERHEAD)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error):
    if request.endpoint in UPLOAD_ENDPOINTS:
        return error_response(413, _("The file is larger than %(size)s: upload a smaller one.",
                                     size=format_size(files.max_bytes())))
    return error_response(413)


def _user():
    return current_user._get_current_object() if current_user.is_authenticated else None


def _plan(plan_id: int) -> SupportPlan:
    return load_or_404(SupportPlan, plan_id, _("This support plan does not exist."), options=services.PLAN_LOADING,
                       visible=lambda plan: permissions.can_view_plan(current_user, plan),
                       city=lambda plan: None if permissions.is_hidden(plan) else plan.city)


def _workspace_plan(plan_id: int) -> SupportPlan:
    """The workspace exists only for the team, the mentor and the city's moderators (404 for others)."""
    plan = _plan(plan_id)
    require(permissions.can_use_workspace(current_user, plan), _("This page does not exist."), status=404)
    return plan


def _gate_form(plan: SupportPlan, form: GateForm | None = None) -> GateForm:
    form = form or GateForm(prefix="gate")
    form.milestones.choices = [(m.id, m.title) for m in plan.milestones]
    return form


def _show(plan: SupportPlan, fund_form: FundForm | None = None, status: int = 200):
    return render_template("startup/show.html", plan=plan, updates=services.updates_of(plan),
                           fund_form=fund_form or FundForm(prefix="fund"), action_form=ActionForm(),
                           gates_pending=services.gates_pending(plan),
                           hidden=permissions.is_hidden(plan)), status


def _workspace(plan: SupportPlan, status: int = 200, **forms):
    user = _user()
    defaults = {"milestone_form": MilestoneForm(prefix="milestone"), "gate_form": _gate_form(plan),
                "note_form": NoteForm(prefix="note"), "update_form": UpdateForm(prefix="update"),
                "member_form": MemberForm(prefix="member"), "submit_form": SubmitForm(prefix="submit"),
                "failed_milestone_id": None}
    defaults.update(forms)
    return render_template("startup/workspace.html", plan=plan, notes=services.notes_of(plan),
                           action_form=ActionForm(), accept=files.ACCEPT_ATTRIBUTE,
                           max_size=format_size(files.max_bytes()),
                           is_team=permissions.is_team_member(user, plan), **defaults), status


# --- pages --------------------------------------------------------------------------------------------

@bp.route("/startup/<int:plan_id>")
def show(plan_id: int):
    return _show(_plan(plan_id))


@bp.route("/startup/<int:plan_id>/workspace")
@login_required
def workspace(plan_id: int):
    return _workspace(_workspace_plan(plan_id))


@bp.route("/startup/<int:plan_id>/edit", methods=["GET", "POST"])
@login_required
def edit(plan_id: int):
    plan = _plan(plan_id)
    require(permissions.can_manage_plan(current_user, plan),
            _("Only the moderators of %(city)s can do this.", city=plan.city.name))
    form = PlanForm(obj=plan) if request.method == "GET" else PlanForm()
    if request.method == "GET":
        form.mentor_email.data = plan.mentor.email if plan.mentor else ""
    return handle_form(form, lambda: services.update_plan(_user(), plan, services.PlanData(
        mentor_email=form.mentor_email.data or "", tutoring=form.tutoring.data, training=form.training.data,
        space=form.space.data, space_place=form.space_place.data or "", grant_amount=form.grant_amount.data)),
        redirect_to=plan_url(plan), template="startup/edit.html", plan=plan, form=form)


@bp.route("/startup/<int:plan_id>/milestones", methods=["POST"])
@login_required
def add_milestone(plan_id: int):
    plan = _workspace_plan(plan_id)
    require(permissions.can_plan_milestones(current_user, plan),
            _("Only the mentor and the moderators can add milestones."))
    form = MilestoneForm(prefix="milestone")
    return handle_form(form, lambda: services.add_milestone(_user(), plan, services.MilestoneData(
        form.title.data or "", form.due_date.data, form.deliverable.data or "")),
        redirect_to=url_for("startup.workspace", plan_id=plan.id, _anchor="milestones"),
        render=lambda status: _workspace(services.load_plan(plan.id), status, milestone_form=form))


@bp.route("/startup/<int:plan_id>/members", methods=["POST"])
@login_required
def add_member(plan_id: int):
    plan = _workspace_plan(plan_id)
    require(permissions.can_plan_milestones(current_user, plan),
            _("Only the mentor and the moderators can change the team."))
    form = MemberForm(prefix="member")
    return handle_form(form, lambda: services.add_team_member(_user(), plan, form.email.data or ""),
                       redirect_to=url_for("startup.workspace", plan_id=plan.id, _anchor="team"),
                       render=lambda status: _workspace(services.load_plan(plan.id), status, member_form=form))


def _milestone(milestone_id: int) -> tuple[SupportMilestone, SupportPlan]:
    milestone = load_or_404(SupportMilestone, milestone_id, _("This milestone does not exist."))
    return milestone, _workspace_plan(milestone.plan_id)


@bp.route("/startup/milestones/<int:milestone_id>/submit", methods=["POST"])
@login_required
def submit_milestone(milestone_id: int):
    milestone, plan = _milestone(milestone_id)
    require(permissions.can_work_on_milestones(current_user, plan),
            _("Only the team can submit the evidence of a milestone."))
    form = SubmitForm(prefix="submit")
    return handle_form(form, lambda: services.submit_milestone(_user(), milestone, form.evidence.data or "",
                                                               form.file.data),
                       redirect_to=url_for("startup.workspace", plan_id=plan.id, _anchor=f"milestone-{milestone_id}"),
                       render=lambda status: _workspace(services.load_plan(plan.id), status, submit_form=form,
                                                        failed_milestone_id=milestone_id))


@bp.route("/startup/milestones/<int:milestone_id>/approve", methods=["POST"])
@login_required
def approve_milestone(milestone_id: int):
    milestone, plan = _milestone(milestone_id)
    require(permissions.can_approve_milestone(current_user, plan),
            _("Only the mentor and the moderators can approve a milestone."))
    return handle_form(ActionForm(), lambda: services.approve_milestone(_user(), milestone),
                       redirect_to=url_for("startup.workspace", plan_id=plan.id, _anchor=f"milestone-{milestone_id}"))


@bp.route("/startup/<int:plan_id>/gates", methods=["POST"])
@login_required
def add_gate(plan_id: int):
    plan = _workspace_plan(plan_id)
    require(permissions.can_manage_plan(current_user, plan),
            _("Only the moderators of %(city)s can do this.", city=plan.city.name))
    form = _gate_form(plan, GateForm(prefix="gate"))
    return handle_form(form, lambda: services.add_gate(_user(), plan, form.title.data or "",
                                                       list(form.milestones.data or [])),
                       redirect_to=url_for("startup.workspace", plan_id=plan.id, _anchor="gates"),
                       render=lambda status: _workspace(services.load_plan(plan.id), status,
                                                        gate_form=_gate_form(services.load_plan(plan.id), form)))


@bp.route("/startup/gates/<int:gate_id>/approve", methods=["POST"])
@login_required
def approve_gate(gate_id: int):
    gate = load_or_404(SupportGate, gate_id, _("This stage gate does not exist."))
    plan = _plan(gate.plan_id)
    require(permissions.can_manage_plan(current_user, plan),
            _("Only the moderators of %(city)s can do this.", city=plan.city.name))
    return handle_form(ActionForm(), lambda: services.approve_gate(_user(), gate),
                       redirect_to=plan_url(plan, _anchor="gates"))


@bp.route("/startup/<int:plan_id>/notes", methods=["POST"])
@login_required
def add_note(plan_id: int):
    plan = _workspace_plan(plan_id)
    form = NoteForm(prefix="note")
    return handle_form(form, lambda: services.add_note(_user(), plan, form.body.data or ""),
                       redirect_to=url_for("startup.workspace", plan_id=plan.id, _anchor="notes"),
                       render=lambda status: _workspace(services.load_plan(plan.id), status, note_form=form))


@bp.route("/startup/<int:plan_id>/updates", methods=["POST"])
@login_required
def add_update(plan_id: int):
    plan = _plan(plan_id)
    require(permissions.can_post_update(current_user, plan),
            _("Only the team and the mentor can publish progress updates."))
    form = UpdateForm(prefix="update")
    return handle_form(form, lambda: services.add_update(_user(), plan, form.body.data or ""),
                       redirect_to=plan_url(plan, _anchor="updates"),
                       render=lambda status: _workspace(services.load_plan(plan.id), status, update_form=form))


@bp.route("/startup/<int:plan_id>/fund", methods=["POST"])
@login_required
def fund(plan_id: int):
    plan = _plan(plan_id)
    require(permissions.can_manage_plan(current_user, plan),
            _("Only the moderators of %(city)s can do this.", city=plan.city.name))
    form = FundForm(prefix="fund")
    return handle_form(form, lambda: services.fund(_user(), plan, form.reason.data or ""),
                       redirect_to=plan_url(plan),
                       render=lambda status: _show(services.load_plan(plan.id), form, status))


@bp.route("/startup/evidence/<int:evidence_id>/download")
def download_evidence(evidence_id: int):
    """Evidence of an approved milestone is public, like the plan; before approval, the team, the
    mentor and the moderators only (404 for anyone else)."""
    evidence = load_or_404(SupportEvidence, evidence_id, _("This file does not exist."))
    plan = _plan(evidence.milestone.plan_id)
    public = evidence.milestone.is_approved and not permissions.is_hidden(plan)
    require(public or permissions.can_use_workspace(current_user, plan), _("This file does not exist."), status=404)
    response = send_from_directory(files.folder(), evidence.stored_name, mimetype=evidence.content_type,
                                   as_attachment=True, download_name=evidence.original_name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.cache_control.no_cache = True
    if not public:
        response.cache_control.private = True
    return response
