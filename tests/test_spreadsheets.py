"""Reading uploaded organization lists and writing the spreadsheets the bot sends."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook, load_workbook

from bot.domain.event_report import parse_period
from bot.domain.org_list import MAX_DATA_ROWS, OrgRow, OrgTable, normalize_name, parse_org_table
from bot.domain.timezones import parse_timezone
from bot.rendering.xlsx import build_table_xlsx, build_template_xlsx

DISTRICT = "Родионово-Несветайская районная организация"


def make_xlsx(rows: Sequence[Sequence[object]], *, start_row: int = 1) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for offset, values in enumerate(rows):
        for column, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(row=start_row + offset, column=column, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def make_csv(rows: list[list[str]], *, encoding: str, delimiter: str = ";") -> bytes:
    text = "\r\n".join(delimiter.join(cells) for cells in rows) + "\r\n"
    return text.encode(encoding)


def ok(table: OrgTable) -> OrgTable:
    assert table.fatal is None, table.fatal
    return table


def by_row(table: OrgTable) -> dict[int, str]:
    return {error.row_number: error.message for error in table.errors}


# --- Formats ----------------------------------------------------------------------------------


def test_xlsx_basic_with_float_workers_and_all_columns() -> None:
    data = make_xlsx(
        [
            ["Регион", "Район", "Организация", "Работников", "Председатель", "Часовой пояс"],
            [
                "Ростовская областная организация",
                DISTRICT,
                "МБОУ СОШ № 1",
                54.0,
                "Иванова  Мария Петровна ",
                "Europe/Moscow",
            ],
            [None, DISTRICT, "МБДОУ детский сад «Солнышко»", 23, None, None],
        ]
    )
    table = ok(parse_org_table(data, "orgs.xlsx"))
    assert table.errors == []
    assert table.rows == [
        OrgRow(
            row_number=2,
            region="Ростовская областная организация",
            district=DISTRICT,
            organization="МБОУ СОШ № 1",
            workers=54,
            chair_name="Иванова Мария Петровна",
            timezone="Europe/Moscow",
        ),
        OrgRow(
            row_number=3,
            region=None,
            district=DISTRICT,
            organization="МБДОУ детский сад «Солнышко»",
            workers=23,
            chair_name=None,
            timezone=None,
        ),
    ]
    assert isinstance(table.rows[0].workers, int)


def test_cp1251_csv_with_semicolons() -> None:
    data = make_csv(
        [
            ["Район", "Организация", "Работников"],
            [DISTRICT, "МБОУ СОШ № 1", "763"],
            [DISTRICT, "Детский сад «Ёлочка»", "1 234"],
        ],
        encoding="cp1251",
    )
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the test really feeds Windows-1251
    table = ok(parse_org_table(data, "Список.CSV"))
    assert table.errors == []
    assert [(r.row_number, r.organization, r.workers) for r in table.rows] == [
        (2, "МБОУ СОШ № 1", 763),
        (3, "Детский сад «Ёлочка»", 1234),
    ]
    assert table.rows[0].district == DISTRICT


def test_utf8_bom_csv_with_semicolons() -> None:
    data = make_csv(
        [["Район", "ППО", "Председатель"], [DISTRICT, "МБОУ СОШ № 2", "Петров П. П."]],
        encoding="utf-8-sig",
    )
    assert data.startswith(b"\xef\xbb\xbf")
    table = ok(parse_org_table(data, "orgs.csv"))
    assert [(r.district, r.organization, r.chair_name) for r in table.rows] == [
        (DISTRICT, "МБОУ СОШ № 2", "Петров П. П.")
    ]


def test_utf8_csv_without_bom_with_comma_and_quotes() -> None:
    text = (
        'Район,Организация,Работников\n"Город Шахты","ООО ""Ромашка"", филиал",12\n'
        '"Город Шахты","Школа\nвторая строка",5\n'
        '"Город Шахты","Третья",7\n'
    )
    table = ok(parse_org_table(text.encode("utf-8"), "orgs.csv"))
    assert [(r.row_number, r.organization, r.workers) for r in table.rows] == [
        (2, 'ООО "Ромашка", филиал', 12),
        (3, "Школа вторая строка", 5),  # a line break in a cell is one Excel row
        (4, "Третья", 7),
    ]


def test_tab_separated_csv() -> None:
    data = make_csv(
        [["Район", "Организация"], ["Город Шахты", "Школа № 5, филиал"]],
        encoding="utf-8",
        delimiter="\t",
    )
    table = ok(parse_org_table(data, "orgs.csv"))
    assert [(r.district, r.organization) for r in table.rows] == [
        ("Город Шахты", "Школа № 5, филиал")
    ]


def test_semicolon_wins_over_commas_inside_cells() -> None:
    data = make_csv(
        [["Район", "Численность работников, чел.", "Организация"], ["Город", "10", "А, Б, В, Г"]],
        encoding="cp1251",
    )
    table = ok(parse_org_table(data, "orgs.csv"))
    assert [(r.organization, r.workers) for r in table.rows] == [("А, Б, В, Г", 10)]


def test_format_sniffed_from_content_when_extension_is_missing() -> None:
    data = make_xlsx([["Район", "Организация"], ["Район А", "Школа"]])
    table = ok(parse_org_table(data, "document"))
    assert [r.organization for r in table.rows] == ["Школа"]


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        ("Район;Организация\nА;Б\n".encode("cp1251"), "orgs.txt", ".xlsx"),
        (b"\x00\x01\x02garbage\xff\xfe", "orgs.bin", ".xlsx"),
        (b"", "orgs.csv", "пустой"),
        (b"   \r\n ", "orgs.csv", "пустой"),
        (b"\xef\xbb\xbf\r\n;;\r\n", "orgs.csv", "пустой"),
        (b"PK\x03\x04 this is no zip archive", "orgs.xlsx", "повреждён"),
        (b"just some text, not a workbook", "orgs.xlsx", "повреждён"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "orgs.xls", ".xls"),
        (b"\x00\x00binary\x00garbage", "orgs.csv", "CSV"),
    ],
)
def test_unusable_files_are_fatal(data: bytes, filename: str, expected: str) -> None:
    table = parse_org_table(data, filename)
    assert table.fatal is not None
    assert expected in table.fatal
    assert table.rows == []
    assert table.errors == []


def test_zip_that_is_not_a_workbook_is_fatal() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hello")
    table = parse_org_table(buffer.getvalue(), "orgs.xlsx")
    assert table.fatal is not None
    assert "повреждён" in table.fatal


def test_empty_workbook_is_fatal() -> None:
    table = parse_org_table(make_xlsx([]), "orgs.xlsx")
    assert table.fatal is not None
    assert "пустой" in table.fatal


def test_header_without_data_rows_is_fatal() -> None:
    table = parse_org_table(make_xlsx([["Район", "Организация"]]), "orgs.xlsx")
    assert table.fatal is not None
    assert "нет ни одной строки" in table.fatal


# --- Headers ----------------------------------------------------------------------------------


def test_missing_required_column_names_required_and_found_columns() -> None:
    data = make_xlsx([["ФИО председателя", "Школа", "Работников"], ["Иванова", "СОШ № 1", 10]])
    table = parse_org_table(data, "orgs.xlsx")
    assert table.fatal is not None
    assert table.rows == []
    assert "«Район»" in table.fatal
    assert "«Организация»" in table.fatal
    assert "«ФИО председателя», «Школа», «Работников»" in table.fatal


def test_missing_only_district_says_so() -> None:
    data = make_csv([["Организация", "Работников"], ["СОШ", "1"]], encoding="utf-8")
    table = parse_org_table(data, "orgs.csv")
    assert table.fatal is not None
    assert "Не хватает: «Район»." in table.fatal


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            ["Региональная организация", "Районная организация", "Первичная организация"],
            ("region", "district", "organization"),
        ),
        (
            ["Область", "Местная организация", "Первичная профсоюзная организация"],
            ("region", "district", "organization"),
        ),
        (["REGION", "District", "Organization"], ("region", "district", "organization")),
        (
            ["Регион", "Территориальная организация", "Учреждение"],
            ("region", "district", "organization"),
        ),
        (["", "Город", "Наименование ППО"], (None, "district", "organization")),
        (["№ п/п", "Район:", " Наименование "], (None, "district", "organization")),
    ],
)
def test_header_synonyms(headers: list[str], expected: tuple[str | None, str, str]) -> None:
    data = make_xlsx([headers, ["Р", "Д", "О"]])
    table = ok(parse_org_table(data, "orgs.xlsx"))
    row = table.rows[0]
    values = {"Р": "region", "Д": "district", "О": "organization"}
    got_region = values[row.region] if row.region is not None else None
    assert (got_region, values[row.district], values[row.organization]) == expected


def test_headers_with_extra_words_and_chair_not_taken_for_organization() -> None:
    headers = [
        "Председатель первичной организации",
        "Наименование ППО",
        "Численность работников, чел.",
        "Часовой пояс (UTC)",
        "Районная организация Профсоюза",
        "Адрес организации",
        "Телефон председателя",
    ]
    row = ["Иванова И. И.", "СОШ № 7", "1 000", "+5", "Район", "ул. Ленина, 1", "+79001234567"]
    table = ok(parse_org_table(make_xlsx([headers, row]), "orgs.xlsx"))
    assert table.errors == []
    assert table.rows[0] == OrgRow(
        row_number=2,
        region=None,
        district="Район",
        organization="СОШ № 7",
        workers=1000,
        chair_name="Иванова И. И.",
        timezone="Asia/Yekaterinburg",
    )


def test_workers_synonyms_and_members_column_is_not_workers() -> None:
    headers = [
        "Район",
        "Организация",
        "Численность членов профсоюза из числа работников",
        "Работников до 35 лет",
        "Работников всего, чел.",
    ]
    table = ok(parse_org_table(make_xlsx([headers, ["Р", "О", 40, 20, 50]]), "orgs.xlsx"))
    assert table.rows[0].workers == 50
    for synonym in ("работники", "Количество работников", "Workers", "численность работников"):
        table = ok(parse_org_table(make_xlsx([["Район", "ППО", synonym], ["Р", "О", 9]]), "x.xlsx"))
        assert table.rows[0].workers == 9


def test_chair_synonyms() -> None:
    for synonym in ("ФИО", "ФИО председателя", "Председатель ППО", "chair", "Председатель:"):
        headers = ["Заместитель председателя", "Район", "Организация", synonym]
        table = ok(parse_org_table(make_xlsx([headers, ["Зам", "Р", "О", "Иванова"]]), "x.xlsx"))
        assert table.rows[0].chair_name == "Иванова", synonym


def test_exact_header_beats_header_with_extra_words() -> None:
    headers = ["Район", "Наименование учреждения (полное)", "Организация"]
    table = ok(parse_org_table(make_xlsx([headers, ["Р", "Полное", "Краткое"]]), "orgs.xlsx"))
    assert table.rows[0].organization == "Краткое"


def test_title_line_above_header_and_empty_rows_keep_excel_row_numbers() -> None:
    data = make_xlsx(
        [
            ["Список первичных организаций района"],
            [],
            ["Район", "Организация", "Работников"],
            ["Р", "Школа 1", 10],
            [],
            [None, None, None],
            ["   ", "", None],
            ["Р", "Школа 2", 20],
        ],
        start_row=3,
    )
    table = ok(parse_org_table(data, "orgs.xlsx"))
    assert table.errors == []
    assert [(r.row_number, r.organization) for r in table.rows] == [(6, "Школа 1"), (10, "Школа 2")]


def test_rows_filled_only_in_unknown_columns_are_skipped() -> None:
    data = make_csv(
        [["№", "Район", "Организация"], ["1", "Р", "Школа"], ["2", "", ""], ["3", "", ""]],
        encoding="utf-8",
    )
    table = ok(parse_org_table(data, "orgs.csv"))
    assert [r.organization for r in table.rows] == ["Школа"]
    assert table.errors == []


def test_cells_are_trimmed_and_inner_spaces_collapsed() -> None:
    data = make_xlsx([["Район", "Организация"], ["  Город\u00a0 Шахты ", "МБОУ   СОШ\n№ 3 "]])
    table = ok(parse_org_table(data, "orgs.xlsx"))
    assert (table.rows[0].district, table.rows[0].organization) == ("Город Шахты", "МБОУ СОШ № 3")


# --- Bad rows ---------------------------------------------------------------------------------


def test_bad_rows_reported_by_row_number_good_rows_still_parse() -> None:
    data = make_xlsx(
        [
            ["Район", "Организация", "Работников", "Часовой пояс"],
            ["Р", "Школа 1", 10, "МСК"],
            ["Р", None, 10, None],
            [None, "Школа 3", None, None],
            ["Р", "Школа 4", "abc", None],
            ["Р", "Школа 5", -3, None],
            ["Р", "Школа 6", 12.5, None],
            ["Р", "Школа 7", 100001, None],
            ["Р", "Школа 8", None, "Марс"],
            ["Р", "Школа 9", "100 000", "UTC+3"],
            ["Р", "Школа 10", "xyz", "Луна"],
        ]
    )
    table = ok(parse_org_table(data, "orgs.xlsx"))
    assert [r.row_number for r in table.rows] == [2, 10]
    assert table.rows[1].workers == 100_000
    errors = by_row(table)
    assert sorted(errors) == [3, 4, 5, 6, 7, 8, 9, 11]
    assert errors[3] == "не указано название организации"
    assert errors[4] == "не указан район"
    assert errors[5] == "число работников должно быть целым числом от 0 до 100000, а не «abc»"
    assert "а не «-3»" in errors[6]
    assert "а не «12.5»" in errors[7]
    assert "а не «100001»" in errors[8]
    assert errors[9].startswith("неизвестный часовой пояс «Марс»")
    assert "«xyz»" in errors[11]
    assert "«Луна»" in errors[11]  # all problems of a row in one message


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("763", 763),
        (" 763 ", 763),
        ("763.0", 763),
        ("763,0", 763),
        ("1 234", 1234),
        ("1\u00a0234", 1234),
        ("1\u202f234", 1234),
        ("0", 0),
        ("100000", 100_000),
        ("", None),
    ],
)
def test_workers_accepted_forms(cell: str, expected: int | None) -> None:
    data = make_csv([["Район", "Организация", "Работников"], ["Р", "О", cell]], encoding="utf-8")
    table = ok(parse_org_table(data, "orgs.csv"))
    assert table.errors == []
    assert table.rows[0].workers == expected


@pytest.mark.parametrize("cell", ["-1", "12.5", "12,5", "abc", "100001", "1 23", "763 чел", "1e3"])
def test_workers_rejected_forms(cell: str) -> None:
    data = make_csv([["Район", "Организация", "Работников"], ["Р", "О", cell]], encoding="utf-8")
    table = ok(parse_org_table(data, "orgs.csv"))
    assert table.rows == []
    assert by_row(table) == {
        2: f"число работников должно быть целым числом от 0 до 100000, а не «{cell}»"
    }


def test_duplicate_rows_name_the_earlier_row() -> None:
    data = make_csv(
        [
            ["Район", "Организация"],
            [DISTRICT, "МБДОУ детский сад «Ёлочка»"],
            ["Другой район", "МБДОУ детский сад «Ёлочка»"],
            [DISTRICT.upper(), 'мбдоу  детский сад "елочка"'],
            [DISTRICT, "МБОУ СОШ №1"],
            [DISTRICT, "МБОУ СОШ № 1"],
        ],
        encoding="cp1251",
    )
    table = ok(parse_org_table(data, "orgs.csv"))
    assert [r.row_number for r in table.rows] == [2, 3, 5]
    assert by_row(table) == {
        4: "эта организация этого района уже есть в строке 2",
        6: "эта организация этого района уже есть в строке 5",
    }


def test_too_many_rows_is_fatal() -> None:
    lines = ["Район;Организация"] + [f"Р;Школа {i}" for i in range(MAX_DATA_ROWS + 1)]
    table = parse_org_table("\n".join(lines).encode("utf-8"), "orgs.csv")
    assert table.fatal is not None
    assert str(MAX_DATA_ROWS) in table.fatal
    assert table.rows == []


def test_exactly_the_row_limit_is_fine() -> None:
    lines = ["Район;Организация"] + [f"Р;Школа {i}" for i in range(MAX_DATA_ROWS)]
    table = ok(parse_org_table("\n".join(lines).encode("utf-8"), "orgs.csv"))
    assert len(table.rows) == MAX_DATA_ROWS


def test_too_long_name_is_a_row_error() -> None:
    data = make_csv(
        [["Район", "Организация"], ["Р", "Ш" * 301], ["Р", "Ш" * 300]], encoding="utf-8"
    )
    table = ok(parse_org_table(data, "orgs.csv"))
    assert [r.row_number for r in table.rows] == [3]
    assert "«Организация»" in by_row(table)[2]


# --- Time zones -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Europe/Moscow", "Europe/Moscow"),
        ("asia/novosibirsk", "Asia/Novosibirsk"),
        ("Europe / Kaliningrad", "Europe/Kaliningrad"),
        ("МСК", "Europe/Moscow"),
        ("мск", "Europe/Moscow"),
        ("МСК+4", "Asia/Novosibirsk"),
        ("МСК + 4", "Asia/Novosibirsk"),
        ("MSK+4", "Asia/Novosibirsk"),
        ("МСК-1", "Europe/Kaliningrad"),
        ("МСК−1", "Europe/Kaliningrad"),
        ("МСК+9", "Asia/Kamchatka"),
        ("МСК+1", "Europe/Samara"),
        ("UTC+7", "Asia/Novosibirsk"),
        ("GMT+7", "Asia/Novosibirsk"),
        ("+7", "Asia/Novosibirsk"),
        ("UTC+05:00", "Asia/Yekaterinburg"),
        ("UTC+0500", "Asia/Yekaterinburg"),
        ("utc+8", "Asia/Irkutsk"),
        ("+9", "Asia/Yakutsk"),
        ("+10", "Asia/Vladivostok"),
        ("+11", "Asia/Magadan"),
        ("+12", "Asia/Kamchatka"),
        ("+6", "Asia/Omsk"),
        ("UTC+13", "Etc/GMT-13"),
        ("UTC-5", "Etc/GMT+5"),
        ("UTC", "UTC"),
        ("UTC+0", "UTC"),
        ("Москва", "Europe/Moscow"),
    ],
)
def test_timezone_forms(cell: str, expected: str) -> None:
    data = make_csv([["Район", "Организация", "Часовой пояс"], ["Р", "О", cell]], encoding="utf-8")
    table = ok(parse_org_table(data, "orgs.csv"))
    assert table.errors == []
    assert table.rows[0].timezone == expected
    ZoneInfo(expected)  # a real zone


@pytest.mark.parametrize("cell", ["Марс", "UTC+5:30", "UTC+15", "МСК+12", "Europe/Atlantis", "7.5"])
def test_timezone_rejected(cell: str) -> None:
    assert parse_timezone(cell) is None
    data = make_csv([["Район", "Организация", "Часовой пояс"], ["Р", "О", cell]], encoding="utf-8")
    table = ok(parse_org_table(data, "orgs.csv"))
    assert table.rows == []
    assert by_row(table)[2].startswith(f"неизвестный часовой пояс «{cell}»")


def test_timezone_given_as_a_number_in_excel() -> None:
    # Excel turns a typed «+7» into the number 7.
    data = make_xlsx([["Район", "Организация", "Часовой пояс"], ["Р", "А", 7], ["Р", "Б", 3.0]])
    table = ok(parse_org_table(data, "orgs.xlsx"))
    assert [r.timezone for r in table.rows] == ["Asia/Novosibirsk", "Europe/Moscow"]


def test_moscow_offset_matches_real_zone() -> None:
    # МСК+4 is UTC+7: check the chosen zone really is 7 hours ahead of UTC.
    zone = parse_timezone("МСК+4")
    assert zone is not None
    offset = datetime(2025, 1, 15, tzinfo=ZoneInfo(zone)).utcoffset()
    assert offset is not None
    assert offset.total_seconds() == 7 * 3600


# --- Names ------------------------------------------------------------------------------------


def test_normalize_name() -> None:
    assert normalize_name("  МБДОУ  «Ёлочка» ") == "мбдоу елочка"
    assert normalize_name('МБДОУ "Елочка"') == normalize_name("мбдоу ёлочка")
    assert normalize_name("СОШ №1") == normalize_name("СОШ № 1")
    assert normalize_name("СОШ № 1") != normalize_name("СОШ № 2")


def test_a_name_or_header_pasted_with_decomposed_letters_is_read_as_typed() -> None:
    """«Ё» and «Й» from a PDF or a Mac come as a letter and a combining mark (NFD): the same
    ППО, the same column, the same period as when typed on a keyboard."""
    names = ("МБДОУ детский сад «Ёлочка»", "Знаменская районная организация")
    assert [normalize_name(nfd(name)) for name in names] == [normalize_name(n) for n in names]
    data = make_xlsx([[nfd("Район"), "Организация"], [DISTRICT, "МБОУ СОШ № 1"]])
    assert [row.district for row in ok(parse_org_table(data, "orgs.xlsx")).rows] == [DISTRICT]
    today = date(2026, 12, 1)
    quarter = parse_period("2-й квартал 2026", today)
    assert quarter is not None and parse_period(nfd("2-й квартал 2026"), today) == quarter


def nfd(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    assert decomposed != text
    return decomposed


# --- Writing ----------------------------------------------------------------------------------


def test_template_round_trip() -> None:
    data = build_template_xlsx()
    table = ok(parse_org_table(data, "template.xlsx"))
    assert table.errors == []
    assert len(table.rows) == 3
    assert all(row.workers is not None and row.timezone for row in table.rows)
    assert table.rows[0].organization == "МБОУ СОШ № 1"
    assert table.rows[0].workers == 54

    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    assert headers == [
        "Регион",
        "Район",
        "Организация",
        "Работников",
        "Председатель",
        "Часовой пояс",
    ]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.column_dimensions["C"].width > 10
    assert workbook.sheetnames[1] == "Инструкция"
    instructions = " ".join(
        str(cell.value) for cell in workbook["Инструкция"]["A"] if cell.value is not None
    )
    assert "«Район» и «Организация»" in instructions
    assert "МСК+4" in instructions
    assert "обновляются" in instructions


def test_build_table_xlsx() -> None:
    url = "https://t.me/ppo_bot?start=abc123"
    data = build_table_xlsx(
        "Приглашения: ППО [район]/2025?*",
        ["Организация", "Ссылка", "Работников", "Дата"],
        [
            ["МБОУ СОШ № 1", url, 54, date(2025, 3, 1)],
            ["=Итого", None, 7, None],
            ["Очень длинное название " * 10, "x", 1.5, None],
        ],
    )
    workbook = load_workbook(io.BytesIO(data))
    assert len(workbook.sheetnames) == 1
    sheet = workbook.worksheets[0]
    title = sheet.title
    assert len(title) <= 31
    assert not set("[]:*?/\\") & set(title)
    assert title.startswith("Приглашения ППО")
    assert [cell.value for cell in sheet[1]] == ["Организация", "Ссылка", "Работников", "Дата"]
    assert all(cell.font.bold for cell in sheet[1])
    assert [cell.value for cell in sheet[2]][:3] == ["МБОУ СОШ № 1", url, 54]
    assert sheet["B2"].hyperlink is None
    assert sheet["B2"].data_type == "s"
    assert sheet["D2"].value == datetime(2025, 3, 1)
    assert sheet["A3"].value == "=Итого"
    assert sheet["A3"].data_type == "s"  # text, not a formula
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:D4"
    assert sheet.column_dimensions["A"].width == 60
    assert 8 <= sheet.column_dimensions["C"].width < 20


def test_build_table_xlsx_empty_title_and_no_rows() -> None:
    data = build_table_xlsx("[]:*?", ["Одна колонка"], [])
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert sheet.title == "Лист1"
    assert sheet["A1"].value == "Одна колонка"
    assert sheet.max_row == 1


def test_written_table_can_be_read_back_as_an_org_list() -> None:
    data = build_table_xlsx(
        "Организации", ["Район", "Организация", "Работников"], [["Р", "Школа", 12]]
    )
    table = ok(parse_org_table(data, "export.xlsx"))
    assert [(r.organization, r.workers) for r in table.rows] == [("Школа", 12)]


def test_an_organization_list_names_the_filled_sheets_it_did_not_read() -> None:
    book = Workbook()
    first = book.active
    assert first is not None
    first.append(["Район", "Организация", "Работников"])
    first.append(["Кировский район", "МБОУ СОШ № 1", 54])
    book.create_sheet("Города").append(["Район", "Организация"])
    book.create_sheet("Пустой")
    data = io.BytesIO()
    book.save(data)

    table = parse_org_table(data.getvalue(), "orgs.xlsx")

    assert [row.organization for row in table.rows] == ["МБОУ СОШ № 1"]
    assert table.unread_sheets == ["Города"]
    assert parse_org_table(b"\xd0\xcf\x11\xe0 not a workbook", "orgs.xlsx").unread_sheets == []
