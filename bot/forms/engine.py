"""One mechanism for every guided form: fields are data, the engine walks them.

Pure logic: no Telegram, no database. A form's progress is a step name plus a dict of
answers (JSON-safe values), so it can be saved after every answer and resumed anywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

SUMMARY = "__summary__"

Answers = Mapping[str, Any]


class InvalidAnswer(ValueError):
    """Raised by a parser with the Russian text telling the user what is wrong."""


@dataclass(frozen=True)
class ParseEnv:
    """What a parser may need beyond the text: the ППО's local date, for «сегодня» and checks."""

    today: date


Parser = Callable[[str, ParseEnv], Any]


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Field:
    """One question of a form.

    ``parse`` turns typed text into a JSON-safe value or raises InvalidAnswer;
    ``choices`` are answers offered as buttons (a tapped choice goes through ``parse`` too);
    ``ask_if`` hides the question when earlier answers make it pointless;
    ``show`` renders a stored value for the summary;
    ``photos`` > 0 makes it a question answered with up to that many photos.
    """

    name: str
    label: str
    prompt: str
    parse: Parser
    optional: bool = False
    choices: tuple[Choice, ...] = ()
    offer_previous: bool = True
    ask_if: Callable[[Answers], bool] | None = None
    show: Callable[[Any], str] = str
    photos: int = 0

    def applies(self, answers: Answers) -> bool:
        return self.ask_if is None or self.ask_if(answers)

    def display(self, value: Any) -> str:
        """A stored value as the person sees it: a button's label, or ``show``."""
        label = next((c.label for c in self.choices if c.value == value), None)
        return label if label is not None else self.show(value)


@dataclass(frozen=True)
class Rule:
    """A check across fields; runs once all of ``fields`` have values, returns an error or None."""

    fields: tuple[str, ...]
    check: Callable[[Answers], str | None]


@dataclass(frozen=True)
class FormSpec:
    name: str
    title: str
    fields: tuple[Field, ...]
    rules: tuple[Rule, ...] = ()
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {f.name: i for i, f in enumerate(self.fields)})

    def field(self, name: str) -> Field:
        return self.fields[self._index[name]]

    def has_field(self, name: str) -> bool:
        return name in self._index

    def first_step(self, answers: Answers) -> str:
        return self._walk(-1, +1, answers)

    def next_step(self, current: str, answers: Answers) -> str:
        return self._walk(self._index[current], +1, answers)

    def previous_step(self, current: str, answers: Answers) -> str | None:
        """The question before ``current`` (the summary counts as after the last one)."""
        start = len(self.fields) if current == SUMMARY else self._index[current]
        step = self._walk(start, -1, answers)
        return None if step == SUMMARY else step

    def _walk(self, start: int, direction: int, answers: Answers) -> str:
        index = start + direction
        while 0 <= index < len(self.fields):
            if self.fields[index].applies(answers):
                return self.fields[index].name
            index += direction
        return SUMMARY

    def visible_answers(self, answers: Answers) -> dict[str, Any]:
        """Answers of the questions that apply; a hidden question's stale value is dropped."""
        return {
            f.name: answers.get(f.name)
            for f in self.fields
            if f.applies(answers) and answers.get(f.name) is not None
        }

    def missing_required(self, answers: Answers) -> list[str]:
        return [
            f.name
            for f in self.fields
            if f.applies(answers) and not f.optional and answers.get(f.name) is None
        ]

    def answer(self, name: str, raw: str, answers: Answers, env: ParseEnv) -> dict[str, Any]:
        """Parse and check one answer; returns the new answers or raises InvalidAnswer."""
        value = self.field(name).parse(raw, env)
        updated = {**answers, name: value}
        self._check(name, updated)
        return updated

    def add_photo(self, name: str, file_id: str, answers: Answers) -> dict[str, Any]:
        """Append a photo to a photo question; full means the question is answered."""
        limit = self.field(name).photos
        taken = list(answers.get(name) or [])
        if len(taken) >= limit:
            raise InvalidAnswer(name)
        return {**answers, name: [*taken, file_id]}

    def skip(self, name: str, answers: Answers) -> dict[str, Any]:
        if not self.field(name).optional:
            raise InvalidAnswer(name)
        return {**answers, name: None}

    def _check(self, name: str, answers: Answers) -> None:
        for rule in self.rules:
            if name in rule.fields and all(answers.get(f) is not None for f in rule.fields):
                error = rule.check(answers)
                if error:
                    raise InvalidAnswer(error)
