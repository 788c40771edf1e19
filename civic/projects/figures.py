"""The headline figures of a funded project, read from its indicators and kept in its columns so that
the programme dashboard sums columns instead of reading every indicator.

- people reached: ESF+ participants. EECO01 (all participants) when the project reports it; otherwise
  the largest of its EECO indicators, since the categories overlap (a homeless young woman counts in
  EECO07 and EECO16) and their sum would count people twice;
- housing units: CO40, rehabilitated housing in urban areas (alloggi);
- area recovered: CO38 (open space) plus CO39 (buildings), in m².

Migration 0014 applies the same rule to the projects that existed before it.
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from civic.extensions import db
from civic.projects.models import FundedProject, Indicator

ALL_PARTICIPANTS = "EECO01"
PARTICIPANTS_PREFIX = "EECO"
HOUSING_UNITS = "CO40"
AREA = ("CO38", "CO39")


def figures_of(indicators: list[tuple[str, Decimal]]) -> tuple[int, int, Decimal]:
    """(people reached, housing units, m² recovered) from (code, achieved) pairs."""
    achieved = {}
    for code, value in indicators:
        achieved[code.upper()] = achieved.get(code.upper(), Decimal("0")) + Decimal(value or 0)
    participants = [v for c, v in achieved.items() if c.startswith(PARTICIPANTS_PREFIX)]
    people = achieved.get(ALL_PARTICIPANTS, max(participants, default=Decimal("0")))
    housing = achieved.get(HOUSING_UNITS, Decimal("0"))
    area = sum((achieved.get(code, Decimal("0")) for code in AREA), Decimal("0"))
    return int(people), int(housing), area.quantize(Decimal("0.01"))


def refresh_figures(project: FundedProject) -> None:
    """Recompute the project's figures from its indicators (call after changing them, before the commit)."""
    db.session.flush()
    pairs = db.session.execute(select(Indicator.code, Indicator.achieved)
                               .where(Indicator.project_id == project.id)).all()
    project.people_reached, project.housing_units, project.area_m2 = figures_of([tuple(p) for p in pairs])
