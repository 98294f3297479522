# Sourced by run.sh and test.sh from the project folder: .venv with Python 3.11+ in it, made
# when missing, made again when an older Python built it (the code would not even load there).
python_ok() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; }
if [ -e .venv ] && ! python_ok .venv/bin/python; then
  echo "The .venv is not of Python 3.11+: making it again" >&2
  rm -rf .venv
fi
if [ ! -e .venv ]; then
  if ! python_ok python3; then
    found=$(python3 --version 2>&1 || echo "no python3")
    echo "Python 3.11+ is needed as python3 (found: $found)" >&2
    exit 1
  fi
  python3 -m venv .venv
fi
