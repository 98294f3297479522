"""One mechanism for every guided form: fields are data, the engine walks them.

Pure logic: no Telegram, no database. A form's progress is a step name plus a dict of
answers (JSON-safe values), so it can be saved after every answer and resumed anywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from bot.forms.attachment import Attachment
from bot.texts import forms as t

SUMMARY = "__summary__"

Answers = Mapping[str, Any]


class InvalidAnswer(ValueError):
    """Raised by a parser with the Russian text telling the user what is wrong."""


class AskAgain(Exception):
    """Raised by a form's submit, before it writes anything, when an answer no longer holds
    for what the database says now (a plan item's responsible who left the scope since the
    summary): question ``name`` is asked again with ``reason``, the other answers kept."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(reason)
        self.name = name


@dataclass(frozen=True)
class ParseEnv:
    """What a parser may need beyond the text: the organization's local date, for «сегодня»
    and checks, and its local time of day, for a start that must still be ahead (midnight
    where only the day is known: a command's argument, a test of dates)."""

    today: date
    time_of_day: time = time.min


Parser = Callable[[str, ParseEnv], Any]


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


Previous = Callable[[str], Any]
"""Last time's value of a field (None: none), as the form declares it."""


@dataclass(frozen=True)
class Field:
    """One question of a form.

    ``parse`` turns typed text into a JSON-safe value or raises InvalidAnswer;
    ``choices`` are answers offered as buttons (a tapped choice goes through ``parse`` too);
    ``ask_if`` hides the question when earlier answers make it pointless;
    ``show`` renders a stored value for the summary, as its parser reads it back (an answer
    given before is taken again as typed: :meth:`typed`);
    ``rereadable``: a stored value written as typed (:meth:`typed`) reads back as itself, so it
    may be offered again as one tap and is read again by the parser at «Отправить»; False for
    one no typing gives back (photos, a file, a value keeping more than its summary line
    says), stating why at the declaration: never offered again, only ``recheck`` run on it;
    ``photos`` > 0 makes it a question answered with up to that many photos;
    ``in_summary``: an optional question asked inside the summary rather than as a step, so
    it never lengthens the walk (answered by a message at the summary, or skipped);
    ``depends_on``: a changed answer to one of these drops this answer (it was for the old one);
    ``derive``: how a «как в прошлый раз» block computes this field instead of copying last
    time's value (from the answers and that value; None: it cannot, the field is asked);
    ``skip_label``: the skip button's label where «Пропустить» says too little;
    ``recheck``: for an answer time can make wrong (a start now passed, a deadline now behind
    today: a draft may wait overnight), why it no longer holds, or None; checked with every
    answer given (:meth:`FormSpec.read`) and again when the summary is confirmed, and the
    question is asked again with that reason;
    ``formatted``: a long text staff write to chairs, whose formatting (bold, a hidden link)
    is kept: its parser gets the message as HTML, not its bare text, and makes a ``SafeHtml``;
    ``file``: answered with one document or one photo sent in the chat (an announcement's
    «Положение о конкурсе» or poster): its value is an ``Attachment`` (as a dict) of a file
    Telegram holds, which the bot sends on by its ``file_id``: nothing is downloaded and no
    upload limit applies.
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
    in_summary: bool = False
    depends_on: tuple[str, ...] = ()
    derive: Callable[[Answers, Any], Any] | None = None
    skip_label: str | None = None
    recheck: Callable[[Any, ParseEnv], str | None] | None = None
    formatted: bool = False
    file: bool = False
    rereadable: bool = True

    def applies(self, answers: Answers) -> bool:
        return self.ask_if is None or self.ask_if(answers)

    def display(self, value: Any) -> str:
        """A stored value as the person sees it: a button's label, or ``show``."""
        label = next((c.label for c in self.choices if c.value == value), None)
        return label if label is not None else self.show(value)

    def typed(self, value: Any) -> str:
        """A stored value as the text ``parse`` reads back as it: a button's value, as its tap
        passes it, else as shown («2026-12-31» is «31.12.2026», the year written out)."""
        return str(value) if any(c.value == value for c in self.choices) else self.show(value)


@dataclass(frozen=True)
class Rule:
    """A check across fields, returning an error or None. It runs when one of ``fields`` is
    answered or skipped, once each of them has a value or, an optional question, was skipped
    or does not apply (the check sees None there): leaving a question blank can break a rule
    as an answer can (0 participants with the views skipped), so a skip is refused like an
    answer."""

    fields: tuple[str, ...]
    check: Callable[[Answers], str | None]


@dataclass(frozen=True)
class Shortcut:
    """«Как в прошлый раз» for a block of questions whose answers rarely change: one tap at
    any question of ``fields`` answers it and the block's later questions with last time's
    values (a field with ``derive`` computed instead); the walk then asks only the rest.

    ``button``: the button's label; ``hint``: the line under the question explaining it.
    """

    fields: tuple[str, ...]
    button: str
    hint: str


@dataclass(frozen=True)
class FormSpec:
    """A form's questions in order, its cross-field rules and its optional shortcut.

    The walk methods take ``skip``: questions a taken shortcut answered
    (``bot.forms.shortcut.covered``), which the walk passes over.
    """

    name: str
    title: str
    fields: tuple[Field, ...]
    rules: tuple[Rule, ...] = ()
    shortcut: Shortcut | None = None
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {f.name: i for i, f in enumerate(self.fields)})

    def field(self, name: str) -> Field:
        return self.fields[self._index[name]]

    def has_field(self, name: str) -> bool:
        return name in self._index

    def position(self, name: str) -> int:
        """Where question ``name`` comes in the form (0: first)."""
        return self._index[name]

    def first_step(self, answers: Answers) -> str:
        return self._walk(-1, +1, answers, frozenset())

    def next_step(self, current: str, answers: Answers, skip: frozenset[str] = frozenset()) -> str:
        return self._walk(self._index[current], +1, answers, skip)

    def previous_step(
        self, current: str, answers: Answers, skip: frozenset[str] = frozenset()
    ) -> str | None:
        """The question before ``current`` (the summary counts as after the last one)."""
        start = len(self.fields) if current == SUMMARY else self._index[current]
        step = self._walk(start, -1, answers, skip)
        return None if step == SUMMARY else step

    def is_step(self, f: Field, answers: Answers, skip: frozenset[str]) -> bool:
        """Whether ``f`` is asked as a step of its own in the walk."""
        return not f.in_summary and f.name not in skip and f.applies(answers)

    def _walk(self, start: int, direction: int, answers: Answers, skip: frozenset[str]) -> str:
        index = start + direction
        while 0 <= index < len(self.fields):
            if self.is_step(self.fields[index], answers, skip):
                return self.fields[index].name
            index += direction
        return SUMMARY

    def gone_stale(self, answers: Answers, env: ParseEnv) -> tuple[Field, str] | None:
        """The first answer kept that would not be taken now, with why (:meth:`stale_answers`).
        Checked at «Отправить», before anything is stored."""
        stale = self.stale_answers(answers, env, t.no_longer_taken)
        return next(((self.field(name), why) for name, why in stale.items()), None)

    def stale_answers(
        self, answers: Answers, env: ParseEnv, refused_as: Callable[[str, str], str]
    ) -> dict[str, str]:
        """Every answer kept that would not be taken now, in the form's order, with why: one
        time made wrong (``Field.recheck``: a start now passed), or one its question would
        refuse typed now (:meth:`refusal`, told by ``refused_as`` from the question's label and
        the refusal): a draft kept across a release that dropped its button or lowered a
        bound, a stored record opened at its summary with a value stored before a check or
        from a list (0 workers): such a record opens at that question
        (``declaration.OpenRequest.start``)."""
        stale: dict[str, str] = {}
        for f in self.fields:
            value = answers.get(f.name)
            if value is None or not f.applies(answers):
                continue
            if f.recheck is not None and (reason := f.recheck(value, env)) is not None:
                stale[f.name] = reason
            elif f.rereadable and (refused := self.refusal(f.name, value, env)) is not None:
                stale[f.name] = refused_as(f.label, refused)
        return stale

    def broken_rule(self, answers: Answers) -> tuple[Field, str] | None:
        """The first rule the answers break, with its question the walk would have refused
        (the latest of its fields in the form) and why. Answers are checked as they are given,
        but a stored record opened to change one field comes as it was stored, perhaps before
        a rule held: «Отправить» asks that question again rather than store it so once more."""
        for rule, error in self._failing(answers):
            asked = max(self._index[f] for f in rule.fields if f in self._index)
            return self.fields[asked], error
        return None

    def summary_question(self, answers: Answers) -> Field | None:
        """The question the summary asks: the first in-summary one that applies and was
        neither answered nor skipped."""
        return next(
            (
                f
                for f in self.fields
                if f.in_summary and f.applies(answers) and f.name not in answers
            ),
            None,
        )

    def visible_answers(self, answers: Answers) -> dict[str, Any]:
        """Answers of the questions that apply; a hidden question's stale value is dropped."""
        return {
            f.name: answers.get(f.name)
            for f in self.fields
            if f.applies(answers) and answers.get(f.name) is not None
        }

    def stored_answers(self, values: Answers) -> dict[str, Any]:
        """A stored record's values as this form's answers, for changing single fields: every
        question that applies counts as answered (``None``: skipped), so an edit asks nothing
        else; one that did not apply stays unanswered, so an edit that makes it apply asks it
        (an event changed to «Онлайн» asks for its views)."""
        return {f.name: values.get(f.name) for f in self.fields if f.applies(values)}

    def missing_required(self, answers: Answers) -> list[str]:
        return [
            f.name
            for f in self.fields
            if f.applies(answers) and not f.optional and answers.get(f.name) is None
        ]

    def still_to_ask(self, answers: Answers) -> list[str]:
        """What the summary may not be shown without: a required answer missing, or a question
        neither answered nor skipped (a «как в прошлый раз» value that broke a rule, an answer
        dropped because the one it depends on changed)."""
        return [
            f.name
            for f in self.fields
            if f.applies(answers)
            and (
                (not f.optional and answers.get(f.name) is None)
                or (not f.in_summary and f.name not in answers)
            )
        ]

    def answer(self, name: str, raw: str, answers: Answers, env: ParseEnv) -> dict[str, Any]:
        """Parse and check one answer (:meth:`read`, then the rules); returns the new answers or
        raises InvalidAnswer."""
        updated = self.with_answer(name, self.read(name, raw, env), answers)
        self._check(name, updated)
        return updated

    def read(self, name: str, raw: str, env: ParseEnv) -> Any:
        """``raw`` as question ``name``'s value: its parser, then its ``recheck``; raises
        InvalidAnswer. Every answer comes in here, typed or given before (:meth:`retake`)."""
        f = self.field(name)
        value = f.parse(raw, env)
        reason = None if f.recheck is None else f.recheck(value, env)
        if reason is not None:
            raise InvalidAnswer(reason)
        return value

    def retake(self, name: str, value: Any, answers: Answers, env: ParseEnv) -> dict[str, Any]:
        """An answer given before (a question's old answer, last time's value) taken as the
        same answer typed now (:meth:`Field.typed`): one path, so a check only its parser makes
        (a bound, a day that must not have passed) holds for it as for a typed one."""
        return self.answer(name, self.field(name).typed(value), answers, env)

    def refusal(self, name: str, value: Any, env: ParseEnv) -> str | None:
        """Why ``value``, given before, would not be taken at question ``name`` now (rules
        aside: they read the other answers), or None: a one-tap offer that cannot succeed is
        not made."""
        try:
            self.read(name, self.field(name).typed(value), env)
        except InvalidAnswer as refused:
            return str(refused)
        return None

    def add_photo(self, name: str, file_id: str, answers: Answers) -> dict[str, Any]:
        """Append a photo to a photo question; full means the question is answered."""
        limit = self.field(name).photos
        taken = list(answers.get(name) or [])
        if len(taken) >= limit:
            raise InvalidAnswer(name)
        return {**answers, name: [*taken, file_id]}

    def attach(self, name: str, attachment: Attachment, answers: Answers) -> dict[str, Any]:
        """Answer a file question with the file sent; a second one replaces the first."""
        updated = self.with_answer(name, attachment.as_answer(), answers)
        self._check(name, updated)
        return updated

    def skip(self, name: str, answers: Answers) -> dict[str, Any]:
        """Leave question ``name`` blank; returns the new answers or raises InvalidAnswer (a
        required question, or a rule the blank breaks: the answer given before is kept)."""
        if not self.field(name).optional:
            raise InvalidAnswer(t.CANNOT_SKIP)
        updated = self.with_answer(name, None, answers)
        self._check(name, updated)
        return updated

    def reopened(self, before: Answers, after: Answers) -> dict[str, Any]:
        """The answers (a skip's None too) ``before`` kept of questions it hid that ``after``
        makes apply again: an event's venue, its place changed from «Очно и онлайн» to a hall
        and back. Given before the answer they follow changed, they may be stale, so they are
        asked again (:meth:`with_answer` drops them), the old value offered as one tap."""
        return {
            f.name: before[f.name]
            for f in self.fields
            if f.name in before and not f.applies(before) and f.applies(after)
        }

    def with_answer(self, name: str, value: Any, answers: Answers) -> dict[str, Any]:
        """``answers`` with ``name`` set; answers that depend on it drop out if it changed, and
        so do those of questions it makes apply again (:meth:`reopened`)."""
        updated = {**answers, name: value}
        if name in answers and answers[name] != value:
            for f in self.fields:
                if name in f.depends_on:
                    updated.pop(f.name, None)
        for again in self.reopened(answers, updated):
            updated.pop(again, None)
        return updated

    def _check(self, name: str, answers: Answers) -> None:
        error = self.broken(name, answers)
        if error:
            raise InvalidAnswer(error)

    def broken(self, name: str, answers: Answers) -> str | None:
        """The first rule involving ``name`` that ``answers`` break, or None."""
        return next((error for rule, error in self._failing(answers) if name in rule.fields), None)

    def _failing(self, answers: Answers) -> Iterator[tuple[Rule, str]]:
        """The rules ``answers`` break, with why. A question that does not apply is absent to
        them: its old value stays in the draft, to be offered when it applies again (young
        members kept while young workers are skipped), but it bounds nothing meanwhile."""
        seen = {**answers, **{f.name: None for f in self.fields if not f.applies(answers)}}
        for rule in self.rules:
            if all(self._settled(f, answers) for f in rule.fields) and (error := rule.check(seen)):
                yield rule, error

    def _settled(self, name: str, answers: Answers) -> bool:
        """Whether a rule may read ``name`` yet: it has a value, or it is an optional question
        that was skipped or does not apply (a value a rule needs from outside the form, a
        quota, must be there; a required question that does not apply stops the rule)."""
        if not self.has_field(name):
            return answers.get(name) is not None
        f = self.field(name)
        if not f.applies(answers):
            return f.optional
        return answers.get(name) is not None or (f.optional and name in answers)
