"""What a search asks and what it answers, shared by the two engines (civic/search/whoosh_engine.py,
civic/search/postgres_engine.py) and by those who call them through civic/search/engine.py."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from civic.search.documents import Document

FACETS = ("kind", "city", "neighbourhood", "theme", "status")
# The matches ranked by relevance: the newest ones, when the words are so common that more match.
RANK_CANDIDATES = 2000
RECENCY_HALF_LIFE_DAYS = 180


@dataclass
class SearchRequest:
    words: list[str]
    kind: str | None = None
    city_id: int | None = None
    neighbourhood_id: int | None = None
    theme_id: int | None = None
    status: str | None = None  # "kind.status", as the status facet gives it
    page: int = 1
    per_page: int = 20
    # False: every word must match (the search page); True: any word (similar items while writing).
    match_any: bool = False

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass
class Hit:
    kind: str
    id: int
    score: float
    title: str = ""     # with START/STOP marks around the matched words
    snippet: str = ""   # idem


@dataclass
class SearchResult:
    total: int = 0
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    estimated: bool = False  # total and facet counts estimated from a sample, not counted one by one


class Engine(Protocol):
    name: str

    def search(self, request: SearchRequest) -> SearchResult: ...

    def finds(self, words: list[str]) -> bool: ...

    def known_words(self, words: list[str]) -> set[str]: ...

    def correction(self, word: str) -> str | None: ...

    def apply(self, documents: list[Document], removed: list[str]) -> None: ...

    def rebuild(self, documents: Iterable[Document], progress: Callable[[int], None] | None = None) -> int: ...


def recency(age_days: float) -> float:
    """The boost of a recent item: 1.5 when new, halving its extra every RECENCY_HALF_LIFE_DAYS."""
    return 1.0 + 0.5 * 0.5 ** (max(age_days, 0.0) / RECENCY_HALF_LIFE_DAYS)
