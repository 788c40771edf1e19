import click
from flask.cli import AppGroup

from civic.demo.content import DEMO_PASSWORD, DEMO_TOTP_SECRET, database_is_empty, load_demo_content
from civic.extensions import db

demo_cli = AppGroup("demo", help="Demo content for trying the platform.")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
def load_command(if_empty: bool) -> None:
    """Fill the database with believable Italian demo content."""
    if if_empty and not database_is_empty():
        click.echo("Demo content not loaded: the database already has users.")
        return
    try:
        report = load_demo_content()
    except RuntimeError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Demo content loaded: {report.users} users, {report.needs} needs, {report.ideas} ideas, "
               f"{report.votes} votes, {report.comments} comments, {report.calls} calls (password for all: {DEMO_PASSWORD}).")


@demo_cli.command("code")
def code_command() -> None:
    """The current two-factor code of the demo's moderators and administrator (their key is public)."""
    import pyotp

    click.echo(pyotp.TOTP(DEMO_TOTP_SECRET).now())
