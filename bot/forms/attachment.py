"""The answer to a form's file question, as the draft keeps it and the bot sends it on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.texts.markup import SafeHtml, as_html


@dataclass(frozen=True)
class Attachment:
    """The answer to a ``file`` question: what the bot needs to send the file on (its
    ``file_id``, and whether it is a photo, sent by ``sendPhoto``, or a document), the
    file's name for the people who read about it (a photo has none), and the caption its
    sender wrote on it with their formatting (None: none), which goes with it; ``spoiler``: a
    photo its sender hid under a spoiler, sent on hidden too; ``above``: a photo whose sender
    put the caption above it, sent on so (a document's caption is always below it).

    The caption is kept as ``caption_html``; one kept before its formatting was
    (``caption``, plain text) is read back escaped, so it shows as it was typed."""

    kind: str  # "document" or "photo"
    file_id: str
    name: str | None = None
    caption: SafeHtml | None = None
    spoiler: bool = False
    above: bool = False

    def as_answer(self) -> dict[str, Any]:
        answer: dict[str, Any] = {"kind": self.kind, "file_id": self.file_id, "name": self.name}
        # A file sent without a caption (a spoiler, the caption above) is stored as it was
        # before they were kept.
        answer |= {"spoiler": True} if self.spoiler else {}
        answer |= {"above": True} if self.above else {}
        return answer | ({"caption_html": self.caption} if self.caption else {})

    @classmethod
    def of(cls, value: Mapping[str, Any]) -> Attachment:
        html, plain = value.get("caption_html"), value.get("caption")
        caption = SafeHtml(html) if html else as_html(plain) if plain else None
        kind, name, spoiler = str(value["kind"]), value.get("name"), bool(value.get("spoiler"))
        return cls(kind, str(value["file_id"]), name, caption, spoiler, bool(value.get("above")))
