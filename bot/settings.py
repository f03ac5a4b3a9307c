"""Settings from the environment (and an optional ``.env`` file in the working directory)."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///crmbot.db"


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

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            check_timezone(value)
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
