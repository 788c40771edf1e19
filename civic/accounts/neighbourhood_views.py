"""Editing a city's neighbourhoods, for administrators (blueprint "territories": the addresses are under
the city's). Here rather than with the territories because who may edit them is the accounts' to say."""
from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from civic.accounts.permissions import can_edit_neighbourhoods
from civic.core.access import load_or_404, require
from civic.core.forms import ActionForm, handle_button, handle_form
from civic.territories import services
from civic.territories.forms import NeighbourhoodForm
from civic.territories.models import City, Neighbourhood
from civic.territories.views import bp as territories_bp
from civic.territories.views import city_or_404


def _require_neighbourhood_editor(city: City) -> None:
    require(can_edit_neighbourhoods(current_user, city), _("Only administrators can edit the neighbourhoods of a city."))


@territories_bp.route("/cities/<slug>/neighbourhoods", methods=["GET", "POST"])
@login_required
def neighbourhoods(slug: str):
    city = city_or_404(slug)
    _require_neighbourhood_editor(city)
    form = NeighbourhoodForm()
    return handle_form(form, lambda: services.add_neighbourhood(city, form.name.data,
                                                                actor=current_user._get_current_object()),
                       message=lambda added: _("Neighbourhood %(name)s added.", name=added.name),
                       redirect_to=url_for("territories.neighbourhoods", slug=city.slug),
                       render=lambda status: (render_template("territories/neighbourhoods.html", city=city, form=form,
                                                              delete_form=ActionForm()), status))


def _neighbourhood_of(city: City, neighbourhood_id: int) -> Neighbourhood:
    return load_or_404(Neighbourhood, neighbourhood_id, _("This neighbourhood does not exist in %(city)s.", city=city.name),
                       visible=lambda neighbourhood: neighbourhood.city_id == city.id)


@territories_bp.route("/cities/<slug>/neighbourhoods/<int:neighbourhood_id>", methods=["GET", "POST"])
@login_required
def rename_neighbourhood(slug: str, neighbourhood_id: int):
    city = city_or_404(slug)
    _require_neighbourhood_editor(city)
    neighbourhood = _neighbourhood_of(city, neighbourhood_id)
    form = NeighbourhoodForm(obj=neighbourhood)
    return handle_form(form, lambda: services.rename_neighbourhood(neighbourhood, form.name.data,
                                                                   actor=current_user._get_current_object()),
                       message=_("Neighbourhood renamed."),
                       redirect_to=url_for("territories.neighbourhoods", slug=city.slug),
                       template="territories/neighbourhood_edit.html", city=city, neighbourhood=neighbourhood,
                       form=form)


@territories_bp.route("/cities/<slug>/neighbourhoods/<int:neighbourhood_id>/delete", methods=["POST"])
@login_required
def delete_neighbourhood(slug: str, neighbourhood_id: int):
    city = city_or_404(slug)
    _require_neighbourhood_editor(city)
    neighbourhood = _neighbourhood_of(city, neighbourhood_id)
    return handle_button(lambda: services.remove_neighbourhood(neighbourhood, actor=current_user._get_current_object()),
                         message=_("Neighbourhood %(name)s removed.", name=neighbourhood.name),
                         redirect_to=url_for("territories.neighbourhoods", slug=city.slug))
