"""Backup and restore (flask --app wsgi backup create|restore): restoring into an empty database gives the
same content, row for row, and the same uploaded files."""
from __future__ import annotations

import hashlib
import json
import tarfile
from pathlib import Path

from flask import current_app
from sqlalchemy import MetaData, func, select

from civic.accounts.models import User
from civic.demo.content import load_demo_content
from civic.extensions import db
from tests.conftest import make_test_app


def content_digest() -> dict[str, str]:
    """Every table's rows, sorted, as one hash per table."""
    metadata = MetaData()
    metadata.reflect(bind=db.engine)
    digests = {}
    with db.engine.connect() as connection:
        for table in metadata.sorted_tables:
            rows = sorted(tuple(map(str, row)) for row in connection.execute(select(table)))
            digests[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


def _uploads(instance: Path) -> dict[str, bytes]:
    root = instance / "uploads"
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_backup_restored_into_an_empty_database_gives_the_same_content(app, runner, reference_data, new_database,
                                                                          database_url, tmp_path):
    load_demo_content()
    db.session.commit()
    instance = Path(current_app.instance_path)
    (instance / "uploads" / "documents").mkdir(parents=True, exist_ok=True)
    (instance / "uploads" / "foto.png").write_bytes(b"\x89PNG fake image bytes")
    (instance / "uploads" / "documents" / "verbale.pdf").write_bytes(b"%PDF-1.7 minutes")
    before, files = content_digest(), _uploads(instance)
    last_user_id = db.session.scalar(select(func.max(User.id)))

    archive = tmp_path / "backups" / "civic.tar.gz"
    result = runner.invoke(args=["backup", "create", str(archive)])
    assert result.exit_code == 0, result.output
    assert "backup written to" in result.output
    with tarfile.open(archive) as opened:
        manifest = json.load(opened.extractfile("manifest.json"))
        assert manifest["tables"]["post"] > 10 and manifest["backend"] == db.engine.dialect.name

    backend = db.engine.dialect.name
    restored = make_test_app(new_database(backend, "restored"), tmp_path / "restored-instance")
    with restored.app_context():
        result = restored.test_cli_runner().invoke(args=["backup", "restore", str(archive)])
        assert result.exit_code == 0, result.output
        assert "every count as in the backup" in result.output
        assert content_digest() == before
        assert _uploads(tmp_path / "restored-instance") == files
        # The restored site goes on: new rows take new ids (the sequences came back too).
        from civic.accounts import services as accounts

        newcomer = accounts.register_user(email="nuova@example.it", display_name="Nuova Persona",
                                          password="una frase lunga e nuova")
        db.session.commit()
        assert newcomer.id == last_user_id + 1
        before = content_digest()

        # Restoring again, over what is now there, is refused and changes nothing.
        again = restored.test_cli_runner().invoke(args=["backup", "restore", str(archive)])
        assert again.exit_code != 0 and "the database is not empty" in again.output
        assert content_digest() == before
        db.engine.dispose()


def test_a_file_that_is_not_a_backup_is_refused(app, runner, tmp_path):
    bogus = tmp_path / "bogus.tar.gz"
    with tarfile.open(bogus, "w:gz") as archive:
        note = tmp_path / "note.txt"
        note.write_text("hello")
        archive.add(note, arcname="note.txt")
    result = runner.invoke(args=["backup", "restore", str(bogus)])
    assert result.exit_code != 0
    assert "not a backup of this platform" in result.output
