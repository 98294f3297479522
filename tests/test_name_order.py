"""Lists of organizations built in Python go by the key names are matched by, as the database
orders them: a «quoted» or lower-case name sorts among the others, not before them all."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.directory import invites_for_unchaired
from bot.domain.history_load import places_of
from bot.domain.viewer import load_viewer
from storage import orgs
from test_storage import NOW, Row

ADMIN = 1
ROWS = [
    Row("«Южная» районная организация", "МБОУ СОШ № 1", region="«Ростовская» область"),
    Row("Восточная районная организация", "МБОУ СОШ № 2", region="Ростовская область"),
    Row("Восточная районная организация", "МБОУ СОШ № 3", region="Астраханская область"),
]
IN_ORDER = ["МБОУ СОШ № 3", "МБОУ СОШ № 2", "МБОУ СОШ № 1"]


async def _imported(session_pool: async_sessionmaker[AsyncSession]) -> None:
    async with session_pool() as session, session.begin():
        await orgs.apply_import(session, ROWS, default_region="Область", now=NOW)


async def test_the_invites_list_goes_by_region_and_district_names(
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    await _imported(session_pool)
    async with session_pool() as session, session.begin():
        pending = await invites_for_unchaired(session, ttl=timedelta(days=30), now=NOW)
    assert [p.org.name for p in pending] == IN_ORDER


async def test_the_history_template_goes_by_district_names(
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    await _imported(session_pool)
    async with session_pool() as session:
        viewer = await load_viewer(session, ADMIN, frozenset({ADMIN}))
        places = await places_of(session, viewer)
    assert [p.org.name for p in places] == ["МБОУ СОШ № 2", "МБОУ СОШ № 3", "МБОУ СОШ № 1"]
