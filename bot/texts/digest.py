"""Texts of the district digest (сводка), /status, /export and the coverage chart.

Names in the messages (``scope_name``, ``ppo``, ``chair``, ``district``) are raw: escaped
here. The chart and the table are not HTML: their texts are never escaped.
"""

from __future__ import annotations

from datetime import date

from bot.texts.markup import esc

# --- Digest message -------------------------------------------------------------------------

MARK_UNREACHABLE = "📵"
MARK_PAUSED = "⏸"
NO_CHAIR = "председатель не подключён"


def chair_named(profile: str | None, record: str | None) -> str:
    """How staff lists name a chair (raw: callers escape): by the name of record (passport or
    organization list), the one a presidium resolution uses; the Telegram profile name only
    when no name of record is known. Empty when neither is."""
    return record or profile or ""


def no_chair(record: str | None) -> str:
    """A ППО whose chair has not joined the bot, with the chair's name of record if known."""
    return NO_CHAIR if not record else f"{NO_CHAIR} ({record})"


def paused_mark(until: date) -> str:
    return f"{MARK_PAUSED} до {until:%d.%m}"


def header(scope_name: str, period: str) -> str:
    return f"📊 <b>Сводка: {esc(scope_name)}</b>\nМониторинг за {period}"


def status_header(scope_name: str, period: str) -> str:
    return f"📋 <b>Сдача отчётов: {esc(scope_name)}</b>\nМониторинг за {period}"


def deadline_line(deadline: date, passed: bool) -> str:
    return f"Срок сдачи: {deadline:%d.%m.%Y}" + (" (истёк)" if passed else "")


def submitted_line(submitted: int, due: int) -> str:
    return f"✅ Сдали: <b>{submitted} из {due}</b>"


ALL_SUBMITTED = "Все отчёты сданы 👍"
NONE_DUE = "Отчёт за этот период не ждут ни от одной ППО."


def late_header(count: int, overdue: bool) -> str:
    return f"⏰ Не сдали в срок ({count}):" if overdue else f"⏳ Ещё не сдали ({count}):"


def late_by_district_header(count: int, overdue: bool) -> str:
    return f"{late_header(count, overdue)[:-1]}, по районам:"


def came_late_header(count: int) -> str:
    return f"🐢 Сданы с опозданием ({count}):"


def returned_header(count: int) -> str:
    return f"↩️ Возвращены на исправление ({count}):"


def item(text: str) -> str:
    """``text`` is a line built by the functions below (already HTML)."""
    return f"• {text}"


def ppo_and_chair(ppo: str, chair: str) -> str:
    """``chair``: the chair's name with the marks (📵, ⏸) or ``NO_CHAIR``."""
    return f"{esc(ppo)} — {esc(chair)}"


def district_count(district: str, count: int) -> str:
    return f"{esc(district)} — {count}"


def coverage_line(region: bool, value: str, counted: int) -> str:
    where = "по региону" if region else "по району"
    return f"📈 Охват {where}: <b>{value}</b> (отчётов: {counted})"


def coverage_change(change: str, compared: int) -> str:
    return f"Изменение: {change} к прошлым отчётам тех же ППО ({compared})"


NO_COVERAGE = "📈 Охват: отчётов за этот период пока нет"
NO_COMPARISON = "Изменение: не с чем сравнить (прошлых отчётов нет)"


def low_header(count: int) -> str:
    return f"🔻 Охват ниже 50 % ({count}):"


def fell_header(count: int) -> str:
    return f"📉 Охват упал на 5 п.п. и больше ({count}):"


def rose_header(count: int) -> str:
    return f"🔺 Охват вырос на 5 п.п. и больше ({count}):"


def counts_line(members: int, workers: int, pensioners: int) -> str:
    return (
        f"👥 Членов профсоюза: {members} из {workers} работающих; "
        f"пенсионеров на учёте: {pensioners}"
    )


def youth_counts(members: int, workers: int, value: str) -> str:
    return f"Молодёжь до 35 лет: {members} из {workers} ({value})"


def managers_counts(members: int, managers: int, value: str) -> str:
    return f"Руководители и заместители: {members} из {managers} — члены профсоюза ({value})"


REASON_OWN_WILL = "по собственному желанию"
REASON_DISMISSED = "увольнение"
REASON_RETIRED = "выход на пенсию"
REASON_OTHER = "другое"
REASON_UNKNOWN = "причина не указана"


def leaving_line(left: int, reasons: list[tuple[str, int]], unknown: int) -> str:
    """``reasons``: (the reason's text, how many), the leading reason first."""
    parts = [f"{name}: {count}" for name, count in reasons]
    if unknown:
        parts.append(f"{REASON_UNKNOWN}: {unknown}")
    return f"🚪 Выбыло: {left} — " + ", ".join(parts)


def ppo_coverage(ppo: str, value: str) -> str:
    return f"{esc(ppo)} — {value}"


def ppo_fell(ppo: str, value: str, change: str) -> str:
    return f"{esc(ppo)} — {value} ({change})"


def events_line(since: date, count: int, participants: int) -> str:
    if count == 0:
        return f"🗓 Мероприятий с {since:%d.%m} не проводилось"
    return f"🗓 Мероприятия с {since:%d.%m}: {count}, участников: {participants}"


def events_late(since: date, count: int) -> str:
    """Appended to ``events_line``: how many of its events were held before ``since`` and
    entered only now (empty when none)."""
    return f"; из них проведены до {since:%d.%m} и внесены позже: {count}" if count else ""


LEGEND_UNREACHABLE = "📵 — бот не может написать председателю"
LEGEND_PAUSED = "⏸ — напоминания приостановлены"
ATTACHMENTS = "Диаграмма и полная таблица — ниже; таблица за любой период — /export"

# --- Table (.xlsx) --------------------------------------------------------------------------

STATUS_SUBMITTED = "сдан"
STATUS_LATE = "сдан с опозданием"
STATUS_MISSING = "не сдан"
STATUS_RETURNED = "возвращён на исправление"
STATUS_NOT_DUE = "не требуется"

CONTACT_OK = "подключён"
CONTACT_NONE = "не подключён"
CONTACT_UNREACHABLE = "бот не может написать"


def contact_paused(until: date) -> str:
    return f"напоминания приостановлены до {until:%d.%m.%Y}"


def table_title(period: str) -> str:
    return f"Мониторинг {period}"


def table_file_name(period: date) -> str:
    return f"Мониторинг_{period:%Y-%m}.xlsx"


def chart_file_name(period: date) -> str:
    return f"Охват_{period:%Y-%m}.png"


H_DISTRICT = "Район"
H_PPO = "ППО"
H_CHAIR = "Председатель"
H_CONTACT = "Связь с ботом"
H_PERIOD = "Период"
H_COVERAGE = "Охват, %"
H_YOUTH_COVERAGE = "Охват молодёжи до 35 лет, %"
H_MANAGERS_COVERAGE = "Охват руководителей и заместителей, %"
H_CHANGE = "Изменение охвата, п.п."
H_PREVIOUS_PERIOD = "Прошлый отчёт за"
H_STATUS = "Статус"
H_DEADLINE = "Срок"
H_SUBMITTED_AT = "Сдан (местное время)"
H_SUBMITTED_BY = "Кем сдан"
H_REVISION = "Редакция"
H_RETURN_COMMENT = "Причина возврата"
H_LEFT_OWN_WILL = f"Выбыло: {REASON_OWN_WILL}"
H_LEFT_DISMISSED = f"Выбыло: {REASON_DISMISSED}"
H_LEFT_RETIRED = f"Выбыло: {REASON_RETIRED}"
H_LEFT_OTHER = f"Выбыло: {REASON_OTHER}"
TOTALS_SHEET = "Итого"
TOTAL = "Итого"


def counted_reports(count: int) -> str:
    return f"учтено отчётов: {count}"


REASONS_SHEET = "Причины выбытия"
H_REASON = "Причина"
H_LEFT_COUNT = "Выбыло, чел."
H_SHARE = "Доля, %"

# --- Chart ----------------------------------------------------------------------------------


def chart_title(scope_name: str, period: str) -> str:
    return f"Охват профчленством, {period}\n{scope_name}"


def chart_subset(shown: int, total: int) -> str:
    return f"{shown} ППО с самым низким охватом из {total}"


def chart_count(total: int) -> str:
    return f"ППО с отчётом: {total}"


CHART_EMPTY = "Отчётов за период пока нет"
CHART_AXIS = "Охват, %"
CHART_LINE_LOW = "50 %"
CHART_LINE_HIGH = "80 %"
HISTOGRAM_AXIS = "Число ППО"


def histogram_subtitle(total: int, low: int, high: int) -> str:
    return f"ППО с отчётом: {total}; ниже 50 %: {low}; более 80 %: {high}"


def histogram_overall(value: str) -> str:
    return f"По региону: {value}"


# --- /export --------------------------------------------------------------------------------

EXPORT_BAD_PERIOD = (
    "Не понял период. Напишите месяц и год, например: /export 11.2026 или /export ноябрь 2026."
)


def chart_caption(scope_name: str) -> str:
    """Names the scope (raw): a person on the staff of a district and of its region gets both
    digests at once, their charts one after the other."""
    return f"Охват профчленством по ППО: {esc(scope_name)}"


def table_caption(scope_name: str) -> str:
    """Names the scope (raw), as :func:`chart_caption`."""
    return f"Таблица мониторинга: {esc(scope_name)} (все ППО, все показатели)"
