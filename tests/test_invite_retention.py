"""Invites do not pile up for years: the nightly housekeeping deletes a link a year after it
expired, reading only those rows; the live links are found through the same index; and a
person tapping a deleted link is told how to go on, not only that it is not found."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.housekeeping import INVITES_KEPT, prune_invites
from bot.texts import chair as tchair
from bot.wiring.scheduler import nightly
from harness import Harness, background, texts
from query_plans import plans as plans_of
from query_plans import recorded
from scenarios import CHAIR, accept_invite, code_of, invite_links, setup_district
from storage import people
from storage.engine import create_engine, create_session_pool
from storage.models import Invite, Organization, OrgKind, Role
from test_housekeeping import count_commits

SCHOOL = "МБОУ СОШ № 1"
NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


async def test_a_link_used_long_ago_is_deleted_and_its_answer_says_how_to_go_on(
    harness: Harness, tmp_path: Path
) -> None:
    """Until a year after it expired, the chair's own link still says they joined with it;
    then the night deletes it, and the code is answered like any unknown one: connected
    people are pointed at /help, the others at the district for a new link."""
    h = harness
    await setup_district(h)
    code = code_of((await invite_links(h))[SCHOOL])
    await accept_invite(h, CHAIR, code, first_name="Мария")
    bg = background(h)
    bg.settings = h.settings.model_copy(update={"backup_dir": tmp_path / "backups"})
    expired = h.clock.now() + h.settings.invite_ttl

    h.clock.moment = expired + INVITES_KEPT - DAY
    await nightly(bg)
    assert "Ничего делать не нужно" in texts(await h.send(CHAIR, f"/start {code}"))[0]

    h.clock.moment = expired + INVITES_KEPT + DAY
    fresh = code_of((await invite_links(h))["МБДОУ детский сад «Солнышко»"])
    await nightly(bg)
    [reply] = texts(await h.send(CHAIR, f"/start {code}"))
    assert reply == tchair.INVITE_UNKNOWN and "/help" in reply and "новую ссылку" in reply
    async with h.session_pool() as session:
        kept = set((await session.scalars(select(Invite.code))).all())
    assert fresh in kept and code not in kept  # the links /invites just gave stay


async def _org(pool: async_sessionmaker[AsyncSession]) -> int:
    async with pool() as session, session.begin():
        org = Organization(
            name="ППО", name_key="ппо", kind=OrgKind.PPO, created_at=NOW, updated_at=NOW
        )
        session.add(org)
        await session.flush()
        return org.id


async def _issue(pool: async_sessionmaker[AsyncSession], org_id: int, issued: datetime) -> None:
    async with pool() as session, session.begin():
        await people.issue_invite(
            session, org_id=org_id, role=Role.CHAIR, now=issued, ttl=30 * DAY, replacing=False
        )


async def test_invites_are_pruned_in_batches_and_read_through_the_expiry_index(
    sqlite_template: Path, tmp_path: Path
) -> None:
    """Years of spent links: the prune and ``/invites``' read of the live ones each reach
    their rows through ``ix_invites_expires_at``, never by a scan of every link kept (the
    live read scanned the whole table: README Benchmarks, invites_5000)."""
    shutil.copyfile(sqlite_template, tmp_path / "bot.sqlite3")
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}")
    pool = create_session_pool(engine)
    try:
        org = await _org(pool)
        for n in range(7):  # expired 1 to 7 days more than a year ago
            await _issue(pool, org, NOW - INVITES_KEPT - 30 * DAY - (n + 1) * DAY)
        await _issue(pool, org, NOW - INVITES_KEPT - 30 * DAY + DAY)  # kept one more day
        await _issue(pool, org, NOW)  # live
        commits = count_commits(engine)
        with recorded(engine) as ran:
            assert await prune_invites(pool, NOW, batch=3) == 7
            assert len(commits) == 3  # 3, 3, 1
            async with pool() as session:
                assert len(await people.live_invites(session, now=NOW)) == 1
        async with pool() as session:
            assert len((await session.scalars(select(Invite.id))).all()) == 2
        plans = await plans_of(engine, ran, "invites")
        reads = [plan for plan in plans if "SCAN" in plan or "SEARCH" in plan]
        assert reads and all(
            "ix_invites_expires_at" in plan or "PRIMARY KEY" in plan or "rowid" in plan
            for plan in reads
        ), plans
        assert any("ix_invites_expires_at (expires_at>?)" in p for p in plans), plans
        assert any("ix_invites_expires_at (expires_at<?)" in p for p in plans), plans
        assert not [plan for plan in plans if "TEMP B-TREE" in plan], plans
    finally:
        await engine.dispose()
