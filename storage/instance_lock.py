"""A lock held for a process's lifetime, so that only one process does a given job.

Telegram delivers a bot's updates by long polling to one consumer only (a second getUpdates
is refused with "Conflict"), so only one ``crmbot run`` may poll per bot. On PostgreSQL the
lock is a session-level advisory lock on a connection of its own, outside the pool (it is
released when the process ends, even by SIGKILL, because the server closes the session);
on SQLite, where every process is on the same machine, an ``flock`` on a file next to the
database (released by the kernel when the process ends).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from storage.database import DEFAULT_POOL, _parse, async_url, postgres_connect_args


class LockHeld(Exception):
    """Another process holds the lock."""


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for ``name`` (what pg_advisory_lock takes)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def lock_file(url: str, name: str) -> Path | None:
    """Where the SQLite lock for ``name`` lives; None for an in-memory database."""
    database = _parse(url).database
    if database in (None, "", ":memory:"):
        return None
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name)
    return Path(f"{Path(database).expanduser()}.{safe}.lock")


@asynccontextmanager
async def held(url: str, name: str) -> AsyncIterator[None]:
    """Hold the lock ``name`` on the database at ``url`` for the block; :class:`LockHeld` if
    another process holds it already (this never waits)."""
    target = async_url(url)
    if target.get_backend_name() == "sqlite":
        path = lock_file(url, name)
        if path is None:
            yield  # an in-memory database is this process's alone
            return
        with _flocked(path):
            yield
        return
    engine = create_async_engine(
        target,
        poolclass=NullPool,
        connect_args=postgres_connect_args(target.get_driver_name(), DEFAULT_POOL),
    )
    try:
        async with engine.connect() as connection:
            key = advisory_key(name)
            got = await connection.scalar(select(func.pg_try_advisory_lock(key)))
            # Session-level: the lock outlives this transaction. Ending it keeps the session
            # from sitting "idle in transaction" (which the server's timeout would end).
            await connection.commit()
            if not got:
                raise LockHeld(name)
            try:
                yield
            finally:
                await connection.scalar(select(func.pg_advisory_unlock(key)))
                await connection.commit()
    finally:
        await engine.dispose()


class _flocked:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._fd = -1

    def __enter__(self) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise LockHeld(str(self._path)) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())  # who holds it, for whoever looks
        self._fd = fd

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
