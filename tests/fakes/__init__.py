"""Test doubles for external services used by the bot."""

from .telegram_server import (
    ButtonNotFoundError,
    FakeTelegramServer,
    HtmlParseError,
    Request,
    SilentLossError,
    StoredFile,
    UpdateDroppedError,
    buttons,
    find_button,
    parse_html,
)

__all__ = [
    "ButtonNotFoundError",
    "FakeTelegramServer",
    "HtmlParseError",
    "Request",
    "SilentLossError",
    "StoredFile",
    "UpdateDroppedError",
    "buttons",
    "find_button",
    "parse_html",
]
