"""The PostgreSQL search engine's tables: one row per public document with its tsvector (GIN index),
and the words seen in documents, for "did you mean" (trigram index). Kept by civic/search/tracking.py
in the transaction that changes the content, so every app server reads the same index.

They exist on SQLite too (the schema is one), where nothing writes them: Whoosh is the engine there.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from civic.core.timeutil import utcnow
from civic.extensions import db

IntList = ARRAY(Integer).with_variant(JSON(), "sqlite")


class SearchDocument(db.Model):
    __tablename__ = "search_document"
    __table_args__ = (
        Index("ix_search_document_tsv", "tsv", postgresql_using="gin"),
        Index("ix_search_document_kind_city", "kind", "city_id"),
        Index("ix_search_document_indexed_at", "indexed_at"),
        # Very common words: the newest matches are ranked (civic/search/postgres_engine.py).
        Index("ix_search_document_created_at", "created_at"),
    )

    key: Mapped[str] = mapped_column(String(40), primary_key=True)  # "idea:12"
    kind: Mapped[str] = mapped_column(String(20))
    obj_id: Mapped[int]
    city_id: Mapped[int]
    neighbourhood_ids: Mapped[list[int]] = mapped_column(IntList)
    theme_ids: Mapped[list[int]] = mapped_column(IntList)
    status: Mapped[str] = mapped_column(String(60))  # "idea.funded"
    language: Mapped[str] = mapped_column(String(2))
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    tsv: Mapped[str] = mapped_column(TSVECTOR().with_variant(Text(), "sqlite"))
    # When the row was written: a reindex removes the rows it did not write (see postgres_engine.rebuild).
    indexed_at: Mapped[datetime] = mapped_column(default=utcnow)


class SearchWord(db.Model):
    __tablename__ = "search_word"
    __table_args__ = (
        Index("ix_search_word_trigram", "word", postgresql_using="gin", postgresql_ops={"word": "gin_trgm_ops"}),
    )

    word: Mapped[str] = mapped_column(String(40), primary_key=True)  # folded: lower case, no accents
