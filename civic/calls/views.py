"""Pages of the calls for ideas: the city's calls, a call with its timeline, ideas and
results, and the moderators' forms to write and publish a call."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from civic.calls import permissions, phases, services
from civic.calls.evaluation import published_results
from civic.calls.forms import CallForm
from civic.calls.models import Call, CallStatus, PhaseKind
from civic.core.access import load_or_404, perform, require
from civic.core.errors import abort_with
from civic.core.forms import ActionForm, handle_button, handle_form
from civic.core.routing import query_int
from civic.extensions import db
from civic.participation.services import voted_post_ids
from civic.posts.models import Idea, Post
from civic.territories.models import City
from civic.urls import call_url

bp = Blueprint("calls", __name__)

IDEAS_PER_PAGE = 30


def _city(slug: str) -> City:
    city = db.session.scalar(select(City).where(City.slug == slug))
    if city is None:
        abort_with(404, _("There is no city at this address."))
    return city


def _call(call_id: int) -> Call:
    """A call; a draft exists only for the moderators of its city."""
    return load_or_404(Call, call_id, _("This call does not exist."),
                       visible=lambda call: permissions.can_see_call(current_user, call),
                       city=lambda call: call.city)


@bp.route("/cities/<slug>/calls")
def city_calls(slug: str):
    city = _city(slug)
    moderator = permissions.can_manage_calls(current_user, city)
    query = (select(Call).where(Call.city_id == city.id).options(selectinload(Call.phases))
             .order_by(Call.published_at.desc().nulls_first(), Call.id.desc()))
    if not moderator:
        query = query.where(Call.status == CallStatus.PUBLISHED)
    calls = db.session.scalars(query).all()
    counts = services.idea_counts([c.id for c in calls])
    today = phases.today()
    return render_template("calls/list.html", city=city, calls=calls, counts=counts, moderator=moderator,
                           current={c.id: phases.current_phase(c, today) for c in calls})


@bp.route("/calls/<int:call_id>", defaults={"slug": None})
@bp.route("/calls/<int:call_id>-<slug>")
def show(call_id: int, slug: str | None):
    call = _call(call_id)
    if slug != call.slug:
        return redirect(call_url(call, **request.args), code=301)
    page = query_int("page", 1, maximum=100_000)
    ideas_query = (
        select(Idea).where(Idea.call_id == call.id, Post.hidden_at.is_(None))
        .options(joinedload(Post.author), joinedload(Post.neighbourhood), joinedload(Post.theme),
                 joinedload(Post.organisation))
        .order_by(Post.vote_count.desc(), Post.id.desc())
        .limit(IDEAS_PER_PAGE + 1).offset((page - 1) * IDEAS_PER_PAGE))
    ideas = db.session.scalars(ideas_query).unique().all()
    user = current_user._get_current_object() if current_user.is_authenticated else None
    total = services.idea_counts([call.id]).get(call.id, 0)
    return render_template(
        "calls/show.html", call=call, ideas=ideas[:IDEAS_PER_PAGE], has_more=len(ideas) > IDEAS_PER_PAGE,
        page=page, total=total, timeline=phases.timeline(call), current=phases.current_phase(call),
        accepts_ideas=phases.accepts_ideas(call), moderator=permissions.can_manage_call(current_user, call),
        voted=voted_post_ids(user, ideas), results=_results(call), action_form=ActionForm(),
        submission=phases.phase_of(call, PhaseKind.SUBMISSION),
    )


def _results(call: Call):
    if call.results_published_at is None:
        return None
    return published_results(call)


@bp.route("/cities/<slug>/calls/new", methods=["GET", "POST"])
@login_required
def new(slug: str):
    city = _city(slug)
    user = current_user._get_current_object()
    require(permissions.can_manage_calls(user, city), _("Only the moderators of %(city)s can manage its calls.", city=city.name))
    form = CallForm()
    form.fill_choices()
    return handle_form(form, lambda: services.create_call(user, city, form.data_for_service()),
                       message=_("The call is saved as a draft. Check it, then publish it."), redirect_to=call_url,
                       template="calls/form.html", city=city, form=form, call=None)


@bp.route("/calls/<int:call_id>/edit", methods=["GET", "POST"])
@login_required
def edit(call_id: int):
    call = _call(call_id)
    user = current_user._get_current_object()
    perform(lambda: services.check_can_edit(user, call))
    form = CallForm()
    form.fill_choices()
    if not form.is_submitted():
        form.load(call)
    return handle_form(form, lambda: services.update_call(user, call, form.data_for_service()),
                       message=_("Your changes to the call are saved."), redirect_to=lambda _result: call_url(call),
                       template="calls/form.html", city=call.city, form=form, call=call)


@bp.route("/calls/<int:call_id>/publish", methods=["POST"])
@login_required
def publish(call_id: int):
    call = _call(call_id)
    # Refused with no phases yet (422), or already published (409).
    return handle_button(lambda: services.publish_call(current_user._get_current_object(), call),
                         message=_("The call is published: residents can see it."),
                         redirect_to=lambda _result: call_url(call))
