"""Invites on SQLite and PostgreSQL: a code's uses are counted atomically, expiry is exact."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from handlers.clock import FixedClock
from handlers.domain import Invite, InviteProblem, Role, Team
from storage.database import create_engine
from storage.unit_of_work import SqlUnitOfWorkFactory

RACERS = 8


async def _team_with_invite(
    factory: SqlUnitOfWorkFactory, clock: FixedClock, *, max_uses: int = 1, days: int | None = None
) -> tuple[Team, Invite]:
    async with factory() as uow:
        team = await uow.teams.add("Acme", "Europe/Bucharest")
        invite = await uow.invites.add(
            team_id=team.id,
            code="K7PMQX3R9T",
            role=Role.MANAGER,
            created_by=None,
            expires_at=clock.now() + timedelta(days=days) if days is not None else None,
            max_uses=max_uses,
        )
        await uow.commit()
    return team, invite


@pytest.mark.parametrize("max_uses", [1, 3])
async def test_people_racing_for_a_code_get_exactly_its_uses(
    database_url: str, clock: FixedClock, max_uses: int
) -> None:
    # Two engines stand for two bot processes, as in production with a second instance.
    engines = [create_engine(database_url), create_engine(database_url)]
    factories = [SqlUnitOfWorkFactory(engine, clock) for engine in engines]
    try:
        team, _invite = await _team_with_invite(factories[0], clock, max_uses=max_uses)

        async def join(number: int) -> bool:
            async with factories[number % 2]() as uow:
                redeemed = await uow.invites.redeem("K7PMQX3R9T", clock.now())
                if not isinstance(redeemed, Invite):
                    assert redeemed is InviteProblem.USED_UP
                    return False
                await uow.reps.add(
                    team_id=team.id,
                    platform="telegram",
                    external_id=str(number),
                    chat_id=str(number),
                    display_name=f"rep {number}",
                    language="en",
                    timezone="UTC",
                    role=redeemed.role,
                )
                await uow.commit()
                return True

        won = await asyncio.gather(*(join(number) for number in range(RACERS)))

        async with factories[0]() as uow:
            members = await uow.reps.members(team.id)
            left = await uow.invites.peek("K7PMQX3R9T", clock.now())
    finally:
        for engine in engines:
            await engine.dispose()

    assert sum(won) == max_uses
    assert len(members) == max_uses
    assert {member.role for member in members} == {Role.MANAGER}
    assert left is InviteProblem.USED_UP


async def test_a_rolled_back_join_does_not_use_the_code(
    uow_factory: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    await _team_with_invite(uow_factory, clock)
    async with uow_factory() as uow:
        assert isinstance(await uow.invites.redeem("K7PMQX3R9T", clock.now()), Invite)
        # no commit: the update failed after redeeming

    async with uow_factory() as uow:
        redeemed = await uow.invites.redeem("K7PMQX3R9T", clock.now())
        await uow.commit()

    assert isinstance(redeemed, Invite)
    assert redeemed.uses == 1


async def test_expiry_is_checked_against_the_given_time(
    uow_factory: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    await _team_with_invite(uow_factory, clock, days=7)
    expiry = clock.now() + timedelta(days=7)

    async with uow_factory() as uow:
        at_expiry = await uow.invites.redeem("K7PMQX3R9T", expiry)
        just_before = await uow.invites.peek("K7PMQX3R9T", expiry - timedelta(seconds=1))

    assert at_expiry is InviteProblem.EXPIRED
    assert isinstance(just_before, Invite)
    assert just_before.uses == 0
    assert just_before.expires_at == expiry


async def test_unknown_codes_and_unique_codes(
    uow_factory: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    team, _invite = await _team_with_invite(uow_factory, clock)
    async with uow_factory() as uow:
        assert await uow.invites.redeem("ZZZZZZZZZZ", clock.now()) is InviteProblem.UNKNOWN
        with pytest.raises(IntegrityError):
            await uow.invites.add(
                team_id=team.id,
                code="K7PMQX3R9T",
                role=Role.REP,
                created_by=None,
                expires_at=None,
                max_uses=1,
            )


async def test_members_in_join_order_and_role_changes(
    uow_factory: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    async with uow_factory() as uow:
        team = await uow.teams.add("Acme")
        other = await uow.teams.add("Other")
        added = []
        for name, team_id in [("ana", team.id), ("bob", other.id), ("ion", team.id)]:
            added.append(
                await uow.reps.add(
                    team_id=team_id,
                    platform="console",
                    external_id=name,
                    chat_id=name,
                    display_name=name,
                    language="en",
                    timezone="UTC",
                    role=Role.REP,
                )
            )
        changed = await uow.reps.set_role(team.id, added[2].id, Role.ADMIN)
        await uow.commit()

    async with uow_factory() as uow:
        members = await uow.reps.members(team.id)

    assert changed.role is Role.ADMIN
    assert [(m.display_name, m.role) for m in members] == [("ana", Role.REP), ("ion", Role.ADMIN)]


async def test_two_admins_stepping_down_at_once_leave_one_admin(
    database_url: str, clock: FixedClock
) -> None:
    engines = [create_engine(database_url), create_engine(database_url)]
    factories = [SqlUnitOfWorkFactory(engine, clock) for engine in engines]
    try:
        async with factories[0]() as uow:
            team = await uow.teams.add("Acme")
            admins = [
                await uow.reps.add(
                    team_id=team.id,
                    platform="console",
                    external_id=name,
                    chat_id=name,
                    display_name=name,
                    language="en",
                    timezone="UTC",
                    role=Role.ADMIN,
                )
                for name in ("ana", "bob")
            ]
            await uow.commit()
        first_changed = asyncio.Event()

        async def step_down(index: int) -> bool:
            async with factories[index]() as uow:
                if index == 1:
                    await first_changed.wait()  # ana has stepped down, not yet committed
                changed = await uow.reps.set_role(team.id, admins[index].id, Role.REP)
                if index == 0:
                    first_changed.set()
                    await asyncio.sleep(0.2)  # bob's attempt runs into the uncommitted change
                await uow.commit()
                return changed is not None

        stepped_down = await asyncio.gather(step_down(0), step_down(1))

        async with factories[0]() as uow:
            roles = [member.role for member in await uow.reps.members(team.id)]
    finally:
        for engine in engines:
            await engine.dispose()

    assert stepped_down == [True, False]
    assert roles == [Role.REP, Role.ADMIN]
