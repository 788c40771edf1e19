"""The search page (/search) and the similar needs and ideas shown while writing one."""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request, url_for
from flask_babel import gettext as _

from civic.core.errors import abort_with
from civic.core.ratelimit import config_limit
from civic.core.rules import RuleError
from civic.extensions import limiter
from civic.search import (
    models,  # noqa: F401 - the search tables belong to the schema
    service,
)
from civic.territories.services import city_by_slug

bp = Blueprint("search", __name__)
# On the blueprint, the limit is counted before anything else, also for a page kept for anonymous
# visitors (civic/core/pagecache.py), which a limit on the view would not see.
limiter.limit(config_limit("RATELIMIT_SEARCH"))(bp)

@bp.app_template_global()
def search_url(current: service.Page, /, **changes) -> str:
    """The address of this search with some filters or the page changed (None removes one)."""
    args = {"q": current.query, **current.filters}
    for name, value in changes.items():
        if value is None:
            args.pop(name, None)
        else:
            args[name] = value
    if "type" in changes:
        args.pop("status", None)  # statuses belong to a type
    return url_for("search.index", **{k: v for k, v in args.items() if v})


@bp.route("/search")
def index():
    try:
        page = service.search(request.args)
    except RuleError as error:
        abort_with(error.status, error.message)
    return render_template("search/results.html", page=page)


@bp.route("/search/similar")
def similar():
    """Needs and ideas of a city similar to a title being written (JSON, for the submission forms)."""
    city = city_by_slug((request.args.get("city") or "")[:80])
    if city is None:
        abort_with(404, _("There is no city at this address."))
    results = service.similar(request.args.get("text", ""), city.id)
    return jsonify([{"type": r.kind, "type_label": r.kind_label, "title": str(r.title.striptags()), "url": r.url,
                     "status": r.status_label} for r in results])
