"""Searching, as the pages and the API use it: the request read from the query string, the engine
asked, every hit checked against the database before it is shown, facets named, "did you mean".

A hit whose row is no longer public (hidden after it was indexed, and the index not yet told) is
dropped and removed from the index.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select

from civic.core.routing import ParameterError, positive_int
from civic.extensions import db
from civic.search.documents import KINDS, fetch
from civic.search.engine import engine
from civic.search.query import SearchRequest
from civic.search.text import fallback_snippet, query_words, snippet_html
from civic.territories import filters as lookup
from civic.territories.filters import FilterError
from civic.territories.models import City, Neighbourhood, Theme

log = logging.getLogger("civic.search")

PER_PAGE = 20
PAGE_MAX = 500


@dataclass
class Result:
    kind: str
    kind_label: str
    url: str
    title: Markup
    snippet: Markup
    city: str
    status_label: str
    row: object


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Page:
    query: str
    words: list[str]
    total: int = 0
    results: list[Result] = field(default_factory=list)
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    suggestion: str | None = None
    estimated: bool = False  # total and facet counts estimated (very common words, PostgreSQL engine)
    page: int = 1
    per_page: int = PER_PAGE
    filters: dict[str, str] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return min(PAGE_MAX, max(1, -(-self.total // self.per_page)))


def _page_number(raw: str | None) -> int:
    try:
        return positive_int(raw, "page", 1, maximum=PAGE_MAX)
    except ParameterError as error:
        raise FilterError(error.message) from None


def read_request(args) -> tuple[SearchRequest, dict[str, str]]:
    """The search the query string asks for; an unknown filter value is refused (400) with its name."""
    request = SearchRequest(words=query_words(args.get("q")), page=_page_number(args.get("page")),
                            per_page=PER_PAGE)
    filters = {}
    if kind := args.get("type"):
        if kind not in KINDS:
            raise FilterError(_l("Unknown type of content: %(value)s.", value=kind[:40]))
        request.kind = filters["type"] = kind
    if slug := args.get("city"):
        request.city_id, filters["city"] = lookup.city(slug).id, slug
    if value := args.get("neighbourhood"):
        neighbourhood = (db.session.get(Neighbourhood, int(value))
                         if value.isascii() and value.isdigit() and len(value) < 10 else None)
        if neighbourhood is None:
            raise FilterError(_l("Unknown neighbourhood: %(value)s.", value=value[:40]))
        request.neighbourhood_id, filters["neighbourhood"] = neighbourhood.id, value
    if slug := args.get("theme"):
        request.theme_id, filters["theme"] = lookup.theme(slug).id, slug
    if status := args.get("status"):
        kind, _, value = status.partition(".")
        if kind not in KINDS or not value or len(status) > 60:
            raise FilterError(_l("Unknown status: %(value)s.", value=status[:40]))
        request.status = filters["status"] = status
    return request, filters


def _status_label(status: str) -> str:
    kind, _, value = status.partition(".")
    try:
        return str(KINDS[kind].status_label(value))
    except (KeyError, ValueError):
        return value


def _facets(counts: dict[str, dict[str, int]], filters: dict[str, str], request: SearchRequest
            ) -> dict[str, list[FacetValue]]:
    """Facet values with their labels, most frequent first; one query per kind of label."""
    facets: dict[str, list[FacetValue]] = {}
    kinds = counts.get("kind", {})
    facets["type"] = [FacetValue(k, str(KINDS[k].label), n, filters.get("type") == k)
                      for k, n in kinds.items() if k in KINDS]
    city_ids = [int(v) for v in counts.get("city", {}) if v.isdigit()]
    cities = {c.id: c for c in db.session.scalars(select(City).where(City.id.in_(city_ids)))} if city_ids else {}
    facets["city"] = [FacetValue(cities[int(v)].slug, cities[int(v)].name, n, request.city_id == int(v))
                      for v, n in counts.get("city", {}).items() if v.isdigit() and int(v) in cities]
    ids = [int(v) for v in counts.get("neighbourhood", {}) if v.isdigit()]
    places = ({n.id: n for n in db.session.scalars(select(Neighbourhood).where(Neighbourhood.id.in_(ids)))}
              if ids else {})
    facets["neighbourhood"] = [FacetValue(v, places[int(v)].name, n, request.neighbourhood_id == int(v))
                               for v, n in counts.get("neighbourhood", {}).items()
                               if v.isdigit() and int(v) in places]
    ids = [int(v) for v in counts.get("theme", {}) if v.isdigit()]
    themes = {t.id: t for t in db.session.scalars(select(Theme).where(Theme.id.in_(ids)))} if ids else {}
    facets["theme"] = [FacetValue(themes[int(v)].slug, themes[int(v)].label, n, request.theme_id == int(v))
                       for v, n in counts.get("theme", {}).items() if v.isdigit() and int(v) in themes]
    # Statuses are worded per type: offered once a type is chosen.
    facets["status"] = ([FacetValue(v, _status_label(v), n, request.status == v)
                         for v, n in counts.get("status", {}).items() if v.startswith(f"{request.kind}.")]
                        if request.kind else [])
    for values in facets.values():
        values.sort(key=lambda f: (-f.count, f.label.lower()))
    return facets


def _drop_stale(search, stale: list[str]) -> None:
    if stale and search.name == "whoosh":
        log.warning("search index had %d stale results: removing them", len(stale))
        search.apply([], stale)


def results_for(hits, search) -> list[Result]:
    """The hits whose rows are public now, in the engine's order."""
    rows = fetch((hit.kind, hit.id) for hit in hits)
    results, stale = [], []
    for hit in hits:
        row = rows.get((hit.kind, hit.id))
        if row is None:
            stale.append(f"{hit.kind}:{hit.id}")
            continue
        kind = KINDS[hit.kind]
        document = kind.document(row)
        title = snippet_html(hit.title) if hit.title else fallback_snippet(document.title, 300)
        snippet = snippet_html(hit.snippet) if hit.snippet else fallback_snippet(document.body)
        results.append(Result(kind=hit.kind, kind_label=str(kind.one), url=kind.url(row), title=title,
                              snippet=snippet, city=row.city.name, status_label=str(kind.status_label(document.status)),
                              row=row))
    _drop_stale(search, stale)
    return results


def search(args) -> Page:
    request, filters = read_request(args)
    page = Page(query=(args.get("q") or "")[:200], words=request.words, page=request.page, filters=filters)
    if not request.words:
        return page
    search_engine = engine()
    found = search_engine.search(request)
    page.estimated = found.estimated
    page.total = _about(found.total) if found.estimated else found.total
    page.results = results_for(found.hits, search_engine)
    page.facets = _facets(found.facets, filters, request)
    if found.estimated:
        for values in page.facets.values():
            for value in values:
                value.count = _about(value.count)
    if found.total == 0:
        page.suggestion = suggestion(request.words, search_engine)
    return page


def _about(count: int) -> int:
    """An estimated count as it is worth showing: two significant digits (41,774 -> 42,000)."""
    if count < 100:
        return count
    step = 10 ** (len(str(count)) - 2)
    return round(count / step) * step


def suggestion(words: list[str], search_engine=None) -> str | None:
    """The query with its unknown words corrected, when that finds something."""
    search_engine = search_engine or engine()
    known = search_engine.known_words(words)
    corrected = [w if w in known else (search_engine.correction(w) or w) for w in words]
    if corrected == words or not search_engine.finds(corrected):
        return None
    return " ".join(corrected)


def similar(text: str, city_id: int, kinds=("need", "idea"), limit: int = 5) -> list[Result]:
    """Public needs and ideas of the city that share words with a text being written."""
    words = query_words(text)
    if not words:
        return []
    search_engine = engine()
    results = []
    for kind in kinds:
        found = search_engine.search(SearchRequest(words=words, kind=kind, city_id=city_id, per_page=limit,
                                                   match_any=True))
        results += results_for(found.hits, search_engine)
    return results
