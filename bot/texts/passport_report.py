"""Texts of the staff passport report (/passports): the message of counts and the .xlsx.

Organization names (``scope_name``, ``ppo``) are raw: escaped here. The .xlsx is not HTML:
its texts are never escaped.
"""

from __future__ import annotations

from datetime import date

from bot.texts import passport as tp
from bot.texts.grammar import plural
from bot.texts.markup import esc

CMD_PASSPORTS = "Паспорта ППО: коллективные договоры, информационная работа, таблица"

NO_PPO = "В этой организации нет ППО."


def header(scope_name: str, today: date) -> str:
    return f"🪪 <b>Паспорта ППО: {esc(scope_name)}</b>\nНа {today:%d.%m.%Y}"


L_AGREEMENT = "Действующий коллективный договор"
INFO_WORK_HEADER = "Информационная работа:"


def has_line(label: str, count: int, total: int) -> str:
    """``label``: one of the labels here or in ``bot.texts.passport`` (not a person's text)."""
    return f"{label}: есть у <b>{count} из {total}</b> ППО"


def reserve_line(with_reserve: int, total: int, people: int, young: int, trained: int) -> str:
    return (
        f"Кадровый резерв: есть у <b>{with_reserve} из {total}</b> ППО "
        f"(всего {people} чел., до 35 лет — {young}, проходят обучение — {trained})"
    )


def public_report_label(year: int) -> str:
    return f"Публичный отчёт за {year} год"


def no_public_report_header(year: int, count: int) -> str:
    return f"📢 Не представили публичный отчёт за {year} год ({count}):"


def ppo_item(ppo: str) -> str:
    return f"• {esc(ppo)}"


def without_passport(count: int, total: int) -> str:
    return f"Паспорт не заполнен: {count} из {total} ППО"


def expiring_header(count: int, days: int) -> str:
    within = f"{days} {plural(days, 'день', 'дня', 'дней')}"
    return f"⏳ Коллективный договор истекает в ближайшие {within} ({count}):"


def expired_header(count: int) -> str:
    return f"⚠️ Срок коллективного договора истёк ({count}):"


def agreement_item(ppo: str, until: date) -> str:
    return f"• {esc(ppo)} — до {until:%d.%m.%Y}"


def stale_header(count: int) -> str:
    return f"🕰 Паспорт не актуализирован больше года ({count}):"


def stale_item(ppo: str, confirmed_on: date | None) -> str:
    if confirmed_on is None:
        return f"• {esc(ppo)} — паспорт не заполнен"
    return f"• {esc(ppo)} — последний раз {confirmed_on:%d.%m.%Y}"


ATTACHMENT = "Все поля паспорта каждой ППО — в таблице ниже."

# --- Table (.xlsx) --------------------------------------------------------------------------

YES, NO = "да", "нет"
H_DISTRICT = "Район"
H_PPO = "ППО"
H_CONFIRMED = "Паспорт актуализирован"
H_RESERVE = "Кадровый резерв, чел."
H_RESERVE_YOUNG = "Резерв до 35 лет, чел."
H_RESERVE_TRAINED = "Резерв проходит обучение, чел."
COLUMNS = (
    H_DISTRICT,
    H_PPO,
    tp.L_INSTITUTION,
    tp.L_ADDRESS,
    tp.L_CHAIR,
    tp.L_PHONE,
    tp.L_AGREEMENT,
    tp.L_AGREEMENT_UNTIL,
    tp.L_YOUTH_COUNCIL,
    tp.L_SITE,
    tp.L_SOCIAL,
    tp.L_STAND,
    tp.L_CORNER,
    tp.L_INFO_PERSON,
    tp.L_PUBLIC_REPORT,
    tp.L_REGISTRY,
    H_RESERVE,
    H_RESERVE_YOUNG,
    H_RESERVE_TRAINED,
    tp.L_WORKERS,
    H_CONFIRMED,
)
SHEET_TITLE = "Паспорта ППО"
FILE_CAPTION = "Паспорта ППО (.xlsx)"


def file_name(today: date) -> str:
    return f"Паспорта_ППО_{today:%Y-%m-%d}.xlsx"
