"""Load the reference data shipped in civic/territories/data/ into the database.

Idempotent: rows are matched on their natural keys (slug, code) and updated in
place, so running it again after an upgrade of the data files is safe. Admins'
neighbourhood edits are kept: shipped neighbourhoods are only added when missing.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from civic.core.text import slugify
from civic.extensions import db
from civic.territories.models import (
    City,
    Neighbourhood,
    Priority,
    Programme,
    ProgrammeAction,
    SpecificObjective,
    Theme,
)

DATA_DIR = Path(__file__).parent / "data"


@dataclass
class LoadReport:
    cities: int = 0
    neighbourhoods_added: int = 0
    programmes: int = 0
    priorities: int = 0
    objectives: int = 0
    themes: int = 0


def _read(name: str):
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def _upsert(model, key: str, value, **fields):
    row = db.session.scalar(select(model).where(getattr(model, key) == value))
    if row is None:
        row = model(**{key: value})
        db.session.add(row)
    for name, field_value in fields.items():
        setattr(row, name, field_value)
    return row


def load_reference_data() -> LoadReport:
    report = LoadReport()
    cities: dict[str, City] = {}
    for item in _read("cities.json"):
        cities[item["slug"]] = _upsert(City, "slug", item["slug"], name=item["name"], region=item["region"], role=item["role"])
        report.cities += 1
    db.session.flush()

    for slug, names in _read("neighbourhoods.json").items():
        city = cities[slug]
        existing = {n.slug for n in city.neighbourhoods}
        for name in names:
            neighbourhood_slug = slugify(name, 140)
            if neighbourhood_slug not in existing:
                db.session.add(Neighbourhood(city=city, name=name, slug=neighbourhood_slug))
                existing.add(neighbourhood_slug)
                report.neighbourhoods_added += 1

    for item in _read("programmes.json"):
        programme = _upsert(
            Programme, "code", item["code"],
            name=item["name"], full_name=item["full_name"], reference=item["reference"],
            start_year=item["start_year"], end_year=item["end_year"],
        )
        db.session.flush()
        report.programmes += 1
        priorities = {p.code: p for p in programme.priorities}
        for position, entry in enumerate(item["priorities"]):
            priority = priorities.get(entry["code"])
            if priority is None:
                priority = Priority(programme=programme, code=entry["code"])
                db.session.add(priority)
                priorities[entry["code"]] = priority
            priority.kind = entry["kind"]
            priority.name_it = entry["name_it"]
            priority.name_en = entry["name_en"]
            priority.fund = entry.get("fund")
            priority.budget_eur = Decimal(entry["budget_eur"]) if entry.get("budget_eur") else None
            priority.inclusion = bool(entry.get("inclusion"))
            priority.position = position
            report.priorities += 1
        db.session.flush()
        for entry in item.get("actions", []):
            priority = priorities[entry["priority"]]
            action = next((a for a in priority.actions if a.code == entry["code"]), None)
            if action is None:
                action = ProgrammeAction(priority=priority, code=entry["code"])
                db.session.add(action)
            action.name_it = entry["name_it"]
            action.name_en = entry["name_en"]

    themes_file = _read("themes.json")
    objectives: dict[str, SpecificObjective] = {}
    for entry in themes_file["specific_objectives"]:
        objectives[entry["code"]] = _upsert(
            SpecificObjective, "code", entry["code"], name_it=entry["name_it"], name_en=entry["name_en"]
        )
        report.objectives += 1
    db.session.flush()
    for position, entry in enumerate(themes_file["themes"]):
        _upsert(
            Theme, "slug", entry["slug"], name_it=entry["name_it"], name_en=entry["name_en"],
            objective=objectives.get(entry.get("objective")), position=position,
        )
        report.themes += 1
    db.session.flush()
    return report
