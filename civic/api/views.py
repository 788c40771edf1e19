"""GET-only JSON endpoints. Errors are JSON bodies (civic/core/errors.py answers for every /api/ path)."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_babel import lazy_gettext as _l

from civic.api import cursor
from civic.api.openapi import document
from civic.api.resources import RESOURCES
from civic.core.errors import abort_with
from civic.core.ratelimit import config_limit
from civic.dashboard import figures as dashboard
from civic.extensions import db, limiter
from civic.territories.filters import FilterError

bp = Blueprint("api", __name__, url_prefix="/api/v1")
limiter.limit(config_limit("RATELIMIT_API"))(bp)

_NOT_FOUND = {"needs": _l("There is no public need with this id."),
              "ideas": _l("There is no public idea with this id."),
              "calls": _l("There is no published call with this id."),
              "codesign": _l("There is no public co-design process with this id."),
              "organisations": _l("There is no organisation with this id."),
              "projects": _l("There is no funded project with this id.")}


@bp.before_request
def _each_parameter_once():
    """The document declares one value per parameter: a repeated or empty one is refused, not half read."""
    for name in request.args:
        given = request.args.getlist(name)
        if len(given) > 1:
            abort_with(400, _l("Give the parameter %(name)s once.", name=name[:80]))
        if given[0] == "":
            abort_with(400, _l("The parameter %(name)s is empty: give it a value or leave it out.", name=name[:80]))


@bp.after_app_request
def _cors(response):
    """Anyone may read the API from a browser: no credentials are ever involved."""
    if request.path.startswith("/api/"):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Methods"] = "GET, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
        response.headers["Access-Control-Max-Age"] = "86400"
        if request.method == "OPTIONS" and response.status_code == 200:
            # A preflight gets its headers and no body (Flask's automatic answer would be an empty HTML page).
            response.status_code = 204
            response.set_data(b"")
            response.headers.pop("Content-Type", None)
    return response


def _list(name: str):
    resource = RESOURCES[name]
    model = resource.model
    try:
        unknown = sorted(set(request.args) - resource.filters - {"cursor", "limit"})
        if unknown:
            raise FilterError(_l("Unknown parameter: %(value)s.", value=", ".join(unknown)))
        limit = cursor.limit_of(request.args.get("limit"))
        query = resource.filter(resource.query(), request.args)
        if raw := request.args.get("cursor"):
            query = query.where(model.id < cursor.decode(raw))
    except FilterError as error:
        abort_with(400, str(error))
    rows = list(db.session.scalars(query.limit(limit + 1)).unique())
    page, more = rows[:limit], len(rows) > limit
    return jsonify({"data": [resource.record(row) for row in page],
                    "next_cursor": cursor.encode(page[-1].id) if more else None})


def _item(name: str, item_id: int):
    resource = RESOURCES[name]
    row = db.session.scalars(resource.query().where(resource.model.id == item_id)).unique().first()
    if row is None:
        abort_with(404, _NOT_FOUND[name])
    return jsonify(resource.record(row))


@bp.route("/needs")
def needs():
    return _list("needs")


@bp.route("/ideas")
def ideas():
    return _list("ideas")


@bp.route("/needs/<int:item_id>")
def need(item_id: int):
    return _item("needs", item_id)


@bp.route("/ideas/<int:item_id>")
def idea(item_id: int):
    return _item("ideas", item_id)


@bp.route("/calls")
def calls():
    return _list("calls")


@bp.route("/calls/<int:item_id>")
def call(item_id: int):
    return _item("calls", item_id)


@bp.route("/codesign")
def codesign_processes():
    return _list("codesign")


@bp.route("/codesign/<int:item_id>")
def codesign_process(item_id: int):
    return _item("codesign", item_id)


@bp.route("/organisations")
def organisations():
    return _list("organisations")


@bp.route("/organisations/<int:item_id>")
def organisation(item_id: int):
    return _item("organisations", item_id)


@bp.route("/projects")
def projects():
    return _list("projects")


@bp.route("/projects/<int:item_id>")
def project(item_id: int):
    return _item("projects", item_id)


@bp.route("/figures")
def figures():
    """The programme figures: totals and groups by city, programme, axis/priority, objective and theme
    (the dashboard's, civic/dashboard/figures.py), with the same filters: programme and city."""
    try:
        filters = dashboard.parse_filters(request.args)
    except FilterError as error:
        abort_with(400, str(error))
    return jsonify(dashboard.record(dashboard.compute(filters)))


@bp.route("/openapi.json")
def openapi():
    return jsonify(document())
