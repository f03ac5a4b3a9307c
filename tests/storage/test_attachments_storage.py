"""Voice-note attachments and "the rep's latest activity", on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from handlers.clock import FixedClock
from handlers.domain import Activity, ActivityKind, Rep
from storage.unit_of_work import SqlUnitOfWork, SqlUnitOfWorkFactory
from tests.storage.test_repositories import add_rep


async def log(uow: SqlUnitOfWork, rep: Rep, clock: FixedClock, text: str) -> Activity:
    return await uow.activities.add(
        team_id=rep.team_id,
        rep_id=rep.id,
        kind=ActivityKind.NOTE,
        occurred_at=clock.now(),
        text=text,
        contact_id=None,
        company_id=None,
    )


async def test_the_latest_activity_is_the_reps_own_and_recent(
    uow_factory: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    async with uow_factory() as uow:
        team = await uow.teams.add("Acme")
        ana, bob = await add_rep(uow, team, "ana"), await add_rep(uow, team, "bob")
        await log(uow, ana, clock, "older")
        clock.advance(timedelta(minutes=5))
        newest = await log(uow, ana, clock, "newest")
        clock.advance(timedelta(minutes=1))
        await log(uow, bob, clock, "a colleague's, later")
        await uow.commit()

    async with uow_factory() as uow:
        found = await uow.activities.latest_created_by(
            team.id, ana.id, clock.now() - timedelta(minutes=10)
        )
        too_old = await uow.activities.latest_created_by(team.id, ana.id, clock.now())
    assert found == newest
    assert too_old is None


async def test_attachments_are_kept_in_order_and_go_with_their_activity(
    uow_factory: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    async with uow_factory() as uow:
        team = await uow.teams.add("Acme")
        other = await uow.teams.add("Other")
        ana = await add_rep(uow, team, "ana")
        note = await log(uow, ana, clock, "🎤 Voice note")
        for file_id in ("AwAD-1", "AwAD-2"):
            await uow.activities.attach(
                team.id, note.id, platform="telegram", kind="voice", file_id=file_id
            )
        await uow.commit()

    async with uow_factory() as uow:
        kept = await uow.activities.attachments(team.id, note.id)
        foreign = await uow.activities.attachments(other.id, note.id)
        assert await uow.activities.delete(team.id, note.id)
        await uow.commit()
    assert [a.file_id for a in kept] == ["AwAD-1", "AwAD-2"]
    assert foreign == []

    async with uow_factory() as uow:
        assert await uow.activities.attachments(team.id, note.id) == []
