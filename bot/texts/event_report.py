"""Texts of the staff events report (/eventsreport): the message, the .xlsx, the errors.

Organization names (``scope_name``, ``name``, ``names``) and topics (``topic``, and a kind
«другое» named by the chair: ``kind``) are raw in the message: escaped here. The spreadsheet is
not HTML: its texts are never escaped. Kind and direction names are the event form's own
(``bot.texts.events``).
"""

from __future__ import annotations

from datetime import date

from bot.texts.common import MONTHS
from bot.texts.events import DIRECTIONS, KINDS
from bot.texts.markup import esc

CMD_EVENTSREPORT = "Мероприятия и обучение актива за период: /eventsreport 2026"
CMD_SHOWEVENT = "Открыть мероприятие с фото по номеру: /showevent 12"

KIND_NAMES = dict(KINDS)
DIRECTION_NAMES = dict(DIRECTIONS)
KIND_ORDER = tuple(code for code, _ in KINDS)
DIRECTION_ORDER = tuple(code for code, _ in DIRECTIONS)
ROMAN = ("I", "II", "III", "IV")

BAD_PERIOD = (
    "Не понял период. Напишите год, квартал или месяц, например:\n"
    "/eventsreport 2026\n"
    "/eventsreport 4кв 2026 (или IV 2026, 4 квартал 2026)\n"
    "/eventsreport 11.2026 (или ноябрь 2026; «ноябрь» без года — последний наступивший ноябрь)\n"
    "Без периода — текущий год."
)


def month_period(month: int, year: int) -> str:
    return f"{MONTHS[month - 1]} {year}"


def quarter_period(quarter: int, year: int) -> str:
    return f"{ROMAN[quarter - 1]} квартал {year}"


def year_period(year: int) -> str:
    return f"{year} год"


def kind_name(kind: str, other: str | None = None) -> str:
    """A kind's name; «другое» named by the chair (or staff) shows their word. The one name of
    an event's kind (reports, a chair's list, district events); raw: texts escape it."""
    if kind == "other" and other:
        return other
    return KIND_NAMES.get(kind, kind)


def direction_name(direction: str) -> str:
    return DIRECTION_NAMES.get(direction, direction)


# --- The message ----------------------------------------------------------------------------


def header(period: str, scope_name: str) -> str:
    return f"🗓 <b>Мероприятия ППО за {period}</b>\n{esc(scope_name)}"


def totals(events: int, participants: int, views: int) -> str:
    line = f"Мероприятий: {events}, участников: {participants}"
    return f"{line}, просмотров онлайн: {views}" if views else line


def held_by(active_with_events: int, active: int) -> str:
    return f"Провели мероприятия: {active_with_events} из {active} ППО"


NONE_HELD = "За этот период мероприятий нет."
BY_KIND = "<b>По видам</b>"
BY_DIRECTION = "<b>По направлениям</b>"


def tally_line(name: str, events: int, participants: int, views: int) -> str:
    """``name`` is a fixed kind or direction name, or a raw code nobody typed: escaped anyway."""
    extra = f", просмотров: {views}" if views else ""
    return f"• {esc(name)}: {events} (участников: {participants}{extra})"


TRAINING_TITLE = "Обучение профактива"
TRAINING = f"<b>{TRAINING_TITLE}</b>"
TRAINING_LABELS = (
    "Школ профсоюзного актива",
    "Семинаров, семинаров-совещаний и семинаров-практикумов",
    "Вебинаров",
    "Других обучающих мероприятий",
    "Обучено (участников)",
    "Подключений онлайн",
)


def figure_line(label: str, value: int) -> str:
    return f"{label}: {value}"


LARGEST = "<b>Самые массовые</b>"


DISTRICT_EVENT = "мероприятие района"


def event_line(
    when: date, name: str, kind: str, topic: str, participants: int, number: int | None
) -> str:
    """``number``: what /showevent opens; None for a district event the ППО attended."""
    which = f"№ {number}" if number is not None else DISTRICT_EVENT
    return f"• {when:%d.%m} {esc(name)} — {esc(kind)} «{esc(topic)}», {participants} чел. ({which})"


OPEN_EVENT_HINT = (
    "Открыть мероприятие с фото: /showevent &lt;номер&gt; (номер — в таблице, столбец «№»)."
)


def silent_header(count: int) -> str:
    return f"<b>Без мероприятий ({count}):</b>"


def silent_line(name: str, district: str | None) -> str:
    """``district`` is given for a region, where names repeat across districts."""
    return f"• {esc(name)}" + (f" ({esc(district)})" if district else "")


ALL_HELD = "Мероприятия провели все ППО."
ATTACHMENT = "Все мероприятия, итоги по видам и направлениям и список ППО — в таблице ниже."

# --- The spreadsheet (.xlsx) ----------------------------------------------------------------

FILE_CAPTION = "Мероприятия ППО: список, итоги по видам и направлениям, ППО без мероприятий"


def file_name(stamp: str) -> str:
    return f"Мероприятия_{stamp}.xlsx"


SHEET_EVENTS = "Мероприятия"
SHEET_TOTALS = "Итоги"
SHEET_PPO = "По ППО"
SHEET_SILENT = "Без мероприятий"

H_DATE = "Дата"
H_DATE_TO = "Окончание"
H_DISTRICT = "Район"
H_PPO = "ППО"
H_KIND = "Вид"
H_TOPIC = "Тема"
H_PLACE = "Место"
H_PARTICIPANTS = "Участников"
H_VIEWS = "Просмотров онлайн"
H_DIRECTION = "Направление"
H_PHOTOS = "Фото"
H_EVENTS = "Мероприятий"
H_NUMBER = "№"
ONLINE = "онлайн"
TOTAL = "Итого"


def place(place: str | None, online: bool) -> str:
    """Where it was: the place, «онлайн», or both for a mixed event."""
    parts = [part for part in (place, ONLINE if online else None) if part]
    return ", ".join(parts)


def matrix_corner(measure: str) -> str:
    return f"{measure}: вид \\ направление"


SILENT_NONE = "Мероприятия провели все ППО"


# --- One event, opened by staff (/showevent) ------------------------------------------------

SHOW_USAGE = (
    "Напишите номер мероприятия, например: /showevent 12. "
    "Номера — в таблице /eventsreport (столбец «№»)."
)
SHOW_NOT_FOUND = (
    "Мероприятия с таким номером нет или оно удалено. Номера — в таблице /eventsreport."
)
SHOW_FOREIGN = "Это мероприятие ППО не из вашего района: открыть его нельзя."


def card_header(number: int, org_name: str, district_name: str) -> str:
    return f"<b>Мероприятие № {number}</b>\n{esc(org_name)} ({esc(district_name)})"


def photos_caption(number: int) -> str:
    return f"Фото мероприятия № {number}"
