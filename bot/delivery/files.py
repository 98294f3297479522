"""Files (and texts) the outbox sends: rendered when their message is sent, not when it is
queued."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeAlias

from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class RenderedFile:
    filename: str
    data: bytes
    caption: str
    as_photo: bool


@dataclass(frozen=True)
class RenderedText:
    """A text message drawn at send time (a scheduled digest's text, drawn from the same load
    as its chart and table)."""

    text: str


Drawing: TypeAlias = Callable[[], RenderedFile | RenderedText]
Renderer: TypeAlias = Callable[[AsyncSession, dict[str, Any]], Awaitable[Drawing]]
"""Builds a file message from a payload at send time, in two steps: it loads what the file
shows through the session (a read) and returns the drawing, which the sender runs in a
worker thread after the session is closed, so drawing (seconds of CPU for a region's table)
neither blocks the event loop nor keeps a transaction open."""
