"""Texts of loading past monitoring figures from a table (/loadhistory).

What the file brought (cells, names, the header row) is raw in the functions below: escaped
here. The sample file is not HTML: its texts are never escaped.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.texts import membership as tm
from bot.texts.grammar import plural
from bot.texts.markup import esc

CMD_LOADHISTORY = "Загрузить прошлые данные мониторинга из Excel"

# Column titles of the sample file, keyed by the column names of bot.domain.history_import.
COLUMN_TITLES: dict[str, str] = {
    "ppo": "ППО",
    "district": "Район",
    "period": "Период",
    "workers": "Работников",
    "members": "Членов профсоюза",
    "youth_workers": "Молодёжь до 35",
    "youth_members": "Молодых членов до 35",
    "managers": "Руководителей",
    "managers_members": "Руководителей — членов",
    "joined": "Принято",
    "left": "Выбыло",
    "retired": "Пенсионеров",
}
FIELD_NAMES: dict[str, str] = {
    "workers": tm.L_WORKERS,
    "members": tm.L_MEMBERS,
    "youth_workers": tm.L_YOUTH_WORKERS,
    "youth_members": tm.L_YOUTH_MEMBERS,
    "managers": tm.L_MANAGERS,
    "managers_members": tm.L_MANAGERS_MEMBERS,
    "joined": tm.L_JOINED,
    "left": tm.L_LEFT,
    "retired": tm.L_RETIRED,
}

# --- The command without a file -------------------------------------------------------------

HOW_TO = (
    "<b>Загрузка прошлых данных мониторинга</b>\n"
    "Чтобы динамика и рейтинг работали с первого дня, загрузите цифры прошлых лет из Excel.\n"
    "1. Заполните образец ниже: одна строка — одна ППО за один период "
    "(месяц: «12.2024», «декабрь 2024» или дата отчёта).\n"
    "2. Названия ППО — как в боте (список — на листе «Ваши ППО»).\n"
    "3. Пришлите файл .xlsx с подписью /loadhistory.\n"
    "Файл проверяется целиком: если в какой-то строке ошибка, ничего не загружается, "
    "а бот перечисляет строки с ошибками. Отчёты председателей не заменяются: "
    "такие строки пропускаются. Файл можно присылать повторно — повторов не будет."
)
TEMPLATE_FILENAME = "Образец_прошлые_данные.xlsx"
TEMPLATE_CAPTION = "Образец: заполните и пришлите с подписью /loadhistory"
TEMPLATE_SHEET = "Данные"
PPO_SHEET = "Ваши ППО"
PPO_SHEET_HEADERS = ("Район", "ППО")
INSTRUCTION_SHEET = "Инструкция"
EXAMPLE_PPO = "Пример: МБОУ СОШ № 1"
INSTRUCTION_LINES: tuple[str, ...] = (
    "Как заполнить прошлые данные мониторинга",
    "1. Одна строка — одна ППО за один период. Первая строка — названия столбцов, "
    "её не удаляйте. Строки-примеры замените своими.",
    "2. Обязательные столбцы: «ППО», «Период», «Работников», «Членов профсоюза». "
    "Остальные можно не заполнять.",
    "3. «ППО» — название, как в боте (лист «Ваши ППО»). Если одинаковые названия есть в "
    "разных районах, заполните столбец «Район».",
    "4. «Период» — месяц отчёта: 12.2024, «декабрь 2024» или дата (15.12.2024). "
    "Только прошедшие месяцы.",
    "5. Числа — целые, без букв. Членов не больше, чем работников; молодёжь и руководители "
    "— не больше всех работников и членов.",
    "6. Если за ППО и период уже есть отчёт председателя, строка пропускается: "
    "отчёт председателя главнее.",
    "7. Файл проверяется целиком: при ошибке в любой строке не загружается ничего. "
    "Повторная загрузка того же файла ничего не удваивает, исправленные цифры обновляются.",
)

# --- What is wrong with the whole file ------------------------------------------------------

FILE_TOO_BIG = "Файл слишком большой (больше 10 МБ). Разделите его на части."
NOT_XLSX = (
    "Нужен файл Excel (.xlsx). Сохраните таблицу как «Книга Excel (.xlsx)» "
    "и пришлите её с подписью /loadhistory. Образец — /loadhistory без файла."
)
NO_DATA_ROWS = "В файле есть строка заголовков, но нет ни одной строки с данными."


def too_many_rows(limit: int) -> str:
    rows = plural(limit, "строки", "строк", "строк")  # genitive after «больше»
    return f"В файле больше {limit} {rows}. Разделите его на несколько файлов."


def missing_columns(missing: Sequence[str], found: Sequence[str]) -> str:
    required = ", ".join(f"«{COLUMN_TITLES[name]}»" for name in REQUIRED)
    lines = [
        f"Не нашёл строку заголовков с обязательными столбцами: {required}.",
        "Не хватает: " + ", ".join(f"«{COLUMN_TITLES[name]}»" for name in missing) + ".",
    ]
    if found:
        lines.append(
            "В первой заполненной строке: " + ", ".join(f"«{esc(c)}»" for c in found) + "."
        )
    lines.append("Образец файла — /loadhistory без файла.")
    return "\n".join(lines)


REQUIRED = ("ppo", "period", "workers", "members")

# --- What is wrong with one row -------------------------------------------------------------

MISSING_PPO = "не указана ППО"
MISSING_PERIOD = "не указан период"
SEPARATOR = "; "


def missing_number(column: str) -> str:
    return f"не заполнен столбец «{COLUMN_TITLES[column]}»"


def bad_number(column: str, value: str, limit: int) -> str:
    return (
        f"в столбце «{COLUMN_TITLES[column]}» нужно целое число от 0 до {limit}, "
        f"а не «{esc(value)}»"
    )


def zero_workers() -> str:
    return f"в столбце «{COLUMN_TITLES['workers']}» должно быть не меньше 1"


def bad_period(value: str, first_year: int) -> str:
    return (
        f"не понял период «{esc(value)}»: пишите месяц и год, не раньше {first_year} "
        "(12.2024, «декабрь 2024»), или дату отчёта (15.12.2024)"
    )


def period_not_past(period: str) -> str:
    return f"период {period} ещё не закончился или в будущем: загружаются только прошедшие месяцы"


def part_without_whole(part: str, whole: str) -> str:
    return (
        f"указано «{COLUMN_TITLES[part]}», но не заполнено «{COLUMN_TITLES[whole]}»: "
        "заполните оба столбца или ни одного"
    )


def unknown_ppo(name: str) -> str:
    return (
        f"ППО «{esc(name)}» нет в боте: проверьте название "
        "(как на листе «Ваши ППО» образца, /loadhistory)"
    )


def unknown_in_district(name: str, district: str) -> str:
    return f"в районе «{esc(district)}» нет ППО «{esc(name)}»"


def foreign_ppo(name: str, districts: Sequence[str]) -> str:
    where = ", ".join(f"«{esc(d)}»" for d in districts)
    return f"ППО «{esc(name)}» — другого района ({where}): загружать можно только свои ППО"


def ambiguous_ppo(name: str, districts: Sequence[str]) -> str:
    where = ", ".join(f"«{esc(d)}»" for d in districts)
    return f"ППО «{esc(name)}» есть в нескольких районах ({where}): укажите район в столбце «Район»"


def duplicate_row(first_row: int) -> str:
    return f"эта ППО за этот период уже есть в строке {first_row}"


# --- The outcome ----------------------------------------------------------------------------


def rejected(errors: Sequence[tuple[int, str]], total: int, shown: int) -> str:
    """``errors``: (row number, message built here: HTML already)."""
    rows = plural(total, "строки", "строк", "строк")  # genitive after «из»: из 21 строки
    lines = [
        f"<b>Файл не загружен: ошибки в {len(errors)} из {total} {rows}.</b>",
        "Ничего не сохранено. Исправьте строки и пришлите файл снова:",
    ]
    lines += [f"Строка {row}: {message}" for row, message in errors[:shown]]
    if len(errors) > shown:
        lines.append(f"…и ещё {len(errors) - shown}.")
    return "\n".join(lines)


NOTHING_NEW = "✅ Файл проверен: новых цифр в нём нет."


def loaded(
    *,
    stored: int,
    periods: int,
    updated: int,
    unchanged: int,
    by_chair: int,
    collecting: int,
) -> str:
    verb = plural(stored, "Загружен", "Загружено", "Загружено")  # «Загружен 21 отчёт»
    reports = plural(stored, "отчёт", "отчёта", "отчётов")
    months = plural(periods, "период", "периода", "периодов")
    lines = [f"✅ {verb} {stored} {reports} за {periods} {months}." if stored else NOTHING_NEW]
    if updated:
        lines.append(f"Из них обновлено ранее загруженных: {updated}.")
    if unchanged:
        lines.append(f"Без изменений (уже были загружены): {unchanged}.")
    skipped = by_chair + collecting
    if skipped:
        lines.append(f"Пропущено {skipped}:")
        if by_chair:
            lines.append(f"• {by_chair} — уже есть отчёт председателя;")
        if collecting:
            lines.append(
                f"• {collecting} — по этому периоду ещё идёт сбор, отчёт сдаёт председатель."
            )
    lines.append("Цифры помечены как загруженные из таблицы. Таблица за период — /export 12.2024.")
    return "\n".join(lines)
