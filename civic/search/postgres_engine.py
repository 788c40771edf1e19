"""Search with PostgreSQL full-text search: the `civic_it` and `civic_en` configurations (the italian
and english stemmers with `unaccent` before them), a GIN index on search_document.tsv, ts_rank_cd with a
recency boost, ts_headline snippets, facets counted in one query (estimated from a sample of the table
when the planner expects very many matches), and "did you mean" from search_word with pg_trgm. Writes
happen in the transaction that changed the content (civic/search/tracking.py).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import text

from civic.core.timeutil import utcnow
from civic.extensions import db
from civic.search.documents import Document
from civic.search.query import RANK_CANDIDATES, RECENCY_HALF_LIFE_DAYS, Hit, SearchRequest, SearchResult
from civic.search.text import START, STOP, WORD, fold

CONFIG = {"it": "civic_it", "en": "civic_en"}
BATCH = 500
WORD_MIN, WORD_MAX = 4, 40
# Above this many expected matches, facets and the total are estimated from a sample of the table with
# about SAMPLE_MATCHES of them: counting tens of thousands of rows one by one takes longer than a search
# should.
EXACT_COUNT_MAX = 10_000
SAMPLE_MATCHES = 2_000

PREPARE = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    *[f"""DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{name}') THEN
            CREATE TEXT SEARCH CONFIGURATION {name} (COPY = {source});
            ALTER TEXT SEARCH CONFIGURATION {name}
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, {source}_stem;
        END IF;
    END $$""" for name, source in (("civic_it", "italian"), ("civic_en", "english"))],
]


def prepare_database(connection) -> None:
    """The extensions and text search configurations the engine needs (run by migration 0015)."""
    for statement in PREPARE:
        connection.execute(text(statement))


_UPSERT = text("""
    INSERT INTO search_document (key, kind, obj_id, city_id, neighbourhood_ids, theme_ids, status, language,
                                 title, body, created_at, indexed_at, tsv)
    VALUES (:key, :kind, :obj_id, :city_id, :neighbourhood_ids, :theme_ids, :status, :language, :title, :body,
            :created_at, :indexed_at,
            setweight(to_tsvector(CAST(:config AS regconfig), :title), 'A')
            || setweight(to_tsvector(CAST(:config AS regconfig), :body), 'B'))
    ON CONFLICT (key) DO UPDATE SET
        kind = excluded.kind, obj_id = excluded.obj_id, city_id = excluded.city_id,
        neighbourhood_ids = excluded.neighbourhood_ids, theme_ids = excluded.theme_ids, status = excluded.status,
        language = excluded.language, title = excluded.title, body = excluded.body,
        created_at = excluded.created_at, indexed_at = excluded.indexed_at, tsv = excluded.tsv
""")
_WORDS = text("INSERT INTO search_word (word) SELECT DISTINCT unnest(CAST(:words AS text[])) "
              "ON CONFLICT (word) DO NOTHING")


def _params(doc: Document, now: datetime) -> dict:
    lang = doc.language if doc.language in CONFIG else "it"
    return {"key": doc.key, "kind": doc.kind, "obj_id": doc.id, "city_id": doc.city_id,
            "neighbourhood_ids": list(doc.neighbourhood_ids), "theme_ids": list(doc.theme_ids),
            "status": f"{doc.kind}.{doc.status}", "language": lang, "title": doc.title, "body": doc.body,
            "created_at": doc.created_at, "indexed_at": now, "config": CONFIG[lang]}


def _words(docs: list[Document]) -> list[str]:
    found = set()
    for doc in docs:
        for word in WORD.findall(fold(f"{doc.title} {doc.body}")):
            if WORD_MIN <= len(word) <= WORD_MAX and not word.isdigit():
                found.add(word)
    return sorted(found)


def _write(execute, docs: list[Document], now: datetime) -> None:
    if docs:
        execute(_UPSERT, [_params(d, now) for d in docs])
        if words := _words(docs):
            execute(_WORDS, {"words": words})


# `rolled` of a facet group (see PostgresEngine._grouped): the one column it is grouped by.
_BY_KIND, _BY_CITY, _BY_STATUS, _BY_THEME, _BY_NEIGHBOURHOOD = 0b01111, 0b10111, 0b11011, 0b11101, 0b11110


def _facets(groups, scale: float) -> dict[str, dict[str, int]]:
    """Facet counts from the groups of PostgresEngine._grouped (rows, or lists from JSON); a document
    with several themes or neighbourhoods counts for each of them. Scaled from a sample, each facet in
    which a document has one value (kind, city, status) is rounded so that it adds up to the same total."""
    counted: dict[str, dict[str, int]] = {name: {} for name in ("kind", "city", "status", "theme", "neighbourhood")}
    for rolled, kind, city_id, status, theme_ids, neighbourhood_ids, n in groups:
        if rolled == _BY_KIND:
            counted["kind"][kind] = n
        elif rolled == _BY_CITY:
            counted["city"][str(city_id)] = n
        elif rolled == _BY_STATUS:
            counted["status"][status] = n
        else:
            name, values = ("theme", theme_ids) if rolled == _BY_THEME else ("neighbourhood", neighbourhood_ids)
            for value in set(values or ()):
                counted[name][str(value)] = counted[name].get(str(value), 0) + n
    if scale == 1.0:
        return counted
    total = round(sum(counted["kind"].values()) * scale)
    return {name: _scaled(counts, scale, total if name in ("kind", "city", "status") else None)
            for name, counts in counted.items()}


def _scaled(counts: dict[str, int], scale: float, total: int | None) -> dict[str, int]:
    """The counts times scale, rounded; with a total, by largest remainders, so that they add up to it."""
    exact = {key: n * scale for key, n in counts.items()}
    if total is None:
        return {key: round(value) for key, value in exact.items()}
    rounded = {key: int(value) for key, value in exact.items()}
    by_remainder = sorted(exact, key=lambda key: (exact[key] - rounded[key], key), reverse=True)
    for key in by_remainder[:max(0, total - sum(rounded.values()))]:
        rounded[key] += 1
    return rounded


class PostgresEngine:
    name = "postgresql"

    # --- writing --------------------------------------------------------------------------------

    def apply(self, documents: list[Document], removed: list[str]) -> None:
        """In the current transaction: it commits or rolls back with the change it follows."""
        if removed:
            db.session.execute(text("DELETE FROM search_document WHERE key = ANY(:keys)"), {"keys": list(removed)})
        _write(db.session.execute, documents, utcnow())

    def rebuild(self, documents: Iterable[Document], progress: Callable[[int], None] | None = None) -> int:
        """Write every document again, a batch per transaction (the site keeps serving and writing),
        then remove the rows this run did not write and nobody rewrote meanwhile."""
        started = utcnow()
        batch, count = [], 0

        def flush():
            with db.engine.begin() as connection:
                _write(connection.execute, batch, utcnow())
            if progress is not None:
                progress(len(batch))

        for doc in documents:
            batch.append(doc)
            count += 1
            if len(batch) >= BATCH:
                flush()
                batch = []
        if batch:
            flush()
        with db.engine.begin() as connection:
            connection.execute(text("DELETE FROM search_document WHERE indexed_at < :started"),
                               {"started": started})
        return count

    # --- searching ------------------------------------------------------------------------------

    @staticmethod
    def _query(words: list[str], match_any: bool = False) -> str | None:
        """The words as one tsquery: each word as its Italian or its English lexemes (once, when the two
        stemmers agree, so that the planner's estimate of the matches is right), all of the words or,
        with match_any, any. None when no word has a lexeme (stop words, punctuation)."""
        rows = db.session.execute(text(
            "SELECT plainto_tsquery('civic_it', w)::text, plainto_tsquery('civic_en', w)::text "
            "FROM unnest(CAST(:words AS text[])) WITH ORDINALITY AS t(w, n) ORDER BY n"), {"words": words}).all()
        parts = []
        for lexemes in rows:
            found = list(dict.fromkeys(q for q in lexemes if q))
            if found:
                parts.append("(" + " | ".join(f"({q})" for q in found) + ")")
        return (" | " if match_any else " & ").join(parts) or None

    @staticmethod
    def _filters(request: SearchRequest, params: dict) -> str:
        # The query is written out (not in a CTE) so that the planner estimates how many rows match:
        # few, through the GIN index; very many, by walking the newest first.
        where = ["d.tsv @@ CAST(:tsquery AS tsquery)"]
        if request.kind:
            where.append("d.kind = :kind")
            params["kind"] = request.kind
        if request.city_id:
            where.append("d.city_id = :city_id")
            params["city_id"] = request.city_id
        if request.neighbourhood_id:
            where.append(":neighbourhood_id = ANY(d.neighbourhood_ids)")
            params["neighbourhood_id"] = request.neighbourhood_id
        if request.theme_id:
            where.append(":theme_id = ANY(d.theme_ids)")
            params["theme_id"] = request.theme_id
        if request.status:
            where.append("d.status = :status")
            params["status"] = request.status
        return " AND ".join(where)

    def search(self, request: SearchRequest) -> SearchResult:
        tsquery = self._query(request.words, request.match_any) if request.words else None
        if tsquery is None:
            return SearchResult()
        # Planned for these words each time: a plan cached for another query (psycopg prepares a statement
        # run a few times) would not know whether few or very many documents match.
        db.session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
        params = {"tsquery": tsquery}
        where = self._filters(request, params)
        params.update(limit=request.per_page, offset=request.offset, half_life=RECENCY_HALF_LIFE_DAYS,
                      candidates=max(RANK_CANDIDATES, request.offset + request.per_page),
                      marks=f'StartSel="{START}", StopSel="{STOP}", MaxFragments=2, MaxWords=22, MinWords=8, '
                            f'FragmentDelimiter=" … "',
                      title_marks=f'StartSel="{START}", StopSel="{STOP}", HighlightAll=true')
        expected = self._estimate(where, params)
        if expected <= EXACT_COUNT_MAX:
            # One pass over the matches, kept aside for both the facets and the ranking.
            matches = f"""matches AS MATERIALIZED (
                SELECT d.key, d.kind, d.city_id, d.status, d.theme_ids, d.neighbourhood_ids, d.created_at
                FROM search_document d WHERE {where}),
            candidates AS (
                SELECT d.key, d.tsv, d.created_at FROM (
                    SELECT m.key FROM matches m ORDER BY m.created_at DESC LIMIT :candidates) newest
                JOIN search_document d ON d.key = newest.key),
            facets AS ({self._grouped("matches")}),"""
            rows = db.session.execute(text(self._page(matches)), params).all()
            groups, scale = [row[:7] for row in rows if row.rolled is not None], 1.0
        else:
            # Very common words: the newest matches straight from the table (the planner walks the
            # documents newest first), the facets from a sample of it.
            matches = f"""candidates AS (
                SELECT d.key, d.tsv, d.created_at
                FROM search_document d WHERE {where}
                ORDER BY d.created_at DESC LIMIT :candidates),
            facets AS (SELECT * FROM ({self._grouped("search_document")}) nothing WHERE false),"""
            rows = db.session.execute(text(self._page(matches)), params).all()
            groups, scale = self._sampled(where, params, expected)
        hits = [Hit(kind=row.kind, id=row.obj_id, score=float(row.score), title=row.title,
                    snippet=row.snippet if START in (row.snippet or "") else "")
                for row in rows if row.obj_id is not None]
        facets = _facets(groups, scale)
        return SearchResult(total=sum(facets["kind"].values()), hits=hits, facets=facets, estimated=scale != 1.0)

    @staticmethod
    def _page(matches: str) -> str:
        """The page of results: the candidates (the newest RANK_CANDIDATES matches: all of them, unless
        the words are very common) ranked by relevance times the recency boost, snippets for the page's
        rows only; and the facets' groups (the rows without obj_id), counted in the same pass when the
        `matches` part gives them."""
        return f"""
            WITH {matches}
            ranked AS (
                SELECT c.key, ts_rank_cd(c.tsv, CAST(:tsquery AS tsquery)) * (1 + 0.5 * power(0.5::float8,
                           EXTRACT(EPOCH FROM (now() - c.created_at))::float8 / 86400 / :half_life)) AS score
                FROM candidates c ORDER BY score DESC, c.key LIMIT :limit OFFSET :offset),
            page AS (
                SELECT d.key, d.kind, d.obj_id, d.language, d.title, d.body, ranked.score
                FROM ranked JOIN search_document d ON d.key = ranked.key)
            SELECT rolled, kind, city_id, status, theme_ids, neighbourhood_ids, n,
                   NULL AS obj_id, NULL AS score, NULL AS key, NULL AS title, NULL AS snippet
            FROM facets
            UNION ALL
            SELECT NULL, page.kind, NULL, NULL, NULL, NULL, NULL, page.obj_id, page.score, page.key,
                   ts_headline(CAST(CASE page.language WHEN 'en' THEN 'civic_en' ELSE 'civic_it' END AS regconfig),
                               page.title, CAST(:tsquery AS tsquery), :title_marks),
                   ts_headline(CAST(CASE page.language WHEN 'en' THEN 'civic_en' ELSE 'civic_it' END AS regconfig),
                               page.body, CAST(:tsquery AS tsquery), :marks)
            FROM page ORDER BY score DESC NULLS LAST, key"""

    @staticmethod
    def _grouped(source: str) -> str:
        """The matches counted by each facet at once (grouping sets); `rolled` has a bit set for each
        column a row is not grouped by (0b01111: grouped by kind)."""
        return f"""
            SELECT grouping(kind, city_id, status, theme_ids, neighbourhood_ids) AS rolled,
                   kind, city_id, status, theme_ids, neighbourhood_ids, count(*) AS n
            FROM {source}
            GROUP BY GROUPING SETS ((kind), (city_id), (status), (theme_ids), (neighbourhood_ids))"""

    def _sampled(self, where: str, params: dict, expected: float) -> tuple[list, float]:
        """The facets' groups over a share of the table's pages (the same pages every time) expected to
        hold about SAMPLE_MATCHES matches, and the scale to the whole table; all of them, counted, when
        far fewer match than the planner expected."""
        percent = min(100.0, 100.0 * SAMPLE_MATCHES / expected)
        groups = db.session.execute(text(self._grouped(
            f"search_document d TABLESAMPLE SYSTEM (:percent) REPEATABLE (0) WHERE {where}")),
            {**params, "percent": percent}).all()
        if percent < 100.0 and sum(row.n for row in groups if row.rolled == _BY_KIND) * 100.0 / percent \
                >= EXACT_COUNT_MAX / 2:
            return groups, 100.0 / percent
        return db.session.execute(text(self._grouped(f"search_document d WHERE {where}")), params).all(), 1.0

    @staticmethod
    def _estimate(where: str, params: dict) -> float:
        """How many documents the planner expects to match (from its statistics of the lexemes)."""
        plan = db.session.scalar(text(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM search_document d WHERE {where}"),
                                 params)
        return float(plan[0]["Plan"]["Plan Rows"])

    def finds(self, words: list[str]) -> bool:
        tsquery = self._query(words) if words else None
        return tsquery is not None and bool(db.session.scalar(text(
            "SELECT EXISTS (SELECT 1 FROM search_document d WHERE d.tsv @@ CAST(:tsquery AS tsquery))"),
            {"tsquery": tsquery}))

    def known_words(self, words: list[str]) -> set[str]:
        folded = {fold(w): w for w in words}
        found = db.session.scalars(text("SELECT word FROM search_word WHERE word = ANY(:words)"),
                                   {"words": list(folded)}).all()
        return {folded[w] for w in found}

    def correction(self, word: str) -> str | None:
        folded = fold(word)
        return db.session.scalar(text(
            "SELECT word FROM search_word WHERE word % :w AND word <> :w "
            "ORDER BY similarity(word, :w) DESC, word LIMIT 1"), {"w": folded})

    def document_count(self) -> int:
        return db.session.scalar(text("SELECT count(*) FROM search_document")) or 0
