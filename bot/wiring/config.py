"""Settings from the environment and ``.env`` (pydantic-settings)."""

from __future__ import annotations

import ipaddress
import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Self
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url

from bot.domain.calendar import CalendarSettings

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/bot.sqlite3"
DEFAULT_WEBHOOK_LISTEN = "127.0.0.1:8080"
#: Telegram's rule for ``secret_token`` (sent back in X-Telegram-Bot-Api-Secret-Token).
WEBHOOK_SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,256}")
#: A host name or an IPv4 address in ``WEBHOOK_LISTEN`` (an IPv6 one comes in brackets).
LISTEN_HOST_SHAPE = re.compile(r"[A-Za-z0-9.-]+")
#: The ports Telegram posts webhook updates to (setWebhook refuses any other).
WEBHOOK_PORTS = frozenset({443, 80, 88, 8443})
#: Telegram user ids are positive 64-bit numbers (group chats have negative ids).
USER_ID_LIMIT = 2**63
NOT_USER_IDS = "must be Telegram user ids separated by commas"


class DeliverySettings(BaseModel):
    """Delivery limits and retry policy (embedded in the application settings)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    global_per_second: int = Field(default=30, ge=1, le=1000)
    """Calls in any sliding one-second window, all chats together (Telegram: about 30)."""
    per_chat_per_second: float = Field(default=1.0, gt=0, le=100)
    """Calls per second to one chat (Telegram: about 1; 20 per minute in groups)."""
    max_attempts: int = Field(default=8, ge=1, le=100)
    """Failed attempts after which a message is ``failed`` (5xx, unexpected errors); network
    errors and timeouts count for the backoff but never make a message ``failed``."""
    backoff_base_seconds: float = Field(default=15.0, gt=0)
    """Delay after the first failed attempt; doubles with each further one."""
    backoff_cap_seconds: float = Field(default=3600.0, gt=0)
    """Upper bound of one backoff delay (before jitter)."""
    batch_size: int = Field(default=200, ge=1, le=10_000)
    """Due rows read from the database at a time."""
    concurrency: int = Field(default=8, ge=1, le=256)
    """Calls in flight at once (to different chats)."""
    request_timeout_seconds: int = Field(default=30, ge=1, le=600)
    """Timeout of one Bot API call; a timeout is a failed attempt."""
    poll_interval_seconds: float = Field(default=30.0, gt=0, le=3600)
    """Longest idle wait of :meth:`Deliverer.run_forever` between drains."""
    claim_lease_seconds: float = Field(default=60.0, ge=1, le=3600)
    """How long the sender's claim on the due rows it took lasts (renewed while they wait):
    after a sender dies, its rows are due for another after this."""


class DatabaseSettings(BaseSettings):
    """The part ``python -m bot migrate`` needs: no token required."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_nested_delimiter="__"
    )

    database_url: str = DEFAULT_DATABASE_URL

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "must start with sqlite+aiosqlite:/// or postgresql+asyncpg:// (async drivers)"
            )
        return _home_expanded(value)


def _home_expanded(database_url: str) -> str:
    """An SQLite URL with «~» in its path replaced by the home folder: the lock, the checks,
    the transfer and the engine then all open the same file (SQLite itself never expands it)."""
    url = make_url(database_url)
    if not url.get_backend_name().startswith("sqlite") or not url.database:
        return database_url
    if not url.database.startswith("~"):
        return database_url
    expanded = url.set(database=str(Path(url.database).expanduser()))
    return expanded.render_as_string(hide_password=False)


class BackupSettings(DatabaseSettings):
    """The part ``python -m bot restore`` needs: the database and its nightly copies."""

    backup_dir: Path = Path("data/backups")


class Settings(BackupSettings):
    bot_token: SecretStr
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    telegram_api_url: str | None = None
    timezone: str = "Europe/Moscow"
    log_level: str = "INFO"
    invite_ttl_days: int = Field(default=30, ge=1, le=365)
    default_region: str = "Региональная организация Профсоюза"
    backup_keep: int = Field(default=7, ge=1, le=365)
    calendar: CalendarSettings = Field(default_factory=CalendarSettings)
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)
    webhook_url: str | None = None
    """Public HTTPS address Telegram posts updates to; empty: the bot polls instead."""
    webhook_secret: SecretStr | None = None
    """Shared secret Telegram sends with every update; required with ``webhook_url``."""
    webhook_listen: str = DEFAULT_WEBHOOK_LISTEN
    """host:port the webhook server listens on (behind a reverse proxy that terminates TLS)."""
    chats_at_once: int = Field(default=16, ge=1, le=256)
    """Chats whose updates are handled at the same time (polling and webhook); each holds a
    database connection meanwhile."""
    worker_processes: int = Field(default=1, ge=1, le=16)
    """Processes that load and draw region-wide digests and tables beside the event loop
    (each is a copy of the bot's code in memory, about 100 MB)."""
    leader_retry_seconds: float = Field(default=15.0, gt=0, le=60)
    """How often a replica that does not lead tries to take the lead (and the leader checks
    its lock): another takes over within this after the leader dies."""

    @property
    def invite_ttl(self) -> timedelta:
        return timedelta(days=self.invite_ttl_days)

    @property
    def webhook_address(self) -> tuple[str, int]:
        """``webhook_listen`` split into host and port (brackets of an IPv6 host removed)."""
        host, _, port = self.webhook_listen.rpartition(":")
        return host.strip("[]"), int(port)

    @property
    def webhook_path(self) -> str:
        """The path of ``webhook_url``: the server answers updates there, as the proxy forwards."""
        return urlsplit(self.webhook_url or "").path or "/"

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        parts = urlsplit(value)
        if parts.scheme != "https" or not parts.hostname:
            raise ValueError("must be an https:// URL (Telegram posts updates only over HTTPS)")
        try:
            port = parts.port
        except ValueError:
            raise ValueError("has a port that is not a number from 1 to 65535") from None
        if port is not None and port not in WEBHOOK_PORTS:
            raise ValueError("port must be 443, 80, 88 or 8443 (Telegram posts to no other)")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or value.get_secret_value() == "":
            return None
        if not WEBHOOK_SECRET_SHAPE.fullmatch(value.get_secret_value()):
            raise ValueError("must be 1-256 characters: letters A-Z a-z, digits, _ and -")
        return value

    @field_validator("webhook_listen")
    @classmethod
    def _webhook_listen(cls, value: str) -> str:
        host, _, port = value.rpartition(":")
        if not _listen_host(host) or not port.isdigit() or not 1 <= int(port) <= 65535:
            raise ValueError("must be host:port, e.g. 127.0.0.1:8080")
        return value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Self:
        if self.webhook_url is not None and self.webhook_secret is None:
            raise ValueError(
                "WEBHOOK_SECRET is not set: it is required when WEBHOOK_URL is set "
                "(1-256 characters: letters, digits, _ and -)"
            )
        return self

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        token = value.get_secret_value()
        head, _, tail = token.partition(":")
        if not head.isdigit() or len(tail) < 10:
            raise ValueError("does not look like a token from @BotFather (123456:ABC...)")
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.replace(";", ",").split(",")]
            try:
                return frozenset(int(part) for part in parts if part)
            except ValueError:
                raise ValueError(NOT_USER_IDS) from None
        return value

    @field_validator("admin_ids")
    @classmethod
    def _user_ids(cls, value: frozenset[int]) -> frozenset[int]:
        """A group's id (negative) or a number past 64 bits would pass as a number and fail
        only later, when the bot first writes to an admin."""
        if any(not 1 <= user_id < USER_ID_LIMIT for user_id in value):
            raise ValueError(NOT_USER_IDS)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use e.g. Europe/Moscow)") from None
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return level

    @field_validator("telegram_api_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/")


def _listen_host(host: str) -> bool:
    """Whether the host part of ``WEBHOOK_LISTEN`` is one to bind: a name or an IPv4 address,
    or an IPv6 address in brackets (``[::1]``)."""
    if host.startswith("[") and host.endswith("]"):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return False
        return True
    return LISTEN_HOST_SHAPE.fullmatch(host) is not None


def describe_error(error: ValidationError) -> str:
    """One line naming the setting that is missing or wrong, for a clean exit at start.

    A nested setting is named as it is written in ``.env`` (``CALENDAR__DEADLINE_DAY``);
    positions in a list (numbers in the location) are left out."""
    first = error.errors()[0]
    message = first["msg"].removeprefix("Value error, ")
    if not first["loc"]:  # a rule about several settings names them in its message
        return f"Configuration error: {message}"
    name = "__".join(str(part) for part in first["loc"] if isinstance(part, str)).upper()
    if first["type"] == "missing":
        return f"Configuration error: {name} is not set (put it in .env or the environment)"
    if first["type"] == "extra_forbidden":
        return f"Configuration error: {name} is not a known setting (misspelt?)"
    return f"Configuration error: {name} {message}"
