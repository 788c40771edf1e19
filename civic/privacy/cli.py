"""`flask --app wsgi privacy exports`: prepare the copies of data waiting, erase the expired ones."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from civic.privacy import export

privacy_cli = AppGroup("privacy", help="Copies of personal data asked for from the My data page.")


@privacy_cli.command("exports")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1, max=1000),
              help="Copies prepared in this run.")
def exports(limit: int) -> None:
    """Prepare the pending copies (oldest first), email their owners, erase the expired ones."""
    prepared = export.prepare_due(limit=limit)
    click.echo(f"prepared {prepared}")
