"""`flask --app wsgi users ...`: create administrators and moderators from the shell."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from flask_babel import force_locale

from civic.accounts import services
from civic.accounts.models import Role
from civic.audit import services as audit
from civic.extensions import db
from civic.territories.services import city_by_slug

users_cli = AppGroup("users", help="Manage user accounts.")


def _password_option():
    return click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
                        help="Asked for when not given.")


def _create(email: str, name: str | None, password: str, role: Role):
    # Shell commands speak English, like the rest of the operator's tooling.
    with force_locale("en"):
        try:
            return services.register_user(
                email=email, display_name=name or email.split("@")[0], password=password, role=role, confirmed=True
            )
        except services.AccountError as error:
            db.session.rollback()
            raise click.ClickException(str(error.message)) from None


@users_cli.command("create-admin")
@click.argument("email")
@click.option("--name", help="Name shown to others (default: the part of the email before @).")
@_password_option()
def create_admin(email: str, name: str | None, password: str) -> None:
    """Create an administrator account."""
    user = _create(email, name, password, Role.ADMIN)
    audit.record(None, "user.create_admin", "user", user.id, f"{user.display_name} <{user.email}>")
    db.session.commit()
    click.echo(f"Administrator {user.email} created.")


@users_cli.command("create-moderator")
@click.argument("email")
@click.option("--city", "cities", multiple=True, required=True, metavar="SLUG",
              help="A city the moderator works for (repeat for several), e.g. --city torino.")
@click.option("--name", help="Name shown to others.")
@_password_option()
def create_moderator(email: str, cities: tuple[str, ...], name: str | None, password: str) -> None:
    """Create a moderator for one or more cities."""
    found = []
    for slug in cities:
        city = city_by_slug(slug)
        if city is None:
            raise click.ClickException(f"Unknown city '{slug}'. Run `flask --app wsgi territories load` first, "
                                       "and use the city's slug (e.g. reggio-calabria).")
        found.append(city)
    user = _create(email, name, password, Role.MODERATOR)
    services.grant_moderation(user, found)
    db.session.commit()
    click.echo(f"Moderator {user.email} created for: {', '.join(c.name for c in found)}.")
