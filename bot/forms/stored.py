"""A stored record opened at its summary to change single fields: what it asks first.

Its values come as they were stored, perhaps before a check or from a list: the
organization list stores 0 workers (unknown), which no typed answer may be. «Отправить» reads
every kept answer again (``FormSpec.gone_stale``), but a chair should not walk there to learn
of it: such an answer counts as not given when the form opens, which then asks it first, as
an edit, saying why, the other answers kept.
"""

from __future__ import annotations

from typing import Any

from bot.forms.engine import SUMMARY, FormSpec, ParseEnv
from bot.texts import forms as t


def opening_step(
    spec: FormSpec, answers: dict[str, Any], env: ParseEnv, note: str | None
) -> tuple[str, dict[str, Any], str | None]:
    """The step a record opened at the summary starts at (the summary, or the first question
    still to ask: ``FormSpec.still_to_ask``), its answers without those not taken now, and
    the note above it (``note`` and, at a question, why its stored answer is not taken)."""
    stale = spec.stale_answers(answers, env, t.stored_not_taken)
    kept = {name: value for name, value in answers.items() if name not in stale}
    missing = spec.still_to_ask(kept)
    if not missing:
        return SUMMARY, kept, note
    why = stale.get(missing[0])
    return missing[0], kept, "\n\n".join(line for line in (note, why) if line) or None
