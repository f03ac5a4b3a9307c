"""The repository methods behind the capture card's fixes and Undo, on SQLite and PostgreSQL.

Each test writes in one unit of work and reads back in a fresh one, the way two incoming updates
would. Every method is scoped by team: another team's ids find nothing and change nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.assistant import Assistant, CoreConfig
from handlers.clock import FixedClock
from handlers.domain import ActivityKind, Company, Contact, Rep, Role, Team
from handlers.messages import Incoming, Reply
from storage.database import create_engine
from storage.models import (
    ActivityRow,
    AuditRow,
    CompanyRow,
    ContactRow,
    DealRow,
    ReminderRow,
)
from storage.unit_of_work import SqlUnitOfWork, SqlUnitOfWorkFactory

# The conftest clock: Monday 23 November 2026, 08:00 UTC.
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
_TABLES: list[type[object]] = [CompanyRow, ContactRow, ActivityRow, ReminderRow]


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Plain sessions on the same database, to look at or add rows the ports do not expose."""
    engine = create_engine(database_url)
    try:
        yield async_sessionmaker(engine, expire_on_commit=False)
    finally:
        await engine.dispose()


async def add_rep(uow: SqlUnitOfWork, team: Team, external_id: str) -> Rep:
    return await uow.reps.add(
        team_id=team.id,
        platform="telegram",
        external_id=external_id,
        chat_id=f"chat-{external_id}",
        display_name=external_id.title(),
        language="en",
        timezone="Europe/Bucharest",
        role=Role.REP,
    )


async def log(
    uow: SqlUnitOfWork, rep: Rep, contact: Contact | None, company: Company | None
) -> int:
    activity = await uow.activities.add(
        team_id=rep.team_id,
        rep_id=rep.id,
        kind=ActivityKind.MEETING,
        occurred_at=NOW,
        text="met",
        contact_id=contact.id if contact else None,
        company_id=company.id if company else None,
    )
    return activity.id


async def remind(
    uow: SqlUnitOfWork, rep: Rep, contact: Contact | None, company: Company | None
) -> int:
    reminder = await uow.reminders.add(
        team_id=rep.team_id,
        rep_id=rep.id,
        due_at=NOW + timedelta(days=1),
        text="call back",
        contact_id=contact.id if contact else None,
        company_id=company.id if company else None,
    )
    return reminder.id


async def count(sessions: async_sessionmaker[AsyncSession], model: type[object]) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


# The audit log by change ------------------------------------------------------------------


async def test_for_change_gives_one_teams_rows_of_one_change_in_order(
    uow_factory: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    change = "0" * 31 + "1"
    entries: list[tuple[str, str, int, dict[str, Any] | None, dict[str, Any] | None]] = [
        ("create", "company", 7, None, {"id": 7, "name": "Northwind"}),
        ("update", "contact", 3, {"company_id": None}, {"company_id": 7}),
        ("create", "activity", 9, None, {"id": 9, "text": "met"}),
    ]
    async with uow_factory() as uow:
        team = await uow.teams.add("Sales")
        other = await uow.teams.add("Elsewhere")
        ana = await add_rep(uow, team, "ana")
        for action, entity, entity_id, before, after in entries:
            await uow.audit.record(
                team_id=team.id,
                rep_id=ana.id,
                change_id=change,
                action=action,
                entity=entity,
                entity_id=entity_id,
                before=before,
                after=after,
            )
        await uow.audit.record(  # same id in another team (ids are random; still, scoped)
            team_id=other.id,
            rep_id=None,
            change_id=change,
            action="create",
            entity="company",
            entity_id=8,
            before=None,
            after={"id": 8},
        )
        await uow.audit.record(
            team_id=team.id,
            rep_id=ana.id,
            change_id="f" * 32,
            action="create",
            entity="company",
            entity_id=10,
            before=None,
            after={"id": 10},
        )
        await uow.commit()

    async with uow_factory() as uow:
        rows = await uow.audit.for_change(team.id, change)
        theirs = await uow.audit.for_change(other.id, change)
        nothing = await uow.audit.for_change(team.id, "a" * 32)

    assert [(r.action, r.entity, r.entity_id) for r in rows] == [
        ("create", "company", 7),
        ("update", "contact", 3),
        ("create", "activity", 9),
    ]
    assert {(r.change_id, r.rep_id) for r in rows} == {(change, ana.id)}
    assert rows[0].before is None
    assert rows[0].after == {"id": 7, "name": "Northwind"}
    assert (rows[1].before, rows[1].after) == ({"company_id": None}, {"company_id": 7})
    assert all(r.at == clock.now() and r.at.utcoffset() == timedelta(0) for r in rows)
    assert [r.entity_id for r in theirs] == [8]
    assert nothing == []


# Activities and reminders -----------------------------------------------------------------


async def test_activities_are_got_relinked_and_deleted_within_their_team(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        team = await uow.teams.add("Sales")
        other = await uow.teams.add("Elsewhere")
        ana = await add_rep(uow, team, "ana")
        northwind = await uow.companies.add(team.id, "Northwind")
        sam = await uow.contacts.add(team.id, "Sam Reed", None)
        samuel = await uow.contacts.add(team.id, "Samuel Reed", northwind.id)
        activity_id = await log(uow, ana, sam, None)
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.activities.get(other.id, activity_id) is None
        assert (
            await uow.activities.relink_contact(
                other.id, activity_id, contact_id=samuel.id, company_id=northwind.id
            )
            is None
        )
        assert not await uow.activities.delete(other.id, activity_id)
        relinked = await uow.activities.relink_contact(
            team.id, activity_id, contact_id=samuel.id, company_id=northwind.id
        )
        await uow.commit()

    async with uow_factory() as uow:
        stored = await uow.activities.get(team.id, activity_id)
    assert stored == relinked
    assert stored is not None
    assert (stored.contact_id, stored.company_id, stored.text) == (samuel.id, northwind.id, "met")

    async with uow_factory() as uow:
        assert await uow.activities.delete(team.id, activity_id)
        assert not await uow.activities.delete(team.id, activity_id)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.activities.get(team.id, activity_id) is None
        assert (
            await uow.activities.relink_contact(
                team.id, activity_id, contact_id=None, company_id=None
            )
            is None
        )


async def test_deleting_an_activity_unlinks_the_reminder_it_was_logged_for(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        team = await uow.teams.add("Sales")
        ana = await add_rep(uow, team, "ana")
        reminder_id = await remind(uow, ana, None, None)
        activity_id = await log(uow, ana, None, None)
        await uow.reminders.link_activity(team.id, reminder_id, activity_id)
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.activities.delete(team.id, activity_id)
        await uow.commit()

    async with uow_factory() as uow:
        reminder = await uow.reminders.get(team.id, reminder_id)
    assert reminder is not None
    assert reminder.activity_id is None


async def test_reminders_are_relinked_and_deleted_within_their_team(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        team = await uow.teams.add("Sales")
        other = await uow.teams.add("Elsewhere")
        ana = await add_rep(uow, team, "ana")
        acme = await uow.companies.add(team.id, "Acme")
        sam = await uow.contacts.add(team.id, "Sam Reed", None)
        ana_p = await uow.contacts.add(team.id, "Ana Popescu", acme.id)
        reminder_id = await remind(uow, ana, sam, None)
        kept_id = await remind(uow, ana, sam, None)
        await uow.commit()

    async with uow_factory() as uow:
        assert (
            await uow.reminders.relink_contact(
                other.id, reminder_id, contact_id=ana_p.id, company_id=acme.id
            )
            is None
        )
        assert not await uow.reminders.delete(other.id, reminder_id)
        relinked = await uow.reminders.relink_contact(
            team.id, reminder_id, contact_id=ana_p.id, company_id=acme.id
        )
        await uow.commit()

    async with uow_factory() as uow:
        stored = await uow.reminders.get(team.id, reminder_id)
        [line, _] = await uow.reminders.open_for_rep(ana.id, due_before=NOW + timedelta(days=2))
    assert stored == relinked
    assert stored is not None
    assert (stored.contact_id, stored.company_id) == (ana_p.id, acme.id)
    assert (line.contact_name, line.company_name) == ("Ana Popescu", "Acme")

    async with uow_factory() as uow:
        assert await uow.reminders.delete(team.id, reminder_id)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.reminders.get(team.id, reminder_id) is None
        assert await uow.reminders.get(team.id, kept_id) is not None
        assert not await uow.reminders.delete(team.id, reminder_id)


# Contacts and companies -------------------------------------------------------------------


async def test_a_contact_is_got_and_refiled_within_its_team(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        team = await uow.teams.add("Sales")
        other = await uow.teams.add("Elsewhere")
        northwind = await uow.companies.add(team.id, "Northwind")
        sam = await uow.contacts.add(team.id, "Sam Reed", northwind.id)
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.contacts.get(other.id, sam.id) is None
        assert await uow.contacts.relink_company(other.id, sam.id, None) is None
        unfiled = await uow.contacts.relink_company(team.id, sam.id, None)
        await uow.commit()

    async with uow_factory() as uow:
        stored = await uow.contacts.get(team.id, sam.id)
        assert stored == unfiled
        assert stored is not None
        assert stored.company_id is None
        refiled = await uow.contacts.relink_company(team.id, sam.id, northwind.id)
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.contacts.get(team.id, sam.id) == refiled
    assert refiled is not None
    assert refiled.company_id == northwind.id


@pytest.mark.parametrize("used_by", ["nothing", "activity", "reminder", "other-team"])
async def test_a_contact_is_deleted_only_when_nothing_refers_to_it(
    uow_factory: SqlUnitOfWorkFactory, used_by: str
) -> None:
    async with uow_factory() as uow:
        team = await uow.teams.add("Sales")
        other = await uow.teams.add("Elsewhere")
        ana = await add_rep(uow, team, "ana")
        sam = await uow.contacts.add(team.id, "Sam Reed", None)
        if used_by == "activity":
            await log(uow, ana, sam, None)
        if used_by == "reminder":
            await remind(uow, ana, sam, None)
        await uow.commit()

    async with uow_factory() as uow:
        deleted = await uow.contacts.delete_unused(
            other.id if used_by == "other-team" else team.id, sam.id
        )
        await uow.commit()

    async with uow_factory() as uow:
        still_there = await uow.contacts.get(team.id, sam.id) is not None
    assert deleted is (used_by == "nothing")
    assert still_there is (used_by != "nothing")


@pytest.mark.parametrize(
    "used_by", ["nothing", "contact", "activity", "reminder", "deal", "other-team"]
)
async def test_a_company_is_deleted_only_when_nothing_refers_to_it(
    uow_factory: SqlUnitOfWorkFactory, sessions: async_sessionmaker[AsyncSession], used_by: str
) -> None:
    async with uow_factory() as uow:
        team = await uow.teams.add("Sales")
        other = await uow.teams.add("Elsewhere")
        ana = await add_rep(uow, team, "ana")
        northwind = await uow.companies.add(team.id, "Northwind")
        if used_by == "contact":
            await uow.contacts.add(team.id, "Sam Reed", northwind.id)
        if used_by == "activity":
            await log(uow, ana, None, northwind)
        if used_by == "reminder":
            await remind(uow, ana, None, northwind)
        await uow.commit()
    if used_by == "deal":
        async with sessions() as session:
            session.add(
                DealRow(
                    team_id=team.id,
                    company_id=northwind.id,
                    owner_rep_id=ana.id,
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
            await session.commit()

    async with uow_factory() as uow:
        deleted = await uow.companies.delete_unused(
            other.id if used_by == "other-team" else team.id, northwind.id
        )
        await uow.commit()

    async with uow_factory() as uow:
        still_there = await uow.companies.get(team.id, northwind.id) is not None
    assert deleted is (used_by == "nothing")
    assert still_there is (used_by != "nothing")


async def test_a_contact_and_company_added_in_the_same_unit_of_work_can_be_deleted(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        team = await uow.teams.add("Sales")
        ana = await add_rep(uow, team, "ana")
        northwind = await uow.companies.add(team.id, "Northwind")
        sam = await uow.contacts.add(team.id, "Sam Reed", northwind.id)
        activity_id = await log(uow, ana, sam, northwind)
        assert not await uow.contacts.delete_unused(team.id, sam.id)
        assert await uow.activities.delete(team.id, activity_id)
        assert not await uow.companies.delete_unused(team.id, northwind.id)  # Sam is there
        assert await uow.contacts.delete_unused(team.id, sam.id)
        assert await uow.companies.delete_unused(team.id, northwind.id)
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.companies.find_by_name(team.id, "Northwind") is None
        assert await uow.contacts.find_by_name(team.id, "Sam Reed") is None


# The whole flow on a real database --------------------------------------------------------


def _button(reply: Reply | None, label: str) -> str:
    assert reply is not None
    return next(b.payload for b in reply.flat_buttons if b.label == label)


def _console(text: str = "", button: str | None = None) -> Incoming:
    return Incoming(
        platform="console",
        user_id="ana",
        chat_id="ana",
        text=text,
        button=button,
        timezone="Europe/Bucharest",
    )


async def test_change_contact_then_undo_leave_the_database_as_it_was(
    uow_factory: SqlUnitOfWorkFactory,
    clock: FixedClock,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    assistant = Assistant(uow_factory, clock, CoreConfig(default_timezone="Europe/Bucharest"))
    await assistant.handle(_console("Met Mike Hart at Pied Piper"))
    before = {model: await count(sessions, model) for model in _TABLES}

    card = await assistant.handle(_console("Met Sam Reed from Northwind, call back tomorrow at 10"))
    await assistant.handle(_console(button=_button(card, "Change contact")))
    changed = await assistant.handle(_console("Samuel Reed"))
    undone = await assistant.handle(_console(button=_button(card, "Undo")))
    again = await assistant.handle(_console(button=_button(card, "Undo")))

    assert changed is not None
    assert changed.text.startswith("✓ Contact changed to Samuel Reed (Northwind).")
    assert undone is not None
    assert undone.text == (
        "↩ Undone: removed the callback, the meeting, Samuel Reed, Sam Reed and Northwind."
    )
    assert again is not None
    assert again.text == "That message was already undone. Nothing was changed."
    assert {model: await count(sessions, model) for model in _TABLES} == before
    async with sessions() as session:
        actions = list(
            await session.scalars(
                select(AuditRow.action)
                .where(AuditRow.change_id == _button(card, "Undo").removeprefix("u:"))
                .order_by(AuditRow.id)
            )
        )
    assert actions == ["create"] * 4 + ["create", "update", "update"] + ["undo"] * 5


async def test_undo_keeps_a_company_in_use_and_puts_back_a_filled_in_one(
    uow_factory: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    assistant = Assistant(uow_factory, clock, CoreConfig(default_timezone="Europe/Bucharest"))
    await assistant.handle(_console("Met Sam Reed"))
    card = await assistant.handle(_console("Called Sam Reed from Northwind"))
    await assistant.handle(_console("Met Mike Hart at Northwind"))

    undone = await assistant.handle(_console(button=_button(card, "Undo")))

    assert undone is not None
    assert undone.text == (
        "↩ Undone: removed the call.\n"
        "Sam Reed is no longer filed under Northwind.\n"
        "Kept Northwind: other records use it."
    )
    async with uow_factory() as uow:
        rep = await uow.reps.by_identity("console", "ana")
        assert rep is not None
        sam = await uow.contacts.find_by_name(rep.team_id, "Sam Reed")
        assert await uow.companies.find_by_name(rep.team_id, "Northwind") is not None
    assert sam is not None
    assert sam.company_id is None


async def test_undo_is_refused_a_day_later(
    uow_factory: SqlUnitOfWorkFactory,
    clock: FixedClock,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    assistant = Assistant(uow_factory, clock, CoreConfig(default_timezone="Europe/Bucharest"))
    card = await assistant.handle(_console("Met Sam Reed from Northwind"))
    clock.advance(timedelta(days=1, seconds=1))

    reply = await assistant.handle(_console(button=_button(card, "Undo")))

    assert reply is not None
    assert reply.text.startswith("That message is more than 24 hours old")
    assert await count(sessions, ActivityRow) == 1
