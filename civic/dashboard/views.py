"""The programme dashboard (/dashboard, "Cruscotto del programma"): headline totals, the figures by city,
programme, axis/priority, specific objective and theme (a server-rendered SVG chart and a data table for
each), the figures the programme itself reports beside ours, and the same figures as CSV and JSON.
Filters: programme (code) and city (slug), combinable; the charts' figure is chosen with `measure`.
Everything works without JavaScript."""
from __future__ import annotations

import textwrap

from flask import Blueprint, Response, g, jsonify, render_template, request
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from civic.core.errors import abort_with
from civic.core.templating import format_eur
from civic.dashboard import figures as F
from civic.extensions import db
from civic.territories.filters import FilterError
from civic.territories.models import City, Programme

bp = Blueprint("dashboard", __name__)

# The figure the charts show: euro (programmed, committed and paid side by side) or one of the counts.
CHART_MEASURES = {
    "money": _l("Euro programmed, committed and paid"),
    "projects": _l("Funded projects"),
    "people_reached": _l("People reached"),
    "housing_units": _l("Housing units"),
    "area_m2": _l("m² recovered"),
    "ideas": _l("Ideas"),
    "needs": _l("Needs"),
    "codesign_processes": _l("Co-design processes"),
    "organisations": _l("Organisations involved"),
}
MONEY_SERIES = (("funding_total", _l("Programmed"), "#0066cc"), ("committed_total", _l("Committed"), "#5c6f82"),
                ("paid_total", _l("Paid"), "#008055"))
SECTION_TITLES = {
    "city": _l("By city: compare the cities"),
    "programme": _l("By programme"),
    "priority": _l("By axis or priority"),
    "objective": _l("By specific objective"),
    "theme": _l("By theme"),
}

# The chart's geometry (SVG user units, about pixels: the chart is shown between 30rem and 40rem wide, so
# its 13-unit labels stay readable): labels above the bars (two lines at most), values after them.
WIDTH, BAR_MAX, LINE_CHARS = 560, 380, 64
BAR, GAP, LINE = 16, 4, 17


def _filters(allowed=()) -> F.Filters:
    try:
        return F.parse_filters(request.args, allowed)
    except FilterError as error:
        abort_with(400, str(error))


def _formatted(value, kind: str) -> str:
    if value is None:
        return "–"
    if kind == "money":
        return format_eur(value)
    return format_decimal(value)


def chart(groups: list[F.Group], measure: str) -> dict | None:
    """Bars of the groups for the chosen figure (three per group for the money), in SVG coordinates."""
    kinds = {name: kind for name, _label, kind in F.MEASURES}
    series = MONEY_SERIES if measure == "money" else ((measure, CHART_MEASURES[measure], "#0066cc"),)
    rows = [grp for grp in groups if any(getattr(grp.measures, name) is not None for name, *_ in series)]
    if not rows:
        return None
    top = max([getattr(grp.measures, name) or 0 for grp in rows for name, *_ in series] + [0]) or 1
    y = 24 if len(series) > 1 else 0
    out = []
    for grp in rows:
        lines = textwrap.wrap(grp.label, LINE_CHARS) or [""]
        if len(lines) > 2:
            lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), LINE_CHARS, placeholder=" …")]
        labels = [{"text": text, "y": y + 14 + k * LINE} for k, text in enumerate(lines)]
        y += len(lines) * LINE + 4
        bars = []
        for name, _label, colour in series:
            value = getattr(grp.measures, name) or 0
            width = round(float(value) * BAR_MAX / float(top), 1)
            bars.append({"y": y, "width": width, "colour": colour, "text": _formatted(value, kinds[name])})
            y += BAR + GAP
        y += 12
        out.append({"labels": labels, "bars": bars})
    legend = [{"label": str(label), "colour": colour, "x": k * 170} for k, (_name, label, colour) in enumerate(series)]
    return {"rows": out, "height": y, "width": WIDTH, "bar_height": BAR, "legend": legend if len(series) > 1 else []}


@bp.route("/dashboard")
def index():
    filters = _filters(allowed=("measure",))
    measure = request.args.get("measure") or "money"
    if measure not in CHART_MEASURES:
        abort_with(400, _l("Unknown figure for the charts: %(value)s.", value=measure))
    if filters.city is not None:
        g.city_slug = filters.city.slug
    figures = F.compute(filters)
    cities = db.session.scalars(select(City).order_by(City.name)).all()
    programmes = db.session.scalars(select(Programme).order_by(Programme.start_year, Programme.code)).all()
    charts = {dim: chart(figures.groups[dim], measure) for dim in F.DIMENSIONS}
    return render_template(
        "dashboard/index.html", figures=figures, filters=filters, measure=measure, charts=charts,
        chart_measures=CHART_MEASURES, measures=F.MEASURES, dimensions=F.DIMENSIONS,
        dimension_labels=F.DIMENSION_LABELS, section_titles=SECTION_TITLES, reported=F.reported(figures),
        cities=cities, programmes=programmes, formatted=_formatted)


@bp.route("/dashboard.json")
def as_json():
    response = jsonify(F.record(F.compute(_filters())))
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/dashboard.csv")
def as_csv():
    filters = _filters()
    name = "-".join(["cruscotto", *filters.args.values()])
    response = Response(F.csv_text(F.compute(filters)), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
