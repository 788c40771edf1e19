"""Declarative base shared by every domain's models."""
from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry
from sqlalchemy.types import TypeDecorator

from civic.core.timeutil import utcnow

# Stable constraint names: Alembic can then alter and drop them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC on every backend (SQLite keeps no zone, so it is added back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use civic.core.timeutil.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class EnumText(TypeDecorator):
    """A status (or a role) as its `enum.StrEnum`: stored as the member's value in a VARCHAR, whose
    allowed values are a CHECK constraint (`enum_check`), and read back as the member, so the code
    compares and assigns members, never string literals."""

    impl = String
    cache_ok = True

    def __init__(self, enum_type: type[enum.StrEnum], length: int):
        super().__init__(length)
        self.enum_type = enum_type

    def process_bind_param(self, value, dialect):
        return value.value if isinstance(value, enum.Enum) else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        try:
            return self.enum_type(value)
        except ValueError:  # not one of the members: the CHECK constraint keeps this from happening
            return value


def enum_check(column: str, enum_type: type[enum.StrEnum]) -> str:
    """The CHECK constraint's condition: the column holds one of the enum's values, in their order."""
    return "{} IN ({})".format(column, ", ".join(f"'{member.value}'" for member in enum_type))


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def render_migration_item(type_, obj, autogen_context):
    """Alembic autogenerate: write UTCDateTime and EnumText as the plain column types they store
    (revision files already import sqlalchemy as sa)."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, EnumText):
        return f"sa.String(length={obj.impl.length})"
    return False
