"""Applying the Alembic migrations from code (the CLI and the bot's start-up use this)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from storage.database import ensure_sqlite_directory

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser treats % specially; a password may contain one.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` up to ``revision`` (idempotent)."""
    ensure_sqlite_directory(url)
    command.upgrade(alembic_config(url), revision)


def revision(url: str, message: str) -> None:
    """Autogenerate a new migration from the models (for developers)."""
    command.revision(alembic_config(url), message=message, autogenerate=True)
