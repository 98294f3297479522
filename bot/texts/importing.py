"""Texts of the organization list import and of the spreadsheets the bot sends.

The messages about a file are HTML (they are sent as they are, or listed by
``bot.texts.admin.import_errors``): what they quote from the file — its name, cells, header
row — is raw: escaped here.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.texts.grammar import plural
from bot.texts.markup import esc

# Column titles, keyed by the field names of ``bot.domain.org_columns.Field``.
COLUMN_TITLES: dict[str, str] = {
    "region": "Регион",
    "district": "Район",
    "organization": "Организация",
    "workers": "Работников",
    "chair": "Председатель",
    "timezone": "Часовой пояс",
}

# --- What is wrong with the whole file ------------------------------------------------------

EMPTY_FILE = "Файл пустой: в нём нет ни одной заполненной строки."
OLD_XLS = (
    "Это файл в старом формате Excel (.xls). Откройте его в Excel, выберите "
    "«Файл → Сохранить как → Книга Excel (.xlsx)» и пришлите новый файл."
)
BROKEN_XLSX = (
    "Не удалось открыть файл Excel: он повреждён или это не .xlsx. "
    "Сохраните его заново как «Книга Excel (.xlsx)» и пришлите ещё раз."
)


def xlsx_unpacks_too_big(limit_mb: int) -> str:
    return (
        "Файл Excel не прочитан: внутри он распаковывается в слишком большой объём (лист или "
        f"таблица строк больше {limit_mb} МБ, или очень много листов). Оставьте в книге только "
        "нужную таблицу, сохраните её как «Книга Excel (.xlsx)» и пришлите ещё раз."
    )


BROKEN_CSV = (
    "Не удалось прочитать CSV-файл: похоже, это не таблица. "
    "Пришлите файл Excel (.xlsx) или CSV, сохранённый из Excel."
)
NO_DATA_ROWS = "В файле есть строка заголовков, но нет ни одной строки с организациями."


def unknown_format(filename: str) -> str:
    name = f"«{esc(filename)}»" if filename else "без названия"
    return (
        f"Не могу прочитать файл {name}: нужен файл Excel (.xlsx) или CSV (.csv). "
        "Скачайте образец и заполните его."
    )


def too_many_rows(limit: int) -> str:
    return (
        f"В файле больше {limit} {plural(limit, 'строки', 'строк', 'строк')} с организациями. "
        "Разделите его на несколько файлов и загрузите их по очереди."
    )


def missing_columns(required: Sequence[str], missing: Sequence[str], found: Sequence[str]) -> str:
    lines = [
        "Не нашёл строку заголовков с обязательными столбцами: "
        + ", ".join(f"«{title}»" for title in required)
        + ".",
        "Не хватает: " + ", ".join(f"«{title}»" for title in missing) + ".",
    ]
    if found:
        lines.append(
            "В первой заполненной строке файла: "
            + ", ".join(f"«{esc(cell)}»" for cell in found)
            + "."
        )
    lines.append(
        "Первая строка таблицы должна содержать названия столбцов, например: "
        + ", ".join(COLUMN_TITLES.values())
        + "."
    )
    return "\n".join(lines)


# --- What is wrong with one row -------------------------------------------------------------

MISSING_ORGANIZATION = "не указано название организации"
MISSING_DISTRICT = "не указан район"
ROW_PROBLEMS_SEPARATOR = "; "


# A filled cell with no value (``bot.domain.cells.NotAValue``), as a message quotes it.
FORMULA_WITHOUT_VALUE = "формула без вычисленного значения"


def not_a_number(written: str) -> str:
    """``written`` is raw: quoted in a message, it is escaped there."""
    return f"не число ({written})"


def not_a_value(column: str, what: str) -> str:
    """A name column whose cell holds no value; ``what`` is raw."""
    return (
        f"в столбце «{column}» не значение, а «{esc(what)}»: впишите в ячейку сам текст "
        "(формулу пересчитайте, ошибку исправьте) и пришлите файл ещё раз"
    )


def bad_workers(value: str, limit: int) -> str:
    return f"число работников должно быть целым числом от 0 до {limit}, а не «{esc(value)}»"


def unknown_timezone(value: str) -> str:
    return (
        f"неизвестный часовой пояс «{esc(value)}» "
        "(пишите, например, МСК, МСК+4, UTC+7 или Asia/Novosibirsk)"
    )


def too_long(column: str, limit: int) -> str:
    characters = plural(limit, "символа", "символов", "символов")  # genitive after «больше»
    return f"слишком длинное значение в столбце «{column}»: больше {limit} {characters}"


def duplicate_row(first_row: int) -> str:
    return f"эта организация этого района уже есть в строке {first_row}"


# --- Sample file ----------------------------------------------------------------------------

DEFAULT_SHEET_TITLE = "Лист1"
TEMPLATE_SHEET_TITLE = "Организации"
TEMPLATE_EXAMPLE_ROWS: tuple[tuple[str, str, str, int, str, str], ...] = (
    (
        "Ростовская областная организация",
        "Родионово-Несветайская районная организация",
        "МБОУ СОШ № 1",
        54,
        "Иванова Мария Петровна",
        "Europe/Moscow",
    ),
    (
        "Ростовская областная организация",
        "Родионово-Несветайская районная организация",
        "МБДОУ детский сад «Солнышко»",
        23,
        "Петров Сергей Иванович",
        "МСК",
    ),
    (
        "Кемеровская областная организация",
        "Беловская районная организация",
        "ГБУ «Центр социального обслуживания населения»",
        112,
        "Сидорова Анна Викторовна",
        "МСК+4",
    ),
)

INSTRUCTION_SHEET_TITLE = "Инструкция"
INSTRUCTION_LINES: tuple[str, ...] = (
    "Как заполнить список организаций",
    "1. Одна строка — одна первичная профсоюзная организация (ППО). "
    "Первая строка — названия столбцов, её не удаляйте. Строки-примеры замените своими.",
    "2. Обязательные столбцы: «Район» и «Организация». "
    "«Регион», «Работников», «Председатель» и «Часовой пояс» можно не заполнять.",
    "3. «Работников» — целое число от 0 до 100000, без букв (например, 54).",
    "4. «Часовой пояс» можно указать так: МСК, МСК+4, МСК-1, UTC+7, +7 "
    "или названием вроде Europe/Moscow, Asia/Novosibirsk. "
    "Москва — это UTC+3, значит МСК+4 = UTC+7.",
    "5. Пустые строки пропускаются. Одна и та же организация одного района "
    "не должна повторяться в файле.",
    "6. Файл можно загружать повторно: организации узнаются по району и названию, "
    "новые добавляются, уже известные обновляются, дубликаты не создаются. "
    "Пустые ячейки не стирают уже сохранённые данные.",
    "7. Подойдёт и CSV-файл, сохранённый из Excel "
    "(«CSV (разделители — точка с запятой)»). В одном файле — не больше 5000 организаций.",
)


def unread_sheets(names: Sequence[str]) -> str:
    """The workbook has filled sheets after the first, which the bot does not read."""
    listed = ", ".join(f"«{esc(name)}»" for name in names[:10])
    more = f" и ещё {len(names) - 10}" if len(names) > 10 else ""
    which = f"Листы {listed}{more} не прочитаны"
    if len(names) == 1:
        which = f"Лист {listed} не прочитан"
    return (
        f"Прочитан только первый лист книги. {which}: перенесите строки на первый лист или "
        "пришлите каждый лист отдельным файлом, где он стоит первым."
    )
