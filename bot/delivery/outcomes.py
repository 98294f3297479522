"""What one delivery attempt came to, how it is stored, and what a drain did.

* success -> ``sent``;
* 429 ``TelegramRetryAfter`` -> pause everyone, then send the same message again; it is
  not a failed attempt and nothing is written (the sender handles it, never classified);
* 5xx ``TelegramServerError``, ``TelegramNetworkError`` (timeouts included), unexpected
  errors -> back to ``pending`` with ``attempts + 1`` and ``not_before`` pushed back by an
  exponential backoff with jitter; ``failed`` once ``max_attempts`` is reached, except for
  network errors: the bot's connection being down (an office line, Telegram unreachable)
  is no reason to drop what is due, so those wait, retried at most ``backoff_cap_seconds``
  apart, and are counted apart (``outages``), so they never spend the others' limit;
* 403 ``TelegramForbiddenError`` (bot blocked, user deactivated) and 400 "chat not found"
  -> ``unreachable``, and the person with that Telegram id gets ``unreachable_at``;
* any other 400 (and a group migrated to a supergroup, a file too large) -> ``failed``
  with Telegram's description; a renderer that raises -> ``failed`` with its error, unless
  it is the database's (a connection dropped, a lock): that is retried like a 5xx.
"""

from __future__ import annotations

import enum
import logging
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.schedule import Item
from bot.wiring.config import DeliverySettings
from storage import outbox
from storage.outbox import OutboxKind
from storage.outbox_flight import keep_sent

log = logging.getLogger(__name__)


class Result(enum.Enum):
    SENT = "sent"
    UNREACHABLE = "unreachable"
    FAILED = "failed"
    RETRY = "retry"


@dataclass(frozen=True)
class Outcome:
    result: Result
    error: str | None = None
    not_before: datetime | None = None
    outage: bool = False  # a retry because the network was down: not counted toward giving up


def error_text(exc: BaseException) -> str:
    if isinstance(exc, TelegramAPIError):
        return exc.message
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def classify(
    item: Item, exc: Exception, settings: DeliverySettings, now: datetime, rng: random.Random
) -> Outcome:
    """The outcome of a call to ``item``'s chat that raised ``exc`` (never a 429)."""
    description = error_text(exc)
    if isinstance(exc, TelegramForbiddenError):
        return Outcome(Result.UNREACHABLE, description)
    if isinstance(exc, TelegramBadRequest):
        if "chat not found" in description.lower():
            return Outcome(Result.UNREACHABLE, description)
        return Outcome(Result.FAILED, description)
    if isinstance(exc, TelegramMigrateToChat | TelegramEntityTooLarge):
        return Outcome(Result.FAILED, description)
    # 5xx, network errors and timeouts (TelegramNetworkError), and anything unexpected
    # (401/404/409 say the bot itself is misconfigured, not that the message is bad).
    if not isinstance(exc, TelegramAPIError):
        log.warning("outbox %s: unexpected error", item.key, exc_info=exc)
    # No network is an outage of the bot's, not a fault of the message: it waits it out
    # (backing off to ``backoff_cap_seconds``) instead of giving up after half an hour.
    outage = isinstance(exc, TelegramNetworkError)
    return retry_later(item, description, settings, now, rng, outage=outage)


def retry_later(
    item: Item,
    description: str,
    settings: DeliverySettings,
    now: datetime,
    rng: random.Random,
    *,
    outage: bool = False,
) -> Outcome:
    """Back to ``pending`` after a backoff; ``failed`` once ``max_attempts`` are spent. An
    ``outage`` attempt never gives up and its backoff grows with every attempt; the others
    count, and back off, only among themselves, so a 5xx right after a long outage is tried
    again soon, as after any first failure."""
    failures = item.attempts - item.outages + (0 if outage else 1)
    if not outage and failures >= settings.max_attempts:
        return Outcome(Result.FAILED, f"gave up after {failures} attempts: {description}")
    backoff = _backoff(item.attempts + 1 if outage else failures, settings, rng)
    return Outcome(Result.RETRY, description, now + backoff, outage=outage)


def _backoff(attempts: int, settings: DeliverySettings, rng: random.Random) -> timedelta:
    """Exponential backoff with jitter: base * 2^(attempts-1), capped, times 0.5..1."""
    delay = min(settings.backoff_cap_seconds, settings.backoff_base_seconds * 2 ** (attempts - 1))
    return timedelta(seconds=delay * rng.uniform(0.5, 1.0))


async def store_outcome(
    session: AsyncSession, item: Item, outcome: Outcome, now: datetime, holder: str
) -> None:
    """Write one outcome to the outbox row ``holder`` claimed, inside the caller's transaction;
    a message sent is recorded as it went, whatever became of its row on the way
    (``storage/outbox_flight.py``)."""
    if outcome.result is Result.SENT:
        if not await outbox.mark_sent(session, item.id, now, holder=holder, sent=item.payload):
            kind, payload = OutboxKind(item.kind), item.payload
            await keep_sent(
                session, key=item.key, chat_id=item.chat_id, kind=kind, payload=payload, now=now
            )
    elif outcome.result is Result.UNREACHABLE:
        await outbox.mark_unreachable(session, item.id, now, outcome.error or "")
    elif outcome.result is Result.FAILED:
        await outbox.mark_failed(session, item.id, now, outcome.error or "")
    else:
        assert outcome.not_before is not None
        await outbox.reschedule(
            session,
            item.id,
            not_before=outcome.not_before,
            error=outcome.error or "",
            outage=outcome.outage,
        )


@dataclass(frozen=True)
class Pause:
    """A 429 honoured: nobody was sent anything from ``started`` until ``until``
    (both on the limiter's monotonic clock)."""

    chat_id: int
    retry_after: float
    started: float
    until: float


@dataclass
class DrainReport:
    """What one drain of the outbox did (outcomes recorded in the database)."""

    sent: int = 0
    unreachable: int = 0
    failed: int = 0
    retried: int = 0
    """Rescheduled after a transient failure (5xx, network, timeout)."""
    unrecorded: int = 0
    """Outcomes whose commit failed; kept in memory and recorded by a later drain."""
    pauses: list[Pause] = field(default_factory=list)
    """429 answers honoured, in order."""

    @property
    def handled(self) -> int:
        return self.sent + self.unreachable + self.failed + self.retried

    def count(self, item: Item, outcome: Outcome) -> None:
        """Count (and log) an outcome that was recorded."""
        if outcome.result is Result.SENT:
            self.sent += 1
            log.debug("outbox %s: sent to %s", item.key, item.chat_id)
        elif outcome.result is Result.UNREACHABLE:
            self.unreachable += 1
            log.warning("outbox %s: chat %s unreachable: %s", item.key, item.chat_id, outcome.error)
        elif outcome.result is Result.FAILED:
            self.failed += 1
            log.error("outbox %s: failed: %s", item.key, outcome.error)
        else:
            self.retried += 1
            log.warning(
                "outbox %s: attempt %s failed (%s); next at %s",
                item.key,
                item.attempts + 1,
                outcome.error,
                outcome.not_before,
            )

    def __str__(self) -> str:
        return (
            f"sent={self.sent} unreachable={self.unreachable} failed={self.failed} "
            f"retried={self.retried} unrecorded={self.unrecorded} "
            f"pauses={[pause.retry_after for pause in self.pauses]}"
        )
