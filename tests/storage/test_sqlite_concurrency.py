"""SQLite under concurrent writers: no update is lost to "database is locked".

Two engines on one file stand for two bot processes (or the bot and the reminder dispatcher);
each runs many units of work at once, the way simultaneous updates from several reps would.
"""

from __future__ import annotations

import asyncio

import pytest

from handlers.clock import FixedClock
from storage.database import create_engine
from storage.unit_of_work import SqlUnitOfWorkFactory

TASKS_PER_ENGINE = 20


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_concurrent_units_of_work_on_two_engines_all_commit(
    database_url: str, clock: FixedClock
) -> None:
    engines = [create_engine(database_url), create_engine(database_url)]
    factories = [SqlUnitOfWorkFactory(engine, clock) for engine in engines]
    try:
        async with factories[0]() as uow:
            team = await uow.teams.add("Sales")
            await uow.commit()

        async def add_company(factory: SqlUnitOfWorkFactory, name: str) -> int:
            async with factory() as uow:
                # Read, then write, in one transaction: the pattern that deadlocks on SQLite
                # when a deferred transaction has to upgrade its read lock.
                assert await uow.companies.find_by_name(team.id, name) is None
                company = await uow.companies.add(team.id, name)
                await uow.commit()
                return company.id

        names = [
            f"Company {engine}-{number}"
            for number in range(TASKS_PER_ENGINE)
            for engine in range(len(factories))
        ]
        ids = await asyncio.gather(
            *(
                add_company(factories[index % len(factories)], name)
                for index, name in enumerate(names)
            )
        )

        async with factories[1]() as uow:
            found = [await uow.companies.find_by_name(team.id, name) for name in names]
    finally:
        for engine in engines:
            await engine.dispose()

    assert len(set(ids)) == len(names) == 2 * TASKS_PER_ENGINE
    assert [company.name if company else None for company in found] == names
    assert [company.id if company else None for company in found] == ids
