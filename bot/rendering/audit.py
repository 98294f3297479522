"""An audit entry's change as one line for /audit. Pure: no Telegram, no database."""

from __future__ import annotations

from typing import Any


def change_summary(
    before: dict[str, Any] | None, after: dict[str, Any] | None, limit: int = 120
) -> str:
    """A one-line «field: old → new» summary of an entry, cut to ``limit`` characters.

    Raw: the texts function building the /audit line escapes it.
    """
    before, after = before or {}, after or {}
    parts = []
    for key in dict.fromkeys([*before, *after]):
        old, new = before.get(key), after.get(key)
        if key in before and key in after:
            parts.append(f"{key}: {old} → {new}")
        elif key in after:
            parts.append(f"{key}: {new}")
        else:
            parts.append(f"{key}: {old}")
    text = "; ".join(parts)
    return text if len(text) <= limit else text[: limit - 1] + "…"
