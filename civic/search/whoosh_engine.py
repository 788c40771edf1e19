"""Search with Whoosh, the embedded engine: an index in the instance folder, updated after each commit.

Italian and English texts go to their own fields, each with its language's stemming ("alloggio" finds
"alloggi") and accents folded ("citta" finds "città"). Writes go through AsyncWriter: when another
worker process holds the index lock, the change is replayed as soon as the lock is free, never lost
and never an error. A missing index is built from the database at the first search; a corrupt one is
rebuilt the same way.

Whoosh stores and analyses; searching is done here on bitsets of each segment (whoosh_segments.py):
matching, filters and facet counts are integer operations, and only the newest RANK_CANDIDATES matches
are scored, as the PostgreSQL engine does. Each thread keeps its searcher open between requests.
"""
from __future__ import annotations

import logging
import math
import shutil
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from whoosh import index
from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.support.charset import accent_map
from whoosh.writing import AsyncWriter

from civic.search.documents import Document, all_documents, split_key
from civic.search.query import RANK_CANDIDATES, Hit, SearchRequest, SearchResult, recency
from civic.search.text import fold, mark_stems
from civic.search.whoosh_segments import FACET_FIELDS, segment

log = logging.getLogger("civic.search")

INDEX_DIR = "search-index"
SNIPPET_LENGTH = 220
# The name of the index inside INDEX_DIR: changed with SCHEMA, so that an index of an older schema is
# simply not found and gets built again.
INDEX_NAME = "civic_v2"
_build_lock = threading.Lock()
_local = threading.local()  # each thread's open searchers, by index folder
TITLE_WEIGHT = 2.0
SATURATION = 1.2  # a word's weight in a document: w / (w + SATURATION), so repeating it helps less and less


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
        """Whether a readable index is there: a damaged one is not."""
        try:
            return self.path.is_dir() and index.exists_in(str(self.path), indexname=INDEX_NAME)
        except Exception:
            log.warning("the search index in %s cannot be read", self.path)
            return False

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
                log.exception("the search index cannot be opened")
            self.rebuild(all_documents())
            return index.open_dir(str(self.path), indexname=INDEX_NAME)

    def rebuild(self, documents: Iterable[Document], progress: Callable[[int], None] | None = None) -> int:
        """Replace the whole index with these documents, in one commit: searches go on reading the old
        index until then, and changes made meanwhile by other processes wait for the lock and follow."""
        try:
            ix = index.open_dir(str(self.path), indexname=INDEX_NAME) if self.exists() else None
        except Exception:
            ix = None
        if ix is None:  # missing or damaged: start afresh
            shutil.rmtree(self.path, ignore_errors=True)
            self.path.mkdir(parents=True, exist_ok=True)
            ix = index.create_in(str(self.path), SCHEMA, indexname=INDEX_NAME)
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

    def _searcher(self):
        """This thread's searcher of the index, kept between requests: opening one reads every file of
        the index, while refreshing it only checks whether another process has written since."""
        cached = getattr(_local, "searchers", {}).get(self.path)
        searcher = None
        if cached is not None and self.exists():
            try:
                searcher = cached.refresh()
            except Exception:
                log.exception("the search index cannot be refreshed: opening it again")
        if searcher is None:
            searcher = self._open().searcher()
        if not hasattr(_local, "searchers"):
            _local.searchers = {}
        _local.searchers[self.path] = searcher
        return searcher

    @staticmethod
    def _options(words: list[str]) -> list[list[tuple[str, str, float]]]:
        """Per word, the (field, term, weight) it is looked for in: its Italian and English stems, in
        titles (which count double) and bodies. Words that are nothing in either language are left out."""
        searched = []
        for word in words:
            options = []
            if (it := _term(IT, word)) is not None:
                options += [("title_it", it, TITLE_WEIGHT), ("body_it", it, 1.0)]
            if (en := _term(EN, word)) is not None:
                options += [("title_en", en, TITLE_WEIGHT), ("body_en", en, 1.0)]
            if options:
                searched.append(options)
        return searched

    @staticmethod
    def _stems(words: list[str]) -> list[str]:
        """What the words become in the index, in either language: the beginnings to mark in snippets."""
        return [t for word in words for t in (_term(IT, word), _term(EN, word)) if t]

    @staticmethod
    def _filters(request: SearchRequest) -> list[tuple[str, str]]:
        chosen = [("kind", request.kind), ("city", request.city_id), ("neighbourhood", request.neighbourhood_id),
                  ("theme", request.theme_id), ("status", request.status)]
        return [(name, str(value)) for name, value in chosen if value]

    def search(self, request: SearchRequest) -> SearchResult:
        searched = self._options(request.words)
        if not searched:
            return SearchResult()
        searcher = self._searcher()
        filters = self._filters(request)
        now = time.time()
        counts: dict[str, dict[str, int]] = {name: {} for name in FACET_FIELDS}
        total, scored = 0, []
        for leaf, _offset in searcher.leaf_searchers():
            reader = leaf.reader()
            if not reader.doc_count_all():  # an empty index has no segment
                continue
            seg = segment(reader)
            live = seg.live(reader)
            # Matching: each word is the union of its terms' documents; the words are intersected
            # (or united, for match_any), then the filters and the deletions applied.
            word_postings, matched = [], None
            for options in searched:
                postings = [(seg.term(reader, f, t), weight) for f, t, weight in options]
                word_bits = 0
                for found, _weight in postings:
                    word_bits |= found.bits
                word_postings.append((postings, word_bits))
                if matched is None:
                    matched = word_bits
                else:
                    matched = matched | word_bits if request.match_any else matched & word_bits
            matched &= live
            for name, value in filters:
                matched &= seg.facets[name].get(value, 0)
            count = matched.bit_count()
            if not count:
                continue
            total += count
            for name, values in seg.facets.items():
                for value, bits in values.items():
                    if n := (bits & matched).bit_count():
                        counts[name][value] = counts[name].get(value, 0) + n
            # Ranking: the newest RANK_CANDIDATES matches (all of them unless the words are very
            # common), by the weight of each word (saturating, titles counting double, rarer words
            # weighing more) times the recency boost, as the PostgreSQL engine does.
            documents = (live.bit_count() or 1)
            words = [(postings, math.log(1 + documents / max((bits & live).bit_count(), 1)))
                     for postings, bits in word_postings]
            depth = max(RANK_CANDIDATES, request.offset + request.per_page)
            for docnum in seg.newest(matched, count, depth):
                score = 0.0
                for postings, rarity in words:
                    weight = sum(found.weight(docnum) * field_weight for found, field_weight in postings
                                 if found.bits >> docnum & 1)
                    score += rarity * weight / (weight + SATURATION)
                age_days = (now - seg.created[docnum]) / 86400
                scored.append((score * recency(age_days), -seg.created[docnum], id(leaf), docnum, leaf))
        if not total:
            return SearchResult(facets=counts)
        scored.sort(key=lambda row: (-row[0], row[1], row[2], row[3]))
        stems = self._stems(request.words)
        hits = []
        for score, _created, _leaf_id, docnum, leaf in scored[request.offset:request.offset + request.per_page]:
            stored = leaf.stored_fields(docnum)
            kind, ident = split_key(stored["key"])
            lang = stored.get("language", "it")
            hits.append(Hit(kind=kind, id=ident, score=score,
                            title=mark_stems(stored.get(f"title_{lang}", ""), stems),
                            snippet=mark_stems(stored.get(f"body_{lang}", ""), stems, SNIPPET_LENGTH)))
        return SearchResult(total=total, hits=hits, facets=counts)

    def finds(self, words: list[str]) -> bool:
        return self.search(SearchRequest(words=words, per_page=1)).total > 0

    def known_words(self, words: list[str]) -> set[str]:
        reader = self._searcher().reader()
        return {w for w in words if reader.doc_frequency("words", fold(w)) > 0}

    def correction(self, word: str) -> str | None:
        found = self._searcher().corrector("words").suggest(fold(word), limit=1, maxdist=2, prefix=1)
        return found[0] if found else None

    def document_count(self) -> int:
        return self._searcher().doc_count()
