"""A city's home page (blueprint "territories"): its figures, the calls running, the latest needs and
ideas, its neighbourhoods. It is here, not with the territories, because it shows what builds on them."""
from __future__ import annotations

from flask import render_template

from civic.calls import phases
from civic.calls.services import running_calls
from civic.posts import listing
from civic.posts.models import Idea, Need
from civic.territories.views import bp, city_or_404


@bp.route("/cities/<slug>")
def city(slug: str):
    """The city's home: its figures, the latest needs and ideas, its neighbourhoods."""
    place = city_or_404(slug)
    calls = running_calls(place)
    return render_template(
        "territories/city.html", city=place, figures=listing.city_figures(place),
        latest_needs=listing.latest(Need, place), latest_ideas=listing.latest(Idea, place),
        calls=calls, call_phases={c.id: phases.current_phase(c) for c in calls},
    )
