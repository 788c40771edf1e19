"""Search with PostgreSQL full-text search: the `civic_it` and `civic_en` configurations (the italian
and english stemmers with `unaccent` before them), a GIN index on search_document.tsv, ts_rank_cd with a
recency boost, ts_headline snippets, facets counted in one query, and "did you mean" from search_word
with pg_trgm. Writes happen in the transaction that changed the content (civic/search/tracking.py).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import text

from civic.core.timeutil import utcnow
from civic.extensions import db
from civic.search.documents import Document
from civic.search.engine import RECENCY_HALF_LIFE_DAYS, Hit, SearchRequest, SearchResult
from civic.search.text import START, STOP, WORD, fold

CONFIG = {"it": "civic_it", "en": "civic_en"}
BATCH = 500
# Matches ranked by relevance: the newest ones, when the words are so common that more match.
RANK_CANDIDATES = 2000
WORD_MIN, WORD_MAX = 4, 40

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
    def _query(words: list[str], match_any: bool = False) -> tuple[str, dict]:
        parts, params = [], {}
        for i, word in enumerate(words):
            params[f"w{i}"] = word
            parts.append(f"(plainto_tsquery('civic_it', :w{i}) || plainto_tsquery('civic_en', :w{i}))")
        return (" || " if match_any else " && ").join(parts), params

    @staticmethod
    def _filters(request: SearchRequest, tsquery: str, params: dict) -> str:
        # The query is written out (not in a CTE) so that the planner estimates how many rows match:
        # few, through the GIN index; very many, by walking the newest first.
        where = [f"d.tsv @@ ({tsquery})"]
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
        if not request.words:
            return SearchResult()
        tsquery, params = self._query(request.words, request.match_any)
        where = self._filters(request, tsquery, params)
        params.update(limit=request.per_page, offset=request.offset, half_life=RECENCY_HALF_LIFE_DAYS,
                      candidates=max(RANK_CANDIDATES, request.offset + request.per_page),
                      marks=f'StartSel="{START}", StopSel="{STOP}", MaxFragments=2, MaxWords=22, MinWords=8, '
                            f'FragmentDelimiter=" … "',
                      title_marks=f'StartSel="{START}", StopSel="{STOP}", HighlightAll=true')
        # Ranked: the newest RANK_CANDIDATES matches (all of them, unless the words are very common) by
        # relevance times the recency boost; snippets for the page's rows only.
        page = db.session.execute(text(f"""
            WITH candidates AS (
                SELECT d.key, d.kind, d.obj_id, d.language, d.title, d.body, d.tsv, d.created_at
                FROM search_document d WHERE {where}
                ORDER BY d.created_at DESC LIMIT :candidates),
            page AS (
                SELECT c.key, c.kind, c.obj_id, c.language, c.title, c.body,
                       ts_rank_cd(c.tsv, {tsquery}) * (1 + 0.5 * power(0.5,
                           EXTRACT(EPOCH FROM (now() - c.created_at)) / 86400 / :half_life)) AS score
                FROM candidates c ORDER BY score DESC, c.key LIMIT :limit OFFSET :offset)
            SELECT page.kind, page.obj_id, page.score,
                   ts_headline(CAST(CASE page.language WHEN 'en' THEN 'civic_en' ELSE 'civic_it' END AS regconfig),
                               page.title, {tsquery}, :title_marks) AS title,
                   ts_headline(CAST(CASE page.language WHEN 'en' THEN 'civic_en' ELSE 'civic_it' END AS regconfig),
                               page.body, {tsquery}, :marks) AS snippet
            FROM page ORDER BY page.score DESC, page.key"""), params).all()
        # Facets: one pass grouping the matches by all their facet values at once, counted here.
        facets: dict[str, dict[str, int]] = {name: {} for name in ("kind", "city", "status", "theme", "neighbourhood")}
        groups = db.session.execute(text(f"""
            SELECT d.kind, d.city_id, d.status, d.theme_ids, d.neighbourhood_ids, count(*) AS n
            FROM search_document d WHERE {where}
            GROUP BY d.kind, d.city_id, d.status, d.theme_ids, d.neighbourhood_ids"""), params).all()
        for kind, city_id, status, theme_ids, neighbourhood_ids, n in groups:
            for name, value in (("kind", kind), ("city", str(city_id)), ("status", status)):
                facets[name][value] = facets[name].get(value, 0) + n
            for name, values in (("theme", theme_ids), ("neighbourhood", neighbourhood_ids)):
                for value in set(values or ()):
                    facets[name][str(value)] = facets[name].get(str(value), 0) + n
        hits = [Hit(kind=row.kind, id=row.obj_id, score=float(row.score), title=row.title,
                    snippet=row.snippet if START in (row.snippet or "") else "") for row in page]
        return SearchResult(total=sum(facets["kind"].values()), hits=hits, facets=facets)

    def count(self, words: list[str]) -> int:
        if not words:
            return 0
        tsquery, params = self._query(words)
        return db.session.scalar(text(f"SELECT count(*) FROM search_document d WHERE d.tsv @@ ({tsquery})"),
                                 params) or 0

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
