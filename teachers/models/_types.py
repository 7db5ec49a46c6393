"""Shared column helpers: string enums backed by CHECK constraints, and UTC timestamps."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

import sqlalchemy as sa


def utcnow() -> datetime:
    return datetime.now(UTC)


def enum_column(enum_cls: type[enum.Enum], name: str) -> sa.Enum:
    """A VARCHAR holding the enum's *values*, with a named CHECK constraint on both databases."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls),
        validate_strings=True,
        values_callable=lambda cls: [m.value for m in cls],
    )


class UTCDateTime(sa.types.TypeDecorator):
    """Timezone-aware UTC datetimes on SQLite too (which stores naive values)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value
