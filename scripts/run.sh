#!/usr/bin/env bash
# Set up (once) and start the bot: a virtualenv in .venv, the package and its dependencies,
# migrations applied on start. Settings come from .env (copy .env.example).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e .
exec .venv/bin/python -m bot "$@"
