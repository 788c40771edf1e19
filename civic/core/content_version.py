"""One number that changes whenever what the public pages show may have changed.

Every transaction that writes to a table the public can see (posts, comments, votes, moderation,
projects, accounts…) raises it as it commits, in the same transaction: a reader that sees the
new number also sees the new content. The page cache (civic/core/pagecache.py) keeps a page
only for the number it was built under, so a change is seen on the next request.

Writes are noticed on the connection, whatever issued them (ORM flushes, bulk UPDATEs, text SQL,
a script on the engine), so a new feature is covered without naming its tables here; only the
tables that no public page reads are named, because writing them often must not empty the cache.
The increment goes to the driver directly, under the commit: statement listeners (the tests'
query counters) do not see it.

Why this reads SQL text instead of listening to a signal of civic/core/signals.py: the services
write with bulk UPDATEs (lifecycle moves, hiding, counters), the vote's single WITH statement and
scripts on the engine, none of which passes through the ORM's flush or any service's signal; only
the statement itself is sure to be seen. tests/posts/test_page_cache.py checks each kind of write
(`test_every_kind_of_write_raises_the_version`) and the statements told apart
(`test_which_statements_change_public_content`).
"""
from __future__ import annotations

import re

from sqlalchemy import BigInteger, Integer, event, func, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Mapped, mapped_column

from civic.core.transactions import WRITE_IN_CTE
from civic.extensions import db

# Written often, read by no public page: a user's notifications, the outgoing emails, the login sessions.
PRIVATE_TABLES = frozenset({"content_version", "notification", "email_message", "login_session"})

_WRITE = re.compile(r"^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM|MERGE\s+INTO|TRUNCATE|WITH)\s+\"?(\w+)", re.I)
_CHANGED = "civic.content_changed"
# The number is the sum of SLOTS rows, and a transaction raises the row of its database session:
# with one row, every write would wait for the commit of the previous one to take its lock.
SLOTS = 16
# A database at an older revision has no such table yet (nor has one whose migrations were undone):
# the increment must then do nothing rather than fail, as a failed statement would abort the
# transaction on PostgreSQL. SQLite goes on after a failed statement (and has one writer at a time).
_BUMP = {
    "postgresql": "DO $$ BEGIN IF to_regclass('content_version') IS NOT NULL THEN "  # noqa: S608 - constants only
                  f"UPDATE content_version SET value = value + 1 WHERE id = pg_backend_pid() % {SLOTS}; "
                  "END IF; END $$",
    "sqlite": "UPDATE content_version SET value = value + 1 WHERE id = 0",
}


class ContentVersion(db.Model):
    """SLOTS rows, ids 0 to SLOTS - 1 (created by the migration); no row means no page is cached."""

    __tablename__ = "content_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


def current() -> int | None:
    return db.session.scalar(select(func.sum(ContentVersion.value)))


def create_rows() -> None:
    """The rows of a database built from the models (the tests'); the migration writes its own."""
    db.session.add_all(ContentVersion(id=slot, value=0) for slot in range(SLOTS))


def writes_public_table(statement: str) -> bool:
    match = _WRITE.match(statement)
    if match is None:
        return False
    verb, table = match.group(1).upper(), match.group(2).lower()
    if verb == "WITH":
        return bool(WRITE_IN_CTE.search(statement))
    return table not in PRIVATE_TABLES


def _note_write(conn: Connection, cursor, statement, parameters, context, executemany) -> None:
    if not conn.info.get(_CHANGED) and writes_public_table(statement):
        conn.info[_CHANGED] = True


def _begin(conn: Connection) -> None:
    # The info dictionary belongs to the database connection and outlives the transaction.
    conn.info.pop(_CHANGED, None)


def _bump_on_commit(conn: Connection) -> None:
    # Called just before the driver's COMMIT (savepoints are released without it).
    if not conn.info.pop(_CHANGED, False):
        return
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        if conn.dialect.name == "postgresql":
            cursor.execute(_BUMP["postgresql"])
        else:
            try:
                cursor.execute(_BUMP["sqlite"])
            except conn.dialect.dbapi.OperationalError:
                pass  # no such table
    finally:
        cursor.close()


def install() -> None:
    """Listen on every engine (civic/__init__.py calls it; listening twice is avoided)."""
    if event.contains(Engine, "commit", _bump_on_commit):
        return
    event.listen(Engine, "before_cursor_execute", _note_write)
    event.listen(Engine, "begin", _begin)
    event.listen(Engine, "rollback", _begin)
    event.listen(Engine, "commit", _bump_on_commit)
