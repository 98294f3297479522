"""The declarative base: UTC timestamps, enums as strings, one naming convention.

Portable between SQLite and PostgreSQL: no dialect-specific types, enums stored as strings,
timestamps stored as UTC."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, mapped_column


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite would otherwise hand back naive values)."""

    impl = sa.DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def str_enum(enum_cls: type[enum.Enum]) -> sa.Enum:
    return sa.Enum(
        enum_cls,
        native_enum=False,
        length=16,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, dict[str, Any]: sa.JSON}


# The columns many tables share, declared once (SQLAlchemy's ``Annotated`` column types); a
# model adds to one what is its own, like ``mapped_column(index=True)``.
IntPk = Annotated[int, mapped_column(primary_key=True)]
OrgId = Annotated[int, mapped_column(sa.ForeignKey("organizations.id"))]
PersonId = Annotated[int, mapped_column(sa.ForeignKey("people.id"))]
SubmissionKey = Annotated[str, mapped_column(sa.String(64), unique=True)]
"""The token of the draft a row was submitted from: a repeated submission finds its row."""
