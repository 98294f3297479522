"""The spreadsheet writer (rustpy-xlsxwriter behind ``bot.rendering.xlsx``) and the region's
coverage histogram: every file is opened again and its cells, formats and pixels checked."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

from openpyxl import load_workbook
from PIL import Image

from bot.domain.digest import DigestData, build_digest
from bot.rendering import histogram
from bot.rendering.digest import digest_chart_png, digest_table_xlsx
from bot.rendering.xlsx import MAX_COLUMN_WIDTH, build_table_xlsx, build_workbook_xlsx
from storage.digest import PastReport, PpoRow, ReportRow, ScopeInfo
from storage.models import OrgKind

PERIOD = date(2026, 12, 1)
T0 = datetime(2026, 12, 10, 9, 30, tzinfo=UTC)

INJECTIONS = [
    "=1+1",
    '=HYPERLINK("http://evil.example","Нажмите")',
    "+79001234567",
    "-5",
    "@SUM(A1)",
    "=Итого",
]


def _sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode()


def test_text_that_looks_like_a_formula_stays_text() -> None:
    data = build_table_xlsx("ППО", ["Организация", "Число"], [[text, 1] for text in INJECTIONS])
    assert "<f>" not in _sheet_xml(data)  # no formula anywhere in the file
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    for row, text in enumerate(INJECTIONS, start=2):
        cell = sheet.cell(row=row, column=1)
        assert (cell.value, cell.data_type) == (text, "s")


def test_dates_times_and_numbers_keep_their_types() -> None:
    rows = [
        [date(2026, 12, 1), date(2026, 12, 2), 5, Decimal("2.5"), True],
        [date(2026, 12, 3), datetime(2026, 12, 4, 15, 45, tzinfo=UTC), 7.25, None, False],
        [None, None, None, 1, None],
    ]
    data = build_table_xlsx("Даты", ["Срок", "Сдан", "Число", "Доля", "Флаг"], rows)
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert sheet["A2"].value == datetime(2026, 12, 1) and sheet["A2"].is_date
    assert sheet["A2"].number_format == "DD.MM.YYYY"
    # a date above a time in one column: the time of day is not cut off
    assert sheet["B2"].value == datetime(2026, 12, 2)
    assert sheet["B3"].value == datetime(2026, 12, 4, 15, 45)  # the zone dropped, not shifted
    assert sheet["B3"].number_format == "DD.MM.YYYY HH:MM"
    assert (sheet["C2"].value, sheet["C3"].value, sheet["C2"].data_type) == (5, 7.25, "n")
    assert (sheet["D2"].value, sheet["D4"].value) == (2.5, 1)
    assert (sheet["E2"].value, sheet["E3"].value) == (True, False)
    assert sheet["C4"].value is None and sheet["A4"].value is None
    assert sheet["C2"].number_format == "General"  # a number column is not date-formatted


def test_header_freeze_widths_filter_and_several_sheets() -> None:
    long_text = "Очень длинное название организации " * 4
    data = build_workbook_xlsx(
        [
            ("Лист", ["Организация", "Число", "Организация"], [[long_text, 1, "x"]]),
            ("Лист", ["Причина", "Число"], []),
            ("Итоги: [2026]", ["Ч"], [[1], [2]]),
        ]
    )
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Лист", "Лист1", "Итоги 2026"]
    first, empty, third = book.worksheets
    # repeated headers are told apart: the writer keys a row's cells by header
    assert [cell.value for cell in first[1]] == ["Организация", "Число", "Организация (2)"]
    assert all(cell.font.bold for sheet in book.worksheets for cell in sheet[1])
    assert {sheet.freeze_panes for sheet in book.worksheets} == {"A2"}
    assert first.auto_filter.ref == "A1:C2" and third.auto_filter.ref == "A1:A3"
    assert first.column_dimensions["A"].width == MAX_COLUMN_WIDTH
    assert first["A2"].alignment.wrap_text  # longer than the column: wrapped
    assert 8 <= first.column_dimensions["B"].width < 12
    assert [cell.value for cell in empty[1]] == ["Причина", "Число"] and empty.max_row == 1


def test_control_characters_are_dropped_and_long_text_is_cut() -> None:
    data = build_table_xlsx("x", ["Текст"], [["a\x01b\x1fc\ufffe\uffff"], ["я" * 40_000]])
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert sheet["A2"].value == "abc"
    assert sheet["A3"].value == "я" * 32_767


# --- The region's chart and table --------------------------------------------------------------


def _ppo(i: int) -> PpoRow:
    return PpoRow(
        org_id=i,
        name=f"=Школа № {i}",
        district_id=1 + i % 3,
        district_name=f"Район {1 + i % 3}",
        workers=None,
        listed_chair=None,
        chair_person_id=None,
        chair_name=None,
        chair_tg_id=None,
        chair_unreachable=False,
        chair_paused_until=None,
    )


def _report(i: int, members: int) -> ReportRow:
    return ReportRow(
        org_id=i,
        period=PERIOD,
        revision=1,
        workers=100,
        members=members,
        youth_workers=None,
        youth_members=None,
        managers=None,
        managers_members=None,
        joined=None,
        left=None,
        retired=None,
        submitted_by=1,
        submitted_by_name="Иванов",
        submitted_at=T0,
        returned_at=None,
        return_comment=None,
    )


def _region_digest(members: list[int]) -> DigestData:
    return DigestData(
        scope=ScopeInfo(1, OrgKind.REGION, "Областная организация", None),
        period=PERIOD,
        today=date(2026, 12, 15),
        tz="Europe/Moscow",
        ppos=[_ppo(i) for i in range(len(members))],
        reports={i: _report(i, m) for i, m in enumerate(members)},
        previous={i: PastReport(i, date(2026, 9, 1), 100, 50) for i in range(len(members))},
        collection=None,
    )


def test_region_chart_is_a_histogram_with_the_lines_and_the_region_marked() -> None:
    members = [3, 49, 50, 50, 79, 80, 99, 100, 100, 100]
    digest = build_digest(_region_digest(members))
    png = digest_chart_png(digest)
    assert Image.open(io.BytesIO(png)).size == (histogram.WIDTH_PX, histogram.HEIGHT_PX)

    chart = histogram.render_coverage_histogram([float(m) for m in members], "Охват", 71.0)
    assert (
        chart.png
        == histogram.render_coverage_histogram([float(m) for m in members], "Охват", 71.0).png
    )  # deterministic
    expected = [0] * histogram.BINS
    for bin_index, count in ((0, 1), (9, 1), (10, 2), (15, 2), (19, 4)):
        expected[bin_index] = count
    assert chart.counts == expected  # 100 % in the last bin, 50 % in [50, 55), 80 % in [75, 80]
    assert sum(chart.counts) == len(members)
    rgb = Image.open(io.BytesIO(chart.png)).convert("RGB")
    colors = {rgb.getpixel((x, y)) for x in range(0, rgb.width, 2) for y in range(0, rgb.height, 2)}
    for hex_color in (histogram.LINE_LOW, histogram.LINE_HIGH, histogram.COLOR_OVERALL):
        wanted = tuple(int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
        assert wanted in colors, hex_color


def _overall_label_columns(overall: float) -> tuple[int, int]:
    """The leftmost and rightmost columns of the region's label (its blue, above the plot)."""
    png = histogram.render_coverage_histogram([overall, 40.0], "Охват", overall).png
    rgb = Image.open(io.BytesIO(png)).convert("RGB")
    wanted = tuple(int(histogram.COLOR_OVERALL[i : i + 2], 16) for i in (1, 3, 5))
    top = int(histogram.HEIGHT_PX * (1 - 0.76)) - 5  # the label, not the dashed line under it
    band = rgb.crop((0, 0, rgb.width, top)).get_flattened_data()
    xs = [
        index % rgb.width
        for index, pixel in enumerate(band)
        if max(abs(a - b) for a, b in zip(pixel, wanted, strict=True)) < 40
    ]
    return min(xs), max(xs)


def test_the_regions_label_is_whole_near_0_and_100_percent() -> None:
    # «По региону: 50,4 %» is drawn whole, centred on its line; a label as long is as wide
    for whole, near_edge in ((50.4, (99.4, 96.6)), (7.4, (0.4,))):
        left, right = _overall_label_columns(whole)
        for overall in near_edge:
            edge_left, edge_right = _overall_label_columns(overall)
            assert abs((edge_right - edge_left) - (right - left)) <= 3, overall
            assert edge_left > 0 and edge_right < histogram.WIDTH_PX - 1, overall


def test_empty_histogram_is_a_valid_png() -> None:
    chart = histogram.render_coverage_histogram([], "Охват\nОбласть", None)
    assert chart.counts == [0] * histogram.BINS
    assert Image.open(io.BytesIO(chart.png)).size == (histogram.WIDTH_PX, histogram.HEIGHT_PX)


def test_region_table_keeps_names_as_text_and_times_local() -> None:
    digest = build_digest(_region_digest([40, 60, 90]))
    book = load_workbook(io.BytesIO(digest_table_xlsx(digest)))
    sheet = book.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    names = [row[headers.index("ППО")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == ["=Школа № 0", "=Школа № 1", "=Школа № 2"]
    assert "<f>" not in _sheet_xml(digest_table_xlsx(digest))
    times = [
        cell.value
        for row in sheet.iter_rows(min_row=2)
        for cell in row
        if isinstance(cell.value, datetime) and cell.value.hour
    ]
    assert times == [datetime(2026, 12, 10, 12, 30)] * 3  # 09:30 UTC is 12:30 in Moscow
    assert len(book.sheetnames) == 3


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_a_sheet_titled_by_a_name_with_emoji_fits_excels_limit_in_utf16_units() -> None:
    district = "🏫 Железнодорожный район 🎓🎓🎓🎓🎓 «Дружба»"
    data = build_workbook_xlsx(
        [
            (district, ["Организация"], [["Школа № 1"]]),
            (district, ["Организация"], [["Школа № 2"]]),
            ("🎉" * 20, ["Ч"], [[1]]),
            ("'[Итоги]: 2026/27 * ? \\ 🎉'", ["Ч"], [[1]]),
        ]
    )
    book = load_workbook(io.BytesIO(data))
    first, second, emoji, forbidden = book.sheetnames
    assert first == "🏫 Железнодорожный район 🎓🎓🎓"  # 31 units: each emoji is two
    assert second == "🏫 Железнодорожный район 🎓🎓1"  # the suffix keeps the limit too
    assert emoji == "🎉" * 15  # not 15½: a pair is never split
    assert forbidden == "Итоги 2026 27 🎉"
    assert all(utf16_units(title) <= 31 for title in book.sheetnames)
    assert all(title.isprintable() for title in book.sheetnames)  # no lone surrogate
