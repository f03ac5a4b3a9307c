"""Engines for the configured database, with the settings each backend needs to be safe.

SQLite (the embedded default) runs in WAL mode with a busy timeout, and every transaction
starts with ``BEGIN IMMEDIATE``: a writer takes the write lock up front instead of failing
with "database is locked" when it upgrades a read lock half way through.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

SQLITE_BUSY_TIMEOUT_MS = 10_000
SQLITE_POOL_TIMEOUT = 30.0
"""Seconds an update waits for SQLite's one connection before it fails (and says so); on
PostgreSQL the wait is ``PoolSettings.timeout`` (``CRMBOT_DB_POOL_TIMEOUT``)."""
APPLICATION_NAME = "crmbot"
"""How crmbot's connections show in PostgreSQL's pg_stat_activity."""


@dataclass(frozen=True, slots=True)
class PoolSettings:
    """Connection pool and timeouts; the defaults are chosen for one ``crmbot run`` process.

    An update holds one connection for its whole unit of work (a few milliseconds), so the
    pool bounds how many updates run against the database at once. At 300 updates/s and
    ~10 ms each about 3 are in flight; ``size`` 10 leaves room for bursts and for the
    dispatcher and digests, and ``size + max_overflow`` (20) per process keeps several
    processes well under PostgreSQL's default ``max_connections`` of 100.
    """

    size: int = 10
    max_overflow: int = 10
    timeout: float = 10.0
    """Seconds an update waits for a free connection before it fails (and says so)."""
    recycle: int = 1800
    """Seconds before a connection is replaced: outlives no proxy/firewall idle cut-off."""
    connect_timeout: int = 5
    """Seconds to open a connection: an unreachable server fails fast instead of hanging."""
    statement_timeout_ms: int = 30_000
    """PostgreSQL cancels a statement running longer (the slowest, a weekly digest on a
    year of data, takes ~0.2 s): a runaway query cannot hold a connection for ever."""
    lock_timeout_ms: int = 5_000
    """A statement waiting this long for a row lock fails instead of queueing updates
    behind it; the reminder claim uses SKIP LOCKED and never waits."""
    idle_in_transaction_ms: int = 60_000
    """PostgreSQL ends a session left idle inside a transaction (a stuck process), which
    would otherwise hold its locks."""


DEFAULT_POOL = PoolSettings()

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


def create_engine(
    url: str, *, echo: bool = False, pool: PoolSettings = DEFAULT_POOL
) -> AsyncEngine:
    """An async engine for the URL, configured for safe concurrent use."""
    target = async_url(url)
    if target.get_backend_name() == "sqlite":
        ensure_sqlite_directory(url)
        options: dict[str, Any] = {}
        if target.database not in (None, "", ":memory:"):
            # One connection per process: SQLite has one writer, and every transaction takes
            # the write lock up front (BEGIN IMMEDIATE). Updates queue in the pool, in order,
            # instead of in SQLite's busy handler, which polls with growing sleeps and let a
            # few of 50 busy reps wait seconds (benchmarks/load.py). Other processes on the
            # same file still wait through busy_timeout.
            options = {"pool_size": 1, "max_overflow": 0, "pool_timeout": SQLITE_POOL_TIMEOUT}
        engine = create_async_engine(target, echo=echo, **options)
        event.listen(engine.sync_engine, "connect", configure_sqlite)
        event.listen(engine.sync_engine, "begin", _begin_immediate)
        return engine
    return create_async_engine(
        target,
        echo=echo,
        pool_size=pool.size,
        max_overflow=pool.max_overflow,
        pool_timeout=pool.timeout,
        # No test query before each use (one round trip per update): an update that meets a
        # broken connection fails as ConnectionLost, SQLAlchemy replaces the pool's
        # connections, and the core runs the update once more.
        pool_pre_ping=False,
        pool_recycle=pool.recycle,
        connect_args=postgres_connect_args(target.get_driver_name(), pool),
    )


def postgres_connect_args(driver: str, pool: PoolSettings) -> dict[str, Any]:
    """The connect timeout and the server-side timeouts, in the driver's own terms."""
    server = {
        "application_name": APPLICATION_NAME,
        "statement_timeout": str(pool.statement_timeout_ms),
        "lock_timeout": str(pool.lock_timeout_ms),
        "idle_in_transaction_session_timeout": str(pool.idle_in_transaction_ms),
    }
    if driver == "asyncpg":
        return {"timeout": pool.connect_timeout, "server_settings": server}
    # libpq (psycopg): server settings travel in the startup packet as "-c name=value".
    options = " ".join(f"-c {name}={value}" for name, value in server.items())
    return {"connect_timeout": pool.connect_timeout, "options": options}
