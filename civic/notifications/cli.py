"""`flask --app wsgi notifications ...`: deliver the queued emails."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from civic.core import signals
from civic.notifications import outbox

notifications_cli = AppGroup("notifications", help="Deliver notification emails.")


@notifications_cli.command("send")
@click.option("--loop", is_flag=True, help="Keep delivering until stopped, instead of once.")
@click.option("--interval", default=30.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Seconds between two rounds with --loop.")
@click.option("--batch", default=20, show_default=True, type=click.IntRange(min=1, max=500),
              help="Messages claimed at a time.")
def send(loop: bool, interval: float, batch: int) -> None:
    """Compose the daily digests that are due and send every due email (once, or --loop, which also
    prepares the copies of personal data asked for from the My data page: the receivers of the
    background_round signal)."""
    if loop:
        outbox.run_forever(interval, echo=click.echo, also=(lambda: signals.background_round.send(None),))
        return
    report = outbox.deliver_due(batch=batch)
    click.echo(f"sent {report.sent}, retried {report.retried}, failed {report.failed}, dropped {report.dropped}")
