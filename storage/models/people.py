"""The organization tree, people, their roles and invites."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, IntPk, OrgId, PersonId, str_enum
from storage.org_names import sort_key


class OrgKind(enum.StrEnum):
    REGION = "region"
    DISTRICT = "district"
    PPO = "ppo"


class Role(enum.StrEnum):
    """Staff hold their role over a district or a region; chairs and curators over a ППО."""

    ADMIN = "admin"
    STAFF = "staff"
    CURATOR = "curator"
    CHAIR = "chair"


_TOP_LEVEL = sa.text("parent_id IS NULL")


def _sort_key_of_name(context: DefaultExecutionContext) -> str:
    """Every way a row is added (the importer, a bulk insert) gets the key of its name, so no
    caller can leave it out; a rename sets it beside the name (``orgs.set_name``)."""
    name: str = context.get_current_parameters()["name"]  # type: ignore[no-untyped-call]
    return sort_key(name)


class Organization(Base):
    """A region, a district or a ППО. A name is unique in its place: under its parent, and at
    the top (where the unique constraint, NULL never equal to NULL, does not reach) by its
    own partial index, so two imports of one list at once cannot both add a region. Matched
    by ``name_key``, listed by ``sort_key`` (numbers read as numbers: ``storage.org_names``)."""

    __tablename__ = "organizations"
    __table_args__ = (
        sa.UniqueConstraint("parent_id", "name_key", "kind"),
        sa.Index(
            "uq_organizations_top_level_name",
            "kind",
            "name_key",
            unique=True,
            sqlite_where=_TOP_LEVEL,
            postgresql_where=_TOP_LEVEL,
        ),
    )

    id: Mapped[IntPk]
    kind: Mapped[OrgKind] = mapped_column(str_enum(OrgKind))
    name: Mapped[str] = mapped_column(sa.String(300))
    name_key: Mapped[str] = mapped_column(sa.String(300), index=True)
    # Unbounded: numbers written with their length make it longer than the name.
    sort_key: Mapped[str] = mapped_column(sa.Text, index=True, default=_sort_key_of_name)
    parent_id: Mapped[OrgId | None] = mapped_column(index=True)
    timezone: Mapped[str | None] = mapped_column(sa.String(64))
    workers: Mapped[int | None]
    chair_name: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    archived_at: Mapped[datetime | None]


class Person(Base):
    """A Telegram user known to the bot."""

    __tablename__ = "people"

    id: Mapped[IntPk]
    tg_user_id: Mapped[int] = mapped_column(sa.BigInteger, unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    username: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime]
    unreachable_at: Mapped[datetime | None]
    reminders_paused_until: Mapped[date | None]
    # Consent to the processing of personal data (152-ФЗ): which text, and when.
    consent_version: Mapped[str | None] = mapped_column(sa.String(16))
    consented_at: Mapped[datetime | None]
    # Set when an admin erased the person: name and Telegram id are gone, the id stays.
    erased_at: Mapped[datetime | None]


class RoleGrant(Base):
    """A role a person holds over an organization; revoked grants stay for the record."""

    __tablename__ = "role_grants"
    __table_args__ = (sa.Index("ix_role_grants_org_role", "org_id", "role"),)

    id: Mapped[IntPk]
    person_id: Mapped[PersonId] = mapped_column(index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role))
    org_id: Mapped[OrgId | None]
    granted_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class Invite(Base):
    """A single-use deep-link code that makes its user the holder of a role over an org."""

    __tablename__ = "invites"

    id: Mapped[IntPk]
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    org_id: Mapped[OrgId] = mapped_column(index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    """Indexed: the live links are the ones not yet expired, a few months' worth of a table
    that keeps a year of spent ones; and the nightly prune finds those by it."""
    used_at: Mapped[datetime | None]
    used_by: Mapped[PersonId | None]
    revoked_at: Mapped[datetime | None]
