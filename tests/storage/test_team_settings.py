"""``TeamRepository.set_digest_settings`` on SQLite and PostgreSQL: stored, read back, and
read by the digest scheduler from the same columns."""

from __future__ import annotations

from handlers.domain import Team
from storage.database import create_engine
from storage.digests import SqlDigestSource
from storage.unit_of_work import SqlUnitOfWorkFactory

SETTINGS: dict[str, str | bool] = {
    "timezone": "America/New_York",
    "daily_digest_at": "17:30",
    "weekly_digest_at": "FRI 16:00",
    "agenda_at": "08:00",
    "digests_enabled": False,
}


async def set_settings(uow_factory: SqlUnitOfWorkFactory, team_id: int, *, commit: bool) -> Team:
    async with uow_factory() as uow:
        team = await uow.teams.set_digest_settings(
            team_id,
            timezone="America/New_York",
            daily_digest_at="17:30",
            weekly_digest_at="FRI 16:00",
            agenda_at="08:00",
            digests_enabled=False,
        )
        if commit:
            await uow.commit()
        return team


async def test_a_new_team_has_the_default_settings(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        added = await uow.teams.add("Acme Sales", "Europe/Bucharest")
        await uow.commit()
    async with uow_factory() as uow:
        team = await uow.teams.get(added.id)

    assert team == added == Team(added.id, "Acme Sales", 9, "DMY", "Europe/Bucharest")
    assert (team.daily_digest_at, team.weekly_digest_at, team.agenda_at) == (
        "18:00",
        "MON 08:00",
        "08:30",
    )
    assert team.digests_enabled is True


async def test_settings_are_stored_for_that_team_only_and_the_scheduler_reads_them(
    uow_factory: SqlUnitOfWorkFactory, database_url: str
) -> None:
    async with uow_factory() as uow:
        acme = await uow.teams.add("Acme Sales", "Europe/Bucharest")
        globex = await uow.teams.add("Globex", "Europe/Bucharest")
        await uow.commit()
    returned = await set_settings(uow_factory, acme.id, commit=True)
    async with uow_factory() as uow:
        stored = await uow.teams.get(acme.id)
        other = await uow.teams.get(globex.id)

    assert stored == returned
    assert stored is not None
    assert (stored.id, stored.name, stored.default_hour, stored.date_order) == (
        acme.id,
        "Acme Sales",
        9,
        "DMY",
    )
    assert {key: getattr(stored, key) for key in SETTINGS} == SETTINGS
    assert other == globex
    engine = create_engine(database_url)
    try:
        schedules = {s.team_id: s for s in await SqlDigestSource(engine).schedules()}
    finally:
        await engine.dispose()
    schedule = schedules[acme.id]
    assert (
        schedule.timezone,
        schedule.daily_at,
        schedule.weekly_at,
        schedule.agenda_at,
        schedule.enabled,
    ) == ("America/New_York", "17:30", "FRI 16:00", "08:00", False)
    assert schedules[globex.id].daily_at == "18:00"


async def test_settings_not_committed_are_not_kept(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        team = await uow.teams.add("Acme Sales")
        await uow.commit()
    await set_settings(uow_factory, team.id, commit=False)
    async with uow_factory() as uow:
        assert await uow.teams.get(team.id) == team
