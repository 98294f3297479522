"""Russian grammar of texts with a number in them: the noun's form after the count, the
verb's agreement with it, a month after a preposition. Each text is rendered with the counts
whose forms differ (1, 2, 5, the teens, 21, 101, 111…) and checked on exact words."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.calendar import CalendarSettings
from bot.texts import (
    announcements,
    chair,
    curator,
    forms,
    guides,
    history_import,
    importing,
    passport,
    passport_report,
    plans,
    trends,
)
from bot.texts.grammar import plural

# How each count is read, written out by hand: «one» (1 день), «few» (2 дня), «many» (5 дней).
READING = {
    0: "many",
    1: "one",
    2: "few",
    5: "many",
    11: "many",
    12: "many",
    14: "many",
    21: "one",
    22: "few",
    25: "many",
    101: "one",
    111: "many",
    1000: "many",
}
COUNTS = sorted(READING)
DAY = {"one": "день", "few": "дня", "many": "дней"}
CHARACTER = {"one": "символ", "few": "символа", "many": "символов"}


@pytest.mark.parametrize("n", COUNTS)
def test_plural_picks_the_form_the_count_is_read_with(n: int) -> None:
    assert plural(n, "день", "дня", "дней") == DAY[READING[n]]


@pytest.mark.parametrize("n", [n for n in COUNTS if n])
def test_a_negative_change_takes_the_form_of_its_size(n: int) -> None:
    """−1 день, −3 дня: Python's -1 % 10 is 9, which once read «−1 дней»."""
    assert plural(-n, "день", "дня", "дней") == DAY[READING[n]]


@pytest.mark.parametrize("n", [1, 2, 3, 5, 21, 22, 25, 101, 111])
def test_too_short_names_the_minimum_in_the_right_form(n: int) -> None:
    """Forms ask at least 5 characters of an announcement: «хотя бы 5 символа» before."""
    assert f"нужно хотя бы {n} {CHARACTER[READING.get(n, 'few')]}." in forms.text_too_short(n)


@pytest.mark.parametrize("length", [1001, 1002, 1005, 1011, 1021, 4002, 4000])
def test_too_long_names_the_length_in_the_right_form(length: int) -> None:
    reading = {1001: "one", 1002: "few", 1021: "one", 4002: "few"}.get(length, "many")
    text = forms.text_too_long(1000, length)
    assert f"Слишком длинно: {length} {CHARACTER[reading]}, можно не больше 1000." in text


@pytest.mark.parametrize("length", [901, 902, 905, 911, 921, 1001, 4000])
def test_a_caption_too_long_names_its_length_in_the_right_form(length: int) -> None:
    reading = {901: "one", 902: "few", 921: "one", 1001: "one"}.get(length, "many")
    text = announcements.caption_too_long(length, 900)
    assert f"Подпись к файлу — {length} {CHARACTER[reading]}, а поместится не больше" in text


REPORTS = {"one": "отчёт", "few": "отчёта", "many": "отчётов"}
PERIODS = {"one": "период", "few": "периода", "many": "периодов"}
LOADED = {"one": "Загружен", "few": "Загружено", "many": "Загружено"}


@pytest.mark.parametrize("n", [n for n in COUNTS if n])
def test_loaded_history_agrees_the_verb_with_the_count(n: int) -> None:
    """«Загружен 1 отчёт», «Загружен 21 отчёт», not «Загружено 1 отчёт»."""
    text = history_import.loaded(
        stored=n, periods=n, updated=0, unchanged=0, by_chair=0, collecting=0
    )
    reading = READING[n]
    assert f"✅ {LOADED[reading]} {n} {REPORTS[reading]} за {n} {PERIODS[reading]}." in text


@pytest.mark.parametrize("total", [n for n in COUNTS if n])
def test_rejected_history_counts_rows_in_the_genitive(total: int) -> None:
    """«ошибки в 1 из 21 строки» (из двадцати одной строки), «из 5 строк»."""
    rows = "строки" if READING[total] == "one" else "строк"
    text = history_import.rejected([(2, "не указана ППО")], total, shown=10)
    assert f"Файл не загружен: ошибки в 1 из {total} {rows}.</b>" in text


REQUESTS = {"one": "запрос", "few": "запроса", "many": "запросов"}


@pytest.mark.parametrize("total", [2, 5, 6, 11, 12, 14, 21, 22, 25, 101, 111])
def test_curators_record_names_the_last_requests(total: int) -> None:
    text = curator.record(total, total, 0, 0)
    assert f"Сроки сдачи (последние {total} {REQUESTS[READING.get(total, 'many')]}): " in text


def test_curators_record_of_one_request_is_the_last_one() -> None:
    """A ППО asked once: «последний запрос», not «последние 1 запрос»."""
    text = curator.record(1, 0, 1, 0)
    assert text == "Сроки сдачи (последний запрос): в срок — 0, с опозданием — 1, не сдано — 0"


@pytest.mark.parametrize("month", range(1, 13))
def test_curators_change_is_measured_against_a_report_not_a_bare_month(month: int) -> None:
    """«к» asks the dative: «(к октябрь 2026)» read as a slip; the period names a report."""
    names = "январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь декабрь"
    text = curator.change_since("за год", "+2,5 п.п.", date(2025, month, 1))
    assert text == f"Изменение за год: +2,5 п.п. (к отчёту за {names.split()[month - 1]} 2025)"


DAY_COUNTS = [n for n in COUNTS if n]


@pytest.mark.parametrize("n", DAY_COUNTS)
def test_days_after_a_number_take_its_form(n: int) -> None:
    """Texts that take their number of days as a parameter read right whatever it is set to."""
    days = f"{n} {DAY[READING[n]]}"
    assert f"истекает в ближайшие {days} (3):" in passport_report.expiring_header(3, n)
    assert f"не возвращались {days}, ответы не сохранены." in forms.draft_closed(n, None)
    guide = guides.chair_guide(CalendarSettings(), agreement_notice_days=n)
    assert f"• Коллективный договор: за {days} до конца его срока" in guide


@pytest.mark.parametrize("n", DAY_COUNTS)
def test_after_longer_than_days_are_in_the_genitive(n: int) -> None:
    """«дольше 21 дня» (двадцати одного дня), «дольше 5 дней»."""
    longer = "дня" if READING[n] == "one" else "дней"
    assert f"Мероприятие дольше {n} {longer}?" in forms.date_span_too_long(n)


@pytest.mark.parametrize("n", DAY_COUNTS)
def test_years_of_a_trend_take_the_form_of_their_number(n: int) -> None:
    years = {"one": "год", "few": "года", "many": "лет"}[READING[n]]
    assert f"охват за {n} {years} (2000 → 2026):" in trends.fallers_header(n, 2000, 2026)
    assert f"За {n} {years}: сравнить не с чем" in trends.no_moves(n)


@pytest.mark.parametrize("n", DAY_COUNTS)
def test_times_a_year_take_the_form_of_their_number(n: int) -> None:
    times = "раза" if READING[n] == "few" else "раз"
    text = chair.standing("72 %", per_year=n, deadline=None, overdue=False)
    assert text == f"📌 охват 72 %: мониторинг {n} {times} в год"


@pytest.mark.parametrize("n", DAY_COUNTS)
def test_people_and_numbers_take_the_form_of_their_count(n: int) -> None:
    reading = READING[n]
    people = {"one": "человек", "few": "человека", "many": "человек"}[reading]
    assert f"В резерве уже {n} {people} — это предел." in passport.reserve_full(n)
    whole = {"one": "целое число", "few": "целых числа", "many": "целых чисел"}[reading]
    assert f"Нужно {n} {whole} через пробел" in forms.parts_format(n)
    numbers = "числа" if reading == "one" else "чисел"
    assert f"Нужно не больше {n} {numbers}, а здесь" in forms.too_many_parts(n, n + 1)


@pytest.mark.parametrize("n", COUNTS)
def test_limits_of_files_name_the_unit_in_the_genitive(n: int) -> None:
    """«больше 21 строки», «больше 500 строк»: a limit is a setting, so any count may come."""
    one = READING[n] == "one"
    rows, items, characters, signs = (
        ("строки", "пункта", "символа", "знака")
        if one
        else ("строк", "пунктов", "символов", "знаков")
    )
    assert f"больше {n} {rows} с организациями" in importing.too_many_rows(n)
    assert f"больше {n} {characters}" in importing.too_long("Название", n)
    assert f"В файле больше {n} {rows}." in history_import.too_many_rows(n)
    assert f"В плане больше {n} {items}:" in plans.too_many_rows(n)
    assert plans.text_too_long(n).endswith(f"длиннее {n} {signs}")
    assert plans.number_too_long(n).endswith(f"длиннее {n} {signs}")


@pytest.mark.parametrize("n", COUNTS)
def test_marks_left_out_by_a_changed_deadline(n: int) -> None:
    marks, verb = {
        "one": ("отметка", "учитывается"),
        "few": ("отметки", "учитываются"),
        "many": ("отметок", "учитываются"),
    }[READING[n]]
    text = plans.marks_left_out(n, [date(2027, 3, 31)])
    assert text.startswith(f"❗ {n} {marks} о выполнении") and f"теперь не {verb}:" in text
