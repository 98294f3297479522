"""The durable inbox of polling: updates received from Telegram and not yet handled."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class InboxUpdate(Base):
    """One received update, written before Telegram is told it arrived (``bot/wiring/inbox.py``).

    ``chat_key`` says whose turn it is: the updates of one chat key are handled in
    ``update_id`` order, those of different keys side by side. ``raw`` is the update as
    Telegram sent it (JSON), so that a restart can hand it to the dispatcher again.
    """

    __tablename__ = "inbox_updates"

    update_id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    chat_key: Mapped[int] = mapped_column(sa.BigInteger)
    raw: Mapped[str] = mapped_column(sa.Text)
    received_at: Mapped[datetime]
