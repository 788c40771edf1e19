"""Backup and restore: the database and the uploaded files in one archive.

`flask --app wsgi backup create FILE` writes a .tar.gz with:
- `database.dump`: PostgreSQL's own dump (pg_dump, custom format, without owners or privileges), or
  `database.sqlite3`: a consistent copy made with SQLite's backup API while the site runs;
- `uploads/`: the images and documents under the instance folder;
- `manifest.json`: the format, the backend, the migration revision and each table's row count.

`flask --app wsgi backup restore FILE` puts them back into an empty database of the same backend (the one
CIVIC_DATABASE_URL names) and an instance folder without uploads, then checks every table's row count
against the manifest. The search index of SQLite (a folder) is not kept: it is rebuilt at the first search.
"""
from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import make_url

from civic.extensions import db

FORMAT = "civic-backup"
VERSION = 1


class BackupError(Exception):
    """Said to the operator as is."""


@dataclass
class Manifest:
    backend: str
    revision: str | None
    created_at: str
    tables: dict[str, int]

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, "version": VERSION, "backend": self.backend, "revision": self.revision,
                           "created_at": self.created_at, "tables": self.tables}, indent=1, sort_keys=True)


def _backend() -> str:
    return db.engine.dialect.name


def _uploads() -> Path:
    return Path(current_app.instance_path) / "uploads"


def table_counts() -> dict[str, int]:
    names = inspect(db.engine).get_table_names()
    with db.engine.connect() as connection:
        return {name: connection.execute(select(func.count()).select_from(text(f'"{name}"'))).scalar_one()
                for name in sorted(names)}


def _revision(counts: dict[str, int]) -> str | None:
    if "alembic_version" not in counts:
        return None
    with db.engine.connect() as connection:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _libpq_url() -> str:
    """The database URL as pg_dump and pg_restore read it (no SQLAlchemy driver name)."""
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).set(drivername="postgresql") \
        .render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    tool = shutil.which(command[0])
    if tool is None:
        raise BackupError(f"{command[0]} is not installed: install the PostgreSQL client tools of the server's version")
    done = subprocess.run([tool, *command[1:]], capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[:2000]}")


def _sqlite_path() -> Path:
    database = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).database
    if not database or database == ":memory:":
        raise BackupError("the SQLite database is in memory: there is nothing to back up")
    return Path(database)


def create(target: Path) -> Manifest:
    counts = table_counts()
    manifest = Manifest(_backend(), _revision(counts), datetime.now(UTC).isoformat(timespec="seconds"), counts)
    with tempfile.TemporaryDirectory(prefix="civic-backup-") as work:
        folder = Path(work)
        if manifest.backend == "postgresql":
            dump = folder / "database.dump"
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={dump}", _libpq_url()])
        elif manifest.backend == "sqlite":
            dump = folder / "database.sqlite3"
            source = sqlite3.connect(_sqlite_path())
            copy = sqlite3.connect(dump)
            try:
                source.backup(copy)  # consistent even while the site writes
            finally:
                copy.close()
                source.close()
        else:
            raise BackupError(f"no backup for the {manifest.backend} backend")
        (folder / "manifest.json").write_text(manifest.to_json())
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(folder / "manifest.json", arcname="manifest.json")
            archive.add(dump, arcname=dump.name)
            if _uploads().is_dir():
                archive.add(_uploads(), arcname="uploads")
        partial.replace(target)  # a backup that stopped halfway never looks complete
    return manifest


def _read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        data = json.load(archive.extractfile("manifest.json"))
    except (KeyError, ValueError) as error:
        raise BackupError(f"not a backup of this platform (no readable manifest.json): {error}") from None
    if data.get("format") != FORMAT or data.get("version") != VERSION:
        raise BackupError("not a backup of this platform, or of a newer version of it")
    return data


# Filled by the migrations themselves: a database just migrated counts as empty.
_SCHEMA_ROWS = {"alembic_version", "content_version"}


def _is_empty() -> bool:
    return all(n == 0 for name, n in table_counts().items() if name not in _SCHEMA_ROWS)


def restore(source: Path) -> dict[str, int]:
    """Restore into an empty database and instance folder; returns the row counts, checked."""
    if not source.is_file():
        raise BackupError(f"{source} does not exist")
    with tarfile.open(source, "r:gz") as archive, tempfile.TemporaryDirectory(prefix="civic-restore-") as work:
        manifest = _read_manifest(archive)
        if manifest["backend"] != _backend():
            raise BackupError(f"this backup is of a {manifest['backend']} database and CIVIC_DATABASE_URL names a "
                              f"{_backend()} one: restore it into the same kind of database")
        if not _is_empty():
            raise BackupError("the database is not empty: restore into a new, empty database")
        if _uploads().exists() and any(_uploads().iterdir()):
            raise BackupError(f"{_uploads()} is not empty: restore into an instance folder without uploads")
        archive.extractall(work, filter="data")  # no absolute paths, no links out, no devices
        folder = Path(work)
        db.session.remove()
        db.engine.dispose()
        if manifest["backend"] == "postgresql":
            # An empty database may still hold the tables of a migrated schema: they are replaced.
            _run(["pg_restore", "--no-owner", "--no-privileges", "--clean", "--if-exists", "--single-transaction",
                  f"--dbname={_libpq_url()}", str(folder / "database.dump")])
        else:
            target = _sqlite_path()
            target.parent.mkdir(parents=True, exist_ok=True)
            for leftover in ("-wal", "-shm", "-journal"):  # the empty database's, which would spoil the copy
                Path(f"{target}{leftover}").unlink(missing_ok=True)
            shutil.copyfile(folder / "database.sqlite3", target)
        if (folder / "uploads").is_dir():
            shutil.copytree(folder / "uploads", _uploads(), dirs_exist_ok=True)
        db.engine.dispose()
        counts = table_counts()
        expected = manifest["tables"]
        different = {name: (expected.get(name), counts.get(name)) for name in set(expected) | set(counts)
                     if expected.get(name) != counts.get(name)}
        if different:
            raise BackupError(f"restored, but the row counts differ from the backup's: {different}")
        return counts
