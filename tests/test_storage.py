"""Storage on a real SQLite file and a real PostgreSQL server: import, invites, reports, drafts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.wiring.middlewares import is_transient
from storage import drafts, orgs, people, reports
from storage.engine import create_reading_pool
from storage.models import Invite, MembershipReport, Organization, OrgKind, Role
from storage.updates import claim_update, forget_updates_before

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Row:
    district: str
    organization: str
    workers: int | None = None
    chair_name: str | None = None
    timezone: str | None = None
    region: str | None = None


ROWS = [
    Row("Родионово-Несветайская районная организация", "МБОУ СОШ № 1", 54, "Иванова М. П."),
    Row("Родионово-Несветайская районная организация", "МБДОУ детский сад «Солнышко»", 20),
    Row("Кировская районная организация", "ГБУЗ ЦРБ", 300, None, "Asia/Novosibirsk"),
]


async def chaired_orgs(session: AsyncSession, tg_user_id: int) -> list[Organization]:
    grants = await people.active_grants(session, tg_user_id)
    return [org for role, org in grants if role is Role.CHAIR and org is not None]


async def _import(pool: async_sessionmaker[AsyncSession], rows: list[Row]) -> orgs.ImportSummary:
    async with pool() as session, session.begin():
        return await orgs.apply_import(session, rows, default_region="Область", now=NOW)


async def test_import_builds_tree_and_is_idempotent(session_pool) -> None:
    first = await _import(session_pool, ROWS)
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    assert len(first.districts_created) == 2

    again = await _import(session_pool, [*ROWS, Row("кировская  районная организация", "ГБУЗ ЦРБ")])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)

    async with session_pool() as session:
        counts = dict(
            (
                await session.execute(
                    select(Organization.kind, func.count()).group_by(Organization.kind)
                )
            ).all()
        )
    assert counts == {OrgKind.REGION: 1, OrgKind.DISTRICT: 2, OrgKind.PPO: 3}


async def test_reimport_updates_values_but_blank_cells_keep_them(session_pool) -> None:
    await _import(session_pool, ROWS)
    changed = await _import(
        session_pool, [Row(ROWS[0].district, "мбоу сош №1", 60), Row(ROWS[2].district, "ГБУЗ ЦРБ")]
    )
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    async with session_pool() as session:
        school = (
            await session.scalars(select(Organization).where(Organization.name == "МБОУ СОШ № 1"))
        ).one()
        hospital = (
            await session.scalars(select(Organization).where(Organization.name == "ГБУЗ ЦРБ"))
        ).one()
    assert school.workers == 60 and school.chair_name == "Иванова М. П."
    assert hospital.timezone == "Asia/Novosibirsk" and hospital.workers == 300


async def _ppo_id(pool: async_sessionmaker[AsyncSession], name: str) -> int:
    async with pool() as session:
        return (
            await session.scalars(select(Organization.id).where(Organization.name == name))
        ).one()


async def test_invite_single_use_expiry_and_reissue(session_pool) -> None:
    await _import(session_pool, ROWS)
    org_id = await _ppo_id(session_pool, "ГБУЗ ЦРБ")
    async with session_pool() as session, session.begin():
        old = await people.issue_invite(
            session, org_id=org_id, role=Role.CHAIR, now=NOW, ttl=timedelta(days=30)
        )
        new = await people.issue_invite(
            session, org_id=org_id, role=Role.CHAIR, now=NOW, ttl=timedelta(days=30)
        )
        assert old.code != new.code and len(new.code) >= 20
        person = await people.upsert_person(
            session, tg_user_id=1001, full_name="Пётр", username=None, now=NOW
        )
        assert (
            await people.redeem_invite(session, code=old.code, person=person, now=NOW)
            is people.RedeemError.USED
        )
        assert (
            await people.redeem_invite(session, code="nope", person=person, now=NOW)
            is people.RedeemError.UNKNOWN
        )
        late = NOW + timedelta(days=31)
        assert (
            await people.redeem_invite(session, code=new.code, person=person, now=late)
            is people.RedeemError.EXPIRED
        )
        redeemed = await people.redeem_invite(session, code=new.code, person=person, now=NOW)
        assert isinstance(redeemed, people.Redeemed) and redeemed.org.id == org_id
        assert (
            await people.redeem_invite(session, code=new.code, person=person, now=NOW)
            is people.RedeemError.USED
        )
    async with session_pool() as session:
        chaired = await chaired_orgs(session, 1001)
        assert [o.name for o in chaired] == ["ГБУЗ ЦРБ"]
        assert (
            await session.scalars(select(Invite).where(Invite.code == old.code))
        ).one().revoked_at == NOW  # the moment the fresh link replaced it


async def test_one_person_chairs_several_and_new_chair_replaces_old(session_pool) -> None:
    await _import(session_pool, ROWS)
    a, b = await _ppo_id(session_pool, "ГБУЗ ЦРБ"), await _ppo_id(session_pool, "МБОУ СОШ № 1")
    async with session_pool() as session, session.begin():
        anna = await people.upsert_person(
            session, tg_user_id=1, full_name="Анна", username=None, now=NOW
        )
        boris = await people.upsert_person(
            session, tg_user_id=2, full_name="Борис", username=None, now=NOW
        )
        assert await people.grant_chair(session, person=anna, org_id=a, now=NOW) is None
        await people.grant_chair(session, person=anna, org_id=b, now=NOW)
        previous = await people.grant_chair(session, person=boris, org_id=a, now=NOW)
        assert previous is not None and previous.id == anna.id
    async with session_pool() as session:
        assert [o.id for o in await chaired_orgs(session, 1)] == [b]
        assert [o.id for o in await chaired_orgs(session, 2)] == [a]


async def test_report_revisions_latest_counts(session_pool) -> None:
    await _import(session_pool, ROWS)
    org_id = await _ppo_id(session_pool, "ГБУЗ ЦРБ")
    async with session_pool() as session, session.begin():
        person = await people.upsert_person(
            session, tg_user_id=5, full_name="Вера", username=None, now=NOW
        )
        values = {"workers": 300, "members": 200}
        for period, members, key in [
            (date(2026, 10, 1), 200, "k1"),
            (date(2026, 11, 1), 210, "k2"),
            (date(2026, 11, 1), 215, "k3"),
        ]:
            await reports.add_report(
                session,
                org_id=org_id,
                period=period,
                values={**values, "members": members},
                submitted_by=person.id,
                submitted_at=NOW,
                submission_key=key,
            )
        again = await reports.add_report(
            session,
            org_id=org_id,
            period=date(2026, 11, 1),
            values=values,
            submitted_by=person.id,
            submitted_at=NOW,
            submission_key="k3",
        )
        assert again.members == 215
    async with session_pool() as session:
        latest = await reports.latest_reports(session, org_id)
        assert [(r.period.month, r.revision, r.members) for r in latest] == [
            (11, 2, 215),
            (10, 1, 200),
        ]
        previous = await reports.previous_report(session, org_id, before=date(2026, 11, 1))
        assert previous is not None and previous.members == 200
        assert await reports.revision_counts(session, org_id) == {
            date(2026, 10, 1): 1,
            date(2026, 11, 1): 2,
        }
        assert await session.scalar(select(func.count()).select_from(MembershipReport)) == 3


async def test_draft_roundtrip_keeps_answers_and_timestamps(session_pool) -> None:
    async with session_pool() as session, session.begin():
        draft = await drafts.start_draft(
            session,
            tg_user_id=77,
            form="membership",
            org_id=None,
            step="workers",
            context={"period": "2026-11-01"},
            now=NOW,
        )
        drafts.save_draft(
            draft, step="members", answers={"workers": 12}, now=NOW + timedelta(minutes=1)
        )
    async with session_pool() as session:
        loaded = await drafts.get_draft(session, 77)
        assert loaded is not None
        assert (loaded.step, loaded.answers, loaded.context) == (
            "members",
            {"workers": 12},
            {"period": "2026-11-01"},
        )
        assert (
            loaded.updated_at == NOW + timedelta(minutes=1) and loaded.updated_at.tzinfo is not None
        )


async def test_update_claimed_once_and_pruned(session_pool) -> None:
    async with session_pool() as session, session.begin():
        assert await claim_update(session, 10, NOW)
        assert not await claim_update(session, 10, NOW)
    async with session_pool() as session, session.begin():
        assert not await claim_update(session, 10, NOW)
        assert await forget_updates_before(session, NOW + timedelta(seconds=1)) == 1
        assert await claim_update(session, 10, NOW)


async def test_a_district_takes_the_zone_all_its_rows_name_when_it_has_none(
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    """Its periods then open at its ППО's midnight. A district whose rows disagree, or that has
    a zone of its own, keeps what it has."""
    far, kaliningrad = "Asia/Vladivostok", "Europe/Kaliningrad"
    await _import(session_pool, [Row("Своя зона", "ППО 0")])
    async with session_pool() as session, session.begin():
        own = await session.scalars(select(Organization).where(Organization.name == "Своя зона"))
        own.one().timezone = kaliningrad
    await _import(
        session_pool,
        [
            Row("Приморская", "ППО 1", timezone=far),
            Row("Приморская", "ППО 2", timezone=far),
            Row("Смешанная", "ППО 3", timezone=far),
            Row("Смешанная", "ППО 4"),
            Row("Своя зона", "ППО 5", timezone=far),
        ],
    )
    async with session_pool() as session:
        districts = select(Organization.name, Organization.timezone).where(
            Organization.kind == OrgKind.DISTRICT
        )
        zones: dict[str, str | None] = dict((await session.execute(districts)).all())
    assert zones == {"Приморская": far, "Смешанная": None, "Своя зона": kaliningrad}


async def test_two_imports_of_one_list_at_once_build_one_tree(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two admins send the same list at once: the second import commits between the first's
    read of the tree and its first insert. SQLite fails that insert as «locked», PostgreSQL by
    the top-level names' unique index; both are transient, and the update middleware runs
    the import again, which finds the tree."""
    pool = create_reading_pool(engine)
    real_all_orgs = orgs.all_orgs

    async def all_orgs_then_the_other_import_commits(session: AsyncSession) -> Any:
        found = await real_all_orgs(session)
        monkeypatch.setattr(orgs, "all_orgs", real_all_orgs)
        await _import(pool, ROWS)
        return found

    monkeypatch.setattr(orgs, "all_orgs", all_orgs_then_the_other_import_commits)
    with pytest.raises(DBAPIError) as raced:
        await _import(pool, ROWS)
    assert is_transient(raced.value), raced.value.orig
    await _import(pool, ROWS)  # the run again
    async with pool() as session:
        kinds = sorted(org.kind for org in await orgs.all_orgs(session))
    assert kinds == [OrgKind.DISTRICT] * 2 + [OrgKind.PPO] * 3 + [OrgKind.REGION]


async def test_regions_come_by_name_after_a_rename(session_pool) -> None:
    """The region buttons' order: PostgreSQL, unasked, gives rows as they lie on disk, and
    an UPDATE (a rename by the admin) moves one to the end."""
    await _import(
        session_pool,
        [
            Row("Лев-Толстовская районная организация", "МБОУ СОШ № 1", region="Липецкая область"),
            Row("Курчатовская районная организация", "МБОУ СОШ № 2", region="Курская область"),
            Row("Беловская районная организация", "МБОУ СОШ № 3", region="Кемеровская область"),
        ],
    )
    async with session_pool() as session, session.begin():
        kursk = next(o for o in await orgs.regions(session) if o.name == "Курская область")
        orgs.set_name(kursk, "Курская областная организация", NOW)
    async with session_pool() as session:
        shown = [region.name for region in await orgs.regions(session)]
    assert shown == ["Кемеровская область", "Курская областная организация", "Липецкая область"]
