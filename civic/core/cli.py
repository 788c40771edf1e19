"""`flask --app wsgi backup create|restore FILE`: the database and the uploaded files (civic/core/backup.py);
`flask --app wsgi richtext rerender`: every stored text rendered again (civic/core/richtext.py)."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from civic.core import backup
from civic.core.richtext import rerender_stored

backup_cli = AppGroup("backup", help="Back up and restore the database and the uploaded files.")


@backup_cli.command("create")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def create_command(file: Path) -> None:
    """Write FILE (.tar.gz): the database, the uploads and a manifest with every table's row count."""
    try:
        manifest = backup.create(file)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    rows = sum(manifest.tables.values())
    click.echo(f"backup written to {file}: {manifest.backend} database at revision {manifest.revision}, "
               f"{len(manifest.tables)} tables, {rows} rows")


@backup_cli.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(file: Path) -> None:
    """Restore FILE into the empty database CIVIC_DATABASE_URL names, and its uploads; checks every count."""
    try:
        counts = backup.restore(file)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"restored from {file}: {len(counts)} tables, {sum(counts.values())} rows, every count as in "
               "the backup")


richtext_cli = AppGroup("richtext", help="The HTML kept beside every written text.")


@richtext_cli.command("rerender")
def rerender_command() -> None:
    """Render every stored text again with today's rules (after they changed: e.g. which images may show)."""
    changed = rerender_stored()
    for column, count in sorted(changed.items()):
        click.echo(f"{column}: {count} changed")
    click.echo(f"{sum(changed.values())} texts rendered anew" if changed else "every text was already as rendered today")
