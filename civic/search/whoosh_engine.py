"""Search with Whoosh, the embedded engine: an index in the instance folder, updated after each commit.

Italian and English texts go to their own fields, each with its language's stemming ("alloggio" finds
"alloggi") and accents folded ("citta" finds "città"). Writes go through AsyncWriter: when another
worker process holds the index lock, the change is replayed as soon as the lock is free, never lost
and never an error. A missing index is built from the database at the first search; a corrupt one is
rebuilt the same way.
"""
from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from whoosh import index
from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.query import And, Or, Term
from whoosh.support.charset import accent_map
from whoosh.writing import AsyncWriter

from civic.search.documents import Document, split_key
from civic.search.engine import RERANK_DEPTH, Hit, SearchRequest, SearchResult, recency
from civic.search.text import fold, mark_stems

log = logging.getLogger("civic.search")

INDEX_DIR = "search-index"
SNIPPET_LENGTH = 220
# The name of the index inside INDEX_DIR: changed with SCHEMA, so that an index of an older schema is
# simply not found and gets built again.
INDEX_NAME = "civic_v2"
_build_lock = threading.Lock()


def _analyzer(lang: str):
    return (RegexTokenizer(r"\w+") | LowercaseFilter() | CharsetFilter(accent_map)
            | StopFilter(lang=lang) | StemFilter(lang=lang))


IT, EN = _analyzer("it"), _analyzer("en")
PLAIN = RegexTokenizer(r"\w+") | LowercaseFilter() | CharsetFilter(accent_map)

SCHEMA = Schema(
    key=ID(stored=True, unique=True),
    kind=ID(stored=True),
    city=ID,
    neighbourhood=KEYWORD,
    theme=KEYWORD,
    status=ID,
    language=STORED,
    created=NUMERIC(int, bits=64, stored=True, sortable=True),
    title_it=TEXT(analyzer=IT, stored=True, field_boost=2.0, phrase=False),
    body_it=TEXT(analyzer=IT, stored=True, phrase=False),
    title_en=TEXT(analyzer=EN, stored=True, field_boost=2.0, phrase=False),
    body_en=TEXT(analyzer=EN, stored=True, phrase=False),
    # Unstemmed words, for "did you mean".
    words=TEXT(analyzer=PLAIN, phrase=False),
)
FACET_FIELDS = ("kind", "city", "status", "theme", "neighbourhood")
# Segments never change once written: the documents of each facet value are read once per segment.
_SEGMENT_FACETS: dict[str, dict[str, dict[str, frozenset[int]]]] = {}
_SEGMENT_FACETS_MAX = 64


def _segment_facets(searcher) -> dict[str, dict[str, frozenset[int]]]:
    reader = searcher.reader()
    key = f"{reader.segment().segment_id()}:{reader.segment().doc_count_all()}"
    cached = _SEGMENT_FACETS.get(key)
    if cached is None:
        cached = {name: {term: frozenset(reader.postings(name, term).all_ids())
                         for term in (t.decode() if isinstance(t, bytes) else t for t in reader.lexicon(name))}
                  for name in FACET_FIELDS}
        if len(_SEGMENT_FACETS) >= _SEGMENT_FACETS_MAX:
            _SEGMENT_FACETS.pop(next(iter(_SEGMENT_FACETS)))
        _SEGMENT_FACETS[key] = cached
    return cached


def _fields(doc: Document) -> dict:
    lang = doc.language if doc.language in ("it", "en") else "it"
    return {
        "key": doc.key, "kind": doc.kind, "city": str(doc.city_id),
        "neighbourhood": " ".join(str(n) for n in doc.neighbourhood_ids),
        "theme": " ".join(str(t) for t in doc.theme_ids),
        "status": f"{doc.kind}.{doc.status}", "language": lang, "created": int(doc.created_at.timestamp()),
        f"title_{lang}": doc.title, f"body_{lang}": doc.body, "words": f"{doc.title} {doc.body}",
    }


def _term(analyzer, word: str) -> str | None:
    tokens = [t.text for t in analyzer(word)]
    return tokens[0] if tokens else None


class WhooshEngine:
    name = "whoosh"

    def __init__(self, path: Path):
        self.path = path

    @classmethod
    def for_app(cls, app) -> WhooshEngine:
        return cls(Path(app.instance_path) / INDEX_DIR)

    # --- the index ------------------------------------------------------------------------------

    def exists(self) -> bool:
        return self.path.is_dir() and index.exists_in(str(self.path), indexname=INDEX_NAME)

    def _open(self):
        """The index, built from the database when it is missing or cannot be read."""
        try:
            if self.exists():
                return index.open_dir(str(self.path), indexname=INDEX_NAME)
        except Exception:  # a damaged index must not break search: rebuild it
            log.exception("the search index cannot be opened: rebuilding it from the database")
        with _build_lock:
            try:
                if self.exists():
                    return index.open_dir(str(self.path), indexname=INDEX_NAME)
            except Exception:
                shutil.rmtree(self.path, ignore_errors=True)
            from civic.search.documents import all_documents

            self.rebuild(all_documents())
            return index.open_dir(str(self.path), indexname=INDEX_NAME)

    def rebuild(self, documents: Iterable[Document], progress: Callable[[int], None] | None = None) -> int:
        """Replace the whole index with these documents, in one commit: searches go on reading the old
        index until then, and changes made meanwhile by other processes wait for the lock and follow."""
        self.path.mkdir(parents=True, exist_ok=True)
        if not index.exists_in(str(self.path), indexname=INDEX_NAME):
            index.create_in(str(self.path), SCHEMA, indexname=INDEX_NAME)
        ix = index.open_dir(str(self.path), indexname=INDEX_NAME)
        writer = ix.writer(timeout=120, limitmb=128)
        count = 0
        try:
            from whoosh.writing import CLEAR

            for doc in documents:
                writer.add_document(**_fields(doc))
                count += 1
                if progress is not None:
                    progress(1)
            writer.commit(mergetype=CLEAR)
        except BaseException:
            writer.cancel()
            raise
        return count

    def apply(self, documents: list[Document], removed: list[str]) -> None:
        """After a commit: the changed documents replace theirs, the removed ones go. Nothing to do
        while there is no index (the first search builds it from the database, these changes included)."""
        if not (documents or removed) or not self.exists():
            return
        try:
            writer = AsyncWriter(index.open_dir(str(self.path), indexname=INDEX_NAME), delay=0.1)
            for key in removed:
                writer.delete_by_term("key", key)
            for doc in documents:
                writer.update_document(**_fields(doc))
            writer.commit()
        except Exception:  # never fail the request that committed; a reindex repairs the index
            log.exception("the search index could not be updated")

    # --- searching ------------------------------------------------------------------------------

    def _query(self, words: list[str], match_any: bool = False, reader=None):
        """Each word in any of its fields; with a reader, only the fields where its term exists (a
        narrower query is faster), and no query at all when a word that must match is nowhere."""
        clauses = []
        for word in words:
            options = []
            if (it := _term(IT, word)) is not None:
                options += [Term("title_it", it), Term("body_it", it)]
            if (en := _term(EN, word)) is not None:
                options += [Term("title_en", en), Term("body_en", en)]
            if reader is not None:
                options = [t for t in options if reader.doc_frequency(t.fieldname, t.text) > 0]
                if not options and not match_any and (it is not None or en is not None):
                    return None
            if options:
                clauses.append(Or(options) if len(options) > 1 else options[0])
        if not clauses:
            return None
        return Or(clauses) if match_any else And(clauses)

    @staticmethod
    def _stems(words: list[str]) -> list[str]:
        """What the words become in the index, in either language: the beginnings to mark in snippets."""
        return [t for word in words for t in (_term(IT, word), _term(EN, word)) if t]

    def _filter(self, request: SearchRequest):
        terms = []
        if request.kind:
            terms.append(Term("kind", request.kind))
        if request.city_id:
            terms.append(Term("city", str(request.city_id)))
        if request.neighbourhood_id:
            terms.append(Term("neighbourhood", str(request.neighbourhood_id)))
        if request.theme_id:
            terms.append(Term("theme", str(request.theme_id)))
        if request.status:
            terms.append(Term("status", request.status))
        return And(terms) if terms else None

    def search(self, request: SearchRequest) -> SearchResult:
        if self._query(request.words, request.match_any) is None:
            return SearchResult()
        ix = self._open()
        filters = self._filter(request)
        depth = max(RERANK_DEPTH, request.offset + request.per_page)
        now = time.time()
        with ix.searcher() as searcher:
            query = self._query(request.words, request.match_any, searcher.reader())
            if query is None:
                return SearchResult(facets={name: {} for name in FACET_FIELDS})
            everything = And([query, filters]) if filters is not None else query
            # Facets: the matching documents of each segment against each value's documents.
            counts: dict[str, dict[str, int]] = {name: {} for name in FACET_FIELDS}
            total = 0
            for leaf, _offset in searcher.leaf_searchers():
                matched = set(everything.docs(leaf))
                if not matched:
                    continue
                total += len(matched)
                for name, values in _segment_facets(leaf).items():
                    for value, docs in values.items():
                        if n := len(docs & matched) if len(docs) > len(matched) else len(matched & docs):
                            counts[name][value] = counts[name].get(value, 0) + n
            if not total:
                return SearchResult(facets=counts)
            # Ranking: the best by relevance, the most recent of them moved up.
            results = searcher.search(query, limit=depth, filter=filters)
            created = searcher.reader().column_reader("created")
            ranked = sorted(results.top_n, key=lambda pair: -pair[0] * recency((now - created[pair[1]]) / 86400))
            page = ranked[request.offset:request.offset + request.per_page]
            stems = self._stems(request.words)
            hits = []
            for _score, docnum in page:
                stored = searcher.stored_fields(docnum)
                kind, ident = split_key(stored["key"])
                lang = stored.get("language", "it")
                hits.append(Hit(kind=kind, id=ident, score=_score,
                                title=mark_stems(stored.get(f"title_{lang}", ""), stems),
                                snippet=mark_stems(stored.get(f"body_{lang}", ""), stems, SNIPPET_LENGTH)))
        return SearchResult(total=total, hits=hits, facets=counts)

    def count(self, words: list[str]) -> int:
        with self._open().searcher() as searcher:
            query = self._query(words, reader=searcher.reader())
            return len(searcher.search(query, limit=1)) if query is not None else 0

    def known_words(self, words: list[str]) -> set[str]:
        with self._open().searcher() as searcher:
            reader = searcher.reader()
            return {w for w in words if reader.doc_frequency("words", fold(w)) > 0}

    def correction(self, word: str) -> str | None:
        with self._open().searcher() as searcher:
            found = searcher.corrector("words").suggest(fold(word), limit=1, maxdist=2, prefix=1)
        return found[0] if found else None

    def document_count(self) -> int:
        with self._open().searcher() as searcher:
            return searcher.doc_count()
