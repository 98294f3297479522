"""Texts admins see: import results, the organization tree, invites.

Organization, district, region and person names are raw: escaped here. Import error messages
come from ``bot.texts.importing``, which escapes the cells it quotes.
"""

from __future__ import annotations

from bot.texts.common import more
from bot.texts.markup import LIST_ROOM, esc, fitting

SEND_FILE = (
    "Пришлите файл .xlsx или .csv со списком организаций (можно с подписью /import). "
    "Столбцы: Район, Организация; по желанию — Регион, Работников, Председатель, Часовой пояс. "
    "Образец — /template."
)
FILE_TOO_BIG = "Файл слишком большой (больше 10 МБ). Разделите список на части."
TEMPLATE_CAPTION = "Образец файла для /import. Заполните и пришлите обратно."


def import_done(created: int, updated: int, unchanged: int, districts: list[str]) -> str:
    lines = [
        "<b>Список организаций загружен</b>",
        f"Новых ППО: {created}",
        f"Обновлено: {updated}",
        f"Без изменений: {unchanged}",
    ]
    if districts:  # a whole region's list names a hundred districts: cut to fit one message
        named = fitting([esc(d) for d in districts], more, sep=", ")
        lines.append(f"Новые районные организации: {named}")
    lines.append("\nСсылки-приглашения председателям — /invites.")
    return "\n".join(lines)


def region_named(old: str, new: str) -> str:
    """``old`` and ``new`` are raw."""
    return (
        f"Регион «{esc(old)}» (он был создан загрузкой без столбца «Регион») теперь называется "
        f"«{esc(new)}»: районы и ППО остались те же."
    )


def imported_into_archive(names: list[str]) -> str:
    """``names`` are raw: rows that went to an archived ППО or into an archived district."""
    listed = fitting([f"«{esc(name)}»" for name in names], more, room=LIST_ROOM // 2, sep=", ")
    return (
        f"⚠️ В архиве ({len(names)}): {listed}. Это архивные ППО или ППО архивного "
        "района: их не видят ни сотрудники, ни отчёты, пока их не вернут из архива (/org)."
    )


def imported_known_as(rows: list[tuple[str, str, str]]) -> str:
    """``rows`` are raw: (the name in the list, the ППО's present name and district)."""
    listed = fitting(
        [f"«{esc(name)}» — теперь «{esc(now)}» ({esc(where)})" for name, now, where in rows],
        more,
        room=LIST_ROOM // 2,
        sep="; ",
    )
    return (
        f"ℹ️ Под прежним названием или в прежнем районе ({len(rows)}): {listed}. Эти ППО "
        "переименовали или перенесли, поэтому строки пропущены и новые ППО не созданы. Если "
        "это другая ППО с тем же названием, добавьте в название отличие (например, населённый "
        "пункт) и загрузите строку снова."
    )


def import_errors(errors: list[tuple[int, str]], shown: int) -> str:
    """``errors``: (row number, message built by ``bot.texts.importing``: HTML already)."""
    lines = [f"<b>Строки с ошибками ({len(errors)}), они не загружены:</b>"]
    lines += [f"Строка {row}: {message}" for row, message in errors[:shown]]
    if len(errors) > shown:
        lines.append(f"…и ещё {len(errors) - shown}. Исправьте файл и загрузите его снова.")
    else:
        lines.append("Исправьте эти строки и загрузите файл снова: повторов не будет.")
    return "\n".join(lines)


ORGS_EMPTY = "Организаций пока нет. Загрузите список: /import (образец — /template)."
ORGS_HEADER = "<b>Организации</b> (👤 — председатель подключён, ⏳ — ещё нет, 🗄 — в архиве)"
NO_CHAIR = "председатель не подключён"


def org_line(org_id: int, org_name: str, chair: str | None, listed_chair: str | None) -> str:
    if chair:
        return f"  👤 #{org_id} {esc(org_name)} — {esc(chair)}"
    listed = f" (по списку: {esc(listed_chair)})" if listed_chair else ""
    return f"  ⏳ #{org_id} {esc(org_name)} — {NO_CHAIR}{listed}"


def archived_line(org_id: int, org_name: str) -> str:
    return f"  🗄 #{org_id} {esc(org_name)} — в архиве"


def district_line(org_id: int, district: str, total: int, joined: int, archived: bool) -> str:
    """``total``: ППО not in the archive."""
    line = f"<b>#{org_id} {esc(district)}</b> — ППО: {total}, председателей подключено: {joined}"
    return f"🗄 {line} — район в архиве" if archived else line


def region_line(org_id: int, region: str) -> str:
    return f"🏛 <b>#{org_id} {esc(region)}</b>"


INVITES_NONE = "У всех ППО председатели уже подключены. Новая ссылка для ППО — /invite номер."
INVITES_NO_ORGS = (
    "Организаций пока нет: сначала загрузите их список — /import с файлом (образец — /template)."
)
INVITES_HEADER = (
    "<b>Ссылки-приглашения председателям ППО</b>\n"
    "Перешлите каждому председателю его ссылку. Ссылка одноразовая."
)


def invite_line(org_name: str, link: str, expires: str) -> str:
    return f"{esc(org_name)}\n{link}\n(действует до {expires})"


INVITES_FILE_CAPTION = "Те же ссылки в таблице — удобно разослать."
STAFF_INVITES_HEADER = (
    "<b>Ссылки для сотрудников аппарата районных организаций</b>\n"
    "По ссылке сотрудник получает сводки по своему району. Ещё ссылка — /invite номер района."
)
ROLE_CHAIR = "председатель ППО"
ROLE_STAFF = "сотрудник аппарата"
INVITE_USAGE = (
    "Укажите номер из /orgs, например: /invite 12 — ссылка председателю ППО № 12 "
    "или сотруднику района № 12."
)
INVITE_NOT_FOUND = "Организация с таким номером не найдена. Номера — в /orgs."


def invite_archived(org_id: int, org_name: str) -> str:
    """``org_name`` is raw."""
    return (
        f"«{esc(org_name)}» в архиве — по ссылке никто не сможет подключиться, поэтому она не "
        f"выдана. Сначала верните организацию из архива: /org {org_id}."
    )


def invite_reissued(org_name: str, whom: str, link: str, expires: str) -> str:
    return (
        f"Новая ссылка-приглашение ({whom}) для «{esc(org_name)}» "
        f"(прежняя больше не действует):\n{link}\nДействует до {expires}."
    )


INVITES_SHEET = "Приглашения"
INVITES_COLUMNS = (
    "Регион",
    "Район",
    "Организация",
    "Кому",
    "Председатель по списку",
    "Ссылка",
    "Действует до",
)
TEMPLATE_FILENAME = "obrazec_spiska_ppo.xlsx"
INVITES_FILENAME = "priglasheniya.xlsx"


def chair_changed(org_name: str, old: str, new: str) -> str:
    return f"Смена председателя ППО «{esc(org_name)}»: {esc(old)} → {esc(new)}."


BACKUP_NOT_SQLITE = (
    "База данных — PostgreSQL: её резервные копии делаются средствами PostgreSQL (pg_dump)."
)


def backup_caption(stamp: str) -> str:
    return f"Копия базы данных на {stamp} (UTC). Храните её в надёжном месте."


def backup_too_big(megabytes: int, folder: str) -> str:
    return (
        f"Копия базы занимает {megabytes} МБ — больше, чем Telegram разрешает отправить ботом. "
        f"Ночные копии лежат на сервере в папке {esc(folder)}."
    )


def name_taken(new_name: str, holder_id: int) -> str:
    return (
        f"Название «{esc(new_name)}» уже занято: так называется организация #{holder_id} "
        "в том же месте. Название не изменено. Выберите другое: /org и «✏️ Переименовать»."
    )


def move_name_taken(org_name: str, district: str, holder_id: int) -> str:
    return (
        f"В районе «{esc(district)}» уже есть ППО «{esc(org_name)}» (#{holder_id}). "
        "Организация не перенесена. Переименуйте одну из них (/org) и перенесите снова."
    )


def already_in(org_name: str, district: str) -> str:
    """A repeated tap of the move button: nothing is done."""
    return f"ППО «{esc(org_name)}» уже в «{esc(district)}» — ничего не изменено."


MOVE_TARGET_GONE = (
    "В эту районную организацию перенести нельзя: она закрыта (в архиве она сама или её "
    "регион) или она в другом регионе. "
    "Откройте /org заново и выберите район из нового списка."
)
ERASED_PERSON = "удалённый пользователь"
TEXT_ERASED = "(текст не хранится: в нём было имя человека, чьи данные удалены)"
BTN_FORGET = "🗑 Удалить персональные данные"
BTN_KEEP = "Отмена"
FORGET_USAGE = (
    "Удаление персональных данных по запросу человека (152-ФЗ): /forget telegram-id, "
    "например /forget 123456789. Свой Telegram id человек может узнать у @userinfobot."
)
FORGET_NOT_FOUND = "Человек с таким Telegram id боту не известен (или уже удалён)."
FORGET_KEPT = "Хорошо, данные не удалены."


def forget_confirm(full_name: str, tg_user_id: int, roles: list[str]) -> str:
    """``full_name`` and ``roles`` (organization names inside) are raw."""
    held = "\n".join(f"• {esc(role)}" for role in roles) or "• ролей нет"
    return (
        f"Удалить персональные данные: {esc(full_name)} (Telegram id {tg_user_id})?\n{held}\n\n"
        "Будут удалены имя, имя пользователя, Telegram id, телефон и ФИО председателя в "
        "паспорте его ППО; роли сняты, незаконченная форма и неотправленные сообщения "
        "отменены. Отчёты, мероприятия и журнал ППО останутся (автор — «удалённый "
        "пользователь»). Отменить это нельзя."
    )


def forgotten(person_id: int, roles_ended: int) -> str:
    return (
        f"Персональные данные удалены (запись № {person_id}, снято ролей: {roles_ended}). "
        "В журнале и отчётах он показан как «удалённый пользователь»."
    )
