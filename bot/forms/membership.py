"""The membership monitoring form, described as data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.forms.engine import Answers, Field, FormSpec, Rule, Shortcut
from bot.forms.parsers import number_parts, whole_number
from bot.texts import membership as t
from storage.reports import HEADCOUNT_FIELDS, LEAVING_FIELDS

MAX_PEOPLE = 100_000
count = whole_number(maximum=MAX_PEOPLE)


def _not_more(small: str, big: str, message: Callable[[int, int], str]) -> Rule:
    """``small`` may not exceed ``big`` (members ≤ workers and the like); a count skipped
    bounds nothing and exceeds nothing."""

    def check(answers: Answers) -> str | None:
        part, whole = answers[small], answers[big]
        if part is not None and whole is not None and part > whole:
            return message(part, whole)
        return None

    return Rule((small, big), check)


def derived_members(answers: Answers, before: Any) -> int | None:
    """Members now if only the movement changed: last time's + принято − выбыло."""
    if before is None:
        return None
    members = int(before) + (answers.get("joined") or 0) - (answers.get("left") or 0)
    return members if members >= 0 else None


def _reasons_add_up(answers: Answers) -> str | None:
    """The reasons, when given («Не знаю» skips them), add up to those who left."""
    total, parts = answers["left"], answers["left_reasons"]
    if parts is None or sum(parts) == total:
        return None
    return t.reasons_sum_mismatch(sum(parts), total)


def _members_among(name: str, label: str, prompt: str, among: str) -> Field:
    """How many of ``among`` (the young, the managers) are members: optional, and asked only
    once ``among`` was answered."""
    return Field(
        name, label, prompt, count, optional=True, ask_if=lambda a: a.get(among) is not None
    )


MEMBERSHIP = FormSpec(
    name="membership",
    title=t.TITLE,
    fields=(
        Field("workers", t.L_WORKERS, t.Q_WORKERS, whole_number(minimum=1, maximum=MAX_PEOPLE)),
        Field("members", t.L_MEMBERS, t.Q_MEMBERS, count, derive=derived_members),
        Field("youth_workers", t.L_YOUTH_WORKERS, t.Q_YOUTH_WORKERS, count, optional=True),
        _members_among("youth_members", t.L_YOUTH_MEMBERS, t.Q_YOUTH_MEMBERS, "youth_workers"),
        Field("managers", t.L_MANAGERS, t.Q_MANAGERS, count, optional=True),
        _members_among("managers_members", t.L_MANAGERS_MEMBERS, t.Q_MANAGERS_MEMBERS, "managers"),
        Field("joined", t.L_JOINED, t.Q_JOINED, count, optional=True, offer_previous=False),
        Field("left", t.L_LEFT, t.Q_LEFT, count, optional=True, offer_previous=False),
        Field(
            "left_reasons",
            t.L_LEFT_REASONS,
            t.Q_LEFT_REASONS,
            number_parts(len(LEAVING_FIELDS), maximum=MAX_PEOPLE),
            optional=True,
            offer_previous=False,
            # The summary words the split as reasons («по собственному желанию — 2»), which the
            # question's «2 1 0 0» does not read; and an old split is never wanted again: it was
            # for the «выбыло» it came with (a changed «выбыло» drops it, depends_on).
            rereadable=False,
            ask_if=lambda a: (a.get("left") or 0) > 0,
            show=t.show_reasons,
            in_summary=True,
            depends_on=("left",),
            skip_label=t.BTN_DONT_KNOW,
        ),
        Field("retired", t.L_RETIRED, t.Q_RETIRED, count, optional=True),
    ),
    rules=(
        _not_more("members", "workers", t.members_over_workers),
        _not_more("youth_workers", "workers", t.youth_over_workers),
        _not_more("youth_members", "youth_workers", t.youth_members_over_youth),
        _not_more("youth_members", "members", t.youth_members_over_members),
        _not_more("managers", "workers", t.managers_over_workers),
        _not_more("managers_members", "managers", t.managers_members_over_managers),
        _not_more("managers_members", "members", t.managers_members_over_members),
        Rule(("left_reasons", "left"), _reasons_add_up),
    ),
    shortcut=Shortcut(
        fields=(*HEADCOUNT_FIELDS, "retired"),
        button=t.BTN_QUICK,
        hint=t.QUICK_HINT,
    ),
)
