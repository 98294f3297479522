"""/audit speaks the forms' words: a field by its label, a choice by its button, a month by
its name, a moment in the zone the log is shown in, never a raw key or a Telegram file id."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.rendering.audit import LIMIT, change_summary

MOSCOW = ZoneInfo("Europe/Moscow")


def test_a_report_reads_in_russian() -> None:
    after = {"period": "2026-11-01", "revision": 2, "late": False, "workers": 100, "members": 80}
    assert change_summary(None, after, MOSCOW) == (
        "Период: ноябрь 2026; Редакция: 2; С опозданием: нет; Работников: 100; Членов профсоюза: 80"
    )


def test_choices_dates_and_photos_are_shown_as_people_see_them() -> None:
    before = {"kind": "seminar", "date_from": "2026-11-02", "photos": ["AgAD1", "AgAD2"]}
    after = {"kind": "contest", "date_from": "2026-11-03", "photos": []}
    assert change_summary(before, after, MOSCOW) == (
        "Вид: Семинар → Конкурс / смотр-конкурс; Дата начала: 02.11.2026 → 03.11.2026; Фото: 2 → —"
    )
    assert "Вид: Паспорт ППО" in change_summary(None, {"kind": "passport"}, MOSCOW)
    assert change_summary({"role": "staff"}, None, MOSCOW) == "Роль: сотрудник аппарата"


def test_moments_are_local_and_unknown_keys_stay_readable() -> None:
    after = {"starts": "2026-12-04T07:00:00+00:00", "typed": "2026-12-04T10:00", "zzz": 1}
    assert change_summary(None, after, MOSCOW) == (
        "Дата и время: 04.12.2026 10:00; typed: 04.12.2026 10:00; zzz: 1"
    )


def test_long_details_are_cut_with_an_ellipsis() -> None:
    text = change_summary(None, {"text": "Объявление " * 100}, MOSCOW)
    assert len(text) == LIMIT and text.endswith("…") and text.startswith("Текст: Объявление")
