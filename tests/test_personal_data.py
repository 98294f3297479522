"""Personal data (152-ФЗ): joining asks for consent first and stores which text and when;
without it nobody is registered. An admin can erase a person: identity gone, roles ended,
the organization's records kept under «удалённый пользователь»."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.texts import admin as ta
from bot.texts import chair as tch
from bot.texts import common
from bot.texts import consent as tc
from bot.texts.markup import esc
from handlers.callbacks import ConsentCb
from harness import ADMIN, Harness, last_message, texts
from scenarios import (
    CHAIR,
    DISTRICT,
    FULL,
    accept_invite,
    answer_all,
    code_of,
    invite_links,
    join,
    setup_district,
)
from storage import outbox
from storage.models import (
    AuditEntry,
    Event,
    FormDraft,
    Invite,
    MembershipReport,
    Organization,
    OutboxMessage,
    OutboxStatus,
    Passport,
    Person,
    RoleGrant,
)

SCHOOL = "МБОУ СОШ № 1"
PHONE = "+79001234567"


async def people_count(h: Harness) -> int:
    async with h.session_pool() as session:
        return int(await session.scalar(select(func.count()).select_from(Person)) or 0)


async def invite_of(h: Harness, code: str) -> Invite:
    async with h.session_pool() as session:
        return (await session.scalars(select(Invite).where(Invite.code == code))).one()


async def test_joining_asks_consent_first_and_stores_it(harness: Harness) -> None:
    await setup_district(harness)
    code = code_of((await invite_links(harness))[SCHOOL])
    asked = last_message(await harness.send(CHAIR, f"/start {code}", first_name="Мария"))
    assert "персональных данных" in (asked.plain_text or "")
    assert [label for label, _ in asked.buttons()] == [tc.BTN_AGREE, tc.BTN_DECLINE]
    assert all(len((data or "").encode()) <= 64 for _, data in asked.buttons())
    assert await people_count(harness) == 0
    assert (await invite_of(harness, code)).used_at is None

    harness.clock.advance(minutes=3)  # type: ignore[attr-defined]
    welcome = texts(await harness.tap(CHAIR, asked, tc.BTN_AGREE))
    assert "Вы подключены как председатель" in welcome[0]
    async with harness.session_pool() as session:
        person = (await session.scalars(select(Person))).one()
        assert person.consent_version == tc.CONSENT_VERSION
        assert person.consented_at == harness.clock.now()
    assert (await invite_of(harness, code)).used_by == person.id

    # A double tap on «Согласен» neither fails nor joins twice.
    again = texts(await harness.tap(CHAIR, asked, tc.BTN_AGREE))
    assert again == [tch.already_joined(tc.ROLE_CHAIR, SCHOOL)]


async def test_declining_registers_nobody_and_says_whom_to_contact(harness: Harness) -> None:
    await setup_district(harness)
    code = code_of((await invite_links(harness))[SCHOOL])
    asked = last_message(await harness.send(CHAIR, f"/start {code}"))
    told = texts(await harness.tap(CHAIR, asked, tc.BTN_DECLINE))
    assert told == [tc.declined(DISTRICT)]
    assert await people_count(harness) == 0
    assert (await invite_of(harness, code)).used_at is None
    assert "ссылку-приглашение" in texts(await harness.send(CHAIR, "/report"))[0]
    # Changing one's mind later works with the same link.
    assert "Вы подключены" in texts(await accept_invite(harness, CHAIR, code))[0]


async def test_staff_are_asked_too_and_a_consented_person_is_not_asked_again(
    harness: Harness,
) -> None:
    await join(harness)
    staff_code = code_of((await invite_links(harness, whom="сотрудник аппарата"))[DISTRICT])
    asked = texts(await harness.send(801, f"/start {staff_code}"))
    assert "персональных данных" in asked[0] and tc.ROLE_STAFF in asked[0]
    # The chair, who agreed already, takes a second ППО without a second question.
    other = code_of((await invite_links(harness))["МБДОУ детский сад «Солнышко»"])
    assert (
        "Вы подключены как председатель" in texts(await harness.send(CHAIR, f"/start {other}"))[0]
    )


async def test_a_consent_button_for_a_spent_code_explains(harness: Harness) -> None:
    await setup_district(harness)
    code = code_of((await invite_links(harness))[SCHOOL])
    asked = last_message(await harness.send(CHAIR, f"/start {code}"))
    await accept_invite(harness, 502, code)
    replies = texts(await harness.tap(CHAIR, asked, tc.BTN_AGREE))
    assert replies == [tch.INVITE_USED]
    async with harness.session_pool() as session:
        assert (await session.scalars(select(Person.tg_user_id))).all() == [502]
    forged = ConsentCb(code="x" * 22, agree=True).pack()
    assert texts(await harness.feed(harness.server.callback(777, forged))) == [tch.INVITE_UNKNOWN]


async def _chair_with_records(h: Harness) -> int:
    """A chair who reported, filed an event, has a passport with their phone and an open form."""
    await join(h)
    await h.tap(CHAIR, last_message(await answer_all(h, FULL)), "Отправить")
    async with h.session_pool() as session, session.begin():
        org = (await session.scalars(select(Organization).where(Organization.name == SCHOOL))).one()
        person = (await session.scalars(select(Person).where(Person.tg_user_id == CHAIR))).one()
        now = h.clock.now()
        session.add(
            Passport(
                org_id=org.id,
                chair_full_name="Иванова Мария Петровна",
                chair_phone=PHONE,
                updated_at=now,
                updated_by=person.id,
            )
        )
        session.add(
            AuditEntry(
                at=now,
                actor_id=person.id,
                action="passport.update",
                org_id=org.id,
                before={"chair_phone": None},
                after={"chair_phone": PHONE, "address": "ул. Школьная, 1"},
            )
        )
        session.add(
            Event(
                org_id=org.id,
                kind="seminar",
                topic="Семинар",
                date_from=now.date(),
                date_to=now.date(),
                online=False,
                place="Школа",
                participants=10,
                direction="education",
                photos=[],
                created_by=person.id,
                created_at=now,
                updated_at=now,
                submission_key="erase-event",
            )
        )
        await outbox.enqueue(
            session,
            key=f"remind:{CHAIR}:test",
            chat_id=CHAIR,
            kind="text",
            payload={"text": "Напоминание"},
            not_before=now + timedelta(days=1),
            now=now,
        )
        org_id = org.id
    await h.send(CHAIR, "/report")
    return org_id


async def test_admin_erases_a_person_and_the_records_stay(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    org_id = await _chair_with_records(harness)
    card = last_message(await harness.send(ADMIN, f"/forget {CHAIR}"))
    assert "Мария" in (card.plain_text or "") and SCHOOL in (card.plain_text or "")
    assert texts(await harness.tap(ADMIN, card, ta.BTN_KEEP)) == [ta.FORGET_KEPT]

    card = last_message(await harness.send(ADMIN, f"/forget {CHAIR}"))
    done = texts(await harness.tap(ADMIN, card, ta.BTN_FORGET))
    assert "Персональные данные удалены" in done[0]

    async with harness.session_pool() as session:
        person = (await session.scalars(select(Person).where(Person.id == 1))).one()
        assert person.tg_user_id < 0 and person.erased_at is not None
        assert (person.full_name, person.username) == (ta.ERASED_PERSON, None)
        grants = (await session.scalars(select(RoleGrant).where(RoleGrant.person_id == 1))).all()
        assert grants and all(g.revoked_at is not None for g in grants)
        assert (await session.scalars(select(FormDraft))).all() == []
        row = (await session.scalars(select(OutboxMessage))).one()
        assert row.status is OutboxStatus.FAILED and row.chat_id == person.tg_user_id
        passport = await session.get(Passport, org_id)
        assert passport is not None
        assert (passport.chair_full_name, passport.chair_phone) == (None, None)
        assert len((await session.scalars(select(MembershipReport))).all()) == 1
        assert len((await session.scalars(select(Event))).all()) == 1
        entries = (await session.scalars(select(AuditEntry))).all()
        erase = [e for e in entries if e.action == "person.erase"]
        assert len(erase) == 1 and erase[0].person_id == 1
        assert erase[0].before is None and erase[0].after is None
        stored = repr([(e.before, e.after) for e in entries])
        assert PHONE not in stored and "Мария" not in stored

    history = "\n".join(texts(await harness.send(ADMIN, f"/audit {org_id}")))
    assert ta.ERASED_PERSON in history and "Мария" not in history
    assert texts(await harness.send(CHAIR, "/report")) == [common.STRANGER]
    assert texts(await harness.send(ADMIN, f"/forget {CHAIR}")) == [ta.FORGET_NOT_FOUND]
    ours = [r for r in caplog.records if r.name.split(".")[0] in {"bot", "handlers", "storage"}]
    logged = "\n".join(record.getMessage() for record in ours)
    assert "Мария" not in logged and PHONE not in logged


async def test_erasing_leaves_no_telegram_id_in_outbox_keys(harness: Harness) -> None:
    await _chair_with_records(harness)
    async with harness.session_pool() as session, session.begin():
        await outbox.enqueue(
            session,
            key=f"digest:7:2026-11-21:{CHAIR}:text",
            chat_id=CHAIR,
            kind="text",
            payload={"text": "Сводка"},
            not_before=harness.clock.now(),
            now=harness.clock.now(),
        )
        await outbox.enqueue(  # an announcement's file names its text's key, the id in it
            session,
            key=f"announce:9:{CHAIR}:3:file",
            chat_id=CHAIR,
            kind="file",
            payload={"file_id": "BQAC"},
            not_before=harness.clock.now(),
            now=harness.clock.now(),
            after_key=f"announce:9:{CHAIR}:3",
        )
    card = last_message(await harness.send(ADMIN, f"/forget {CHAIR}"))
    await harness.tap(ADMIN, card, ta.BTN_FORGET)
    async with harness.session_pool() as session:
        keys = sorted((await session.scalars(select(OutboxMessage.key))).all())
        followed = (await session.scalars(select(OutboxMessage.after_key))).all()
        person = (await session.scalars(select(Person).where(Person.id == 1))).one()
    assert keys == [
        f"announce:9:{person.tg_user_id}:3:file",
        f"digest:7:2026-11-21:{person.tg_user_id}:text",
        f"remind:{person.tg_user_id}:test",
    ]
    assert [key for key in followed if key] == [f"announce:9:{person.tg_user_id}:3"]


async def test_a_failed_statement_does_not_carry_names_into_logs(
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    """Errors are logged with their message; the engine keeps the statement's values out."""
    now = datetime(2026, 11, 21, tzinfo=UTC)
    async with session_pool() as session:
        session.add(Person(tg_user_id=5, full_name="Иванова Мария", created_at=now))
        session.add(Person(tg_user_id=5, full_name="Петрова Ольга", created_at=now))
        with pytest.raises(IntegrityError) as failed:
            await session.flush()
    assert "Мария" not in str(failed.value) and "Ольга" not in str(failed.value)


async def test_erasing_drops_the_kept_texts_sent_to_others_that_name_the_person(
    harness: Harness,
) -> None:
    """A late list sent to staff names the chair; kept 61 days (and copied by /backup), its
    text goes when she is erased. A text naming another person, or one still waiting for its
    reader, stays."""
    await _chair_with_records(harness)
    async with harness.session_pool() as session, session.begin():
        name = (
            await session.scalars(select(Person.full_name).where(Person.tg_user_id == CHAIR))
        ).one()
        now = harness.clock.now()
        texts_to_staff = {
            "late:sent": (f"Не сдали:\n• {SCHOOL} — {esc(name)}", True),
            "late:other": (f"Не сдали:\n• {SCHOOL} — {name}на Ильина", True),
            "late:waiting": (f"Не сдали:\n• {SCHOOL} — {name}", False),
            "late:of-record": ("• МБОУ СОШ № 1 — Иванова Мария Петровна", True),
        }
        for key, (text, sent) in texts_to_staff.items():
            await outbox.enqueue(
                session,
                key=key,
                chat_id=801,
                kind="text",
                payload={"text": text},
                not_before=now,
                now=now,
            )
            if sent:
                await session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.key == key)
                    .values(status=OutboxStatus.SENT, sent_at=now)
                )
    card = last_message(await harness.send(ADMIN, f"/forget {CHAIR}"))
    await harness.tap(ADMIN, card, ta.BTN_FORGET)

    async with harness.session_pool() as session:
        kept = {
            row.key: row.payload["text"]
            for row in (await session.scalars(select(OutboxMessage))).all()
            if row.key.startswith("late:")
        }
    assert kept == {
        "late:sent": ta.TEXT_ERASED,
        "late:other": texts_to_staff["late:other"][0],
        "late:waiting": texts_to_staff["late:waiting"][0],
        "late:of-record": ta.TEXT_ERASED,  # the passport's name, as staff lists name her
    }
