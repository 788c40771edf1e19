"""The blueprint "territories": the list of cities, the programmes. The home page and the header's city
selector are here too, on the site-wide blueprint "core".

Pages of this blueprint that show what builds on territories join it from their own package: a
city's home page, with its calls and latest posts (civic/calls/city_views.py), and the neighbourhoods'
editing, for administrators (civic/accounts/neighbourhood_views.py).
"""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from civic.core.errors import abort_with
from civic.core.views import bp as core_bp
from civic.extensions import db
from civic.territories import services
from civic.territories.models import City, Neighbourhood, Priority, Programme, SpecificObjective, Theme

bp = Blueprint("territories", __name__)


@core_bp.route("/")
def home():
    counts = {
        "cities": db.session.scalar(select(func.count()).select_from(City)),
        "neighbourhoods": db.session.scalar(select(func.count()).select_from(Neighbourhood)),
    }
    return render_template("core/home.html", cities_by_role=services.cities_by_role(), counts=counts)


@core_bp.route("/city", methods=["GET", "POST"])
def choose_city():
    """The header's city selector: a form posted with its CSRF token (it works without JavaScript),
    which remembers the city for the pages that name none. An address read (an old link, a bookmark)
    only leads to the city's page: a GET changes nothing."""
    values = request.form if request.method == "POST" else request.args
    city = services.city_by_slug(values.get("city", ""))
    if city is None:
        return redirect(url_for("territories.index"))
    if request.method == "POST":
        session["city"] = city.slug
    return redirect(url_for("territories.city", slug=city.slug))


def city_or_404(slug: str) -> City:
    city = db.session.scalar(select(City).where(City.slug == slug).options(selectinload(City.neighbourhoods)))
    if city is None:
        abort_with(404, _("There is no city at this address."))
    return city


@bp.route("/cities/")
def index():
    return render_template("territories/index.html", cities_by_role=services.cities_by_role())


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
