"""`flask --app wsgi projects import FILE [--as EMAIL] [--dry-run]`: funded projects from a CSV file
with the OpenCoesione columns (civic/projects/importer.py), all or nothing."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from civic.accounts.models import Role, User
from civic.accounts.permissions import can_use_moderation_desk
from civic.core.rules import RuleError
from civic.extensions import db
from civic.projects import importer

projects_cli = AppGroup("projects", help="Funded projects: import from CSV.")


def _acting_user(email: str | None) -> User:
    if email:
        user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
        if user is None:
            raise click.ClickException(f"No account with the email {email}.")
        if not user.active or not can_use_moderation_desk(user):
            raise click.ClickException(f"{email} is not an active moderator or administrator.")
        return user
    user = db.session.scalar(select(User).where(User.role == Role.ADMIN, User.active.is_(True)).order_by(User.id))
    if user is None:
        raise click.ClickException("There is no active administrator: name the moderator who imports with --as EMAIL.")
    return user


@projects_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "email", help="Email of the moderator or administrator who imports (default: the first admin).")
@click.option("--dry-run", is_flag=True, help="Check the file and report, without saving anything.")
def import_command(file: Path, email: str | None, dry_run: bool) -> None:
    """Import (create or update) funded projects from a CSV FILE with the OpenCoesione columns."""
    user = _acting_user(email)
    try:
        with file.open("rb") as stream:
            parsed = importer.read_rows(stream)
    except RuleError as error:
        click.echo(f"line 1: {error.message}", err=True)
        click.echo("Nothing was imported.", err=True)
        raise SystemExit(1) from None
    try:
        with click.progressbar(length=len(parsed), label="Checking the projects", file=sys.stderr,
                               show_pos=True) as bar:
            report = importer.import_rows(user, parsed, filename=file.name, dry_run=dry_run, progress=bar.update)
        if report.ok and not dry_run:
            importer.commit()
    except importer.ImportConflict as error:
        db.session.rollback()
        click.echo(str(error.message), err=True)
        raise SystemExit(1) from None
    for issue in report.warnings:
        click.echo(f"warning: line {issue.line}{', ' + issue.column if issue.column else ''}: {issue.message}",
                   err=True)
    if not report.ok:
        for issue in report.errors:
            click.echo(f"line {issue.line}{', ' + issue.column if issue.column else ''}: {issue.message}", err=True)
        click.echo(f"{len(report.errors)} error(s). Nothing was imported.", err=True)
        raise SystemExit(1)
    summary = f"created {report.created}, updated {report.updated}, unchanged {report.unchanged}"
    if report.warnings:
        summary += f" ({len(report.warnings)} warning(s))"
    if dry_run:
        summary = f"Dry run, nothing saved: would have {summary}"
    click.echo(summary)
