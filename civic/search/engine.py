"""The one search interface and its two engines: Whoosh (embedded, an index in instance/) and
PostgreSQL full-text search (a table with a GIN index in the database, shared by every app server).

`engine()` picks the engine from SEARCH_ENGINE: "whoosh", "postgresql", or "auto" (PostgreSQL full-text
search when the database is PostgreSQL, Whoosh otherwise). What a search asks and answers is in
civic/search/query.py.
"""
from __future__ import annotations

from flask import current_app

from civic.search.postgres_engine import PostgresEngine
from civic.search.query import Engine
from civic.search.whoosh_engine import WhooshEngine


def engine_name(app=None) -> str:
    app = app or current_app
    chosen = app.config.get("SEARCH_ENGINE", "auto")
    if chosen == "auto":
        dialect = app.config.get("SQLALCHEMY_DATABASE_URI", "")
        return "postgresql" if str(dialect).startswith("postgresql") else "whoosh"
    return chosen


def engine(app=None) -> Engine:
    app = app or current_app
    name = engine_name(app)
    if name == "postgresql":
        return PostgresEngine()
    return WhooshEngine.for_app(app)
