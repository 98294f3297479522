"""The replies to /status, /digest and /export for a district or a region, loaded and drawn in
a worker process (``bot/wiring/workers.py``): for a region both are CPU work, about half a
second of it, which the event loop's process must not spend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.digest import load_digest
from bot.forms.registry import DIGEST_SECTIONS
from bot.rendering.digest import digest_chart_png, digest_table_xlsx, digest_text, status_text


@dataclass(frozen=True)
class DigestAsk:
    """Which scope and period, and which parts of the reply: ``text`` "status" or "digest"."""

    scope_org_id: int
    today: date
    default_tz: str
    period: date | None = None
    events_since: date | None = None
    text: str | None = None
    chart: bool = False
    table: bool = False


@dataclass(frozen=True)
class DigestReply:
    """The parts asked for (empty when not asked) and the period they are about."""

    period: date
    text: str = ""
    chart_png: bytes = b""
    table_xlsx: bytes = b""


async def digest_reply(sessions: async_sessionmaker[AsyncSession], ask: DigestAsk) -> DigestReply:
    """Loaded in a session, drawn once it is closed (no transaction stays open meanwhile)."""
    async with sessions() as session:
        digest = await load_digest(
            session,
            scope_org_id=ask.scope_org_id,
            period=ask.period,
            today=ask.today,
            events_since=ask.events_since,
            events_until=ask.today + timedelta(days=1),  # asked now: today's events too
            default_tz=ask.default_tz,
            sections=DIGEST_SECTIONS if ask.text == "digest" else (),
        )
    text = {"status": status_text, "digest": digest_text}.get(ask.text or "")
    return DigestReply(
        period=digest.period,
        text=text(digest) if text is not None else "",
        chart_png=digest_chart_png(digest) if ask.chart else b"",
        table_xlsx=digest_table_xlsx(digest) if ask.table else b"",
    )
