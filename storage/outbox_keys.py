"""Outbox keys: what makes a queued message unique, so it is sent once.

A key is its purpose followed by the parts that name the message, joined by ``:``
(``remind:12:345:before7:678``). Every key is built by :func:`outbox_key`, so a key's shape
is written down once, here; the stored strings are what dedup (and pruning, and cancelling
a target's reminders) relies on across restarts and upgrades, so they never change shape.
"""

from __future__ import annotations

from enum import StrEnum


class KeyPurpose(StrEnum):
    """The first part of a key; each member's comment lists the parts after it, in order."""

    REMINDER = "remind"  # collection id, ППО id, reminder purpose, recipient
    DIGEST = "digest"  # scope id, day it fell due (ISO), recipient, part ("text",
    # "digest_chart", "digest_table": the text's part stays "text" though its kind is now
    # "digest_text", so a digest queued before the change is not queued again)
    ANNOUNCEMENT = "announce"  # audit entry id, recipient, ППО id (0: a chair of several; added
    # in 2026-12: older keys lack it), then "file" for the file sent after the text, if any
    ANNOUNCEMENT_REPORT = "announce-report"  # audit entry id
    RETURNED_REPORT = (
        "return"  # report id, recipient, ППО id (added in 2026-12: older keys lack it)
    )
    DRAFT_CLOSED = "draft-closed"  # draft token
    CAUGHT_UP = "catchup"  # start moment (ISO), admin
    CATCH_UP_SKIPPED = "catchup-skipped"  # start moment (ISO), admin
    CATCH_UP_FAILED = "catchup-failed"  # start moment (ISO), admin
    NIGHTLY_SKIPPED = "nightly-skipped"  # the night's start (ISO), admin
    AGREEMENT = "agreement"  # ППО id, collective agreement end date (ISO), recipient
    DISTRICT_INVITATION = "devent-invite"  # district event id, ППО id, recipient
    DISTRICT_REMINDER = "devent-remind"  # district event id, ППО id, answer day (ISO), days
    # before, recipient (the answer day added in 2026-12: older keys lack it)
    DISTRICT_ATTENDANCE = "devent-came"  # district event id, ППО id, recipient
    DISTRICT_CANCELLED = "devent-cancel"  # district event id, ППО id, recipient
    DISTRICT_MOVED = "devent-move"  # district event id, ППО id, new local start (ISO), recipient
    PLAN_REMINDER = "plan-remind"  # item id, unit (ППО id, 0: staff), deadline, purpose, recipient
    PLAN_ESCALATION = "plan-late"  # item id, deadline (ISO), recipient, then the day those
    # listed got the item (ISO) when they got it after the deadline
    PLAN_REVIEW = "plan-review"  # scope id, half-year start (ISO), recipient, part (OutboxKind)
    RATING_DUE = "rating-due"  # district id, year rated, recipient


def outbox_key(purpose: KeyPurpose, *parts: str | int) -> str:
    """The key of one message: ``purpose:part:part...``."""
    return ":".join([purpose.value, *map(str, parts)])


def outbox_key_prefix(purpose: KeyPurpose, *parts: str | int) -> str:
    """The start every key of ``purpose`` with these leading parts shares (ends in ``:``)."""
    return outbox_key(purpose, *parts) + ":"


_ORG_PART: dict[str, int] = {
    KeyPurpose.REMINDER: 1,
    KeyPurpose.ANNOUNCEMENT: 2,
    KeyPurpose.AGREEMENT: 0,
    KeyPurpose.RETURNED_REPORT: 2,
    KeyPurpose.DISTRICT_INVITATION: 1,
    KeyPurpose.DISTRICT_REMINDER: 1,
    KeyPurpose.DISTRICT_ATTENDANCE: 1,
    KeyPurpose.DISTRICT_CANCELLED: 1,
    KeyPurpose.DISTRICT_MOVED: 1,
    KeyPurpose.PLAN_REMINDER: 1,
    KeyPurpose.DIGEST: 0,
    KeyPurpose.PLAN_REVIEW: 0,
    KeyPurpose.RATING_DUE: 0,
}
"""Where the organization stands among the parts of a key of a message to whoever holds a role
there: a ППО's chair (a reminder about it), a district's or region's staff (its digest, the
escalation of its late ППО, which a reminder's key names by the scope, its plans' review)."""


def org_of_key(key: str) -> int | None:
    """The organization a message to its chair or staff is about, read from its key; None for
    other messages."""
    purpose, *parts = key.split(":")
    position = _ORG_PART.get(purpose)
    if position is None or len(parts) <= position or not parts[position].isdecimal():
        return None
    return int(parts[position])
