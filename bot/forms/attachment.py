"""The answer to a form's file question, as the draft keeps it and the bot sends it on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Attachment:
    """The answer to a ``file`` question: what the bot needs to send the file on (its
    ``file_id``, and whether it is a photo, sent by ``sendPhoto``, or a document), the
    file's name for the people who read about it (a photo has none), and the caption its
    sender wrote on it (raw; None: none), which goes with it."""

    kind: str  # "document" or "photo"
    file_id: str
    name: str | None = None
    caption: str | None = None

    def as_answer(self) -> dict[str, Any]:
        answer = {"kind": self.kind, "file_id": self.file_id, "name": self.name}
        # A file sent without a caption is stored as it was before captions were kept.
        return answer | ({"caption": self.caption} if self.caption else {})

    @classmethod
    def of(cls, value: Mapping[str, Any]) -> Attachment:
        return cls(
            str(value["kind"]), str(value["file_id"]), value.get("name"), value.get("caption")
        )
