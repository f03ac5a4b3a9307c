"""Contract tests of the SQL repositories, through the unit of work, on SQLite and PostgreSQL.

Each test commits in one unit of work and reads back in a fresh one, the way two incoming
updates would, so what is checked is what was really stored.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.clock import FixedClock
from handlers.domain import ActivityKind, ReminderStatus, Rep, Role, Team
from storage.database import create_engine, is_sqlite
from storage.models import AuditRow, ReminderRow
from storage.unit_of_work import SqlUnitOfWork, SqlUnitOfWorkFactory

BUCHAREST = ZoneInfo("Europe/Bucharest")
# The conftest clock: Monday 23 November 2026, 08:00 UTC.
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Plain sessions on the same database, to look at or adjust rows the ports do not expose."""
    engine = create_engine(database_url)
    try:
        yield async_sessionmaker(engine, expire_on_commit=False)
    finally:
        await engine.dispose()


async def add_rep(
    uow: SqlUnitOfWork,
    team: Team,
    external_id: str,
    *,
    platform: str = "telegram",
    timezone: str = "Europe/Bucharest",
) -> Rep:
    return await uow.reps.add(
        team_id=team.id,
        platform=platform,
        external_id=external_id,
        chat_id=f"chat-{external_id}",
        display_name=external_id.title(),
        language="en",
        timezone=timezone,
        role=Role.REP,
    )


# Companies and contacts ------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param("Northwind", id="as-stored"),
        pytest.param(" NORTHWIND ", id="upper-case-and-spaces"),
        pytest.param("Nórthwind", id="accent"),
        pytest.param("northwind", id="lower-case"),
        pytest.param("\tNÒRTHWIND\n", id="accent-upper-case-and-blanks"),
    ],
)
async def test_a_company_is_found_again_whatever_the_case_accents_or_spacing(
    uow_factory: SqlUnitOfWorkFactory, typed: str
) -> None:
    async with uow_factory() as uow:
        team = await uow.teams.add("Sales")
        stored = await uow.companies.add(team.id, "Northwind")
        await uow.commit()

    async with uow_factory() as uow:
        found = await uow.companies.find_by_name(team.id, typed)

    assert found == stored
    assert found is not None
    assert found.name == "Northwind"  # the spelling first typed is the one shown


async def test_inner_spacing_and_non_latin_letters_are_folded_too(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        team = await uow.teams.add("Sales")
        piper = await uow.companies.add(team.id, "Pied Piper")
        gazprom = await uow.companies.add(team.id, "Газпром")
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.companies.find_by_name(team.id, "pied   PIPER") == piper
        assert await uow.companies.find_by_name(team.id, "ГАЗПРОМ") == gazprom
        assert await uow.companies.find_by_name(team.id, "Piedpiper") is None
        assert await uow.companies.find_by_name(team.id, "Northwind") is None


async def test_one_team_cannot_hold_the_same_company_twice(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        team = await uow.teams.add("Sales")
        northwind = await uow.companies.add(team.id, "Northwind")
        await uow.commit()

    async with uow_factory() as uow:
        # Adding it again (two reps naming it at once) gives back the one there is.
        assert await uow.companies.add(team.id, " NÓRTHWIND") == northwind
        await uow.commit()
        assert await uow.companies.find_by_name(team.id, "Northwind") == northwind


async def test_a_contact_is_found_again_whatever_the_case_or_accents(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        team = await uow.teams.add("Sales")
        northwind = await uow.companies.add(team.id, "Northwind")
        stored = await uow.contacts.add(team.id, "Ana Popéscu", northwind.id)
        await uow.contacts.add(team.id, "Sam Reed", None)
        await uow.commit()

    async with uow_factory() as uow:
        found = await uow.contacts.find_by_name(team.id, "  ana  POPESCU ")

    assert found == stored
    assert found is not None
    assert (found.full_name, found.company_id) == ("Ana Popéscu", northwind.id)


async def test_one_team_never_sees_another_teams_companies_or_contacts(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        ours = await uow.teams.add("Ours")
        theirs = await uow.teams.add("Theirs")
        their_company = await uow.companies.add(theirs.id, "Northwind")
        await uow.contacts.add(theirs.id, "Sam Reed", their_company.id)
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.companies.find_by_name(ours.id, "Northwind") is None
        assert await uow.companies.get(ours.id, their_company.id) is None
        assert await uow.contacts.find_by_name(ours.id, "Sam Reed") is None
        # Our own Northwind is a separate company; each team finds only its own.
        our_company = await uow.companies.add(ours.id, "NORTHWIND")
        our_contact = await uow.contacts.add(ours.id, "Sam Reed", our_company.id)
        await uow.commit()

    async with uow_factory() as uow:
        assert our_company.id != their_company.id
        assert await uow.companies.find_by_name(ours.id, "northwind") == our_company
        assert await uow.companies.find_by_name(theirs.id, "northwind") == their_company
        assert await uow.companies.get(theirs.id, their_company.id) == their_company
        assert await uow.contacts.find_by_name(ours.id, "sam reed") == our_contact
        their_contact = await uow.contacts.find_by_name(theirs.id, "sam reed")
        assert their_contact is not None
        assert their_contact.company_id == their_company.id


async def test_records_of_a_team_that_does_not_exist_are_refused(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        with pytest.raises(IntegrityError):
            await uow.companies.add(4242, "Northwind")

    async with uow_factory() as uow:
        assert await uow.companies.find_by_name(4242, "Northwind") is None


# Reps ---------------------------------------------------------------------------------


async def test_a_rep_is_found_by_platform_and_external_id(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        team = await uow.teams.add("Sales")
        ana = await add_rep(uow, team, "ana", platform="telegram")
        slack_ana = await add_rep(uow, team, "ana", platform="slack")  # another platform's "ana"
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.reps.by_identity("telegram", "ana") == ana
        assert await uow.reps.by_identity("slack", "ana") == slack_ana
        assert await uow.reps.by_identity("telegram", "bob") is None
    assert ana.id != slack_ana.id
    assert (ana.team_id, ana.timezone, ana.role) == (team.id, "Europe/Bucharest", Role.REP)


async def test_a_second_rep_with_the_same_identity_is_refused(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        team = await uow.teams.add("Sales")
        other_team = await uow.teams.add("Elsewhere")
        original = await add_rep(uow, team, "42")
        await uow.commit()

    async with uow_factory() as uow:
        with pytest.raises(IntegrityError):
            await add_rep(uow, other_team, "42")

    async with uow_factory() as uow:
        assert await uow.reps.by_identity("telegram", "42") == original


async def test_update_profile_persists(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        team = await uow.teams.add("Sales")
        rep = await add_rep(uow, team, "ana")
        await uow.commit()

    async with uow_factory() as uow:
        updated = await uow.reps.update_profile(
            rep.id,
            chat_id="new-chat",
            display_name="Ana Pop",
            language="ro",
            timezone="Europe/Warsaw",
        )
        await uow.commit()

    async with uow_factory() as uow:
        reread = await uow.reps.by_identity("telegram", "ana")

    assert reread == updated
    assert reread is not None
    assert (reread.chat_id, reread.display_name, reread.language, reread.timezone) == (
        "new-chat",
        "Ana Pop",
        "ro",
        "Europe/Warsaw",
    )
    assert (reread.id, reread.team_id, reread.role) == (rep.id, rep.team_id, rep.role)


# Times --------------------------------------------------------------------------------


@pytest.fixture
async def foreign_zone_uow_factory(
    database_url: str, clock: FixedClock
) -> AsyncIterator[SqlUnitOfWorkFactory]:
    """Units of work whose PostgreSQL sessions run in New York time, not the server's UTC."""
    url = database_url
    if not is_sqlite(database_url):
        url = (
            make_url(database_url)
            .update_query_dict({"options": "-c timezone=America/New_York"})
            .render_as_string(hide_password=False)
        )
    engine = create_engine(url)
    try:
        yield SqlUnitOfWorkFactory(engine, clock)
    finally:
        await engine.dispose()


@pytest.mark.parametrize(
    ("local", "utc"),
    [
        pytest.param(
            datetime(2026, 11, 24, 10, 0, 30, 123456, tzinfo=BUCHAREST),
            datetime(2026, 11, 24, 8, 0, 30, 123456, tzinfo=UTC),
            id="winter",
        ),
        pytest.param(
            datetime(2027, 7, 1, 10, 0, tzinfo=BUCHAREST),
            datetime(2027, 7, 1, 7, 0, tzinfo=UTC),
            id="summer",
        ),
    ],
)
async def test_times_come_back_as_the_same_instant_in_utc(
    foreign_zone_uow_factory: SqlUnitOfWorkFactory, local: datetime, utc: datetime
) -> None:
    async with foreign_zone_uow_factory() as uow:
        team = await uow.teams.add("Sales")
        rep = await add_rep(uow, team, "ana")
        await uow.reminders.add(
            team_id=team.id,
            rep_id=rep.id,
            due_at=local,
            text="call Sam",
            contact_id=None,
            company_id=None,
        )
        await uow.commit()

    async with foreign_zone_uow_factory() as uow:
        [line] = await uow.reminders.open_for_rep(rep.id, due_before=utc + timedelta(days=1))

    due = line.reminder.due_at
    assert due.utcoffset() == timedelta(0)
    assert due == local
    assert due.replace(tzinfo=None) == utc.replace(tzinfo=None)  # the wall clock is UTC's


async def test_a_time_without_a_zone_is_refused_not_guessed(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        team = await uow.teams.add("Sales")
        rep = await add_rep(uow, team, "ana")
        with pytest.raises(StatementError, match="naive"):
            await uow.reminders.add(
                team_id=team.id,
                rep_id=rep.id,
                due_at=datetime(2026, 11, 24, 10, 0),  # noqa: DTZ001 - the point of the test
                text="call Sam",
                contact_id=None,
                company_id=None,
            )


# Reminders ----------------------------------------------------------------------------


async def _set_status(
    sessions: async_sessionmaker[AsyncSession], reminder_id: int, status: ReminderStatus
) -> None:
    async with sessions() as session:
        await session.execute(
            update(ReminderRow).where(ReminderRow.id == reminder_id).values(status=status.value)
        )
        await session.commit()


async def test_open_for_rep_lists_only_that_reps_open_reminders_before_the_bound(
    uow_factory: SqlUnitOfWorkFactory, sessions: async_sessionmaker[AsyncSession]
) -> None:
    bound = datetime(2026, 11, 23, 22, 0, tzinfo=UTC)  # midnight in Bucharest
    async with uow_factory() as uow:
        team = await uow.teams.add("Sales")
        ana = await add_rep(uow, team, "ana")
        bob = await add_rep(uow, team, "bob")
        northwind = await uow.companies.add(team.id, "Northwind")
        sam = await uow.contacts.add(team.id, "Sam Reed", northwind.id)

        async def remind(rep: Rep, due_at: datetime, text: str, *, who: bool = True) -> int:
            reminder = await uow.reminders.add(
                team_id=team.id,
                rep_id=rep.id,
                due_at=due_at,
                text=text,
                contact_id=sam.id if who else None,
                company_id=northwind.id if who else None,
            )
            return reminder.id

        # Added out of order on purpose: the listing must sort, not echo insertion order.
        await remind(ana, NOW + timedelta(hours=3), "send the quote")
        await remind(ana, bound, "at the bound: tomorrow's")
        await remind(ana, bound + timedelta(days=1), "next week's")
        overdue = await remind(ana, NOW - timedelta(days=1), "overdue from yesterday")
        await remind(ana, NOW + timedelta(hours=1), "no one named", who=False)
        sent = await remind(ana, NOW + timedelta(hours=2), "already nudged")
        done = await remind(ana, NOW + timedelta(minutes=30), "done")
        cancelled = await remind(ana, NOW + timedelta(minutes=40), "cancelled")
        failed = await remind(ana, NOW + timedelta(minutes=50), "failed")
        await remind(bob, NOW + timedelta(minutes=10), "bob's")
        await uow.commit()

    await _set_status(sessions, sent, ReminderStatus.SENT)
    await _set_status(sessions, done, ReminderStatus.DONE)
    await _set_status(sessions, cancelled, ReminderStatus.CANCELLED)
    await _set_status(sessions, failed, ReminderStatus.FAILED)

    async with uow_factory() as uow:
        lines = await uow.reminders.open_for_rep(ana.id, due_before=bound)

    assert [line.reminder.text for line in lines] == [
        "overdue from yesterday",
        "no one named",
        "already nudged",
        "send the quote",
    ]
    assert lines[0].reminder.id == overdue
    assert [line.reminder.status for line in lines] == [
        ReminderStatus.PENDING,
        ReminderStatus.PENDING,
        ReminderStatus.SENT,
        ReminderStatus.PENDING,
    ]
    assert {line.reminder.rep_id for line in lines} == {ana.id}
    assert [(line.contact_name, line.company_name) for line in lines] == [
        ("Sam Reed", "Northwind"),
        (None, None),
        ("Sam Reed", "Northwind"),
        ("Sam Reed", "Northwind"),
    ]
    assert lines[0].reminder.due_at == NOW - timedelta(days=1)


async def test_open_for_rep_names_the_company_when_no_contact_was_given(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        team = await uow.teams.add("Sales")
        ana = await add_rep(uow, team, "ana")
        acme = await uow.companies.add(team.id, "Acme")
        await uow.reminders.add(
            team_id=team.id,
            rep_id=ana.id,
            due_at=NOW,
            text="follow up",
            contact_id=None,
            company_id=acme.id,
        )
        await uow.commit()

    async with uow_factory() as uow:
        [line] = await uow.reminders.open_for_rep(ana.id, due_before=NOW + timedelta(hours=1))

    assert (line.contact_name, line.company_name) == (None, "Acme")


async def test_open_for_team_gives_every_reps_due_callbacks_and_no_other_teams(
    uow_factory: SqlUnitOfWorkFactory, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with uow_factory() as uow:
        team = await uow.teams.add("Sales")
        other_team = await uow.teams.add("Elsewhere")
        ana = await add_rep(uow, team, "ana")
        bob = await add_rep(uow, team, "bob")
        eve = await add_rep(uow, other_team, "eve")

        async def remind(rep: Rep, due_at: datetime, text: str) -> int:
            reminder = await uow.reminders.add(
                team_id=rep.team_id, rep_id=rep.id, due_at=due_at, text=text,
                contact_id=None, company_id=None,
            )  # fmt: skip
            return reminder.id

        await remind(bob, NOW + timedelta(hours=2), "bob, later today")
        await remind(ana, NOW - timedelta(days=1), "ana, overdue")
        await remind(ana, NOW + timedelta(days=3), "ana, not due yet")
        done = await remind(bob, NOW - timedelta(hours=1), "bob, done already")
        await remind(eve, NOW, "another team's")
        await uow.commit()

    await _set_status(sessions, done, ReminderStatus.DONE)

    async with uow_factory() as uow:
        lines = await uow.reminders.open_for_team(team.id, due_before=NOW + timedelta(hours=12))

    assert [(line.reminder.rep_id, line.reminder.text) for line in lines] == [
        (ana.id, "ana, overdue"),
        (bob.id, "bob, later today"),
    ]


async def test_upcoming_for_rep_gives_the_next_open_ones_earliest_first_up_to_the_limit(
    uow_factory: SqlUnitOfWorkFactory, sessions: async_sessionmaker[AsyncSession]
) -> None:
    start = datetime(2026, 11, 23, 22, 0, tzinfo=UTC)
    async with uow_factory() as uow:
        team = await uow.teams.add("Sales")
        ana = await add_rep(uow, team, "ana")
        bob = await add_rep(uow, team, "bob")

        async def remind(rep: Rep, due_at: datetime, text: str) -> int:
            reminder = await uow.reminders.add(
                team_id=team.id,
                rep_id=rep.id,
                due_at=due_at,
                text=text,
                contact_id=None,
                company_id=None,
            )
            return reminder.id

        await remind(ana, start + timedelta(days=2), "third")
        await remind(ana, start - timedelta(minutes=1), "today, not upcoming")
        await remind(ana, start + timedelta(hours=10), "second")
        await remind(ana, start, "first, exactly at the start")
        done = await remind(ana, start + timedelta(hours=1), "done already")
        await remind(bob, start + timedelta(hours=2), "bob's")
        await uow.commit()

    await _set_status(sessions, done, ReminderStatus.DONE)

    async with uow_factory() as uow:
        two = await uow.reminders.upcoming_for_rep(ana.id, due_from=start, limit=2)
        many = await uow.reminders.upcoming_for_rep(ana.id, due_from=start, limit=10)
        later = await uow.reminders.upcoming_for_rep(
            ana.id, due_from=start + timedelta(days=3), limit=10
        )

    assert [line.reminder.text for line in two] == ["first, exactly at the start", "second"]
    assert [line.reminder.text for line in many] == [
        "first, exactly at the start",
        "second",
        "third",
    ]
    assert later == []


# Activities ---------------------------------------------------------------------------


async def test_count_by_kind_counts_that_reps_activities_in_the_half_open_range(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    # The rep's Monday in Bucharest: [Sun 22:00 UTC, Mon 22:00 UTC).
    since = datetime(2026, 11, 23, 0, 0, tzinfo=BUCHAREST)
    until = datetime(2026, 11, 24, 0, 0, tzinfo=BUCHAREST)
    async with uow_factory() as uow:
        team = await uow.teams.add("Sales")
        ana = await add_rep(uow, team, "ana")
        bob = await add_rep(uow, team, "bob")

        async def log(rep: Rep, kind: ActivityKind, occurred_at: datetime) -> None:
            await uow.activities.add(
                team_id=team.id,
                rep_id=rep.id,
                kind=kind,
                occurred_at=occurred_at,
                text=kind.value,
                contact_id=None,
                company_id=None,
            )

        await log(ana, ActivityKind.MEETING, since)  # the first instant counts
        await log(ana, ActivityKind.CALL, datetime(2026, 11, 22, 23, 30, tzinfo=UTC))  # 01:30
        await log(ana, ActivityKind.CALL, NOW)
        await log(ana, ActivityKind.EMAIL, since - timedelta(microseconds=1))  # Sunday
        await log(ana, ActivityKind.NOTE, until)  # Tuesday's first instant does not
        await log(ana, ActivityKind.NOTE, datetime(2026, 11, 23, 22, 30, tzinfo=UTC))  # Tue
        await log(bob, ActivityKind.MEETING, NOW)
        await log(bob, ActivityKind.EMAIL, NOW)
        await uow.commit()

    async with uow_factory() as uow:
        ana_counts = await uow.activities.count_by_kind(ana.id, since=since, until=until)
        bob_counts = await uow.activities.count_by_kind(bob.id, since=since, until=until)
        nothing = await uow.activities.count_by_kind(
            ana.id, since=until + timedelta(days=1), until=until + timedelta(days=2)
        )

    assert dict(ana_counts) == {ActivityKind.MEETING: 1, ActivityKind.CALL: 2}
    assert dict(bob_counts) == {ActivityKind.MEETING: 1, ActivityKind.EMAIL: 1}
    assert dict(nothing) == {}


# The unit of work ---------------------------------------------------------------------


async def test_a_unit_of_work_left_without_commit_leaves_nothing_behind(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        team = await uow.teams.add("Sales")
        await uow.companies.add(team.id, "Northwind")
        await add_rep(uow, team, "ana")

    async with uow_factory() as uow:
        assert await uow.teams.get(team.id) is None
        assert await uow.companies.find_by_name(team.id, "Northwind") is None
        assert await uow.reps.by_identity("telegram", "ana") is None


async def test_a_failing_update_rolls_back_everything_it_wrote(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        team = await uow.teams.add("Sales")
        await uow.commit()

    async def failing_update() -> None:
        async with uow_factory() as uow:
            await uow.companies.add(team.id, "Northwind")
            raise RuntimeError("parser blew up")

    with pytest.raises(RuntimeError, match="parser blew up"):
        await failing_update()

    async with uow_factory() as uow:
        assert await uow.teams.get(team.id) == team
        assert await uow.companies.find_by_name(team.id, "Northwind") is None


async def test_only_what_was_committed_stays(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        team = await uow.teams.add("Sales")
        await uow.companies.add(team.id, "Northwind")
        await uow.commit()
        await uow.companies.add(team.id, "Acme")  # after the commit, never committed

    async with uow_factory() as uow:
        assert await uow.companies.find_by_name(team.id, "Northwind") is not None
        assert await uow.companies.find_by_name(team.id, "Acme") is None


# The audit log ------------------------------------------------------------------------


async def test_the_audit_log_records_each_change_with_its_batch_and_time(
    uow_factory: SqlUnitOfWorkFactory, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with uow_factory() as uow:
        team = await uow.teams.add("Sales")
        ana = await add_rep(uow, team, "ana")
        company = await uow.companies.add(team.id, "Northwind")
        contact = await uow.contacts.add(team.id, "Sam Reed", company.id)
        for entity, entity_id, after in [
            ("company", company.id, {"id": company.id, "name": "Northwind"}),
            ("contact", contact.id, {"id": contact.id, "full_name": "Sam Reed"}),
        ]:
            await uow.audit.record(
                team_id=team.id,
                rep_id=ana.id,
                change_id="batch-1",
                action="create",
                entity=entity,
                entity_id=entity_id,
                before=None,
                after=after,
            )
        await uow.audit.record(
            team_id=team.id,
            rep_id=None,
            change_id="batch-2",
            action="update",
            entity="company",
            entity_id=company.id,
            before={"name": "Northwind"},
            after={"name": "Northwind Traders", "tags": ["vip", "ro"]},
        )
        await uow.commit()

    async with uow_factory() as uow:  # never committed: must not appear in the log
        await uow.audit.record(
            team_id=team.id,
            rep_id=ana.id,
            change_id="batch-3",
            action="create",
            entity="company",
            entity_id=company.id,
            before=None,
            after={"name": "ghost"},
        )

    async with sessions() as session:
        rows = (await session.scalars(select(AuditRow).order_by(AuditRow.id))).all()

    assert [(row.change_id, row.action, row.entity, row.entity_id) for row in rows] == [
        ("batch-1", "create", "company", company.id),
        ("batch-1", "create", "contact", contact.id),
        ("batch-2", "update", "company", company.id),
    ]
    assert [(row.team_id, row.rep_id) for row in rows] == [
        (team.id, ana.id),
        (team.id, ana.id),
        (team.id, None),
    ]
    assert rows[0].before is None
    assert rows[0].after == {"id": company.id, "name": "Northwind"}
    assert rows[2].before == {"name": "Northwind"}
    assert rows[2].after == {"name": "Northwind Traders", "tags": ["vip", "ro"]}
    assert all(row.at == NOW and row.at.utcoffset() == timedelta(0) for row in rows)


async def test_an_update_is_first_delivered_once_per_platform(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    at = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    async with uow_factory() as uow:
        assert await uow.updates.first_delivery("telegram", "42", at)
        assert not await uow.updates.first_delivery("telegram", "42", at)
        assert await uow.updates.first_delivery("slack", "42", at)
        await uow.commit()
    async with uow_factory() as uow:
        assert not await uow.updates.first_delivery("telegram", "42", at)
    async with uow_factory() as uow:  # not committed above: a failed update may come again
        assert await uow.updates.first_delivery("telegram", "43", at)
    async with uow_factory() as uow:
        assert await uow.updates.first_delivery("telegram", "43", at)


async def test_audit_rows_not_yet_written_are_seen_by_reads_in_the_same_unit_of_work(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    # Audit rows go to the database together at commit; anything that reads the log before
    # (undo, the erasure of a contact) must still find them, in the order they were made.
    async with uow_factory() as uow:
        team = await uow.teams.add("Sales")
        ana = await add_rep(uow, team, "ana")
        for number, entity in enumerate(("activity", "reminder", "contact"), start=1):
            await uow.audit.record(
                team_id=team.id, rep_id=ana.id, change_id="c1", action="create",
                entity=entity, entity_id=number, before=None, after={"n": number},
            )  # fmt: skip
        changes = await uow.audit.for_change(team.id, "c1")
        recent = await uow.audit.recent_changes(team.id, ana.id, NOW - timedelta(hours=1), 5)
        await uow.audit.record(
            team_id=team.id, rep_id=ana.id, change_id="c2", action="update",
            entity="contact", entity_id=3, before={"n": 3}, after={"n": 4},
        )  # fmt: skip
        session = uow._session  # a direct ORM read, as the erasure of a contact does
        assert session is not None
        rows = await session.scalars(select(AuditRow).order_by(AuditRow.id))
        read_directly = [(row.change_id, row.entity) for row in rows]

    assert [change.entity for change in changes] == ["activity", "reminder", "contact"]
    assert recent == ["c1"]
    assert read_directly == [
        ("c1", "activity"),
        ("c1", "reminder"),
        ("c1", "contact"),
        ("c2", "contact"),
    ]
