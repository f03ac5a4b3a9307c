"""Two reps' messages naming the same new company at the same moment both succeed."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from handlers.clock import FixedClock
from storage.database import create_engine
from storage.models import CompanyRow
from storage.unit_of_work import SqlUnitOfWorkFactory


async def test_the_second_of_two_racing_adds_gets_the_first_ones_company(
    database_url: str, clock: FixedClock
) -> None:
    engine = create_engine(database_url)
    uow_factory = SqlUnitOfWorkFactory(engine, clock)
    try:
        async with uow_factory() as uow:
            team = await uow.teams.add("Acme")
            await uow.commit()
        first_added = asyncio.Event()
        release_first = asyncio.Event()

        async def first() -> int:
            async with uow_factory() as uow:
                company = await uow.companies.add(team.id, "Northwind")
                first_added.set()
                await release_first.wait()  # hold the transaction open
                await uow.commit()
                return company.id

        async def second() -> int:
            await first_added.wait()
            async with uow_factory() as uow:
                company = await uow.companies.add(team.id, "NORTHWIND")  # waits for the first
                await uow.commit()
                return company.id

        racing = asyncio.gather(first(), second())
        await first_added.wait()
        await asyncio.sleep(0.2)  # the second is blocked on the first's row by now
        release_first.set()
        first_id, second_id = await racing

        async with engine.connect() as connection:
            count = await connection.scalar(select(func.count()).select_from(CompanyRow))
    finally:
        await engine.dispose()

    assert first_id == second_id
    assert count == 1
