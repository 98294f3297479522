"""The house's size limits, checked by the test command: no module of the application over 400
lines, no function over 60 (texts and migrations aside: they are data).

    .venv/bin/python scripts/sizes.py

Prints each breach and exits 1 if there is one: a long module or function is where the next
change gets hard to read, so it is split when it grows, not later.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "storage")
EXEMPT = ("texts", "migrations")
MODULE_LINES = 400
FUNCTION_LINES = 60


def breaches(path: Path) -> list[str]:
    """What in one module is over the limits, as lines to print."""
    source = path.read_text(encoding="utf-8")
    name = path.relative_to(ROOT)
    found = []
    lines = source.count("\n")
    if lines > MODULE_LINES:
        found.append(f"{name}: {lines} lines (limit {MODULE_LINES})")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > FUNCTION_LINES:
                found.append(f"{name}:{node.lineno} {node.name}: {length} lines")
    return found


def main() -> int:
    modules = [
        path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if not any(part in EXEMPT for part in path.relative_to(ROOT).parts)
    ]
    found = [line for path in modules for line in breaches(path)]
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
