"""The pages of funded projects: the list, the public page (timeline from the need to the project,
progress, money, indicators, milestones, updates) and the moderators' forms. Importing this module
(done by the blueprint registration) also registers the lifecycle hook of civic/projects/services.py."""
from __future__ import annotations

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from civic.accounts import reauth
from civic.codesign import permissions as codesign_permissions
from civic.codesign import services as codesign_services
from civic.core.access import load_or_404, require
from civic.core.errors import abort_with
from civic.core.forms import check_refusal_shown, handle_button, handle_form
from civic.core.routing import query_int
from civic.extensions import db
from civic.posts.models import Idea
from civic.projects import permissions, services
from civic.projects.forms import (
    DeleteForm,
    DeleteMoneyForm,
    IndicatorForm,
    MilestoneForm,
    MoneyCorrectionForm,
    MoneyForm,
    ProjectForm,
    UpdateForm,
)
from civic.projects.models import (
    Commitment,
    FundedProject,
    Indicator,
    Milestone,
    Payment,
    ProjectPartner,
    ProjectStatus,
    ProjectUpdate,
)
from civic.projects.money import format_amount
from civic.territories.models import City, Neighbourhood, Priority, Programme, SpecificObjective, Theme
from civic.urls import post_url, process_url, project_url

bp = Blueprint("projects", __name__)

PER_PAGE = 20


@bp.app_template_global()
def funded_project_of(post) -> FundedProject | None:
    """The funded project of an idea, for the idea's page."""
    if not isinstance(post, Idea):
        return None
    return services.project_for_idea(post)


@bp.app_template_global()
def projects_of_city(city: City, limit: int = 10) -> list[FundedProject]:
    """The funded projects of a city, for the city's page (one query)."""
    return db.session.scalars(select(FundedProject).where(FundedProject.city_id == city.id)
                              .options(joinedload(FundedProject.idea))
                              .order_by(FundedProject.id.desc()).limit(limit)).all()


def _user():
    return current_user._get_current_object() if current_user.is_authenticated else None


def _project(project_id: int) -> FundedProject:
    return load_or_404(FundedProject, project_id, _("This funded project does not exist."),
                       options=(joinedload(FundedProject.city), joinedload(FundedProject.programme),
                                joinedload(FundedProject.priority), joinedload(FundedProject.objective),
                                joinedload(FundedProject.theme), joinedload(FundedProject.idea)),
                       city=lambda project: project.city)


def _manager_only(project_or_city) -> None:
    city = project_or_city if isinstance(project_or_city, City) else project_or_city.city
    require(permissions.can_manage(current_user, project_or_city),
            _("Only the moderators of %(city)s can manage its funded projects.", city=city.name))


# --- the list ---------------------------------------------------------------------------------------

@bp.route("/projects")
def index():
    query = select(FundedProject).options(joinedload(FundedProject.city), joinedload(FundedProject.programme),
                                          joinedload(FundedProject.idea))
    city = programme = None
    if request.args.get("city"):
        city = db.session.scalar(select(City).where(City.slug == request.args["city"]))
        if city is None:
            abort_with(404, _("There is no city at this address."))
        g.city_slug = city.slug
        query = query.where(FundedProject.city_id == city.id)
    if request.args.get("programme"):
        programme = db.session.scalar(select(Programme).where(Programme.code == request.args["programme"]))
        if programme is None:
            abort_with(400, _("This filter does not exist."))
        query = query.where(FundedProject.programme_id == programme.id)
    status = request.args.get("status") or None
    if status is not None:
        if status not in {s.value for s in ProjectStatus}:
            abort_with(400, _("This filter does not exist."))
        query = query.where(FundedProject.status == status)
    page = query_int("page", 1, maximum=100_000)
    rows = db.session.scalars(query.order_by(FundedProject.id.desc())
                              .limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE)).all()
    cities = db.session.scalars(select(City).where(City.id.in_(select(FundedProject.city_id).distinct()))
                                .order_by(City.name)).all()
    programmes = db.session.scalars(select(Programme).order_by(Programme.start_year)).all()
    return render_template("projects/list.html", projects=rows[:PER_PAGE], has_more=len(rows) > PER_PAGE, page=page,
                           city=city, programme=programme, status=status, cities=cities, programmes=programmes,
                           statuses=list(ProjectStatus),
                           may_create=city is not None and permissions.can_manage(current_user, city))


# --- the public page --------------------------------------------------------------------------------

def _timeline(project: FundedProject) -> list[dict]:
    """From the need to the project: each stage that exists, linked when its page is public.
    The original idea of a hidden idea is named only as "not available"."""
    steps = []
    idea = project.idea
    if idea is None:
        return steps
    if idea.hidden_at is not None:
        return [{"label": _("Idea"), "title": _("The original idea is not available."), "url": None}]
    for need in idea.visible_needs:
        steps.append({"label": _("Need"), "title": need.title, "url": post_url(need)})
    steps.append({"label": _("Idea"), "title": idea.title, "url": post_url(idea)})
    process = codesign_services.process_for_idea(idea)
    if process is not None and codesign_permissions.can_view_process(current_user, process):
        steps.append({"label": _("Co-design"), "title": process.title, "url": process_url(process)})
    plan_of = current_app.jinja_env.globals.get("startup_plan_of")
    plan = plan_of(idea) if plan_of is not None else None
    if plan is not None:
        steps.append({"label": _("Start-up support"), "title": idea.title,
                      "url": url_for("startup.show", plan_id=plan.id)})
    return steps


def _choices(form: ProjectForm, city: City) -> None:
    none = [("", _("(none)"))]
    form.programme.choices = none + [(p.id, p.name) for p in db.session.scalars(select(Programme)
                                                                                 .order_by(Programme.start_year))]
    form.priority.choices = none + [(p.id, f"{p.programme.name} · {p.code} {p.label}") for p in db.session.scalars(
        select(Priority).options(joinedload(Priority.programme)).order_by(Priority.programme_id, Priority.position))]
    form.objective.choices = none + [(o.id, f"{o.code} {o.label}") for o in db.session.scalars(
        select(SpecificObjective).order_by(SpecificObjective.code))]
    form.theme.choices = none + [(t.id, t.label) for t in db.session.scalars(select(Theme).order_by(Theme.position))]
    form.neighbourhoods.choices = [(n.id, n.name) for n in db.session.scalars(
        select(Neighbourhood).where(Neighbourhood.city_id == city.id).order_by(Neighbourhood.name))]


def _render_project(project: FundedProject, status: int = 200, **forms):
    project = db.session.scalar(
        select(FundedProject).where(FundedProject.id == project.id)
        .options(selectinload(FundedProject.commitments), selectinload(FundedProject.payments),
                 selectinload(FundedProject.milestones), selectinload(FundedProject.indicators),
                 selectinload(FundedProject.neighbourhoods),
                 selectinload(FundedProject.partners).joinedload(ProjectPartner.organisation),
                 selectinload(FundedProject.updates).joinedload(ProjectUpdate.image))
        .execution_options(populate_existing=True))
    manager = permissions.can_manage(_user(), project)
    weights = sum(m.weight for m in project.milestones)
    top = max([project.funding_total, project.committed_total, project.paid_total, 1])
    bars = [(_("Programmed"), project.funding_total), (_("Committed"), project.committed_total),
            (_("Paid"), project.paid_total)]
    return render_template(
        "projects/show.html", project=project, manager=manager, timeline=_timeline(project), weights=weights,
        bars=[(label, value, int(value * 100 / top)) for label, value in bars],
        commitment_form=forms.get("commitment_form") or MoneyForm(formdata=None, prefix="c"),
        payment_form=forms.get("payment_form") or MoneyForm(formdata=None, prefix="p"),
        milestone_form=forms.get("milestone_form") or MilestoneForm(formdata=None, prefix="m"),
        indicator_form=forms.get("indicator_form") or IndicatorForm(formdata=None, prefix="i"),
        update_form=forms.get("update_form") or UpdateForm(formdata=None, prefix="u"),
        origin_hidden=project.idea is not None and project.idea.hidden_at is not None,
    ), status


@bp.route("/projects/<int:project_id>", defaults={"slug": None})
@bp.route("/projects/<int:project_id>-<slug>")
def show(project_id: int, slug: str | None):
    project = _project(project_id)
    if slug != project.display_slug:
        return redirect(project_url(project), code=301)
    return _render_project(project)


# --- creating and editing ------------------------------------------------------------------------

@bp.route("/projects/new", methods=["GET", "POST"])
@login_required
def new():
    city = db.session.scalar(select(City).where(City.slug == request.args.get("city", "")))
    if city is None:
        abort_with(404, _("There is no city at this address."))
    _manager_only(city)
    if (asked := reauth.ask_if_needed()) is not None:
        return asked
    form = ProjectForm()
    _choices(form, city)
    if not form.is_submitted():
        form.beneficiary_name.data = f"Comune di {city.name}"
        form.status.data = ProjectStatus.NOT_STARTED
    user = current_user._get_current_object()
    return handle_form(form, lambda: services.create_project(user, city, form.data_for_service()),
                       message=_("The funded project is published."), redirect_to=project_url,
                       template="projects/form.html", city=city, form=form, project=None)


@bp.route("/projects/<int:project_id>/edit", methods=["GET", "POST"])
@login_required
def edit(project_id: int):
    project = _project(project_id)
    _manager_only(project)
    if (asked := reauth.ask_if_needed()) is not None:
        return asked
    form = ProjectForm()
    _choices(form, project.city)
    if not form.is_submitted():
        form.load(project)
    user = current_user._get_current_object()
    return handle_form(form, lambda: services.update_project(user, project, form.data_for_service()),
                       message=_("Your changes to the funded project are saved."),
                       redirect_to=lambda _result: project_url(project),
                       template="projects/form.html", city=project.city, form=form, project=project)


def _post_form(project: FundedProject, form, form_name: str, action, message: str, money: bool = False):
    """A form of the project's page: the service runs, or the page comes back with the message (422).
    `money`: a commitment or a payment, which needs a recent password."""
    _manager_only(project)
    if money and (asked := reauth.ask_if_needed()) is not None:
        return asked
    def refused(status: int):
        check_refusal_shown(form)
        return _render_project(project, status, **{form_name: form})

    return handle_form(form, action, message=message, redirect_to=lambda _result: project_url(project),
                       render=refused)


@bp.route("/projects/<int:project_id>/commitments", methods=["POST"])
@login_required
def add_commitment(project_id: int):
    project = _project(project_id)
    form = MoneyForm(prefix="c")
    user = _user()
    return _post_form(project, form, "commitment_form",
                      lambda: services.add_commitment(user, project, form.data_for_service()),
                      _("The commitment is recorded."), money=True)


@bp.route("/projects/<int:project_id>/payments", methods=["POST"])
@login_required
def add_payment(project_id: int):
    project = _project(project_id)
    form = MoneyForm(prefix="p")
    user = _user()
    return _post_form(project, form, "payment_form",
                      lambda: services.add_payment(user, project, form.data_for_service()),
                      _("The payment is recorded."), money=True)


@bp.route("/projects/<int:project_id>/milestones", methods=["POST"])
@login_required
def add_milestone(project_id: int):
    project = _project(project_id)
    form = MilestoneForm(prefix="m")
    user = _user()
    return _post_form(project, form, "milestone_form",
                      lambda: services.add_milestone(user, project, form.title.data, form.due_on.data,
                                                     form.weight.data),
                      _("The milestone is added."))


@bp.route("/projects/milestones/<int:milestone_id>/complete", methods=["POST"])
@login_required
def complete_milestone(milestone_id: int):
    milestone = load_or_404(Milestone, milestone_id, _("This milestone does not exist."))
    project = _project(milestone.project_id)
    _manager_only(project)
    return handle_button(lambda: services.complete_milestone(_user(), milestone),
                         message=_("The milestone is marked as reached."),
                         redirect_to=lambda _result: project_url(project))


@bp.route("/projects/<int:project_id>/indicators", methods=["POST"])
@bp.route("/projects/<int:project_id>/indicators/<int:indicator_id>", methods=["POST"])
@login_required
def save_indicator(project_id: int, indicator_id: int | None = None):
    project = _project(project_id)
    indicator = None
    if indicator_id is not None:
        indicator = load_or_404(Indicator, indicator_id, _("This indicator does not exist."),
                                visible=lambda indicator: indicator.project_id == project.id)
    form = IndicatorForm(prefix="i")
    user = _user()
    if indicator is not None:
        # Refused changes come back on the indicator's own page, next to its fields.
        _manager_only(project)
        return handle_form(form, lambda: services.save_indicator(user, project, form.data_for_service(), indicator),
                           message=_("The indicator is saved."), redirect_to=lambda _result: project_url(project),
                           render=lambda status: _edit_page(project, "indicator", indicator, form, None, status))
    return _post_form(project, form, "indicator_form",
                      lambda: services.save_indicator(user, project, form.data_for_service(), indicator),
                      _("The indicator is saved."))


@bp.route("/projects/<int:project_id>/updates", methods=["POST"])
@login_required
def post_update(project_id: int):
    project = _project(project_id)
    form = UpdateForm(prefix="u")
    user = _user()
    return _post_form(project, form, "update_form",
                      lambda: services.post_update(user, project, form.body.data, form.image.data),
                      _("The update is published and the followers are told."))



# --- corrections: editing and deleting a row -------------------------------------------------------

MONEY_FIELDS = ["made_on", "amount", "description", "exception", "exception_reason", "reason"]
DELETE_MONEY_FIELDS = ["reason", "exception", "exception_reason"]
_ROWS = {
    "commitment": (Commitment, "commitment_id"),
    "payment": (Payment, "payment_id"),
    "milestone": (Milestone, "milestone_id"),
    "indicator": (Indicator, "indicator_id"),
}


def _row(project: FundedProject, kind: str, row_id: int):
    """The row of this project, or 404 (a row of another project is not found here)."""
    model, _name = _ROWS[kind]
    return load_or_404(model, row_id, _("This row does not exist in this project."),
                       visible=lambda row: row.project_id == project.id)


def _edit_page(project: FundedProject, kind: str, row, form, delete_form, status: int = 200):
    headings = {"commitment": _("Correct a commitment"), "payment": _("Correct a payment"),
                "milestone": _("Change a milestone"), "indicator": _("Change an indicator")}
    fields = {"commitment": MONEY_FIELDS, "payment": MONEY_FIELDS, "milestone": ["title", "due_on", "weight"],
              "indicator": ["code", "name", "unit", "target", "achieved", "women", "men"]}[kind]
    _model, arg = _ROWS[kind]
    if kind == "indicator":
        action = url_for("projects.save_indicator", project_id=project.id, indicator_id=row.id)
    else:
        action = url_for(f"projects.edit_{kind}", project_id=project.id, **{arg: row.id})
    delete_url = (url_for(f"projects.delete_{kind}", project_id=project.id, **{arg: row.id})
                  if kind != "indicator" else None)
    return render_template("projects/edit_row.html", project=project, kind=kind, row=row, form=form,
                           fields=fields, action=action, heading=headings[kind], delete_form=delete_form,
                           delete_fields=DELETE_MONEY_FIELDS if kind in ("commitment", "payment") else [],
                           delete_url=delete_url), status


def _edit_money(project_id: int, kind: str, row_id: int):
    project = _project(project_id)
    _manager_only(project)
    if (asked := reauth.ask_if_needed()) is not None:
        return asked
    row = _row(project, kind, row_id)
    form = MoneyCorrectionForm(prefix="e")
    if not form.is_submitted():
        form.load(row)
    user = _user()
    return handle_form(form, lambda: services.correct_money(user, project, row, form.data_for_service(),
                                                            form.reason.data),
                       message=_("The commitment is corrected.") if kind == "commitment"
                       else _("The payment is corrected."),
                       redirect_to=lambda _result: project_url(project),
                       render=lambda status: _edit_page(project, kind, row, form,
                                                        DeleteMoneyForm(formdata=None, prefix="d"), status))


def _delete_money(project_id: int, kind: str, row_id: int):
    project = _project(project_id)
    _manager_only(project)
    if (asked := reauth.ask_if_needed()) is not None:
        return asked
    row = _row(project, kind, row_id)
    form = DeleteMoneyForm(prefix="d")
    user = _user()
    def refused(status: int):
        edit_form = MoneyCorrectionForm(formdata=None, prefix="e")
        edit_form.load(row)
        return _edit_page(project, kind, row, edit_form, form, status)

    return handle_form(form, lambda: services.delete_money(user, project, row, form.reason.data,
                                                           bool(form.exception.data),
                                                           form.exception_reason.data or ""),
                       message=_("The commitment is deleted.") if kind == "commitment"
                       else _("The payment is deleted."),
                       redirect_to=lambda _result: project_url(project), render=refused)


@bp.route("/projects/<int:project_id>/commitments/<int:commitment_id>/edit", methods=["GET", "POST"])
@login_required
def edit_commitment(project_id: int, commitment_id: int):
    return _edit_money(project_id, "commitment", commitment_id)


@bp.route("/projects/<int:project_id>/commitments/<int:commitment_id>/delete", methods=["POST"])
@login_required
def delete_commitment(project_id: int, commitment_id: int):
    return _delete_money(project_id, "commitment", commitment_id)


@bp.route("/projects/<int:project_id>/payments/<int:payment_id>/edit", methods=["GET", "POST"])
@login_required
def edit_payment(project_id: int, payment_id: int):
    return _edit_money(project_id, "payment", payment_id)


@bp.route("/projects/<int:project_id>/payments/<int:payment_id>/delete", methods=["POST"])
@login_required
def delete_payment(project_id: int, payment_id: int):
    return _delete_money(project_id, "payment", payment_id)


@bp.route("/projects/<int:project_id>/milestones/<int:milestone_id>/edit", methods=["GET", "POST"])
@login_required
def edit_milestone(project_id: int, milestone_id: int):
    project = _project(project_id)
    _manager_only(project)
    milestone = _row(project, "milestone", milestone_id)
    if milestone.completed_at is not None:
        abort_with(409, _("This milestone is already reached: it can no longer be changed."))
    form = MilestoneForm(prefix="e")
    if not form.is_submitted():
        form.title.data, form.due_on.data, form.weight.data = milestone.title, milestone.due_on, milestone.weight
    user = _user()
    return handle_form(form, lambda: services.update_milestone(user, project, milestone, form.title.data,
                                                               form.due_on.data, form.weight.data),
                       message=_("The milestone is changed."), redirect_to=lambda _result: project_url(project),
                       render=lambda status: _edit_page(project, "milestone", milestone, form,
                                                        DeleteForm(formdata=None, prefix="d"), status))


@bp.route("/projects/<int:project_id>/milestones/<int:milestone_id>/delete", methods=["POST"])
@login_required
def delete_milestone(project_id: int, milestone_id: int):
    project = _project(project_id)
    _manager_only(project)
    milestone = _row(project, "milestone", milestone_id)
    return handle_button(lambda: services.delete_milestone(_user(), project, milestone),
                         message=_("The milestone is deleted."), redirect_to=lambda _result: project_url(project))


@bp.route("/projects/<int:project_id>/indicators/<int:indicator_id>/edit")
@login_required
def edit_indicator(project_id: int, indicator_id: int):
    project = _project(project_id)
    _manager_only(project)
    indicator = _row(project, "indicator", indicator_id)
    form = IndicatorForm(formdata=None, prefix="i")
    form.code.data, form.name.data, form.unit.data = indicator.code, indicator.name, indicator.unit
    form.target.data, form.achieved.data = format_amount(indicator.target), format_amount(indicator.achieved)
    form.women.data, form.men.data = indicator.women, indicator.men
    return _edit_page(project, "indicator", indicator, form, None)
