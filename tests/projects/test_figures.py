"""The headline figures of a project (people reached, housing units, m² recovered), kept in its columns
from its indicators."""
from __future__ import annotations

from decimal import Decimal

from civic.extensions import db
from civic.projects import services
from civic.projects.figures import figures_of
from tests.projects.conftest import MODERATOR, user


def test_overlapping_participant_categories_are_not_added_up():
    # A homeless young person counts in EECO07 and EECO16: the largest is the lower bound of the people.
    assert figures_of([("EECO07", Decimal("40")), ("EECO16", Decimal("120"))]) == (120, 0, Decimal("0.00"))
    # EECO01, all participants, wins when reported.
    assert figures_of([("EECO16", Decimal("120")), ("EECO01", Decimal("300"))])[0] == 300
    assert figures_of([("CO40", Decimal("32")), ("CO39", Decimal("1200.5")), ("CO38", Decimal("300"))]) == (
        0, 32, Decimal("1500.50"))
    assert figures_of([]) == (0, 0, Decimal("0.00"))


def test_saving_an_indicator_updates_the_project_figures(project):
    mod = user(MODERATOR)
    services.save_indicator(mod, project, services.IndicatorData(
        code="EECO16", name="Persone senza dimora prese in carico", unit="persone", target="120", achieved="60"))
    housing = services.save_indicator(mod, project, services.IndicatorData(
        code="CO40", name="Alloggi ristrutturati", unit="alloggi", target="32", achieved="10"))
    db.session.commit()
    assert (project.people_reached, project.housing_units) == (60, 10)
    services.save_indicator(mod, project, services.IndicatorData(
        code="CO40", name="Alloggi ristrutturati", unit="alloggi", target="32", achieved="32"), housing)
    db.session.commit()
    db.session.refresh(project)
    assert (project.people_reached, project.housing_units, project.area_m2) == (60, 32, Decimal("0.00"))
