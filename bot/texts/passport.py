"""Texts of the passport of a primary organization (паспорт ППО).

``org_name`` and ``who`` (a person's name) are raw: escaped here; the fields' values go
through ``bot.texts.forms.field_line``.
"""

from __future__ import annotations

from bot.texts.markup import esc

TITLE = "Паспорт ППО"
CMD_PASSPORT = "Паспорт ППО"
MENU_PASSPORT = "🪪 Паспорт ППО"

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
