"""`flask --app wsgi search reindex`: rebuild the search index from the database."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from civic.search.documents import all_documents, count_rows
from civic.search.engine import engine

search_cli = AppGroup("search", help="The search index.")


@search_cli.command("reindex")
def reindex() -> None:
    """Rebuild the index of the configured engine from the database, while the site keeps serving."""
    search = engine()
    total = count_rows()
    with click.progressbar(length=total, label=f"Indexing ({search.name})", show_pos=True) as bar:
        count = search.rebuild(all_documents(), progress=bar.update)
    click.echo(f"{count} documents indexed with {search.name}.")
