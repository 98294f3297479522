"""What a form needs beyond its fields: how to open it, summarize it and store it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.forms.engine import FormSpec
from storage.models import FormDraft


@dataclass(frozen=True)
class Summary:
    text: str
    needs_explicit_confirm: bool = False


class FormFlow(Protocol):
    spec: FormSpec

    def previous_value(self, field: str, context: dict[str, Any]) -> Any:
        """The value the ППО gave last time, offered as a one-tap answer (or None)."""

    def summary(self, answers: dict[str, Any], context: dict[str, Any], today: date) -> Summary:
        """The text shown before saving; ``today`` is the ППО's local date."""

    async def submit(
        self, session: AsyncSession, draft: FormDraft, person_id: int, now: datetime
    ) -> str:
        """Store the form; must be idempotent on ``draft.token``. Returns the text to send."""
