"""Shorthands for the questions most forms ask, so a declaration states each thing once.

A button question names its buttons once (the parser that reads them is derived), and a
question that follows one answer says which answer, instead of a lambda per form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.forms.attachment import Attachment
from bot.forms.engine import Answers, Choice, Field, InvalidAnswer, ParseEnv
from bot.forms.parsers import YES_NO_CHOICES, choice, show_yes_no, yes_no
from bot.texts import forms as t


def one_of(name: str, label: str, prompt: str, options: tuple[Choice, ...], **more: Any) -> Field:
    """A question answered by one of ``options``' buttons (or by typing a button's words)."""
    return Field(name, label, prompt, choice(options), choices=options, **more)


def yes_or_no(name: str, label: str, prompt: str, **more: Any) -> Field:
    """A «Да»/«Нет» question, shown in the summary as the buttons say it."""
    return Field(name, label, prompt, yes_no, choices=YES_NO_CHOICES, show=show_yes_no, **more)


def one_file(name: str, label: str, prompt: str, **more: Any) -> Field:
    """An optional question answered by one document or one photo sent in the chat; typed
    text is told to send a file or skip. Last time's file is never offered: each announcement
    has its own; nor is a file ever typed (``rereadable``)."""
    return Field(
        name,
        label,
        prompt,
        _file_expected,
        optional=True,
        file=True,
        offer_previous=False,
        rereadable=False,
        show=show_file,
        **more,
    )


def _file_expected(raw: str, env: ParseEnv) -> Any:
    raise InvalidAnswer(t.FILE_EXPECTED)


def show_file(value: Any) -> str:
    """A file answer as its sender knows it: the document's name, or «фото»."""
    if not isinstance(value, dict):
        return ""
    attachment = Attachment.of(value)
    return t.file_shown(attachment.kind == "photo", attachment.name)


@dataclass(frozen=True)
class AskedWhen:
    """An ``ask_if`` for a question that follows one answer: asked while ``name`` holds one
    of ``values`` (and dropped from the summary when it no longer does). It names the answer
    it reads, so that a question ahead that answer already hides is not counted as to come."""

    name: str
    values: tuple[Any, ...]

    def __call__(self, answers: Answers) -> bool:
        return answers.get(self.name) in self.values


def asked_when(name: str, *values: Any) -> AskedWhen:
    return AskedWhen(name, values)
