"""Texts of membership monitoring (мониторинг профсоюзного членства).

``org_name``, the district's ``comment`` and a request's ``title`` are raw: escaped here
(button labels are not HTML and stay as they are).
"""

from __future__ import annotations

from datetime import date

from bot.texts.markup import SafeHtml, esc

TITLE = "Мониторинг профсоюзного членства"
CMD_REPORT = "Мониторинг профсоюзного членства"
MENU_REPORT = "📊 Мониторинг численности"
REQUEST_KIND = "Мониторинг численности"  # what /request offers to ask for

L_WORKERS = "Работников"
L_MEMBERS = "Членов профсоюза"
L_YOUTH_WORKERS = "Работников до 35 лет"
L_YOUTH_MEMBERS = "Членов профсоюза до 35 лет"
L_MANAGERS = "Руководителей и заместителей"
L_MANAGERS_MEMBERS = "Из них членов профсоюза"
L_JOINED = "Принято в профсоюз"
L_LEFT = "Выбыло из профсоюза"
L_RETIRED = "Пенсионеров на учёте"
L_LEFT_REASONS = "Причины выбытия"

Q_WORKERS = "Сколько работников в учреждении (чел.)?"
Q_MEMBERS = "Сколько из них членов профсоюза (чел.)?"
Q_YOUTH_WORKERS = "Сколько работников в возрасте до 35 лет (чел.)?"
Q_YOUTH_MEMBERS = "Сколько из работников до 35 лет — члены профсоюза (чел.)?"
Q_MANAGERS = "Сколько в учреждении руководителей и заместителей руководителя (чел.)?"
Q_MANAGERS_MEMBERS = "Сколько из руководителей и заместителей — члены профсоюза (чел.)?"
Q_JOINED = "Сколько человек принято в профсоюз с прошлого отчёта?"
Q_LEFT = "Сколько человек выбыло из профсоюза с прошлого отчёта?"
Q_RETIRED = "Сколько неработающих пенсионеров состоит на профсоюзном учёте?"
Q_LEFT_REASONS = (
    "Почему выбыли? Напишите одной строкой, сколько человек по каждой причине: "
    "по собственному желанию, увольнение, выход на пенсию, другое. Например: 2 1 0 0 "
    "(последние нули можно не писать). Не знаете — нажмите «Не знаю» или сразу «Отправить»."
)
BTN_DONT_KNOW = "🤷 Не знаю"
REASON_NAMES = ("по собственному желанию", "увольнение", "выход на пенсию", "другое")

BTN_QUICK = "⚡ Остальное как в прошлый раз"
QUICK_HINT = (
    "⚡ Почти ничего не изменилось? «Остальное как в прошлый раз» возьмёт этот и следующие "
    "ответы из прошлого отчёта (членов профсоюза посчитаю: было + принято − выбыло) — "
    "спрошу только, сколько принято и выбыло."
)


def show_reasons(parts: list[int]) -> str:
    """A split of «выбыло» as the summary and /history show it: the reasons that apply."""
    named = [f"{name} — {n}" for name, n in zip(REASON_NAMES, parts, strict=True) if n]
    return ", ".join(named) or "0"


def members_derived(before: int, joined: int, left: int) -> str:
    return f"(членов профсоюза посчитано: {before} + {joined} − {left}; можно исправить)"


def reasons_sum_mismatch(total_of_parts: int, left: int) -> str:
    return (
        f"По причинам получилось {total_of_parts} чел., а выбыло {left}. "
        f"Числа должны давать в сумме {left}. Напишите ещё раз, например: {left} 0 0 0 — "
        "или «не знаю»."
    )


def members_over_workers(members: int, workers: int) -> str:
    return (
        f"Членов профсоюза ({members}) не может быть больше, чем работников ({workers}). "
        "Проверьте число."
    )


def youth_over_workers(youth: int, workers: int) -> str:
    return f"Работников до 35 лет ({youth}) не может быть больше, чем всех работников ({workers})."


def youth_members_over_youth(members: int, youth: int) -> str:
    return (
        f"Членов профсоюза до 35 лет ({members}) не может быть больше, "
        f"чем работников до 35 лет ({youth})."
    )


def youth_members_over_members(youth_members: int, members: int) -> str:
    return (
        f"Членов профсоюза до 35 лет ({youth_members}) не может быть больше, "
        f"чем всех членов профсоюза ({members})."
    )


def managers_over_workers(managers: int, workers: int) -> str:
    return f"Руководителей ({managers}) не может быть больше, чем работников ({workers})."


def managers_members_over_managers(members: int, managers: int) -> str:
    return (
        f"Руководителей — членов профсоюза ({members}) не может быть больше, "
        f"чем всех руководителей и заместителей ({managers})."
    )


def managers_members_over_members(managers_members: int, members: int) -> str:
    return (
        f"Руководителей — членов профсоюза ({managers_members}) не может быть больше, "
        f"чем всех членов профсоюза ({members})."
    )


def summary_header(org_name: str, period: str) -> str:
    return f"<b>{TITLE}</b>\n{esc(org_name)}\nПериод: {period}"


COVERAGE = "Охват профчленством"
YOUTH_COVERAGE = "Охват молодёжи до 35 лет"
MANAGERS_COVERAGE = "Охват руководителей"
NO_PREVIOUS = "Прошлых отчётов нет — это первый."


def change_line(previous_period: str, delta: str, members_delta: int) -> str:
    """``members_delta`` signed with a true minus, as ``delta`` (the coverage change) is."""
    members = (
        f"+{members_delta}"
        if members_delta > 0
        else f"−{-members_delta}"
        if members_delta < 0
        else "0"
    )
    return f"Изменение с отчёта за {previous_period}: охват {delta}, членов {members} чел."


def revision_note(revision: int) -> str:
    return (
        f"За этот период отчёт уже есть. Будет сохранена редакция № {revision}, "
        "учитываться будет она."
    )


def warn_jump(before: int, now: int) -> str:
    return f"⚠️ Число членов профсоюза изменилось больше чем на 10 %: было {before}, стало {now}."


def warn_balance(before: int, expected: int, now: int) -> str:
    return f"⚠️ Не сходится: было {before} + принято − выбыло = {expected}, а указано {now}."


def saved(
    org_name: str,
    period: str,
    coverage: str,
    *,
    late_deadline: date | None = None,
    moved: tuple[str, str] | None = None,
) -> str:
    """``moved``: (what the form was opened for, what the report now counts for), both built by
    :func:`assignment_label` (already HTML)."""
    lines = []
    if moved is not None:
        lines.append(
            f"ℹ️ Пока вы заполняли форму, запросы района изменились: форма открывалась "
            f"для отчёта за {moved[0]}, отчёт засчитан за {moved[1]}."
        )
    lines.append(f"✅ Отчёт сохранён: {esc(org_name)}, {period}. Охват профчленством — {coverage}.")
    if late_deadline is not None:
        lines.append(f"{LATE_MARK.capitalize()}: срок был {late_deadline:%d.%m.%Y}.")
    lines.append("Спасибо! Историю отчётов покажет /history.")
    return "\n".join(lines)


def return_comment(comment: SafeHtml) -> str:
    """``comment``: HTML with the formatting staff typed when sending the report back."""
    return f"↩️ Возвращён на исправление: {comment}"


# --- Which period a report is for ---------------------------------------------------------

LATE_MARK = "сдан с опозданием"


def assignment_label(period: str, title: str | None, extra: bool) -> str:
    """What a report counts for, to follow «отчёт за»: a period, a one-off request (``title``
    raw) or an extra report no one asked for."""
    if title is not None:
        return f"{period} по запросу «{esc(title)}»"
    return f"{period} (вне графика)" if extra else period


def report_for(label: str, deadline: date | None, late: bool) -> str:
    """The first line of the form: which period and deadline it is for. ``label`` comes from
    :func:`assignment_label`."""
    if deadline is None:
        return f"📅 Отчёт за {label}: сейчас отчёт от вашей организации не запрошен."
    if late:
        return f"📅 Отчёт за {label}, срок — {deadline:%d.%m.%Y}, сдаётся с опозданием."
    return f"📅 Отчёт за {label}, срок — {deadline:%d.%m.%Y}."


CHOOSE_PERIOD = "Сейчас открыто несколько запросов. За какой период этот отчёт?"


def returned_waits(period: str) -> str:
    """Under the first line of a report nobody asked for, while the last one sent back waits."""
    return (
        f"⚠️ Отчёт за {period} район вернул на исправление. Чтобы исправить его, нажмите "
        "«Мониторинг» под сообщением о возврате; здесь — новый отчёт."
    )


PERIODS_CHANGED = "Запросы района изменились, пока вы выбирали. Выберите ещё раз:"
PICKED_CLOSED = "Запрос, который вы выбрали, уже закрыт. Открыт другой — отчёт пойдёт в него:"


def period_button(period: str, title: str | None, deadline: date, submitted: bool) -> str:
    """A button label (not HTML): the period or the request, the deadline beside it."""
    what = period.capitalize() if title is None else f"«{title[:40]}» ({period})"
    done = "✅ " if submitted else ""
    return f"{done}{what} — срок {deadline:%d.%m.%Y}"
