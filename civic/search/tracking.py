"""Keeping the search index in step with the database, whatever writes the content.

Changes are noticed in two places: ORM flushes (new, deleted, and changed rows whose searchable
columns changed) and UPDATE/DELETE statements on the searchable tables (lifecycle moves, hiding,
blocking, publication: the ids they touch are read first with the same WHERE clause). Counter updates
(votes, comments, followers) are ignored: they change nothing that is searched.

Before the commit the touched documents are built again from the database (a post also refreshes the
co-design process and the project it leads to, whose visibility or title depend on it): PostgreSQL
writes them in the same transaction; Whoosh writes them after the commit, and only then.

Why this reads the statements instead of listening to signals (civic/core/signals.py): the services
change searchable rows with bulk UPDATEs (a lifecycle move's compare-and-set, hiding, a block hiding
everything of an account, a call's publication), which the ORM's flush never sees, and a signal per
write would have to be remembered by every new service. Re-running the UPDATE's WHERE clause finds
exactly the rows it touched. tests/search/test_tracking.py covers a bulk UPDATE and a counter update.
"""
from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from civic.codesign.models import CodesignProcess
from civic.extensions import db
from civic.posts.models import Post
from civic.projects.models import FundedProject
from civic.search.documents import documents_for
from civic.search.engine import engine

log = logging.getLogger("civic.search")

# Table → (kind of its keys, columns whose change matters). "post" stands for a need or an idea.
TRACKED = {
    "post": ("post", {"title", "body_markdown", "status", "hidden_at", "neighbourhood_id", "theme_id", "city_id"}),
    "need": ("post", {"location_text"}),
    "idea": ("post", {"summary", "beneficiaries", "merged_into_id", "call_id"}),
    "call": ("call", {"title", "description_markdown", "eligibility_markdown", "status", "published_at",
                      "city_id"}),
    "codesign_process": ("process", {"title", "summary_markdown", "outcome_markdown", "status", "city_id",
                                     "idea_id", "need_id"}),
    "funded_project": ("project", {"title", "summary_markdown", "action", "cup", "local_code", "beneficiary_name",
                                   "status", "theme_id", "city_id", "idea_id"}),
    "organisation": ("organisation", {"name", "description_markdown", "legal_form", "codice_fiscale",
                                      "verified_at", "city_id"}),
    # Many-to-many: a change of themes or neighbourhoods is a change of their owner.
    "call_theme": ("call", None),
    "organisation_theme": ("organisation", None),
    "project_neighbourhood": ("project", None),
}
_OWNER_COLUMN = {"call_theme": "call_id", "organisation_theme": "organisation_id",
                 "project_neighbourhood": "project_id"}
_KEYS = "search_keys"
_PENDING = "search_pending"


def _touch(session: Session, kind: str, ident) -> None:
    if ident is not None:
        session.info.setdefault(_KEYS, set()).add((kind, int(ident)))


def _table_name(mapper_or_table) -> str:
    return getattr(mapper_or_table, "name", "")


def _after_flush(session: Session, _context) -> None:
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        mapper = inspect(obj).mapper
        tables = [t.name for t in mapper.tables if t.name in TRACKED]
        if not tables:
            continue
        kind = TRACKED[tables[0]][0]
        if obj in session.dirty and obj not in session.deleted:
            state = inspect(obj)
            columns = set().union(*(TRACKED[t][1] or set() for t in tables))
            columns |= {"themes", "neighbourhoods"}
            if not any(name in state.attrs and state.attrs[name].history.has_changes() for name in columns):
                continue
        _touch(session, kind, getattr(obj, "id", None))


def _on_execute(orm_state) -> None:
    if not (orm_state.is_update or orm_state.is_delete):
        return
    statement = orm_state.statement
    table = getattr(statement, "table", None)
    name = _table_name(table)
    if name not in TRACKED:
        return
    kind, columns = TRACKED[name]
    if orm_state.is_update and columns is not None:
        values = getattr(statement, "_values", None) or {}
        changed = {getattr(k, "key", getattr(k, "name", k)) for k in values}
        if changed and not changed & columns:
            return  # counters and other unsearched columns
    id_column = table.c[_OWNER_COLUMN.get(name, "id")]
    query = select(id_column)
    if statement.whereclause is not None:
        query = query.where(statement.whereclause)
    for ident in orm_state.session.execute(query).scalars():
        _touch(orm_state.session, kind, ident)


def _expand(keys: set[tuple[str, int]]) -> set[tuple[str, int]]:
    """"post" keys become need/idea keys, with the processes and projects that depend on those posts."""
    post_ids = {ident for kind, ident in keys if kind == "post"}
    expanded = {key for key in keys if key[0] != "post"}
    if post_ids:
        found = dict(db.session.execute(select(Post.id, Post.kind).where(Post.id.in_(post_ids))).all())
        for ident in post_ids:
            kinds = [found[ident]] if ident in found else ["need", "idea"]  # deleted: remove either
            expanded.update((kind, ident) for kind in kinds)
        expanded.update(("process", pid) for pid in db.session.scalars(select(CodesignProcess.id).where(
            CodesignProcess.idea_id.in_(post_ids) | CodesignProcess.need_id.in_(post_ids))))
        expanded.update(("project", pid) for pid in db.session.scalars(select(FundedProject.id).where(
            FundedProject.idea_id.in_(post_ids))))
    return expanded


def _before_commit(session: Session) -> None:
    """Also called when a savepoint is released: PostgreSQL writes into the savepoint (undone with
    it); Whoosh waits for the outermost commit, the only one that makes the change real."""
    if not session.info.get(_KEYS) or not current_app.config.get("SEARCH_INDEX_ON_COMMIT", True):
        session.info.pop(_KEYS, None)
        return
    search = engine()
    if search.name != "postgresql" and session.in_nested_transaction():
        return
    session.flush()
    keys = session.info.pop(_KEYS, set())
    documents, removed = documents_for(_expand(keys))
    session.info.pop(_KEYS, None)
    if search.name == "postgresql":
        search.apply(documents, removed)
    else:
        session.info[_PENDING] = (documents, removed)


def _after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending is not None:
        engine().apply(*pending)


def _after_rollback(session: Session) -> None:
    session.info.pop(_KEYS, None)
    session.info.pop(_PENDING, None)


def install(session_target) -> None:
    """Listen on the application's sessions (civic/__init__.py calls it once)."""
    if event.contains(session_target, "after_flush", _after_flush):
        return
    event.listen(session_target, "after_flush", _after_flush)
    event.listen(session_target, "do_orm_execute", _on_execute)
    event.listen(session_target, "before_commit", _before_commit)
    event.listen(session_target, "after_commit", _after_commit)
    event.listen(session_target, "after_rollback", _after_rollback)
