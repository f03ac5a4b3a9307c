"""Engines for the configured database, with the settings each backend needs to be safe.

SQLite (the embedded default) runs in WAL mode with a busy timeout, and every transaction
starts with ``BEGIN IMMEDIATE``: a writer takes the write lock up front instead of failing
with "database is locked" when it upgrades a read lock half way through.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

SQLITE_BUSY_TIMEOUT_MS = 10_000

_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+psycopg"}
_SYNC_DRIVERS = {"sqlite": "sqlite", "postgresql": "postgresql+psycopg"}


class DatabaseUrlError(ValueError):
    """The configured database URL is not one crmbot can use."""


def _parse(url: str) -> URL:
    try:
        parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    except Exception as error:  # SQLAlchemy raises ArgumentError with a terse message
        raise DatabaseUrlError(
            f"cannot read the database URL {url!r}: expected sqlite:///path/to/file.db "
            "or postgresql+psycopg://user@host:5432/dbname"
        ) from error
    if parsed.get_backend_name() not in _ASYNC_DRIVERS:
        raise DatabaseUrlError(
            f"unsupported database {parsed.get_backend_name()!r}: use SQLite or PostgreSQL"
        )
    return parsed


def async_url(url: str) -> URL:
    """The URL with an asyncio driver: aiosqlite, psycopg (async mode) or asyncpg as given."""
    parsed = _parse(url)
    backend, driver = parsed.get_backend_name(), parsed.get_driver_name()
    if backend == "postgresql" and driver in ("psycopg", "asyncpg"):
        return parsed
    return parsed.set(drivername=_ASYNC_DRIVERS[backend])


def sync_url(url: str) -> URL:
    """The URL with a blocking driver, for Alembic migrations."""
    parsed = _parse(url)
    return parsed.set(drivername=_SYNC_DRIVERS[parsed.get_backend_name()])


def describe(url: str) -> str:
    """The URL without its password, for logs and messages."""
    return _parse(url).render_as_string(hide_password=True)


def is_sqlite(url: str) -> bool:
    return _parse(url).get_backend_name() == "sqlite"


def ensure_sqlite_directory(url: str) -> None:
    """Create the folder of a SQLite file, so ``--db sqlite:///data/crm.db`` just works."""
    parsed = _parse(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def configure_sqlite(dbapi_connection: Any, connection_record: Any = None) -> None:
    """Pragmas for every new SQLite connection; take over transaction control from pysqlite."""
    # pysqlite's own BEGIN (deferred, and only before DML) would defeat BEGIN IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin_immediate(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def conflict_insert(backend: str, table: Any) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that can say ON CONFLICT DO NOTHING / DO UPDATE, in the backend's dialect."""
    return postgresql.insert(table) if backend == "postgresql" else sqlite.insert(table)


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An async engine for the URL, configured for safe concurrent use."""
    target = async_url(url)
    if target.get_backend_name() == "sqlite":
        ensure_sqlite_directory(url)
        engine = create_async_engine(target, echo=echo)
        event.listen(engine.sync_engine, "connect", configure_sqlite)
        event.listen(engine.sync_engine, "begin", _begin_immediate)
        return engine
    return create_async_engine(
        target,
        echo=echo,
        pool_size=5,
        max_overflow=10,
        pool_pre_ping=True,  # a restarted PostgreSQL costs one failed check, not one update
        pool_recycle=1800,
    )
