"""``/undo`` on SQLite and PostgreSQL: the rep's changes taken back newest first (the audit
log's ``recent_changes`` and the reminders' ``restore``), each undo audited."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from handlers.assistant import Assistant, CoreConfig
from handlers.clock import FixedClock
from handlers.messages import Incoming, Reply
from storage.database import create_engine
from storage.models import ActivityRow, AuditRow, ReminderRow
from storage.unit_of_work import SqlUnitOfWorkFactory

ZONE = "Europe/Bucharest"


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


async def handle(assistant: Assistant, text: str = "", button: str | None = None) -> Reply:
    reply = await assistant.handle(
        Incoming("console", "ana", "ana", text=text, button=button, timezone=ZONE)
    )
    assert reply is not None
    return reply


async def rows(engine: AsyncEngine) -> tuple[list[str], list[tuple[str, str]]]:
    async with engine.connect() as connection:
        activities = (await connection.execute(select(ActivityRow.text))).scalars().all()
        reminders = (await connection.execute(select(ReminderRow.text, ReminderRow.status))).all()
    return sorted(activities), sorted((text, status) for text, status in reminders)


async def test_undo_walks_back_through_the_reps_changes(
    engine: AsyncEngine, clock: FixedClock
) -> None:
    assistant = Assistant(SqlUnitOfWorkFactory(engine, clock), clock, CoreConfig(ZONE))
    await handle(assistant, "/start")
    empty = await rows(engine)
    card = await handle(assistant, "Met Sam Reed from Northwind, call back tomorrow at 10")
    reminder = next(b.payload for b in card.flat_buttons if b.payload.startswith("r:pick:"))
    first = await rows(engine)
    await handle(assistant, "Called Mike Hart at Pied Piper")
    second = await rows(engine)
    await handle(assistant, button=reminder.replace("pick", "done"))

    assert (await rows(engine))[1] == [("call back tomorrow at 10", "done")]
    done = await handle(assistant, "/undo")
    assert done.text.startswith("Your last change was your change to the callback")
    assert await rows(engine) == second
    call = await handle(assistant, "/undo")
    assert call.text.startswith("Your last change was your message “Called Mike Hart")
    assert await rows(engine) == first
    meeting = await handle(assistant, "/undo")
    assert meeting.text.startswith("Your last change was your message “Met Sam Reed")
    assert await rows(engine) == empty
    nothing = await handle(assistant, "/undo")
    assert nothing.text.startswith("There is nothing of yours to undo")

    async with engine.connect() as connection:
        undone = (
            await connection.execute(select(AuditRow.entity).where(AuditRow.action == "undo"))
        ).scalars()
        done_undone = ["reminder"]
        call_undone = ["activity", "contact", "company"]
        meeting_undone = ["reminder", "activity", "contact", "company"]
        assert sorted(undone) == sorted([*done_undone, *call_undone, *meeting_undone])
