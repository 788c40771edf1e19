import click
from flask.cli import AppGroup

from civic.extensions import db
from civic.territories.reference import load_reference_data

territories_cli = AppGroup("territories", help="Cities, neighbourhoods, programmes and themes.")


@territories_cli.command("load")
def load_command() -> None:
    """Load or update the reference data shipped with the code."""
    report = load_reference_data()
    db.session.commit()
    click.echo(
        f"Reference data loaded: {report.cities} cities, {report.neighbourhoods_added} new neighbourhoods, "
        f"{report.programmes} programmes with {report.priorities} axes/priorities, "
        f"{report.objectives} specific objectives, {report.themes} themes."
    )
