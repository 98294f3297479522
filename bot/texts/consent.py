"""Consent to the processing of personal data (152-ФЗ), asked once before joining by invite.

``CONSENT_VERSION`` names the wording below: change it with the text, and people who agreed
to an older text are asked again the next time they join by an invite.
"""

from __future__ import annotations

from bot.texts.markup import esc

CONSENT_VERSION = "2026-12-1"

BTN_AGREE = "✅ Согласен"
BTN_DECLINE = "Не согласен"


def request(org_name: str, role: str) -> str:
    """``org_name`` is raw."""
    return (
        f"Вас приглашают в бот мониторинга как {role}: «{esc(org_name)}».\n\n"
        "<b>Согласие на обработку персональных данных</b> (152-ФЗ). Нажимая «Согласен», "
        "вы разрешаете районной организации Профсоюза хранить и использовать ваше имя, "
        "имя пользователя Telegram, его идентификатор и телефон из паспорта ППО, чтобы "
        "принимать отчёты и присылать напоминания. Согласие можно отозвать, обратившись "
        "в районную организацию: данные будут удалены."
    )


BTN_JOIN = "✅ Да, подключиться"
BTN_NOT_JOIN = "Нет"
NOT_JOINED = "Хорошо, ничего не изменено: по ссылке вы не подключились, она осталась действующей."


def join_question(org_name: str, role: str, sitting_chair: str) -> str:
    """Asked of a person already registered (who otherwise joins with one tap) when the link
    would take the ППО from another person chairing it: a link opened to check it, or
    forwarded by mistake, must not cut the sitting chair off. Both names are raw."""
    return (
        f"Подключиться по этой ссылке как {role}: «{esc(org_name)}»?\n\n"
        f"Сейчас председатель — {esc(sitting_chair)}: после вашего подключения у него (неё) "
        "не будет доступа к отчётам этой ППО."
    )


ROLE_CHAIR = "председатель ППО"
ROLE_STAFF = "сотрудник аппарата"
ROLE_CURATOR = "куратор ППО"
ROLE_ADMIN = "администратор"


def declined(district: str) -> str:
    """``district`` is raw (empty when unknown)."""
    where = f" «{esc(district)}»" if district else ""
    return (
        "Хорошо, вы не зарегистрированы, и ваши данные не сохранены.\n\n"
        f"Сведения для мониторинга можно передавать в районную организацию Профсоюза{where} "
        "напрямую: свяжитесь со специалистом, который прислал вам ссылку. Если передумаете, "
        "откройте ту же ссылку снова."
    )


ANSWERED = "Ответ принят."
