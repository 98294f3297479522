"""Texts of the passport of a primary organization (паспорт ППО).

``org_name`` and ``who`` (a person's name) are raw: escaped here; the fields' values go
through ``bot.texts.forms.field_line``.
"""

from __future__ import annotations

from datetime import date

from bot.texts.grammar import plural
from bot.texts.markup import esc

TITLE = "Паспорт ППО"
CMD_PASSPORT = "Паспорт ППО"
MENU_PASSPORT = "🪪 Паспорт ППО"
REQUEST_KIND = "Паспорт ППО"  # what /request offers to ask for

L_INSTITUTION = "Учреждение (полное наименование)"
L_ADDRESS = "Адрес"
L_CHAIR = "Председатель ППО (ФИО)"
L_PHONE = "Телефон председателя"
L_WORKERS = "Работников"
L_AGREEMENT = "Коллективный договор действует"
L_AGREEMENT_UNTIL = "Коллективный договор действует до"
L_YOUTH_COUNCIL = "Молодёжный совет"
L_SITE = "Страница на сайте учреждения"
L_SOCIAL = "Группа в социальной сети"
L_STAND = "Профсоюзный стенд"
L_CORNER = "«Профсоюзный уголок»"
L_INFO_PERSON = "Ответственный за информационную работу"
L_PUBLIC_REPORT = "Публичный отчёт представлен"
L_REGISTRY = "Электронный учёт членов Профсоюза в АИС «Единый реестр»"

Q_INSTITUTION = "Полное наименование учреждения?"
Q_ADDRESS = "Адрес учреждения?"
Q_CHAIR = "ФИО председателя ППО?"
Q_PHONE = "Телефон председателя?"
Q_WORKERS = "Сколько работников в учреждении (чел.)?"
Q_AGREEMENT = "Действует ли коллективный договор?"
Q_AGREEMENT_UNTIL = "До какой даты действует коллективный договор? Например: 31.12.2027."
Q_YOUTH_COUNCIL = "Есть ли молодёжный совет?"
Q_SITE = "Ссылка на страницу ППО на сайте учреждения?"
Q_SOCIAL = "Ссылка на группу ППО в социальной сети?"
Q_STAND = "Есть ли профсоюзный стенд?"
Q_CORNER = "Есть ли «профсоюзный уголок»?"
Q_INFO_PERSON = "Кто отвечает за информационную работу (ФИО)?"
Q_PUBLIC_REPORT = (
    "Когда ППО последний раз представила публичный отчёт (довела его до членов Профсоюза и "
    "социальных партнёров)? Дата, например: 15.03.2026."
)
Q_REGISTRY = "Ведёт ли ППО электронный учёт членов Профсоюза в АИС «Единый реестр»?"


def card_header(org_name: str) -> str:
    return f"<b>{TITLE}</b>\n{esc(org_name)}"


EMPTY_CARD = "Паспорт ещё не заполнен."
BTN_EDIT = "✏️ Заполнить / изменить"


def updated_by(when: str, who: str) -> str:
    return f"Изменён {when}, {esc(who)}"


def saved(changed: int) -> str:
    if changed == 0:
        return "Паспорт сохранён без изменений."
    return f"✅ Паспорт сохранён. Изменено полей: {changed}."


def agreement_expired(until: str) -> str:
    return f"⚠️ Срок коллективного договора ({until}) уже прошёл. Проверьте дату."


def digest_expiring_header(count: int) -> str:
    """The staff digest's line of collective agreements ending within 60 days."""
    return f"📄 Коллективный договор истекает в ближайшие 60 дней ({count}):"


def digest_ppo_until(ppo: str, until: date) -> str:
    return f"{esc(ppo)} — до {until:%d.%m.%Y}"


def agreement_reminder(org_name: str, until: date, days_left: int) -> str:
    """To the chair, once per agreement end date (``bot/domain/agreement_reminders.py``)."""
    if days_left <= 0:
        when = "истекает сегодня"
    else:
        when = f"истекает через {days_left} {plural(days_left, 'день', 'дня', 'дней')}"
    return (
        f"<b>{esc(org_name)}</b>\n"
        f"Срок коллективного договора — до {until:%d.%m.%Y}: {when}. Пора готовить новый "
        "коллективный договор (или продление). Когда он будет заключён, обновите дату "
        "в паспорте ППО."
    )


# --- The leadership reserve (кадровый резерв) -----------------------------------------------

RESERVE_TITLE = "Кадровый резерв"
L_RESERVE_NAME = "ФИО"
L_RESERVE_POSITION = "Должность"
L_RESERVE_YOUNG = "До 35 лет"
Q_RESERVE_NAME = "Кадровый резерв: ФИО человека, которого готовите в руководители ППО?"
Q_RESERVE_POSITION = "Его должность в учреждении? Например: учитель математики."
Q_RESERVE_YOUNG = "Ему (ей) меньше 35 лет?"
L_RESERVE_TRAINED = "Проходит профсоюзное обучение"
Q_RESERVE_TRAINED = (
    "Проходит ли он (она) профсоюзное обучение — школа профактива, семинары, вебинары для резерва?"
)
BTN_RESERVE = "👥 Кадровый резерв"
BTN_RESERVE_ADD = "➕ Добавить в резерв"
BTN_RESERVE_REMOVE_YES = "Да, исключить"
BTN_RESERVE_KEEP = "Оставить"
RESERVE_EMPTY = "В кадровом резерве пока никого нет."
RESERVE_HINT = "Чтобы исключить человека из резерва, нажмите на его имя."
RESERVE_GONE = "Этого человека уже нет в резерве."
RESERVE_KEPT = "Оставлен в резерве."


def reserve_count(total: int, young: int, trained: int) -> str:
    if total == 0:
        return f"{RESERVE_TITLE}: никого"
    return f"{RESERVE_TITLE}: {total} чел. (до 35 лет — {young}, проходят обучение — {trained})"


def reserve_full(limit: int) -> str:
    return (
        f"В резерве уже {limit} {plural(limit, 'человек', 'человека', 'человек')} — это предел. "
        "Чтобы добавить нового, уберите из "
        "списка тех, кто уже не готовится («👥 Кадровый резерв» в паспорте)."
    )


def reserve_header(org_name: str, total: int) -> str:
    return f"<b>{RESERVE_TITLE}</b> ({total} чел.)\n{esc(org_name)}"


def reserve_line(
    number: int, full_name: str, position: str, young: bool, trained: bool | None, added: date
) -> str:
    """``full_name`` and ``position`` are raw: escaped here. ``trained`` None: not asked yet."""
    age = ", до 35 лет" if young else ""
    study = ", проходит обучение" if trained else ""
    return f"{number}. {esc(full_name)} — {esc(position)}{age}{study}, в резерве с {added:%d.%m.%Y}"


def reserve_button(number: int, full_name: str) -> str:
    """A button label (not HTML): never escaped."""
    return f"✖ {number}. {full_name}"[:60]


def reserve_summary(org_name: str) -> str:
    return f"<b>{RESERVE_TITLE}</b>\n{esc(org_name)}"


def reserve_confirm_remove(full_name: str) -> str:
    return f"Исключить из кадрового резерва: {esc(full_name)}?"


def reserve_added(full_name: str, total: int) -> str:
    return (
        f"✅ {esc(full_name)} — в кадровом резерве. Всего в резерве: {total} чел. "
        "Паспорт ППО — /passport."
    )


def reserve_removed(full_name: str, total: int) -> str:
    return f"Исключён из кадрового резерва: {esc(full_name)}. Осталось в резерве: {total} чел."
