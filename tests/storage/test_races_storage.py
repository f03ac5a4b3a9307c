"""A write that refers to a row another transaction removed is a ConcurrentChange."""

from __future__ import annotations

import pytest

from handlers.clock import FixedClock
from handlers.domain import ActivityKind
from handlers.ports import ConcurrentChange
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.storage.test_repositories import add_rep


async def test_a_dangling_reference_rolls_back_as_a_concurrent_change(
    uow_factory: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    async with uow_factory() as uow:
        team = await uow.teams.add("Acme")
        rep = await add_rep(uow, team, "ana")
        company = await uow.companies.add(team.id, "Northwind")
        await uow.commit()
    async with uow_factory() as uow:  # an Undo elsewhere removes the company...
        assert await uow.companies.delete_unused(team.id, company.id)
        await uow.commit()

    async def log_at_the_removed_company() -> None:
        async with uow_factory() as uow:
            await uow.activities.add(
                team_id=team.id,
                rep_id=rep.id,
                kind=ActivityKind.MEETING,
                occurred_at=clock.now(),
                text="Met Sam at Northwind",
                contact_id=None,
                company_id=company.id,
            )
            await uow.commit()

    with pytest.raises(ConcurrentChange):  # ...that this update still refers to
        await log_at_the_removed_company()

    async with uow_factory() as uow:
        assert await uow.activities.latest_created_by(team.id, rep.id, clock.now()) is None
