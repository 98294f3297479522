"""Benchmark: the .xlsx writers side by side on a region's table (10,000 ППО rows).

    .venv/bin/python -m pip install -e '.[bench]'     # XlsxWriter, the candidate not chosen
    .venv/bin/python -m bench.xlsx_writers [--rows N]

The digest's table is the bot's largest file: one row per ППО of the scope, 16 columns of
text, whole numbers, percentages and dates, a bold header, frozen first row, column widths.
Each candidate writes the same rows in a fresh process (so its peak RSS is its own), and the
file is opened again with openpyxl to check every row came out. Candidates: openpyxl in
write-only mode (what the bot used), XlsxWriter in constant-memory mode, and
rustpy-xlsxwriter (the Rust ``rust_xlsxwriter`` crate behind a Python binding: the winner,
what ``bot.rendering.xlsx`` now writes with). Prints figures; asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

HEADER = [
    "Район",
    "ППО",
    "Председатель",
    "Статус",
    "Дата сдачи",
    "Работников",
    "Членов",
    "Охват, %",
    "Изменение, п.п.",
    "Молодёжь до 35",
    "Молодых членов",
    "Охват молодёжи, %",
    "Пенсионеры",
    "Принято",
    "Выбыло",
    "Мероприятий",
]
WIDTHS = [28, 40, 28, 18, 12, 11, 9, 9, 12, 12, 12, 12, 11, 9, 9, 12]


def make_rows(count: int) -> list[list[Any]]:
    """Rows shaped like the digest's: text, counts, percentages, a date or a blank."""
    rng = random.Random(7)
    rows: list[list[Any]] = []
    for number in range(count):
        workers = rng.randint(8, 400)
        members = rng.randint(0, workers)
        youth = rng.randint(0, workers // 3)
        submitted = date(2026, 12, 1) + timedelta(days=rng.randint(0, 20))
        rows.append(
            [
                f"Район № {number // 100 + 1}",
                f"ППО МБОУ «Средняя школа № {number}» & филиал <{number % 7}>",
                f"Иванова Мария Петровна {number}",
                rng.choice(["сдан", "сдан с опозданием", "не сдан", "возвращён"]),
                submitted if rng.random() < 0.9 else None,
                workers,
                members,
                round(100 * members / workers, 1),
                round(rng.uniform(-10, 10), 1),
                youth,
                rng.randint(0, youth),
                round(rng.uniform(0, 100), 1),
                rng.randint(0, 40),
                rng.randint(0, 10),
                rng.randint(0, 10),
                rng.randint(0, 12),
            ]
        )
    return rows


def write_openpyxl(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Мониторинг")
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for title in HEADER:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_xlsxwriter(rows: list[list[Any]]) -> bytes:
    import xlsxwriter

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.xlsx"
        book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        sheet = book.add_worksheet("Мониторинг")
        bold = book.add_format({"bold": True})
        dates = book.add_format({"num_format": "dd.mm.yyyy"})
        for index, width in enumerate(WIDTHS):
            sheet.set_column(index, index, width)
        sheet.freeze_panes(1, 0)
        sheet.write_row(0, 0, HEADER, bold)
        for number, row in enumerate(rows, start=1):
            for column, value in enumerate(row):
                if isinstance(value, date):
                    sheet.write_datetime(number, column, value, dates)
                elif value is not None:
                    sheet.write(number, column, value)
        book.close()
        return path.read_bytes()


def write_rust(rows: list[list[Any]]) -> bytes:
    import rustpy_xlsxwriter

    records = [dict(zip(HEADER, row, strict=True)) for row in rows]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.xlsx"
        rustpy_xlsxwriter.write_worksheet(
            records,
            str(path),
            sheet_name="Мониторинг",
            freeze_row=1,
            bold_headers=True,
            column_widths=dict(zip(HEADER, WIDTHS, strict=True)),
        )
        return path.read_bytes()


WRITERS: dict[str, Callable[[list[list[Any]]], bytes]] = {
    "openpyxl write-only": write_openpyxl,
    "XlsxWriter constant_memory": write_xlsxwriter,
    "rustpy-xlsxwriter": write_rust,
}


def rows_in(data: bytes) -> int:
    """Data rows of the first sheet, read back with openpyxl (the file opens and is whole)."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    count = sum(1 for _ in book.worksheets[0].iter_rows(min_row=2, values_only=True))
    book.close()
    return count


def run_one(name: str, count: int) -> dict[str, Any]:
    rows = make_rows(count)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    data = WRITERS[name](rows)
    seconds = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "writer": name,
        "seconds": round(seconds, 3),
        "size_kb": len(data) // 1024,
        "rss_growth_mb": round((rss_after - rss_before) / 1024, 1),
        "peak_rss_mb": round(rss_after / 1024, 1),
        "rows_read_back": rows_in(data),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.rows)))
        return
    print(f"{args.rows} rows × {len(HEADER)} columns, each writer in its own process")
    for name in WRITERS:
        done = subprocess.run(
            [sys.executable, "-m", "bench.xlsx_writers", "--rows", str(args.rows), "--one", name],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            print(f"{name}: failed: {done.stderr.strip().splitlines()[-1]}")
            continue
        result = json.loads(done.stdout)
        print(
            f"{name:28} {result['seconds']:6.3f} s  {result['size_kb']:6d} KB  "
            f"RSS +{result['rss_growth_mb']} MB (peak {result['peak_rss_mb']} MB)  "
            f"rows read back: {result['rows_read_back']}"
        )


if __name__ == "__main__":
    main()
