"""A district event as staff see it: the answers before it (coming, not coming, silent, people
promised), and after it who took part, how many, and who did not with their chairs, as a
message and as an .xlsx ready for a presidium resolution (seed 000).

Pure: no Telegram, no database. A ППО took part when its attendance is above zero; one whose
attendance nobody entered counts as not having taken part (the message says how many).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.rendering.xlsx import build_table_xlsx
from bot.texts import district_events as t
from bot.texts.event_report import kind_name
from storage.district_events import InviteRow
from storage.models import DistrictEventAnswer


@dataclass(frozen=True)
class EventCard:
    """One event with every invited ППО; ``starts`` is local to the scope, ``held``: the
    event has begun, so attendance is what counts."""

    kind: str
    kind_other: str | None  # the name of a kind «Другое» (None: not given)
    title: str
    starts: datetime
    place: str
    online: bool
    quota: int | None
    answer_by: date
    held: bool
    rows: tuple[InviteRow, ...]
    cancelled_on: date | None = None  # the scope's local date it was called off

    @property
    def coming(self) -> list[InviteRow]:
        return [r for r in self.rows if r.answer is DistrictEventAnswer.COMING]

    @property
    def declined(self) -> list[InviteRow]:
        return [r for r in self.rows if r.answer is DistrictEventAnswer.DECLINED]

    @property
    def silent(self) -> list[InviteRow]:
        return [r for r in self.rows if r.answer is None]

    @property
    def took_part(self) -> list[InviteRow]:
        return [r for r in self.rows if (r.attended or 0) > 0]

    @property
    def absent(self) -> list[InviteRow]:
        return [r for r in self.rows if not r.attended]


def _answer_lines(card: EventCard) -> list[str]:
    coming, declined, silent = card.coming, card.declined, card.silent
    promised = sum(r.people or 0 for r in coming)
    lines = [t.answers_line(len(coming), promised, len(declined), len(silent))]
    lines += [t.coming_line(r.org_name, r.people or 0) for r in coming]
    lines += [t.declined_line(r.org_name, r.reason) for r in declined]
    lines += [t.silent_line(r.org_name, r.chair) for r in silent]
    return lines


def _attendance_lines(card: EventCard) -> list[str]:
    took_part, absent = card.took_part, card.absent
    lines = [t.took_part_header(len(took_part), sum(r.attended or 0 for r in took_part))]
    lines += [t.took_part_line(r.org_name, r.attended or 0) for r in took_part]
    lines += ["", t.absent_header(len(absent))]
    lines += [t.absent_line(r.org_name, r.chair) for r in absent]
    unknown = sum(1 for r in card.rows if r.attended is None)
    if unknown:
        lines += ["", t.unknown_attendance(unknown)]
    return lines


def card_lines(card: EventCard) -> list[str]:
    """The message, line by line (``handlers.replies.answer_lines`` splits it to fit)."""
    kind = kind_name(card.kind, card.kind_other)
    lines = [
        t.card_header(kind, card.title, card.starts, card.place, card.online),
        *([] if card.cancelled_on is None else [t.cancelled_line(card.cancelled_on)]),
        t.invited_line(len(card.rows), card.answer_by, card.quota),
        "",
        *_answer_lines(card),
    ]
    if card.held:
        lines += ["", *_attendance_lines(card)]
    return lines


def _answer_name(row: InviteRow) -> str:
    if row.answer is DistrictEventAnswer.COMING:
        return t.ANSWER_COMING
    if row.answer is DistrictEventAnswer.DECLINED:
        return t.ANSWER_DECLINED
    return t.SILENT


def card_xlsx(card: EventCard) -> bytes:
    """Every invited ППО with its chair of record, answer, people promised, reason, people
    who came and whether it took part; the last row totals the numbers."""
    headers = (
        t.H_DISTRICT,
        t.H_PPO,
        t.H_CHAIR,
        t.H_ANSWER,
        t.H_PROMISED,
        t.H_REASON,
        t.H_CAME,
        t.H_TOOK_PART,
    )
    rows: list[list[object]] = [
        [
            r.district_name,
            r.org_name,
            r.chair or "",
            _answer_name(r),
            r.people,
            r.reason or "",
            r.attended,
            t.YES if (r.attended or 0) > 0 else t.NO,
        ]
        for r in card.rows
    ]
    rows.append(
        [
            t.TOTAL,
            len(card.rows),
            "",
            "",
            sum(r.people or 0 for r in card.rows),
            "",
            sum(r.attended or 0 for r in card.rows),
            len(card.took_part),
        ]
    )
    return build_table_xlsx(t.SHEET, headers, rows)
