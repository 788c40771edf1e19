"""Reference data: where the programmes act and what they fund.

Cities and programmes ship with the code (civic/territories/data/) and are loaded
by `flask --app wsgi territories load`; neighbourhoods are edited by admins.
"""
from __future__ import annotations

import enum
from decimal import Decimal

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.core.models import TimestampMixin
from civic.extensions import db


class CityRole(enum.StrEnum):
    METROPOLITAN = "metropolitan"  # the 14 metropolitan cities (Organismi Intermedi)
    MEDIUM_SOUTH = "medium_south"  # the 39 Città Medie Sud of PN Metro Plus

    @property
    def label(self) -> str:
        return str(CITY_ROLE_LABELS[self])

    @property
    def plural_label(self) -> str:
        return str(CITY_ROLE_PLURAL_LABELS[self])


CITY_ROLE_LABELS = {
    CityRole.METROPOLITAN: _l("Metropolitan city"),
    CityRole.MEDIUM_SOUTH: _l("Medium-sized city of the South"),
}
CITY_ROLE_PLURAL_LABELS = {
    CityRole.METROPOLITAN: _l("Metropolitan cities"),
    CityRole.MEDIUM_SOUTH: _l("Medium-sized cities of the South"),
}


class Bilingual:
    """Reference rows carry their Italian and English names; pages show the current one."""

    name_it: Mapped[str]
    name_en: Mapped[str]

    @property
    def label(self) -> str:
        locale = get_locale()
        if locale is not None and locale.language == "en" and self.name_en:
            return self.name_en
        return self.name_it


class City(TimestampMixin, db.Model):
    __tablename__ = "city"
    __table_args__ = (
        CheckConstraint("role IN ('metropolitan', 'medium_south')", name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    region: Mapped[str] = mapped_column(String(60), index=True)
    role: Mapped[str] = mapped_column(String(20), index=True)

    neighbourhoods: Mapped[list[Neighbourhood]] = relationship(
        back_populates="city", order_by="Neighbourhood.name", cascade="all, delete-orphan"
    )

    @property
    def role_label(self) -> str:
        return CityRole(self.role).label

    def __repr__(self) -> str:
        return f"<City {self.slug}>"


class Neighbourhood(TimestampMixin, db.Model):
    __tablename__ = "neighbourhood"
    __table_args__ = (
        UniqueConstraint("city_id", "slug"),
        UniqueConstraint("city_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(140))

    city: Mapped[City] = relationship(back_populates="neighbourhoods")

    def __repr__(self) -> str:
        return f"<Neighbourhood {self.slug}>"


class Programme(db.Model):
    __tablename__ = "programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    full_name: Mapped[str] = mapped_column(String(255))
    reference: Mapped[str] = mapped_column(String(80))
    start_year: Mapped[int]
    end_year: Mapped[int]

    priorities: Mapped[list[Priority]] = relationship(
        back_populates="programme", order_by="Priority.position", cascade="all, delete-orphan"
    )


class Priority(Bilingual, db.Model):
    """An axis (PON Metro) or priority (PN Metro Plus) of a programme."""

    __tablename__ = "priority"
    __table_args__ = (
        UniqueConstraint("programme_id", "code"),
        CheckConstraint("kind IN ('axis', 'priority')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(10))
    name_it: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255))
    fund: Mapped[str | None] = mapped_column(String(20))
    budget_eur: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    inclusion: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)

    programme: Mapped[Programme] = relationship(back_populates="priorities")
    actions: Mapped[list[ProgrammeAction]] = relationship(
        back_populates="priority", order_by="ProgrammeAction.code", cascade="all, delete-orphan"
    )


class ProgrammeAction(Bilingual, db.Model):
    """An action of a priority, for example 3.1.1 "contrasto alla povertà abitativa"."""

    __tablename__ = "programme_action"
    __table_args__ = (UniqueConstraint("priority_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    priority_id: Mapped[int] = mapped_column(ForeignKey("priority.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    name_it: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255))

    priority: Mapped[Priority] = relationship(back_populates="actions")


class SpecificObjective(Bilingual, db.Model):
    """An ESF+ specific objective (ESO4.8, ESO4.11)."""

    __tablename__ = "specific_objective"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name_it: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)


class Theme(Bilingual, db.Model):
    """A field of action (ambito) that needs, ideas and calls are filed under."""

    __tablename__ = "theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name_it: Mapped[str] = mapped_column(String(160))
    name_en: Mapped[str] = mapped_column(String(160))
    objective_id: Mapped[int | None] = mapped_column(
        ForeignKey("specific_objective.id", ondelete="SET NULL"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)

    objective: Mapped[SpecificObjective | None] = relationship()
