"""The programme dashboard's figures: totals, and the same figures by city, programme, axis/priority,
specific objective and theme, computed with a fixed number of GROUP BY queries whatever the data size.

Each source is read once, grouped by all five dimensions at once (a few rows: one per combination in
use), and rolled up here in Python, so every figure of a group is the exact sum of its projects:

- funded projects: count, people reached, housing units, m² recovered (the columns kept by
  civic/projects/figures.py), euro programmed (funding_total), committed and paid. Money is summed in
  integer cents in SQL (SQLite keeps NUMERIC as floating point), then turned back into exact Decimals;
- ideas and needs: public posts only (`visible_post`, civic/posts/models.py). An idea belongs to the programme,
  axis/priority and specific objective of the call it was submitted to; a need to none (under a
  programme filter the needs are not applicable: None);
- co-design processes whose origin is not hidden (as in the API): all of them were run (opened), the
  closed ones are "completed". A process has the programme of its call, or of its idea's call, and the
  theme of its idea or need;
- organisations involved: distinct organisations that are partners of a funded project, or admitted
  to (or partners of) a public co-design process. Counted distinct within each group, so the groups of a
  dimension may add up to more than the total (an organisation working in two cities counts in both);
- registered organisations: per city only (an organisation is not filed under a programme or theme).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from decimal import Decimal

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, Select, and_, case, cast, func, or_, select, union

from civic.calls.models import Call
from civic.codesign.models import (
    CodesignPartner,
    CodesignProcess,
    ExpressionOfInterest,
    InterestStatus,
    ProcessStatus,
    visible_process,
)
from civic.extensions import db
from civic.orgs.models import Organisation
from civic.posts.models import Idea, Post, PostKind, visible_post
from civic.projects.models import FundedProject, ProjectPartner
from civic.territories import filters as lookup
from civic.territories.filters import FilterError
from civic.territories.models import City, Priority, Programme, SpecificObjective, Theme

DIMENSIONS = ("city", "programme", "priority", "objective", "theme")
DIMENSION_LABELS = {
    "city": _l("City"),
    "programme": _l("Programme"),
    "priority": _l("Axis or priority"),
    "objective": _l("Specific objective"),
    "theme": _l("Theme"),
}
CENT = Decimal("0.01")
NOT_ASSIGNED = _l("Not assigned")


@dataclass
class Measures:
    """The figures of the whole selection or of one group."""

    projects: int = 0
    people_reached: int = 0
    housing_units: int = 0
    area_m2: Decimal = Decimal("0.00")
    funding_total: Decimal = Decimal("0.00")
    committed_total: Decimal = Decimal("0.00")
    paid_total: Decimal = Decimal("0.00")
    ideas: int | None = 0
    needs: int | None = 0
    codesign_processes: int = 0
    codesign_completed: int = 0
    organisations: int = 0
    registered_organisations: int | None = None
    org_ids: set[int] = field(default_factory=set, repr=False)

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "org_ids"}


# The order of the figures in tables, exports and the API, with their labels.
MEASURES = (
    ("projects", _l("Funded projects"), "integer"),
    ("people_reached", _l("People reached"), "integer"),
    ("housing_units", _l("Housing units"), "integer"),
    ("area_m2", _l("m² recovered"), "decimal"),
    ("funding_total", _l("€ programmed"), "money"),
    ("committed_total", _l("€ committed"), "money"),
    ("paid_total", _l("€ paid"), "money"),
    ("ideas", _l("Ideas"), "integer"),
    ("needs", _l("Needs"), "integer"),
    ("codesign_processes", _l("Co-design processes"), "integer"),
    ("codesign_completed", _l("of which completed"), "integer"),
    ("organisations", _l("Organisations involved"), "integer"),
    ("registered_organisations", _l("Registered organisations"), "integer"),
)


@dataclass
class Group:
    """One row of a dimension: a city, a programme, an axis/priority, an objective or a theme (key None:
    not assigned)."""

    key: str | None
    name_it: str
    name_en: str
    order: tuple
    measures: Measures = field(default_factory=Measures)

    @property
    def label(self) -> str:
        if self.key is None:
            return str(NOT_ASSIGNED)
        locale = get_locale()
        return self.name_en if locale is not None and locale.language == "en" and self.name_en else self.name_it


@dataclass
class Filters:
    city: City | None = None
    programme: Programme | None = None

    @property
    def args(self) -> dict[str, str]:
        """The query string of the same selection (for links and downloads)."""
        values = {}
        if self.programme is not None:
            values["programme"] = self.programme.code
        if self.city is not None:
            values["city"] = self.city.slug
        return values


@dataclass
class Figures:
    filters: Filters
    totals: Measures
    groups: dict[str, list[Group]]


def parse_filters(args, allowed: Iterable[str] = ()) -> Filters:
    """programme (code) and city (slug), combinable; anything unknown is a FilterError (answered 400)."""
    unknown = sorted(set(args) - {"city", "programme", *allowed})
    if unknown:
        raise FilterError(_l("Unknown parameter: %(value)s.", value=", ".join(unknown)))
    filters = Filters()
    if slug := args.get("city"):
        filters.city = lookup.city(slug)
    if code := args.get("programme"):
        filters.programme = lookup.programme(code)
    return filters


def _cents(column):
    """Sum of a money column in integer cents: exact on SQLite (floating point storage) and PostgreSQL."""
    return func.coalesce(func.sum(cast(func.round(column * 100), BigInteger)), 0)


def _money(cents) -> Decimal:
    return (Decimal(int(cents or 0)) / 100).quantize(CENT)


def _where(query: Select, filters: Filters, city_column, programme_column) -> Select:
    if filters.city is not None:
        query = query.where(city_column == filters.city.id)
    if filters.programme is not None:
        query = query.where(programme_column == filters.programme.id)
    return query


def _project_rows(filters: Filters):
    p = FundedProject
    dims = (p.city_id, p.programme_id, p.priority_id, p.objective_id, p.theme_id)
    query = select(*dims, func.count(p.id), func.coalesce(func.sum(p.people_reached), 0),
                   func.coalesce(func.sum(p.housing_units), 0), _cents(p.area_m2), _cents(p.funding_total),
                   _cents(p.committed_total), _cents(p.paid_total)).group_by(*dims)
    return db.session.execute(_where(query, filters, p.city_id, p.programme_id)).all()


def _post_rows(filters: Filters):
    """Public needs and ideas; an idea has its call's programme, axis/priority and objective."""
    post, idea, call = Post.__table__, Idea.__table__, Call.__table__
    dims = (post.c.city_id, call.c.programme_id, call.c.priority_id, call.c.objective_id, post.c.theme_id)
    query = (select(post.c.kind, *dims, func.count(post.c.id)).select_from(post)
             .outerjoin(idea, idea.c.id == post.c.id).outerjoin(call, call.c.id == idea.c.call_id)
             .where(visible_post()).group_by(post.c.kind, *dims))
    if filters.programme is not None:
        query = query.where(post.c.kind == PostKind.IDEA.value)
    return db.session.execute(_where(query, filters, post.c.city_id, call.c.programme_id)).all()


def _process_dimensions():
    """The joins that give a co-design process its five dimensions, and the dimension columns."""
    direct_call, idea_call = Call.__table__.alias(), Call.__table__.alias()
    idea_post, need_post = Post.__table__.alias(), Post.__table__.alias()
    origin_idea = Idea.__table__.alias()
    programme = func.coalesce(direct_call.c.programme_id, idea_call.c.programme_id)
    dims = (CodesignProcess.city_id, programme, func.coalesce(direct_call.c.priority_id, idea_call.c.priority_id),
            func.coalesce(direct_call.c.objective_id, idea_call.c.objective_id),
            func.coalesce(idea_post.c.theme_id, need_post.c.theme_id))

    def joined(query: Select) -> Select:
        return (query.outerjoin(direct_call, direct_call.c.id == CodesignProcess.call_id)
                .outerjoin(origin_idea, origin_idea.c.id == CodesignProcess.idea_id)
                .outerjoin(idea_call, idea_call.c.id == origin_idea.c.call_id)
                .outerjoin(idea_post, idea_post.c.id == CodesignProcess.idea_id)
                .outerjoin(need_post, need_post.c.id == CodesignProcess.need_id)
                .where(visible_process()))

    return joined, dims, programme


def _process_rows(filters: Filters):
    joined, dims, programme = _process_dimensions()
    closed = func.sum(case((CodesignProcess.status == ProcessStatus.CLOSED, 1), else_=0))
    query = joined(select(*dims, func.count(CodesignProcess.id), func.coalesce(closed, 0)).select_from(
        CodesignProcess)).group_by(*dims)
    return db.session.execute(_where(query, filters, CodesignProcess.city_id, programme)).all()


def _organisation_rows(filters: Filters):
    """(organisation, five dimensions), distinct: partners of projects, admitted to or partners of processes."""
    p = FundedProject
    of_projects = _where(select(ProjectPartner.organisation_id.label("org"), p.city_id, p.programme_id,
                                p.priority_id, p.objective_id, p.theme_id)
                         .join(p, p.id == ProjectPartner.project_id), filters, p.city_id, p.programme_id)
    joined, dims, programme = _process_dimensions()
    admitted = _where(joined(select(ExpressionOfInterest.organisation_id.label("org"), *dims).select_from(
        CodesignProcess).join(ExpressionOfInterest, and_(
            ExpressionOfInterest.process_id == CodesignProcess.id,
            ExpressionOfInterest.status == InterestStatus.ADMITTED))), filters,
        CodesignProcess.city_id, programme)
    joined, dims, programme = _process_dimensions()
    partners = _where(joined(select(CodesignPartner.organisation_id.label("org"), *dims).select_from(
        CodesignProcess).join(CodesignPartner, CodesignPartner.process_id == CodesignProcess.id)), filters,
        CodesignProcess.city_id, programme)
    return db.session.execute(union(of_projects, admitted, partners)).all()


def _registered_rows(filters: Filters):
    query = select(Organisation.city_id, func.count(Organisation.id)).group_by(Organisation.city_id)
    if filters.city is not None:
        query = query.where(Organisation.city_id == filters.city.id)
    return db.session.execute(query).all()


def _labels(keys: dict[str, set]) -> dict[str, dict]:
    """For each dimension, id → (key, name_it, name_en, order) of the ids in use (one query each)."""
    out: dict[str, dict] = {d: {} for d in DIMENSIONS}
    if ids := keys["city"] - {None}:
        for c in db.session.scalars(select(City).where(City.id.in_(ids))):
            out["city"][c.id] = (c.slug, c.name, c.name, (c.name,))
    programmes = {}
    priority_ids = keys["priority"] - {None}
    programme_ids = keys["programme"] - {None}
    if priority_ids or programme_ids:
        rows = db.session.execute(
            select(Priority, Programme).join(Programme, Programme.id == Priority.programme_id)
            .where(or_(Priority.id.in_(priority_ids or [-1]), Priority.programme_id.in_(programme_ids or [-1])))
        ).all()
        for priority, programme in rows:
            programmes[programme.id] = programme
            if priority.id in priority_ids:
                kind_it, kind_en = ("Asse", "Axis") if priority.kind == "axis" else ("Priorità", "Priority")
                out["priority"][priority.id] = (
                    f"{programme.code}/{priority.code}",
                    f"{programme.name} · {kind_it} {priority.code} {priority.name_it}",
                    f"{programme.name} · {kind_en} {priority.code} {priority.name_en}",
                    (programme.start_year, programme.code, priority.position, priority.code))
        missing = programme_ids - set(programmes)
        if missing:  # a programme without priorities
            for programme in db.session.scalars(select(Programme).where(Programme.id.in_(missing))):
                programmes[programme.id] = programme
        for programme in programmes.values():
            if programme.id in programme_ids:
                out["programme"][programme.id] = (programme.code, programme.name, programme.name,
                                                  (programme.start_year, programme.code))
    if ids := keys["objective"] - {None}:
        for o in db.session.scalars(select(SpecificObjective).where(SpecificObjective.id.in_(ids))):
            out["objective"][o.id] = (o.code, f"{o.code} {o.name_it}", f"{o.code} {o.name_en}", (o.code,))
    if ids := keys["theme"] - {None}:
        for t in db.session.scalars(select(Theme).where(Theme.id.in_(ids))):
            out["theme"][t.id] = (t.slug, t.name_it, t.name_en, (t.position, t.slug))
    return out


def compute(filters: Filters) -> Figures:
    """Every figure of the selection: a fixed number of queries (at most 12 with the filters' look-ups)."""
    projects = _project_rows(filters)
    posts = _post_rows(filters)
    processes = _process_rows(filters)
    organisations = _organisation_rows(filters)
    registered = _registered_rows(filters)

    keys: dict[str, set] = {d: set() for d in DIMENSIONS}
    for rows, offset in ((projects, 0), (posts, 1), (processes, 0), (organisations, 1)):
        for row in rows:
            for i, dim in enumerate(DIMENSIONS):
                keys[dim].add(row[offset + i])
    by_programme = filters.programme is not None
    if not by_programme:
        keys["city"].update(city_id for city_id, _count in registered)
    labels = _labels(keys)

    totals = Measures(needs=None if by_programme else 0,
                      registered_organisations=None if by_programme else 0)
    groups: dict[str, dict] = {d: {} for d in DIMENSIONS}

    def group_of(dim: str, value) -> Group:
        group = groups[dim].get(value)
        if group is None:
            key, name_it, name_en, order = labels[dim].get(value, (None, "", "", ()))
            group = Group(key, name_it, name_en, (value is None, *order))
            group.measures.needs = None if by_programme else 0
            if dim == "city" and not by_programme:
                group.measures.registered_organisations = 0
            groups[dim][value] = group
        return group

    def targets(dims) -> list[Measures]:
        return [totals] + [group_of(dim, value).measures for dim, value in zip(DIMENSIONS, dims, strict=True)]

    for *dims, count, people, housing, area, funding, committed, paid in projects:
        for m in targets(dims):
            m.projects += count
            m.people_reached += int(people)
            m.housing_units += int(housing)
            m.area_m2 += _money(area)
            m.funding_total += _money(funding)
            m.committed_total += _money(committed)
            m.paid_total += _money(paid)
    for kind, *dims, count in posts:
        for m in targets(dims):
            if kind == PostKind.IDEA.value:
                m.ideas += count
            elif m.needs is not None:
                m.needs += count
    for *dims, count, closed in processes:
        for m in targets(dims):
            m.codesign_processes += count
            m.codesign_completed += int(closed)
    for org_id, *dims in organisations:
        for m in targets(dims):
            m.org_ids.add(org_id)
    if not by_programme:
        for city_id, count in registered:
            group_of("city", city_id).measures.registered_organisations += count
            totals.registered_organisations += count
    for m in [totals] + [g.measures for d in groups.values() for g in d.values()]:
        m.organisations = len(m.org_ids)
    ordered = {dim: sorted(groups[dim].values(), key=lambda g: g.order) for dim in DIMENSIONS}
    return Figures(filters, totals, ordered)


# --- the figures the programme itself reports ---------------------------------------------------

# From the programme's own texts (the project's seeds, /work/shared/seeds): reported, not computed here.
PON = "PON-METRO-2014-2020"
PLUS = "PN-METRO-PLUS-2021-2027"
_PON_SOURCE = _l("PON Metro 2014-2020, the programme's page on social inclusion (Axis 3 services and Axis 4 "
                 "infrastructure)")
_PLUS_SOURCE = _l("PN Metro Plus e Città Medie Sud 2021-2027, the programme's page on Priority 5 (social "
                  "inclusion in the medium-sized cities of the South)")
REPORTED = (
    {"id": "pon_inclusion_projects", "programme": PON, "priorities": ("3", "4"), "measure": "projects",
     "value": Decimal("270"), "approximate": False, "label": _l("Projects under way (Axes 3 and 4)"),
     "source": _PON_SOURCE},
    {"id": "pon_inclusion_people", "programme": PON, "priorities": ("3", "4"), "measure": "people_reached",
     "value": Decimal("85000"), "approximate": True, "label": _l("People taken in charge (Axes 3 and 4)"),
     "source": _PON_SOURCE},
    {"id": "pon_inclusion_housing", "programme": PON, "priorities": ("3", "4"), "measure": "housing_units",
     "value": Decimal("531"), "approximate": False, "label": _l("Housing units built or recovered (Axes 3 and 4)"),
     "source": _PON_SOURCE},
    {"id": "pon_inclusion_budget", "programme": PON, "priorities": ("3", "4"), "measure": "funding_total",
     "value": Decimal("369200000.00"), "approximate": False,
     "label": _l("Resources for social inclusion (Axis 3 €239.4 M + Axis 4 €129.8 M)"), "source": _PON_SOURCE},
    {"id": "plus_cms_budget", "programme": PLUS, "priorities": ("5",), "measure": "funding_total",
     "value": Decimal("246580000.00"), "approximate": False,
     "label": _l("Resources for the medium-sized cities of the South (Priority 5, 8 per cent of the programme)"),
     "source": _PLUS_SOURCE},
)


def reported(figures: Figures) -> list[dict]:
    """The programme's own figures, each beside ours for the same programme and axes/priorities (ours
    follow the dashboard's filters: under a city filter they are that city's share)."""
    rows = []
    for item in REPORTED:
        if figures.filters.programme is not None and figures.filters.programme.code != item["programme"]:
            continue
        keys = {f"{item['programme']}/{code}" for code in item["priorities"]}
        ours = sum((getattr(g.measures, item["measure"]) for g in figures.groups["priority"] if g.key in keys),
                   Decimal("0") if item["measure"] in ("funding_total",) else 0)
        rows.append({**item, "ours": ours})
    return rows


# --- the figures as data: the API (/api/v1/figures), /dashboard.json and /dashboard.csv ------------

def _value(value, kind: str):
    if value is None:
        return None
    return f"{value:.2f}" if kind in ("money", "decimal") else int(value)


def measures_record(m: Measures) -> dict:
    return {name: _value(getattr(m, name), kind) for name, _label, kind in MEASURES}


def record(figures: Figures) -> dict:
    """The public JSON record of the figures (the API's schema "Figures" in civic/api/openapi.py)."""
    return {
        "filters": {"programme": figures.filters.programme.code if figures.filters.programme else None,
                    "city": figures.filters.city.slug if figures.filters.city else None},
        "totals": measures_record(figures.totals),
        "groups": {dim: [{"key": g.key, "name": g.name_it if g.key is not None else None,
                          **measures_record(g.measures)} for g in figures.groups[dim]] for dim in DIMENSIONS},
        "reported_by_programme": [
            {"id": r["id"], "programme": r["programme"], "priorities": list(r["priorities"]),
             "figure": r["measure"], "value": _value(r["value"], _kind(r["measure"])),
             "approximate": r["approximate"], "description": str(r["label"]), "source": str(r["source"]),
             "computed": _value(r["ours"], _kind(r["measure"]))}
            for r in reported(figures)],
    }


def _kind(measure: str) -> str:
    return next(kind for name, _label, kind in MEASURES if name == measure)


# Column names of the CSV (Italian, like the open data files).
CSV_COLUMNS = {
    "projects": "progetti", "people_reached": "persone_raggiunte", "housing_units": "alloggi",
    "area_m2": "mq_recuperati", "funding_total": "euro_programmati", "committed_total": "euro_impegnati",
    "paid_total": "euro_pagati", "ideas": "idee", "needs": "bisogni", "codesign_processes": "coprogettazioni",
    "codesign_completed": "coprogettazioni_concluse", "organisations": "organizzazioni_coinvolte",
    "registered_organisations": "organizzazioni_registrate",
}
CSV_DIMENSIONS = {"city": "citta", "programme": "programma", "priority": "asse_priorita",
                  "objective": "obiettivo_specifico", "theme": "tema"}


def csv_text(figures: Figures) -> str:
    """The figures as CSV with the open data conventions (`;`, decimal comma, UTF-8 with BOM): a row of
    totals, then a row per group of each dimension; an empty cell is a figure that does not apply."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["dimensione", "codice", "nome", *CSV_COLUMNS.values()])

    def cells(m: Measures) -> list[str]:
        out = []
        for name, _label, kind in MEASURES:
            value = _value(getattr(m, name), kind)
            out.append("" if value is None else str(value).replace(".", ","))
        return out

    def text(value: str) -> str:
        return "'" + value if value.startswith(("=", "+", "-", "@", "\t", "\r")) else value

    writer.writerow(["totale", "", "", *cells(figures.totals)])
    for dim in DIMENSIONS:
        for g in figures.groups[dim]:
            writer.writerow([CSV_DIMENSIONS[dim], g.key or "", text(g.name_it if g.key is not None else ""),
                             *cells(g.measures)])
    return "\ufeff" + buffer.getvalue()
