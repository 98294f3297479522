#!/usr/bin/env bash
# Set up (once) and run every check: lint, format, types (mypy --strict), the size limits
# (scripts/sizes.py), the test suite (SQLite and PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."
PG_BIN=/usr/lib/postgresql/15/bin
# The PostgreSQL half of the suite needs the server binaries (tests/pg_cluster.py starts a
# throwaway cluster from them); a fresh Debian/Ubuntu machine run as root gets them here.
# Without them those tests are skipped with the reason; with them, a cluster that fails fails.
if [ ! -x "$PG_BIN/initdb" ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends postgresql-15
fi
source scripts/venv.sh
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]'
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/python scripts/sizes.py
# One worker per core, at most 4 (each starts its own PostgreSQL); `-n 0` runs in one process.
exec .venv/bin/python -m pytest --numprocesses=auto --maxprocesses=4 "$@"
