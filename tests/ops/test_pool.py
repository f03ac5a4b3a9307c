"""The pool and the timeouts are the ones chosen, on the connections the bot really uses."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.settings import Settings
from handlers.clock import SystemClock
from storage.database import PoolSettings, create_engine
from storage.migrate import upgrade
from storage.unit_of_work import SqlUnitOfWorkFactory


@pytest.mark.postgres
async def test_postgresql_connections_carry_the_timeouts(postgres_server_url: str) -> None:
    pool = PoolSettings(
        size=3, max_overflow=2, statement_timeout_ms=1234, lock_timeout_ms=567, connect_timeout=4
    )
    engine = create_engine(postgres_server_url, pool=pool)
    try:
        async with engine.connect() as connection:
            shown = {
                name: await connection.scalar(text(f"SHOW {name}"))
                for name in (
                    "statement_timeout",
                    "lock_timeout",
                    "idle_in_transaction_session_timeout",
                    "application_name",
                )
            }
            with pytest.raises(Exception, match="statement timeout"):
                await connection.execute(text("SELECT pg_sleep(2)"))
    finally:
        await engine.dispose()

    assert shown == {
        "statement_timeout": "1234ms",
        "lock_timeout": "567ms",
        "idle_in_transaction_session_timeout": "1min",
        "application_name": "crmbot",
    }
    assert engine.pool.size() == 3  # type: ignore[attr-defined]
    assert engine.pool._max_overflow == 2  # type: ignore[attr-defined]


def test_the_environment_sets_the_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRMBOT_DB_POOL_SIZE", "7")
    monkeypatch.setenv("CRMBOT_DB_STATEMENT_TIMEOUT_MS", "9000")

    pool = Settings(_env_file=None).pool()  # type: ignore[call-arg]

    assert (pool.size, pool.statement_timeout_ms) == (7, 9000)
    assert pool.max_overflow == PoolSettings().max_overflow


async def test_sqlite_serves_many_updates_at_once_through_one_connection(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'crm.db'}"
    upgrade(url)
    engine = create_engine(url)
    uow_factory = SqlUnitOfWorkFactory(engine, SystemClock())

    async def add_team(number: int) -> None:
        async with uow_factory() as uow:
            await uow.teams.add(f"Team {number}")
            await uow.commit()

    try:
        await asyncio.gather(*(add_team(number) for number in range(40)))
        async with engine.connect() as connection:
            count = await connection.scalar(text("SELECT count(*) FROM teams"))
    finally:
        await engine.dispose()

    assert engine.pool.size() == 1  # type: ignore[attr-defined]
    assert count == 40


async def test_sqlite_gives_updates_their_turn_so_a_busy_rep_cannot_starve_the_others(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'crm.db'}"
    upgrade(url)
    engine = create_engine(url)
    uow_factory = SqlUnitOfWorkFactory(engine, SystemClock())
    other_done, under_way = asyncio.Event(), asyncio.Event()
    busy_updates = 0

    async def busy_rep() -> None:  # one update after another, never pausing
        nonlocal busy_updates
        while not other_done.is_set() and busy_updates < 300:
            async with uow_factory() as uow:
                await uow.teams.add("Busy")
                await uow.commit()
            busy_updates += 1
            if busy_updates == 3:
                under_way.set()

    async def other_rep() -> int:
        await under_way.wait()
        before = busy_updates
        async with uow_factory() as uow:
            await uow.teams.add("Other")
            await uow.commit()
        other_done.set()
        return busy_updates - before

    try:
        busy = asyncio.create_task(busy_rep())
        updates_waited = await other_rep()
        await busy
    finally:
        await engine.dispose()

    assert updates_waited <= 2  # served in turn, not after the busy rep stopped (300)
