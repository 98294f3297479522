"""Where a bench runs, and what it prints of the plans: the parts every bench shares.

``arguments`` starts a bench's command line (``--postgres`` in every one); ``on_database`` gives
a bench a fresh SQLite file (WAL, as in production) or a throwaway PostgreSQL 15 server (the
test suite's ``tests/pg_cluster``, durability off as in the tests);
``print_plans`` prints the plan each recorded statement got, so a figure comes with its why.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections.abc import Callable, Coroutine, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

TESTS = Path(__file__).resolve().parent.parent / "tests"


def arguments(doc: str | None) -> argparse.ArgumentParser:
    """A bench's command line: its docstring's first line, and ``--postgres``, which all take."""
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="run on a throwaway PostgreSQL")
    return parser


def on_database(postgres: bool, measure: Callable[[str], Coroutine[Any, Any, None]]) -> None:
    """Run ``measure(url)`` on a fresh SQLite file or a throwaway PostgreSQL 15."""
    with tempfile.TemporaryDirectory() as folder:
        if postgres:
            sys.path.insert(0, str(TESTS))
            from pg_cluster import start_postgres

            with start_postgres(Path(folder)) as cluster:
                url = cluster.create_database("bench")
                print("PostgreSQL 15 (durability off, as in the tests)")
                asyncio.run(measure(url))
        else:
            print("SQLite (WAL, as in production)")
            asyncio.run(measure(f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}"))


async def print_plans(
    engine: AsyncEngine,
    statements: Mapping[str, Any],
    shown: Callable[[str, Any], bool] = lambda _sql, _params: True,
) -> None:
    """The plan the database chooses for each of ``statements`` (SQL → its first parameters)
    that is ``shown``."""
    explain = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    async with engine.connect() as connection:
        for sql, params in list(statements.items()):
            if shown(sql, params):
                print("  " + " ".join(sql.split())[:150])
                for row in (await connection.exec_driver_sql(explain + sql, params)).all():
                    print("     ", row[-1])
