"""Staff and admin tools through the Dispatcher: digest on demand, export, rating, requests,
a correction round trip, an announcement with an unreachable chair, organizations, audit."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import openpyxl
from PIL import Image
from sqlalchemy import select

from bot.texts import staff as staff_texts
from bot.wiring.scheduler import calendar_tick
from harness import ADMIN, Harness, background, last_message, texts
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
from storage.models import AuditEntry, MembershipReport, Organization, RoleGrant

STAFF = 801
SECOND_CHAIR = 502


async def district_with_staff(h: Harness) -> None:
    await join(h)
    links = await invite_links(h)
    kindergarten = code_of(links["МБДОУ детский сад «Солнышко»"])
    await accept_invite(h, SECOND_CHAIR, kindergarten, first_name="Ольга")
    staff = (await invite_links(h, whom="сотрудник аппарата"))[DISTRICT]
    await accept_invite(h, STAFF, code_of(staff), first_name="Светлана")


async def submit(h: Harness, values: list[str] = FULL) -> None:
    await h.tap(CHAIR, last_message(await answer_all(h, values)), "Отправить")


async def drain(h: Harness) -> list:
    mark = h.server.mark()
    bg = background(h)
    await calendar_tick(bg)
    await bg.deliverer.drain()
    return h.server.requests[mark:]


async def org_id(h: Harness, name: str) -> int:
    async with h.session_pool() as session:
        return (
            await session.scalars(select(Organization.id).where(Organization.name == name))
        ).one()


async def test_digest_on_demand_with_chart_and_table(harness: Harness) -> None:
    await district_with_staff(harness)
    await submit(harness)
    replies = await harness.send(STAFF, "/digest")
    assert [r.method for r in replies if r.method.startswith("send")] == [
        "sendMessage",
        "sendPhoto",
        "sendDocument",
    ]
    text = replies[0].plain_text or ""
    assert "Сдали: 1 из 2" in text and "74,1 %" in text
    files = dict(harness.server.sent_files(STAFF))
    png = next(data for name, data in files.items() if name.endswith(".png"))
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG" and image.width >= 800
    table = next(data for name, data in files.items() if name.endswith(".xlsx"))
    header, *rows = openpyxl.load_workbook(io.BytesIO(table)).active.iter_rows(values_only=True)
    columns = [header.index(name) for name in ("ППО", "Работников", "Членов профсоюза", "Статус")]
    assert sorted(tuple(row[i] for i in columns) for row in rows) == [
        ("МБДОУ детский сад «Солнышко»", None, None, "не сдан"),
        ("МБОУ СОШ № 1", 54, 40, "сдан"),
    ]

    status = texts(await harness.send(STAFF, "/status"))[0]
    assert "✅ Сдали: 1 из 2" in status
    assert "⏳ Ещё не сдали (1):\n• МБДОУ детский сад «Солнышко» — Ольга" in status


async def test_export_period_and_bad_period(harness: Harness) -> None:
    await district_with_staff(harness)
    assert "Не понял период" in texts(await harness.send(STAFF, "/export вчера"))[0]
    for argument, month, stamp in (("11.2026", "ноябрь", "11"), ("октябрь 2026", "октябрь", "10")):
        await harness.send(STAFF, f"/export {argument}")
        name, data = harness.server.sent_files(STAFF)[-1]
        assert name == f"Мониторинг_2026-{stamp}.xlsx"
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        assert sheet.title == f"Мониторинг {month} 2026"
        header, *rows = sheet.iter_rows(values_only=True)
        period, ppo = header.index("Период"), header.index("ППО")
        assert sorted((row[ppo], row[period]) for row in rows) == [
            ("МБДОУ детский сад «Солнышко»", f"{month} 2026"),
            ("МБОУ СОШ № 1", f"{month} 2026"),
        ]


async def test_rating_message_and_table(harness: Harness) -> None:
    await district_with_staff(harness)
    await submit(harness)
    replies = await harness.send(STAFF, "/rating 2026")
    text = replies[0].plain_text or ""
    assert "Рейтинг" in text and "0,3 × охват" in text  # the weights come with the result
    name, data = harness.server.sent_files(STAFF)[-1]
    assert name == "rating_2026.xlsx"
    header, first, second, *_ = openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(
        values_only=True
    )
    columns = [
        header.index(name)
        for name in ("Место", "ППО", "Работников", "Членов профсоюза", "Охват профчленством, %")
    ]
    assert [first[i] for i in columns] == [1, "МБОУ СОШ № 1", 54, 40, 74.1]
    assert [second[i] for i in columns] == ["—", "МБДОУ детский сад «Солнышко»", None, None, None]
    assert second[header.index("Итоговый балл")] == "нет данных"
    assert "четырьмя цифрами" in texts(await harness.send(STAFF, "/rating двадцатый"))[0]
    assert "от 2000 до 2026" in texts(await harness.send(STAFF, "/rating 1900"))[0]


async def test_correction_round_trip(harness: Harness) -> None:
    await district_with_staff(harness)
    await submit(harness)
    choice = last_message(await harness.send(STAFF, "/return сош"))
    card = last_message(await harness.tap(STAFF, choice, "МБОУ СОШ № 1"))
    assert "Работников: 54" in (card.plain_text or "")
    question = last_message(await harness.tap(STAFF, card, "Вернуть"))
    assert "Что исправить? Этот комментарий получит председатель." in (question.plain_text or "")
    summary = last_message(await harness.send(STAFF, "Проверьте число членов профсоюза"))
    done = texts(await harness.tap(STAFF, summary, "Отправить"))[0]
    assert done == (
        "Отчёт ППО «МБОУ СОШ № 1» возвращён председателю. "
        "До исправления он в сводке как «возвращён»."
    )
    status = texts(await harness.send(STAFF, "/status"))[0]
    assert "✅ Сдали: 0 из 2" in status
    assert "↩️ Возвращены на исправление (1):\n• МБОУ СОШ № 1 — Иванова Мария Петровна" in status

    sent = await drain(harness)
    notice = [r for r in sent if r.chat_id == CHAIR and r.method == "sendMessage"]
    assert len(notice) == 1 and "Проверьте число членов профсоюза" in (notice[0].plain_text or "")
    summary = last_message(await harness.tap(CHAIR, notice[0], "Мониторинг"))
    assert "Возвращён на исправление: Проверьте число" in (summary.plain_text or "")
    assert "Членов профсоюза: 40" in (summary.plain_text or "")
    menu = last_message(await harness.tap(CHAIR, summary, "Исправить поле"))
    await harness.tap(CHAIR, menu, "Членов профсоюза")
    summary = last_message(await harness.send(CHAIR, "42"))
    assert "редакция № 2" in (summary.plain_text or "")
    await harness.tap(CHAIR, summary, "Отправить")
    async with harness.session_pool() as session:
        revisions = (
            await session.scalars(select(MembershipReport).order_by(MembershipReport.revision))
        ).all()
    assert [(r.revision, r.members, r.returned_at is not None) for r in revisions] == [
        (1, 40, True),
        (2, 42, False),
    ]
    assert "возвращ" not in texts(await harness.send(STAFF, "/status"))[0].casefold()


async def test_announcement_with_an_unreachable_chair(harness: Harness) -> None:
    await district_with_staff(harness)
    harness.server.block_chat(SECOND_CHAIR)
    question = last_message(await harness.send(STAFF, "/announce"))
    await harness.tap(STAFF, question, "Всем председателям")
    summary = last_message(await harness.send(STAFF, "Семинар председателей 30.11 в 10:00"))
    assert "получателей: 2" in (summary.plain_text or "")
    assert "поставлено в очередь" in texts(await harness.tap(STAFF, summary, "Отправить"))[0]

    sent = await drain(harness)
    delivered = [
        r for r in sent if r.chat_id == CHAIR and "Семинар председателей" in (r.plain_text or "")
    ]
    assert len(delivered) == 1
    report = await drain(harness)
    to_staff = [r.plain_text or "" for r in report if r.chat_id == STAFF]
    assert len(to_staff) == 1
    assert "Доставлено: 1" in to_staff[0] and "Недоступны (1): Ольга" in to_staff[0]
    assert await drain(harness) == []


async def test_one_off_request_reminds_chairs(harness: Harness) -> None:
    harness.clock.moment = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # Monday 10:00 MSK
    await district_with_staff(harness)
    question = last_message(await harness.send(STAFF, "/request"))
    question = last_message(await harness.tap(STAFF, question, "Паспорт ППО"))
    assert "уже прошёл" in texts(await harness.send(STAFF, "01.11.2026"))[0]
    await harness.send(STAFF, "30.11.2026")
    summary = last_message(await harness.send(STAFF, "Обновить паспорт ППО"))
    opened = texts(await harness.tap(STAFF, summary, "Отправить"))[0]
    assert "ППО — 2" in opened and "30.11.2026" in opened
    sent = await drain(harness)
    asked = [r for r in sent if r.chat_id == CHAIR]
    assert len(asked) == 1 and "Обновить паспорт ППО" in (asked[0].plain_text or "")
    card = last_message(await harness.tap(CHAIR, asked[0], "Паспорт"))
    assert "наименование" in (card.plain_text or "")


async def test_org_management_and_audit(harness: Harness) -> None:
    await district_with_staff(harness)
    await harness.send(ADMIN, "/import")  # an admin is there; staff cannot manage orgs
    assert "недоступна" in texts(await harness.send(STAFF, "/org сош"))[0]
    found = last_message(await harness.send(ADMIN, "/org сош"))
    card = last_message(await harness.tap(ADMIN, found, "МБОУ СОШ № 1"))
    question = last_message(await harness.tap(ADMIN, card, "Переименовать"))
    assert "Новое название организации?" in (question.plain_text or "")
    summary = last_message(await harness.send(ADMIN, "МБОУ СОШ № 1 им. Гагарина"))
    assert "Переименовано" in texts(await harness.tap(ADMIN, summary, "Отправить"))[0]

    question = last_message(await harness.tap(ADMIN, card, "Часовой пояс"))
    assert "Не понял часовой пояс" in texts(await harness.send(ADMIN, "Марс"))[0]
    summary = last_message(await harness.send(ADMIN, "МСК+4"))
    assert "Asia/Novosibirsk" in texts(await harness.tap(ADMIN, summary, "Отправить"))[0]

    archived = texts(await harness.tap(ADMIN, card, "В архив"))[0]
    assert "в архиве" in archived
    status = texts(await harness.send(STAFF, "/status"))[0]
    assert "✅ Сдали: 0 из 1" in status  # the archived school is no longer counted
    assert "Гагарина" not in status
    curator = texts(await harness.tap(ADMIN, card, "куратору"))[0]
    assert curator.startswith("Ссылка для куратора ППО «МБОУ СОШ № 1 им. Гагарина»")
    assert "https://t.me/ppo_test_bot?start=" in curator

    school = await org_id(harness, "МБОУ СОШ № 1 им. Гагарина")
    log = texts(await harness.send(STAFF, f"/audit {school}"))[0]
    assert "переименование" in log and "в архив" in log and "часовой пояс" in log


async def test_role_revoked_takes_effect(harness: Harness) -> None:
    await district_with_staff(harness)
    found = last_message(await harness.send(ADMIN, f"/org {DISTRICT[:20]}"))
    card = last_message(await harness.tap(ADMIN, found, DISTRICT[:20]))
    roles = await harness.tap(ADMIN, card, "Роли")
    line = next(r for r in roles if "Светлана" in (r.plain_text or ""))
    assert "Роль снята" in texts(await harness.tap(ADMIN, line, "Снять роль"))[0]
    assert "ссылку-приглашение" in texts(await harness.send(STAFF, "/status"))[0]
    async with harness.session_pool() as session:
        entry = (
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "role.revoke"))
        ).one()
        grant = (
            await session.scalars(select(RoleGrant).where(RoleGrant.revoked_at.is_not(None)))
        ).one()
    assert entry.before == {"role": "staff"} and grant.role.value == "staff"


async def test_invites_skip_archived_organizations(harness: Harness) -> None:
    await setup_district(harness)
    assert set(await invite_links(harness)) == {"МБОУ СОШ № 1", "МБДОУ детский сад «Солнышко»"}
    found = last_message(await harness.send(ADMIN, "/org солнышко"))
    card = last_message(await harness.tap(ADMIN, found, "Солнышко"))
    assert "в архиве" in texts(await harness.tap(ADMIN, card, "В архив"))[0]

    replies = texts(await harness.send(ADMIN, "/invites"))
    assert "Солнышко" not in "\n".join(replies)
    assert set(await invite_links(harness)) == {"МБОУ СОШ № 1"}


async def test_staff_of_an_archived_district_are_told_they_have_none(harness: Harness) -> None:
    """A district merged into another and archived: its staff are told it is closed, not shown
    an empty «Сдали: 0 из 0» of an organization nobody reports to."""
    await district_with_staff(harness)
    async with harness.session_pool() as session, session.begin():
        district = await session.scalars(select(Organization).where(Organization.name == DISTRICT))
        district.one().archived_at = harness.clock.now()
    closed = staff_texts.your_scope_archived(DISTRICT)
    assert texts(await harness.send(STAFF, "/status")) == [closed]


async def test_the_example_of_a_search_command_finds_a_ppo(harness: Harness) -> None:
    """/org, /return and /curator sent bare show an example; sent as shown, it finds the
    school («школа № 1», the old example, found nothing in «МБОУ СОШ № 1»)."""
    await district_with_staff(harness)
    await harness.send(ADMIN, "/import")  # an admin is there
    for command, who in (("/org", ADMIN), ("/curator", ADMIN), ("/return", STAFF)):
        usage = texts(await harness.send(who, command))[-1]
        example = usage.rsplit("например: ", 1)[1]
        assert example.startswith(f"{command} "), usage
        found = await harness.send(who, example)
        assert staff_texts.NOT_FOUND not in texts(found), (example, texts(found))
        assert any("МБОУ СОШ № 1" in text for text in texts(found)) or any(
            "МБОУ СОШ № 1" in label for label, _ in last_message(found).buttons()
        ), (example, texts(found))
