"""Queries and changes on cities and neighbourhoods."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from civic.audit import services as audit
from civic.core.rules import RuleError
from civic.core.text import has_forbidden_characters, normalise_line, slugify
from civic.extensions import db
from civic.territories.models import City, CityRole, Neighbourhood


class TerritoryError(RuleError):
    """A rule about cities or neighbourhoods was broken."""


def all_cities() -> list[City]:
    return list(db.session.scalars(select(City).order_by(City.name)))


def cities_by_role() -> dict[CityRole, list[City]]:
    grouped: dict[CityRole, list[City]] = {role: [] for role in CityRole}
    for city in all_cities():
        grouped[CityRole(city.role)].append(city)
    return grouped


def city_by_slug(slug: str) -> City | None:
    return db.session.scalar(select(City).where(City.slug == slug))


def city_choices(blank_label) -> list[tuple[str, str]]:
    return [("", str(blank_label))] + [(str(c.id), c.name) for c in all_cities()]


def neighbourhood_choices(blank_label) -> list:
    """Neighbourhoods grouped by city: a plain <select> with <optgroup>s works without JavaScript."""
    cities = db.session.scalars(
        select(City).where(City.neighbourhoods.any()).options(selectinload(City.neighbourhoods)).order_by(City.name)
    )
    choices: dict = {"": [("", str(blank_label))]}
    for city in cities:
        choices[city.name] = [(str(n.id), n.name) for n in city.neighbourhoods]
    return choices


def _checked_name(raw: str) -> str:
    name = normalise_line(raw)
    if has_forbidden_characters(raw) or not 2 <= len(name) <= 120:
        raise TerritoryError(_l("Enter a name between 2 and 120 characters, without special characters."), "name")
    return name


def _ensure_unique(city: City, name: str, slug: str, ignore: Neighbourhood | None = None) -> None:
    clash = db.session.scalar(
        select(Neighbourhood).where(
            Neighbourhood.city_id == city.id,
            (Neighbourhood.slug == slug) | (Neighbourhood.name == name),
        )
    )
    if clash is not None and clash is not ignore:
        raise TerritoryError(
            _l("%(city)s already has a neighbourhood called %(name)s.", city=city.name, name=clash.name), "name"
        )


def add_neighbourhood(city: City, raw_name: str, actor=None) -> Neighbourhood:
    name = _checked_name(raw_name)
    slug = slugify(name, 140)
    _ensure_unique(city, name, slug)
    neighbourhood = Neighbourhood(city=city, name=name, slug=slug)
    db.session.add(neighbourhood)
    db.session.flush()
    audit.record(actor, "neighbourhood.add", "neighbourhood", neighbourhood.id, f"{city.name}: {name}", city_id=city.id)
    return neighbourhood


def rename_neighbourhood(neighbourhood: Neighbourhood, raw_name: str, actor=None) -> None:
    name = _checked_name(raw_name)
    slug = slugify(name, 140)
    _ensure_unique(neighbourhood.city, name, slug, ignore=neighbourhood)
    audit.record(actor, "neighbourhood.rename", "neighbourhood", neighbourhood.id,
                 f"{neighbourhood.city.name}: {neighbourhood.name} → {name}", city_id=neighbourhood.city_id)
    neighbourhood.name = name
    neighbourhood.slug = slug
    db.session.flush()


def remove_neighbourhood(neighbourhood: Neighbourhood, actor=None) -> None:
    audit.record(actor, "neighbourhood.remove", "neighbourhood", neighbourhood.id,
                 f"{neighbourhood.city.name}: {neighbourhood.name}", city_id=neighbourhood.city_id)
    db.session.delete(neighbourhood)
    db.session.flush()
