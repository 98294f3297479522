"""What every handler is given with an update, as one argument.

Handlers used to list the same five or six injected values (bot, session, viewer, settings,
clock, workers) in every signature and hand them on one by one; one frozen object built per
update says the same once and travels as one name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aiogram import Bot
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.viewer import Viewer
from bot.wiring.config import Settings
from bot.wiring.workers import Workers


@dataclass(frozen=True, slots=True)
class Ctx:
    """One update's bot, its database transaction (``session``), who is asking (``viewer``)
    and the process-wide settings, clock and worker processes."""

    bot: Bot
    session: AsyncSession
    viewer: Viewer
    settings: Settings
    clock: Clock
    workers: Workers

    def now(self) -> datetime:
        """The clock's now (UTC): one name for what nearly every write stamps."""
        return self.clock.now()
