#!/usr/bin/env bash
# Set up (once) and start the bot: a virtualenv in .venv, the package and its dependencies,
# migrations applied on start. Settings come from .env (copy .env.example).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
.venv/bin/python -m pip install -q --disable-pip-version-check -e .
exec .venv/bin/python -m bot "$@"
