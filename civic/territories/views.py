"""Public pages of cities and programmes; neighbourhood editing for admins."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from civic.accounts.permissions import can_edit_neighbourhoods
from civic.core.errors import abort_with
from civic.core.forms import ActionForm, check_action, form_status, run_form
from civic.extensions import db
from civic.territories import services
from civic.territories.forms import NeighbourhoodForm
from civic.territories.models import City, Neighbourhood, Priority, Programme, SpecificObjective, Theme

bp = Blueprint("territories", __name__)


def _city_or_404(slug: str) -> City:
    city = db.session.scalar(select(City).where(City.slug == slug).options(selectinload(City.neighbourhoods)))
    if city is None:
        abort_with(404, _("There is no city at this address."))
    return city


def _require_neighbourhood_editor(city: City) -> None:
    if not can_edit_neighbourhoods(current_user, city):
        abort_with(403, _("Only administrators can edit the neighbourhoods of a city."))


@bp.route("/cities/")
def index():
    return render_template("territories/index.html", cities_by_role=services.cities_by_role())


@bp.route("/cities/<slug>")
def city(slug: str):
    """The city's home: its figures, the latest needs and ideas, its neighbourhoods."""
    from civic.calls import phases
    from civic.calls.services import running_calls
    from civic.posts import listing
    from civic.posts.models import Idea, Need

    place = _city_or_404(slug)
    calls = running_calls(place)
    return render_template(
        "territories/city.html", city=place, figures=listing.city_figures(place),
        latest_needs=listing.latest(Need, place), latest_ideas=listing.latest(Idea, place),
        calls=calls, call_phases={c.id: phases.current_phase(c) for c in calls},
    )


@bp.route("/cities/<slug>/neighbourhoods", methods=["GET", "POST"])
@login_required
def neighbourhoods(slug: str):
    city = _city_or_404(slug)
    _require_neighbourhood_editor(city)
    form = NeighbourhoodForm()
    done, added = run_form(form, lambda: services.add_neighbourhood(city, form.name.data, actor=current_user._get_current_object()))
    if not done:
        return (render_template("territories/neighbourhoods.html", city=city, form=form, delete_form=ActionForm()),
                form_status(form))
    db.session.commit()
    flash(_("Neighbourhood %(name)s added.", name=added.name), "success")
    return redirect(url_for("territories.neighbourhoods", slug=city.slug))


def _neighbourhood_of(city: City, neighbourhood_id: int) -> Neighbourhood:
    neighbourhood = db.session.get(Neighbourhood, neighbourhood_id)
    if neighbourhood is None or neighbourhood.city_id != city.id:
        abort_with(404, _("This neighbourhood does not exist in %(city)s.", city=city.name))
    return neighbourhood


@bp.route("/cities/<slug>/neighbourhoods/<int:neighbourhood_id>", methods=["GET", "POST"])
@login_required
def rename_neighbourhood(slug: str, neighbourhood_id: int):
    city = _city_or_404(slug)
    _require_neighbourhood_editor(city)
    neighbourhood = _neighbourhood_of(city, neighbourhood_id)
    form = NeighbourhoodForm(obj=neighbourhood)
    done, _result = run_form(form, lambda: services.rename_neighbourhood(neighbourhood, form.name.data, actor=current_user._get_current_object()))
    if not done:
        return (render_template("territories/neighbourhood_edit.html", city=city, neighbourhood=neighbourhood,
                                form=form), form_status(form))
    db.session.commit()
    flash(_("Neighbourhood renamed."), "success")
    return redirect(url_for("territories.neighbourhoods", slug=city.slug))


@bp.route("/cities/<slug>/neighbourhoods/<int:neighbourhood_id>/delete", methods=["POST"])
@login_required
def delete_neighbourhood(slug: str, neighbourhood_id: int):
    city = _city_or_404(slug)
    _require_neighbourhood_editor(city)
    neighbourhood = _neighbourhood_of(city, neighbourhood_id)
    check_action()
    name = neighbourhood.name
    services.remove_neighbourhood(neighbourhood, actor=current_user._get_current_object())
    db.session.commit()
    flash(_("Neighbourhood %(name)s removed.", name=name), "success")
    return redirect(url_for("territories.neighbourhoods", slug=city.slug))


@bp.route("/programmes/")
def programmes():
    items = db.session.scalars(
        select(Programme)
        .options(selectinload(Programme.priorities).selectinload(Priority.actions))
        .order_by(Programme.start_year)
    ).all()
    objectives = db.session.scalars(select(SpecificObjective).order_by(SpecificObjective.code)).all()
    themes = db.session.scalars(select(Theme).options(selectinload(Theme.objective)).order_by(Theme.position)).all()
    return render_template("territories/programmes.html", programmes=items, objectives=objectives, themes=themes)
