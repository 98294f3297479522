"""The migrations build exactly the schema the models declare, on both backends: a model
changed without its migration (or the reverse) fails here, not in a region's database."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import column, insert, select, table, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from storage import audit, orgs, outbox
from storage.engine import create_session_pool
from storage.migrate import downgrade, upgrade
from storage.models import (
    Base,
    DistrictEvent,
    Organization,
    OrgKind,
    OutboxMessage,
    Person,
    PlanItem,
    PlanMark,
    UTCDateTime,
)

MIGRATIONS_TRIED = 5  # going down, to find the latest that changes the schema
LAST_SCHEMA_MIGRATION = "a9b0c1d2e3f4"  # below the data migrations tested here

# PostgreSQL only, read and written by raw SQL (``storage/call_budget.py``): no models.
CALL_BUDGET_TABLES = frozenset({"call_slots", "call_chats", "call_pause"})


def _modelled(name: str | None, kind: str, parent: object) -> bool:
    return not (kind == "table" and name in CALL_BUDGET_TABLES)


def _differences(connection: Connection) -> list[object]:
    options = {"render_as_batch": True, "include_name": _modelled}
    context = MigrationContext.configure(connection, opts=options)
    return list(compare_metadata(context, Base.metadata))


_ORGS_BEFORE_SORT_KEYS = table(
    "organizations",
    *(column(name) for name in ("id", "kind", "name", "name_key", "parent_id", "timezone")),
    column("created_at", UTCDateTime()),
    column("updated_at", UTCDateTime()),
)


async def _org_before_sort_keys(
    session: AsyncSession, kind: OrgKind, name: str, key: str, now: datetime, **more: Any
) -> int:
    """An organization stored at a revision before ``organizations.sort_key``: the model would
    write that column, which the table does not have yet. ``more``: parent_id, timezone."""
    values = {"kind": kind.value, "name": name, "name_key": key, "created_at": now}
    stmt = insert(_ORGS_BEFORE_SORT_KEYS).values(**values, updated_at=now, **more)
    org_id = await session.scalar(stmt.returning(_ORGS_BEFORE_SORT_KEYS.c.id))
    assert org_id is not None
    return int(org_id)


async def test_the_migrated_schema_is_the_models_schema(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        assert await connection.run_sync(_differences) == []


async def test_the_latest_migration_goes_down_and_up_again(engine: AsyncEngine) -> None:
    """Down step by step past the latest migration that changes the schema (the data-only
    ones above it change none), then up again to the models' schema."""
    for _ in range(MIGRATIONS_TRIED):
        await downgrade(engine, "-1")
        async with engine.connect() as connection:
            behind = await connection.run_sync(_differences) != []  # the models are ahead
        if behind:
            break
    assert behind
    await upgrade(engine)
    async with engine.connect() as connection:
        assert await connection.run_sync(_differences) == []


async def test_the_data_migrations_rekey_reminders_and_spread_zones(engine: AsyncEngine) -> None:
    """A district event's reminder queued under the old key shape gets the event's answer
    day (or it would go out again under the new key); a district's zone reaches its ППО."""
    now = datetime(2026, 12, 1, 9, tzinfo=UTC)

    def org(kind: OrgKind, parent: int | None, zone: str | None = None) -> Organization:
        name = f"{kind.value} {parent}"
        return Organization(
            kind=kind,
            name=name,
            name_key=name,
            parent_id=parent,
            timezone=zone,
            created_at=now,
            updated_at=now,
        )

    async with create_session_pool(engine)() as session, session.begin():
        region = org(OrgKind.REGION, None)
        session.add(region)
        await session.flush()
        district = org(OrgKind.DISTRICT, region.id, "Asia/Vladivostok")
        session.add(district)
        await session.flush()
        ppo = org(OrgKind.PPO, district.id)
        person = Person(tg_user_id=501, full_name="Мария", created_at=now)
        session.add_all([ppo, person])
        await session.flush()
        event = DistrictEvent(
            scope_org_id=district.id,
            kind="seminar",
            direction="education",
            title="Семинар",
            starts_at=now,
            starts_on=now.date(),
            place="Зал",
            online=False,
            answer_by=date(2026, 12, 3),
            created_by=person.id,
            created_at=now,
            submission_key="k",
        )
        session.add(event)
        await session.flush()
        old_key = f"devent-remind:{event.id}:{ppo.id}:3:501"
        await outbox.enqueue(
            session, key=old_key, chat_id=501, kind="text", payload={}, not_before=now, now=now
        )
    await downgrade(engine, LAST_SCHEMA_MIGRATION)
    await upgrade(engine)
    async with create_session_pool(engine)() as session:
        keys = (await session.scalars(select(OutboxMessage.key))).all()
        zone = await session.scalar(select(Organization.timezone).where(Organization.id == ppo.id))
    assert keys == [f"devent-remind:{event.id}:{ppo.id}:2026-12-03:3:501"]
    assert zone == "Asia/Vladivostok"


async def test_namesakes_at_the_top_are_numbered_not_lost(engine: AsyncEngine) -> None:
    """Two regions of one name (two imports raced before the top-level names' index) keep
    their rows: the later gets its id after its name, so the index can be built."""
    now = datetime(2026, 12, 7, 9, tzinfo=UTC)
    await downgrade(engine, "d9e0f1a2b3c4")
    async with create_session_pool(engine)() as session, session.begin():
        twins = [
            await _org_before_sort_keys(
                session, OrgKind.REGION, "Курская область", "курская область", now
            )
            for _ in range(2)
        ]
    await upgrade(engine)
    async with create_session_pool(engine)() as session:
        found = (await session.execute(select(Organization.name, Organization.name_key))).all()
    later = max(twins)
    assert sorted(found) == [
        ("Курская область", "курская область"),
        (f"Курская область #{later}", f"курская область #{later}"),
    ]


async def test_keys_stored_with_decomposed_letters_are_composed(engine: AsyncEngine) -> None:
    """A key stored from a name with a decomposed «Ё» or «Й» matches the same name typed on a
    keyboard again; when that name is there already, its organization keeps the key."""
    now = datetime(2026, 12, 7, 9, tzinfo=UTC)
    pasted, typed = _decomposed("Ёлкинская область"), "Ёлкинская область"
    await downgrade(engine, "b2c3d4e5f6a7")
    async with create_session_pool(engine)() as session, session.begin():
        keys = {
            pasted: pasted.casefold(),  # as keys were made before: «е» + U+0308
            typed: "елкинская область",
            _decomposed("Йошкар-Ола"): _decomposed("йошкар-ола"),
        }
        regions = [
            await _org_before_sort_keys(session, OrgKind.REGION, name, key, now)
            for name, key in keys.items()
        ]
    await upgrade(engine)
    async with create_session_pool(engine)() as session:
        found = (await session.scalars(select(Organization.name_key).order_by("id"))).all()
    assert found == [
        f"елкинская область #{regions[0]}",
        "елкинская область",
        orgs.name_key("Йошкар-Ола"),
    ]


def _decomposed(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    assert decomposed != text
    return decomposed


async def test_organizations_added_under_a_zone_since_the_first_spread_take_it(
    engine: AsyncEngine,
) -> None:
    """A district and its ППО imported into a region in Vladivostok after the first spread,
    before the import spread zones: the upgrade gives them the region's zone; a ППО's own
    zone stays."""
    now = datetime(2026, 12, 6, 9, tzinfo=UTC)

    await downgrade(engine, "d4e5f6a7b8c9")
    async with create_session_pool(engine)() as session, session.begin():

        async def org(kind: OrgKind, name: str, parent: int | None, zone: str | None) -> int:
            return await _org_before_sort_keys(
                session, kind, name, name, now, parent_id=parent, timezone=zone
            )

        region = await org(OrgKind.REGION, "регион", None, "Asia/Vladivostok")
        district = await org(OrgKind.DISTRICT, "район", region, None)
        await org(OrgKind.PPO, "своя", district, "Europe/Samara")
        await org(OrgKind.PPO, "без пояса", district, None)
    await upgrade(engine)
    async with create_session_pool(engine)() as session:
        zones = dict(
            (await session.execute(select(Organization.name, Organization.timezone))).all()
        )
    assert zones == {
        "регион": "Asia/Vladivostok",
        "район": "Asia/Vladivostok",
        "своя": "Europe/Samara",
        "без пояса": "Asia/Vladivostok",
    }


async def test_a_plan_loaded_before_stages_keeps_its_deadline_and_marks(
    engine: AsyncEngine,
) -> None:
    """Items and marks stored before stages existed: one deadline, the mark of its only stage."""
    now = datetime(2026, 12, 7, 9, tzinfo=UTC)
    await downgrade(engine, "c2d3e4f5a6b7")
    async with create_session_pool(engine)() as session, session.begin():
        district = await _org_before_sort_keys(session, OrgKind.DISTRICT, "Район", "район", now)
        person = Person(tg_user_id=801, full_name="Светлана", created_at=now)
        session.add(person)
        await session.flush()
        naive = now.replace(tzinfo=None)  # as the UTC columns store it
        values = {"org": district, "person": person.id, "now": naive, "day": date(2027, 3, 31)}
        for statement in (
            "INSERT INTO plans (id, scope_org_id, title, created_by, created_at) "
            "VALUES (1, :org, 'План', :person, :now)",
            "INSERT INTO plan_items (id, plan_id, number, text, deadline, deadline_label, "
            "responsible, person_id, created_at, updated_at) VALUES (1, 1, '1', 'Семинар', :day, "
            "'март 2027', 'staff', :person, :now, :now)",
            "INSERT INTO plan_marks (item_id, unit, done_at, done_on, done_by) "
            "VALUES (1, 0, :now, :day, :person)",
        ):
            await session.execute(text(statement), values)
    await upgrade(engine)
    async with create_session_pool(engine)() as session:
        item = await session.scalar(select(PlanItem))
        mark = await session.scalar(select(PlanMark))
    assert item is not None and (item.deadline, item.stages) == (date(2027, 3, 31), None)
    assert mark is not None and mark.due == date(2027, 3, 31)


async def test_marks_take_the_day_of_the_stage_at_their_place(engine: AsyncEngine) -> None:
    """Marks stored by their stage's place keep that stage's day; one past the stages (an edit
    cut them) gets none and counts toward none; going down, places come back from the days."""
    now = datetime(2026, 12, 8, 9, tzinfo=UTC)
    await downgrade(engine, "d1e2f3a4b5c6")
    async with create_session_pool(engine)() as session, session.begin():
        district = await _org_before_sort_keys(session, OrgKind.DISTRICT, "Район", "район", now)
        person = Person(tg_user_id=801, full_name="Светлана", created_at=now)
        session.add(person)
        await session.flush()
        naive = now.replace(tzinfo=None)
        values = {"org": district, "person": person.id, "now": naive, "day": date(2027, 6, 30)}
        for statement in (
            "INSERT INTO plans (id, scope_org_id, title, created_by, created_at) "
            "VALUES (1, :org, 'План', :person, :now)",
            "INSERT INTO plan_items (id, plan_id, number, text, deadline, deadline_label, stages, "
            "responsible, person_id, created_at, updated_at) VALUES (1, 1, '1', 'Мониторинг', "
            "'2027-06-30', 'март, июнь 2027', '[\"2027-03-31\", \"2027-06-30\"]', 'staff', "
            ":person, :now, :now)",
            "INSERT INTO plan_items (id, plan_id, number, text, deadline, deadline_label, "
            "responsible, person_id, created_at, updated_at) VALUES (2, 1, '2', 'Семинар', :day, "
            "'30.06.2027', 'staff', :person, :now, :now)",
            "INSERT INTO plan_marks (item_id, unit, stage, done_at, done_on, done_by) VALUES "
            "(1, 0, 0, :now, :day, :person), (1, 0, 1, :now, :day, :person), "
            "(2, 0, 0, :now, :day, :person), (2, 0, 1, :now, :day, :person)",
        ):
            await session.execute(text(statement), values)
    await upgrade(engine)
    async with create_session_pool(engine)() as session:
        marks = (await session.scalars(select(PlanMark).order_by(PlanMark.id))).all()
    assert [(m.item_id, m.due) for m in marks] == [
        (1, date(2027, 3, 31)),
        (1, date(2027, 6, 30)),
        (2, date(2027, 6, 30)),
        (2, None),
    ]
    await downgrade(engine, "d1e2f3a4b5c6")
    async with engine.connect() as connection:
        rows = await connection.execute(text("SELECT item_id, stage FROM plan_marks ORDER BY id"))
        assert rows.all() == [(1, 0), (1, 1), (2, 0), (2, 1)]
    await upgrade(engine)


async def test_an_item_given_to_another_before_keeps_the_day_it_was_given(
    engine: AsyncEngine,
) -> None:
    """Items changed before the day an item was given to another was kept: the audit trail's
    latest change of who answers for each gives it; «все ППО» narrowed to one ППО (which
    answered for it already), a moved deadline, and an item never changed give none."""
    now, may, june = (datetime(2027, month, 4, 9, tzinfo=UTC) for month in (3, 5, 6))
    await downgrade(engine, "a1f2e3d4c5b6")
    async with create_session_pool(engine)() as session, session.begin():
        district = await _org_before_sort_keys(session, OrgKind.DISTRICT, "Район", "район", now)
        values = {"org": district, "now": now.replace(tzinfo=None), "day": date(2027, 6, 30)}
        await session.execute(
            text(
                "INSERT INTO plans (id, scope_org_id, title, created_at) "
                "VALUES (1, :org, 'План', :now)"
            ),
            values,
        )
        for item in range(1, 5):
            await session.execute(
                text(
                    "INSERT INTO plan_items (id, plan_id, number, text, deadline, deadline_label, "
                    "responsible, created_at, updated_at) VALUES (:id, 1, :number, 'Пункт', :day, "
                    "'30.06.2027', 'all_ppo', :now, :now)"
                ),
                {**values, "id": item, "number": str(item)},
            )
        changes = [
            (may, {"item": 1, "responsible": "all_ppo"}, {"item": 1, "responsible": "staff"}),
            (june, {"item": 1, "person_id": 7}, {"item": 1, "person_id": 8}),
            (may, {"item": 2, "responsible": "all_ppo"}, {"item": 2, "responsible": "ppo"}),
            (may, {"item": 3, "deadline": "2027-03-31"}, {"item": 3, "deadline": "2027-06-30"}),
        ]
        for at, before, after in changes:
            audit.record(
                session, at=at, actor_id=None, action="plan.item_change", before=before, after=after
            )
    await upgrade(engine)
    async with create_session_pool(engine)() as session:
        given = dict((await session.execute(select(PlanItem.id, PlanItem.assigned_at))).all())
    assert given == {1: june, 2: None, 3: None, 4: None}


async def test_organizations_stored_before_are_listed_by_number(engine: AsyncEngine) -> None:
    """A district's 1001 kindergartens stored before the listing key (more than one batch of
    the migration) get the key of their name: «№ 2» before «№ 10» before «№ 100»."""
    now = datetime(2026, 12, 7, 9, tzinfo=UTC)
    names = [f"МБДОУ детский сад № {n}" for n in range(1, 1002)]
    await downgrade(engine, "b8c9d0e1f2a3")
    async with create_session_pool(engine)() as session, session.begin():
        district = await _org_before_sort_keys(session, OrgKind.DISTRICT, "Район", "район", now)
        rows = [
            {"kind": "ppo", "name": name, "name_key": orgs.name_key(name), "parent_id": district}
            | {"created_at": now, "updated_at": now}
            for name in sorted(names)  # stored in text order: «№ 1», «№ 10», «№ 100», …
        ]
        await session.execute(insert(_ORGS_BEFORE_SORT_KEYS), rows)
    await upgrade(engine)
    async with create_session_pool(engine)() as session:
        stmt = select(Organization.name, Organization.sort_key).where(
            Organization.kind == OrgKind.PPO
        )
        listed = (await session.execute(stmt.order_by(Organization.sort_key))).all()
    assert [name for name, _ in listed] == names
    assert all(key == orgs.sort_key(name) for name, key in listed)


async def test_outbox_rows_queued_before_keep_their_ids_and_no_id_is_given_again(
    engine: AsyncEngine,
) -> None:
    """Rows queued before the outbox's ids were made never to repeat keep their ids, and the
    index of the rows that follow another keeps its condition; then the newest deleted, the
    next row queued gets an id of its own (SQLite gave the deleted one again)."""
    now = datetime(2026, 12, 7, 9, tzinfo=UTC)
    queue = {"kind": outbox.OutboxKind.TEXT, "not_before": now, "now": now}
    await downgrade(engine, "d7e8f9a0b1c2")
    async with create_session_pool(engine)() as session, session.begin():
        await outbox.enqueue(session, key="k:1", chat_id=1, payload={"text": "1"}, **queue)
        await outbox.enqueue(
            session, key="k:2", chat_id=1, payload={"text": "2"}, after_key="k:1", **queue
        )
        before = dict((await session.execute(select(OutboxMessage.key, OutboxMessage.id))).all())
    await upgrade(engine)
    async with create_session_pool(engine)() as session, session.begin():
        stored = (await session.execute(select(OutboxMessage.key, OutboxMessage.id))).all()
        assert dict(stored) == before
        await session.execute(text("DELETE FROM outbox WHERE key = 'k:2'"))
        await outbox.enqueue(session, key="k:3", chat_id=1, payload={"text": "3"}, **queue)
        new = await session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == "k:3"))
    assert new is not None and new > before["k:2"]
    if engine.dialect.name == "sqlite":
        async with engine.connect() as connection:
            index = await connection.scalar(
                text("SELECT sql FROM sqlite_master WHERE name = 'ix_outbox_after_key'")
            )
        assert index is not None and "after_key IS NOT NULL" in index, index
