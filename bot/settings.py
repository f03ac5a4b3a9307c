"""Settings from the environment (and an optional ``.env`` file in the working directory)."""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.database import DEFAULT_POOL, PoolSettings

DEFAULT_DATABASE_URL = "sqlite:///crmbot.db"
TELEGRAM_API = "https://api.telegram.org"
SLACK_API = "https://slack.com/api/"
SECRET_VARIABLES = frozenset(
    {
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_WEBHOOK_SECRET",
        "SLACK_BOT_TOKEN",
        "SLACK_APP_TOKEN",
        "SLACK_SIGNING_SECRET",
    }
)
"""Settings whose values are never shown, not even in an error about them."""
_WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
"""What Telegram accepts as a webhook secret token (setWebhook's ``secret_token``)."""


class Settings(BaseSettings):
    """Every setting has a working default: with none set, crmbot runs on local SQLite."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="sqlite:///path.db, postgresql+psycopg://… or postgresql+asyncpg://…",
    )
    default_timezone: str | None = Field(
        default=None,
        validation_alias="CRMBOT_DEFAULT_TIMEZONE",
        description="IANA zone for new reps; unset means this machine's zone",
    )
    log_level: str = Field(default="WARNING", validation_alias="CRMBOT_LOG_LEVEL")

    # Operations (``crmbot run``): /metrics and /healthz, off unless a port is given (two
    # processes on one host need two ports); localhost unless opened up on purpose.
    metrics_port: int | None = Field(
        default=None, ge=1, le=65535, validation_alias="CRMBOT_METRICS_PORT"
    )
    metrics_listen: str = Field(default="127.0.0.1", validation_alias="CRMBOT_METRICS_LISTEN")
    # The database pool and timeouts (storage.database.PoolSettings says why these values).
    db_pool_size: int = Field(
        default=DEFAULT_POOL.size, ge=1, validation_alias="CRMBOT_DB_POOL_SIZE"
    )
    db_max_overflow: int = Field(
        default=DEFAULT_POOL.max_overflow, ge=0, validation_alias="CRMBOT_DB_MAX_OVERFLOW"
    )
    db_pool_timeout: float = Field(
        default=DEFAULT_POOL.timeout, gt=0, validation_alias="CRMBOT_DB_POOL_TIMEOUT"
    )
    db_connect_timeout: int = Field(
        default=DEFAULT_POOL.connect_timeout, ge=1, validation_alias="CRMBOT_DB_CONNECT_TIMEOUT"
    )
    db_statement_timeout_ms: int = Field(
        default=DEFAULT_POOL.statement_timeout_ms,
        ge=0,
        validation_alias="CRMBOT_DB_STATEMENT_TIMEOUT_MS",
        description="0 turns PostgreSQL's statement timeout off",
    )
    db_lock_timeout_ms: int = Field(
        default=DEFAULT_POOL.lock_timeout_ms, ge=0, validation_alias="CRMBOT_DB_LOCK_TIMEOUT_MS"
    )

    # Telegram (``crmbot run``). Secrets are SecretStr: they print as ********** and are
    # only unwrapped where the Bot API client needs them.
    telegram_bot_token: SecretStr | None = Field(
        default=None,
        validation_alias="TELEGRAM_BOT_TOKEN",
        description="the bot's token from @BotFather; unset means no Telegram",
    )
    telegram_api_base_url: str = Field(
        default=TELEGRAM_API,
        validation_alias="TELEGRAM_API_BASE_URL",
        description="root of the Bot API server (self-hosted or a test double)",
    )
    telegram_webhook_url: str | None = Field(
        default=None,
        validation_alias="TELEGRAM_WEBHOOK_URL",
        description="public URL Telegram posts updates to; unset means long polling",
    )
    telegram_bot_username: str | None = Field(
        default=None,
        validation_alias="TELEGRAM_BOT_USERNAME",
        description="the bot's @username, for invite links https://t.me/<bot>?start=CODE",
    )
    telegram_webhook_secret: SecretStr | None = Field(
        default=None,
        validation_alias="TELEGRAM_WEBHOOK_SECRET",
        description="the X-Telegram-Bot-Api-Secret-Token every webhook request must carry",
    )
    telegram_webhook_listen: str = Field(
        default="0.0.0.0",  # all interfaces: a TLS proxy in front forwards to it
        validation_alias="TELEGRAM_WEBHOOK_LISTEN",
    )
    telegram_webhook_port: int = Field(
        default=8443, ge=1, le=65535, validation_alias="TELEGRAM_WEBHOOK_PORT"
    )

    # Slack (``crmbot run``): Socket Mode with SLACK_APP_TOKEN, else HTTP mode with the signing
    # secret. The tokens and the secret are SecretStr like Telegram's.
    slack_bot_token: SecretStr | None = Field(
        default=None,
        validation_alias="SLACK_BOT_TOKEN",
        description="the bot user OAuth token (xoxb-…); unset means no Slack",
    )
    slack_app_token: SecretStr | None = Field(
        default=None,
        validation_alias="SLACK_APP_TOKEN",
        description="an app-level token (xapp-…) with connections:write: turns on Socket Mode",
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None,
        validation_alias="SLACK_SIGNING_SECRET",
        description="verifies HTTP mode's requests (Basic Information > Signing Secret)",
    )
    slack_http_listen: str = Field(
        default="0.0.0.0",  # all interfaces: a TLS proxy in front forwards to it
        validation_alias="SLACK_HTTP_LISTEN",
    )
    slack_http_port: int = Field(default=3000, ge=1, le=65535, validation_alias="SLACK_HTTP_PORT")
    slack_api_base_url: str = Field(
        default=SLACK_API,
        validation_alias="SLACK_API_BASE_URL",
        description="root of the Web API (…/api/); another one only for tests",
    )

    def pool(self) -> PoolSettings:
        """The database pool and timeouts these settings ask for."""
        return replace(
            DEFAULT_POOL,
            size=self.db_pool_size,
            max_overflow=self.db_max_overflow,
            timeout=self.db_pool_timeout,
            connect_timeout=self.db_connect_timeout,
            statement_timeout_ms=self.db_statement_timeout_ms,
            lock_timeout_ms=self.db_lock_timeout_ms,
        )

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            check_timezone(value)
        return value

    @field_validator(
        "telegram_bot_token",
        "telegram_webhook_url",
        "telegram_bot_username",
        "telegram_webhook_secret",
        "slack_bot_token",
        "slack_app_token",
        "slack_signing_secret",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        """``TELEGRAM_WEBHOOK_URL=`` (set but empty) means the same as not set."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("telegram_api_base_url")
    @classmethod
    def _api_root(cls, value: str) -> str:
        root = _http_url(value).rstrip("/")
        # Accept the client libraries' spelling as well (…/bot, the token comes after it).
        return root.removesuffix("/bot")

    @field_validator("slack_bot_token")
    @classmethod
    def _slack_bot_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().strip().startswith("xoxb-"):
            # Never echoed: it is a secret. The app-level token (xapp-) goes elsewhere.
            raise ValueError(
                "use the Bot User OAuth Token (OAuth & Permissions), which starts with xoxb-"
            )
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _slack_app_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().strip().startswith("xapp-"):
            raise ValueError(
                "use an app-level token (Basic Information > App-Level Tokens), "
                "which starts with xapp-"
            )
        return value

    @field_validator("slack_api_base_url")
    @classmethod
    def _slack_api_root(cls, value: str) -> str:
        # The Web API's methods are relative to it: https://slack.com/api/ + chat.postMessage.
        return _http_url(value).rstrip("/") + "/"

    @field_validator("telegram_webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        return None if value is None else _http_url(value)

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _WEBHOOK_SECRET.match(value.get_secret_value()):
            # The value itself is never echoed: it is a secret.
            raise ValueError("use 1 to 256 characters: letters, digits, _ and -")
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError("use DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return level


def check_timezone(name: str) -> str:
    """The zone name itself if it is a known IANA zone; a clear error otherwise."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(
            f"unknown time zone {name!r}; use an IANA name such as Europe/Bucharest"
        ) from error
    return name


def local_timezone() -> str:
    """This machine's IANA zone, or UTC when it has none we can name."""
    from tzlocal import get_localzone_name

    try:
        name = get_localzone_name()
    except Exception:  # tzlocal raises several kinds on odd systems; UTC is a safe answer
        return "UTC"
    try:
        return check_timezone(name) if name else "UTC"
    except ValueError:
        return "UTC"


def _http_url(value: str) -> str:
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("use an absolute http:// or https:// URL")
    return value
