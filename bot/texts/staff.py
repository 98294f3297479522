"""Texts district staff and admins see: requests, corrections, organizations, audit.

Every organization and person name (``org``, ``chair``, ``scope``, ``person``, ``who``,
``subject``, ``district``), request ``title``, return ``comment`` and audit ``details`` is
raw: escaped here.
"""

from __future__ import annotations

from bot.texts.markup import SafeHtml, esc

CHOOSE_SCOPE = "По какой организации?"
NO_SCOPE = "Вы не закреплены ни за одной районной организацией. Обратитесь к администратору."
NO_DISTRICTS_YET = (
    "Районных организаций пока нет: загрузите список организаций — /import с файлом "
    "(образец — /template)."
)
NOT_FOUND = "Ничего не найдено. Уточните название или номер из /orgs."


def search_usage(command: str) -> str:
    """A search command (``/org``, ``/return``, ``/curator``) sent without a query: its
    example is a part of a name the search finds in «МБОУ СОШ № 1»."""
    return f"Укажите часть названия ППО или её номер из /orgs, например: {command} СОШ № 1"


TOO_MANY = "Найдено {count}, показаны первые {shown}. Уточните запрос."
PAUSED_NONE = "Никто из председателей не приостанавливал напоминания."


def paused_line(org: str, chair: str, until: str) -> str:
    return f"⏸ {esc(org)} — {esc(chair)}, до {until}"


PAUSED_HEADER = "<b>Напоминания приостановлены</b>"

# One-off requests
REQUEST_TITLE = "Запрос данных у ППО"
CMD_REQUEST = "Запросить данные у ППО со сроком"
L_REQUEST_KIND = "Что запросить"
L_DEADLINE = "Срок"
L_REQUEST_NAME = "Название"
Q_REQUEST_KIND = "Что нужно от ППО?"
Q_DEADLINE = "До какой даты? Например: 30.11.2026."
Q_REQUEST_NAME = "Как назвать запрос (его увидят председатели)? Например: «Обновить паспорт ППО»."


def request_preview(scope: str, targets: int) -> str:
    return f"<b>{REQUEST_TITLE}</b>: {esc(scope)} (ППО: {targets})"


def request_opened(title: str, targets: int, deadline: str) -> str:
    return (
        f"✅ Запрос «{esc(title)}» открыт: ППО — {targets}, срок — до {deadline}. "
        "Председатели получат напоминание с кнопкой формы; кто сдал — в /status."
    )


REQUEST_EXISTS = "Такой запрос уже открыт. Ход сдачи — /status."

# Corrections
RETURN_TITLE = "Вернуть отчёт на исправление"
CMD_RETURN = "Вернуть отчёт на исправление: /return название ППО"
L_COMMENT = "Комментарий"
Q_COMMENT = "Что исправить? Этот комментарий получит председатель."
NO_REPORT = "У этой ППО нет отчёта за текущий период — возвращать нечего."
BTN_RETURN = "↩️ Вернуть на исправление"
REPORT_SUPERSEDED = "С тех пор председатель прислал новый отчёт — вернуть можно только его. Вот он:"
ALREADY_RETURNED = "Этот отчёт уже возвращён на исправление."


def report_resent(org: str) -> str:
    """``org`` is raw: the chair sent a new version while the return was being written."""
    return (
        f"Пока вы писали комментарий, председатель «{esc(org)}» прислал новый вариант отчёта, "
        "поэтому ничего не возвращено. Посмотрите его (/return) и, если нужно, верните уже его."
    )


def return_preview(org: str, period: str) -> str:
    return f"<b>{RETURN_TITLE}</b>\n{esc(org)}, {period}"


def returned_to_chair(org: str, period: str, comment: SafeHtml) -> str:
    """``org`` is raw; ``comment`` is HTML with the formatting staff typed."""
    return (
        f"↩️ Отчёт ППО «{esc(org)}» за {period} возвращён на исправление.\n"
        f"Комментарий: {comment}\n\nНажмите кнопку, исправьте и отправьте отчёт снова."
    )


def return_overtaken(org: str) -> str:
    """``org`` is raw: archived, or moved to another district, while the comment was written."""
    return (
        f"Пока вы писали комментарий, ППО «{esc(org)}» перенесли в другую организацию или "
        "закрыли, поэтому ничего не возвращено. Если отчёт всё ещё нужно вернуть, откройте "
        "/return заново."
    )


def returned_done(org: str) -> str:
    return (
        f"Отчёт ППО «{esc(org)}» возвращён председателю. "
        "До исправления он в сводке как «возвращён»."
    )


def returned_untold(org_name: str) -> str:
    """Returned, with nobody to tell: the report no longer counts, and staff must know why."""
    return (
        f"↩️ Отчёт «{esc(org_name)}» возвращён на исправление: в /status он среди возвращённых "
        "и не засчитан. Сообщить об этом некому — у ППО нет подключённого председателя; "
        "попросите администратора пригласить его (/invite)."
    )


def coverage_line(coverage: str) -> str:
    return f"Охват: {coverage}"


def report_card(org: str, period: str, lines: list[str]) -> str:
    """``lines`` are figures the bot formatted (no text from people)."""
    return "\n".join([f"<b>{esc(org)}</b>, {period}", *lines])


# Organizations
def org_form_header(title: str, org: str) -> str:
    """The first line of a form's summary that changes one organization."""
    return f"<b>{title}</b>: {esc(org)}"


ORG_CARD_ACTIONS = "Что сделать с организацией?"
BTN_RENAME = "✏️ Переименовать"
BTN_MOVE = "🔀 Перенести в другой район"
BTN_TZ = "🕒 Часовой пояс"
BTN_ARCHIVE = "🗄 В архив"
BTN_RESTORE = "♻️ Восстановить из архива"
BTN_CURATOR = "👁 Ссылка куратору"
BTN_ROLES = "👥 Роли"
RENAME_TITLE = "Переименование"
L_NEW_NAME = "Новое название"
Q_NEW_NAME = "Новое название организации?"
TZ_TITLE = "Часовой пояс"
L_TZ = "Часовой пояс"
Q_TZ = "Часовой пояс организации? Например: МСК+4, UTC+7 или Asia/Novosibirsk."
BAD_TZ = "Не понял часовой пояс. Пример: МСК, МСК+4, UTC+7, Asia/Novosibirsk."
CHOOSE_DISTRICT = "В какую районную организацию перенести?"
NO_DISTRICT_TO_MOVE_TO = "В этом регионе нет другой действующей районной организации."
ARCHIVED_MARK = "🗄 в архиве"
KIND_NAMES = {"region": "регион", "district": "район", "ppo": "ППО"}
"""An organization's kind (``OrgKind`` value) as its card names it."""


def default_tz(tz: str) -> str:
    """The bot's time zone shown for an organization that has none of its own."""
    return f"{tz} (по умолчанию)"


def org_card(org_id: int, org: str, kind: str, district: str, tz: str, archived: bool) -> str:
    lines = [f"<b>#{org_id} {esc(org)}</b> ({kind})"]
    if district:
        lines.append(f"Районная организация: {esc(district)}")
    lines.append(f"Часовой пояс: {tz}")
    if archived:
        lines.append(ARCHIVED_MARK)
    return "\n".join(lines)


def renamed(old: str, new: str) -> str:
    return f"Переименовано: «{esc(old)}» → «{esc(new)}»."


def moved(org: str, district: str, zone: str | None = None, rezoned: bool = False) -> str:
    """``rezoned``: the ППО took the new district's zone (``zone``; None: the bot's default)."""
    text = f"ППО «{esc(org)}» перенесена в «{esc(district)}»."
    if rezoned:
        text += f" Часовой пояс теперь как у района: {zone or 'по умолчанию'}."
    return text


def tz_set(org: str, tz: str, followers: int) -> str:
    """``followers``: the organizations under it that took the zone (none of their own)."""
    also = (
        f" Он же теперь у организаций в её составе без своего пояса: {followers}."
        if followers
        else ""
    )
    return f"Часовой пояс «{esc(org)}»: {tz}.{also}"


def archived(org: str) -> str:
    return f"«{esc(org)}» в архиве: напоминания и сводки её больше не учитывают, история сохранена."


def restored(org: str) -> str:
    return f"«{esc(org)}» восстановлена из архива."


def curator_link(org: str, link: str, expires: str) -> str:
    return (
        f"Ссылка для куратора ППО «{esc(org)}» (одноразовая, до {expires}):\n{link}\n"
        "Куратор будет получать список несдавших по этой ППО."
    )


ROLES_NONE = "Ролей по этой организации нет."
BTN_REVOKE = "Снять роль"
ROLE_NAMES = {
    "admin": "администратор",
    "staff": "сотрудник аппарата",
    "curator": "куратор",
    "chair": "председатель",
}


def role_line(person: str, role: str) -> str:
    return f"{esc(person)} — {ROLE_NAMES.get(role, role)}"


def role_revoked(person: str, role: str) -> str:
    return f"Роль снята: {esc(person)} — {ROLE_NAMES.get(role, role)}."


def your_role_ended(org: str, role: str) -> str:
    """To the person whose role the admin removed; ``org`` is raw."""
    return (
        f"Администратор снял с вас роль «{ROLE_NAMES.get(role, role)}» в «{esc(org)}». "
        "Команды этой роли вам больше недоступны; если это ошибка, обратитесь в районную "
        "организацию."
    )


def your_ppo_archived(org: str) -> str:
    """To the chair of a ППО the admin archived; ``org`` is raw."""
    return (
        f"ППО «{esc(org)}» закрыта (перенесена в архив), отчёты по ней больше не принимаются. "
        "Если это ошибка, обратитесь в районную организацию."
    )


def your_scope_archived(org: str) -> str:
    """To the staff of a district or region the admin archived; ``org`` is raw."""
    return (
        f"«{esc(org)}» закрыта (перенесена в архив): сводки, таблицы и рассылки по ней вам "
        "больше недоступны. Если это ошибка, обратитесь к администратору."
    )


def your_ppo_restored(org: str) -> str:
    """To the chair of a ППО back from the archive (itself, its district or region); raw."""
    return (
        f"ППО «{esc(org)}» снова открыта (восстановлена из архива): отчёты по ней снова "
        "принимаются, напоминания приходят как прежде."
    )


def your_scope_restored(org: str) -> str:
    """To the staff of a district or region back from the archive; ``org`` is raw."""
    return (
        f"«{esc(org)}» снова открыта (восстановлена из архива): сводки, таблицы и рассылки "
        "по ней снова вам доступны."
    )


# Audit
AUDIT_USAGE = "Укажите номер организации из /orgs (например, /audit 12) или @id человека."
AUDIT_EMPTY = "Изменений не найдено."


def audit_header(subject: str) -> str:
    return f"<b>Журнал изменений</b>: {esc(subject)}"


# What the audit log's keys are called where no form asks them (the forms' fields are named
# by their own labels, ``bot.rendering.audit``).
AUDIT_KEYS = {
    "id": "№",
    "name": "Название",
    "period": "Период",
    "periods": "Периоды",
    "revision": "Редакция",
    "collection_id": "Запрос №",
    "late": "С опозданием",
    "role": "Роль",
    "parent_id": "Район №",
    "event": "Мероприятие №",
    "invited": "Приглашено ППО",
    "told": "Сообщили председателям",
    "attended": "Пришло человек",
    "date_from": "Дата начала",
    "date_to": "Дата окончания",
    "only_late": "Только не сдавшим",
    "recipients": "Получателей",
    "chat": "Чат автора",
    "targets": "ППО в запросе",
    "plan": "План №",
    "item": "Пункт №",
    "items": "Пунктов",
    "unit": "ППО №",
    "file": "Файл",
    "rows": "Строк",
    "loaded": "Загружено",
    "updated": "Обновлено",
    "unchanged": "Без изменений",
    "skipped_chair": "Не тронуто (сдал председатель)",
    "skipped_collecting": "Не тронуто (идёт сбор)",
    "comment": L_COMMENT,  # a returned report's, recorded as read
    "text": "Текст",  # an announcement recorded before its text was kept as HTML, a plan's item
}
AUDIT_YES, AUDIT_NO, AUDIT_EMPTY_VALUE = "да", "нет", "—"


def audit_line(when: str, who: str, action: str, details: str) -> str:
    """``details`` is what people typed in events, passports, names
    (``bot.rendering.audit.change_summary``)."""
    tail = f" — {esc(details)}" if details else ""
    return f"{when} — {esc(who)}: {esc(action)}{tail}"


ACTIONS = {
    "report.submit": "сдан мониторинг",
    "report.return": "отчёт возвращён на исправление",
    "event.create": "добавлено мероприятие",
    "event.update": "исправлено мероприятие",
    "event.delete": "удалено мероприятие",
    "passport.update": "изменён паспорт",
    "role.grant": "выдана роль",
    "role.revoke": "снята роль",
    "org.rename": "переименование",
    "org.move": "перенос в другой район",
    "org.timezone": "часовой пояс",
    "org.archive": "в архив",
    "org.restore": "из архива",
    "request.open": "открыт запрос",
    "announce": "объявление",
    "person.erase": "персональные данные удалены",
    "report.import": "загружены прошлые данные мониторинга",
    "reserve.add": "добавлен в кадровый резерв",
    "reserve.remove": "исключён из кадрового резерва",
    "plan.load": "загружен план мероприятий",
    "plan.item_add": "добавлен пункт плана",
    "plan.item_change": "изменён пункт плана",
    "plan.done": "пункт плана выполнен",
    "devent.create": "объявлено мероприятие района",
    "devent.cancel": "мероприятие района отменено",
    "devent.move": "мероприятие района перенесено",
    "devent.answer": "ответ на приглашение",
    "devent.attended": "участие в мероприятии района",
}
SYSTEM = "система"
