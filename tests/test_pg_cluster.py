"""The throwaway PostgreSQL cluster starts, accepts asyncpg connections and cleans up."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from pg_cluster import missing_binaries_reason, start_postgres

_MISSING = missing_binaries_reason()

# Skipped only without the binaries: where they exist, a cluster that cannot start fails.
pytestmark = pytest.mark.skipif(_MISSING is not None, reason=_MISSING or "")


async def test_start_connect_and_stop(tmp_path: Path) -> None:
    asyncpg = pytest.importorskip("asyncpg")
    cluster = await asyncio.to_thread(start_postgres, tmp_path)
    try:
        assert cluster.url == f"postgresql+asyncpg://postgres@127.0.0.1:{cluster.port}/test"
        assert cluster.startup_seconds < 15
        conn = await asyncpg.connect(cluster.dsn())
        try:
            version = await conn.fetchval("select version()")
            database = await conn.fetchval("select current_database()")
            fsync = await conn.fetchval("show fsync")
        finally:
            await conn.close()
        assert "PostgreSQL 15" in version
        assert database == "test"
        assert fsync == "off"

        other_url = await asyncio.to_thread(cluster.create_database, "fresh_db")
        assert other_url.endswith(f":{cluster.port}/fresh_db")
        conn = await asyncpg.connect(cluster.dsn("fresh_db"))
        try:
            assert await conn.fetchval("select current_database()") == "fresh_db"
        finally:
            await conn.close()
    finally:
        await asyncio.to_thread(cluster.stop)
    assert not cluster.base_dir.exists()
    assert not cluster.is_running()
