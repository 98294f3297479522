"""/help gives each role a short guide beside its commands; a person holding every role gets
every guide, in messages Telegram accepts (the fake server refuses texts over 4096)."""

from __future__ import annotations

from bot.domain.calendar import CalendarSettings
from bot.texts import common
from bot.texts.guides import staff_guide
from bot.texts.markup import TELEGRAM_TEXT_LIMIT, utf16_len
from harness import ADMIN, Harness, texts
from scenarios import CHAIR, DISTRICT, accept_invite, code_of, invite_links, join

CHAIR_GUIDE, STAFF_GUIDE = "Памятка председателю ППО", "Памятка сотруднику аппарата"
CURATOR_GUIDE, ADMIN_GUIDE = "Памятка куратору", "Памятка администратору"


async def test_chair_gets_the_reporting_schedule(harness: Harness) -> None:
    await join(harness)
    replies = texts(await harness.send(CHAIR, "/help"))
    assert len(replies) == 1
    guide = replies[0]
    assert CHAIR_GUIDE in guide and STAFF_GUIDE not in guide and ADMIN_GUIDE not in guide
    assert "при охвате 50–80 % — 4 раза в год, в марте, июне, октябре и декабре" in guide
    assert "выше 80 % — 2 раза, в октябре и декабре" in guide
    assert "до 25-го числа месяца мониторинга" in guide
    assert "напомнит за 7, 3, 1 дн. и в день срока" in guide
    assert "куратор ППО получает напоминание" in guide and "/pause 15.12.2026" in guide


async def test_staff_get_the_year_and_the_tables(harness: Harness) -> None:
    await join(harness)
    staff = await invite_links(harness, whom="сотрудник аппарата")
    await accept_invite(harness, 801, code_of(staff[DISTRICT]), first_name="Светлана")
    guide = "\n".join(texts(await harness.send(801, "/help")))
    assert STAFF_GUIDE in guide and CHAIR_GUIDE not in guide and ADMIN_GUIDE not in guide
    assert "рейтинг ППО — до 1 февраля" in guide and "каждый октябрь" in guide
    for command in ("status", "digest", "export", "passports", "rating", "announce", "return"):
        assert f"· /{command} — " in guide, command


async def test_every_role_at_once_fits_telegram(harness: Harness) -> None:
    await join(harness)
    chairs = await invite_links(harness)
    await accept_invite(harness, ADMIN, code_of(chairs["МБДОУ детский сад «Солнышко»"]))
    staff = await invite_links(harness, whom="сотрудник аппарата")
    await accept_invite(harness, ADMIN, code_of(staff[DISTRICT]))
    reply = texts(await harness.send(ADMIN, "/curator СОШ"))[0]
    await accept_invite(harness, ADMIN, reply.split("?start=", 1)[1].split()[0])
    sent = [r for r in await harness.send(ADMIN, "/help") if r.method == "sendMessage"]
    replies = [r.plain_text or "" for r in sent]
    assert len(replies) == 2 and common.ERROR not in replies
    assert all(utf16_len(str(r.params["text"])) <= TELEGRAM_TEXT_LIMIT for r in sent)
    whole = "\n".join(replies)
    for guide in (CHAIR_GUIDE, STAFF_GUIDE, CURATOR_GUIDE, ADMIN_GUIDE):
        assert whole.count(guide) == 1, guide
    assert "/curated" in replies[0] and "/report" in replies[0] and "/import" in replies[0]


def test_the_staff_guide_gives_the_schedule_the_bot_runs() -> None:
    """A district that asks ППО above 80 % in December only is not told «2 раза»: the staff
    guide counts the months the reminders go out in, as the chair's guide does."""
    calendar = CalendarSettings(months_high=(12,), months_mid=(3, 6, 9, 10, 12))
    guide = staff_guide({"status"}, calendar)
    assert "охват 50–80 % — 5 раз в год, выше 80 % — 1 раз)" in guide
    assert "2 раза" not in guide
