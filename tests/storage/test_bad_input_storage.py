"""Bad input through the real Assistant on SQLite and PostgreSQL: SQL-looking text, control
characters, names too long for their columns, very long messages. Each gets a clear answer;
nothing is lost and nothing else is touched."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from handlers import texts
from handlers.assistant import MAX_MESSAGE_LENGTH, Assistant, CoreConfig
from handlers.clock import FixedClock
from handlers.messages import Incoming, Reply
from storage.database import create_engine
from storage.models import ActivityRow, CompanyRow, ContactRow, ReminderRow
from storage.unit_of_work import SqlUnitOfWorkFactory

ZONE = "Europe/Bucharest"


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
async def assistant(engine: AsyncEngine, clock: FixedClock) -> Assistant:
    """The console's Ana, past her welcome (her one-person team exists)."""
    assistant = Assistant(SqlUnitOfWorkFactory(engine, clock), clock, CoreConfig(ZONE))
    await say(assistant, "/start")
    return assistant


async def say(assistant: Assistant, text: str) -> Reply:
    reply = await assistant.handle(
        Incoming(platform="console", user_id="ana", chat_id="ana", text=text, timezone=ZONE)
    )
    assert reply is not None
    assert texts.FAILED not in reply.text
    return reply


async def counts(engine: AsyncEngine) -> tuple[int, ...]:
    async with engine.connect() as connection:
        return tuple(
            [
                (await connection.execute(select(func.count()).select_from(table))).scalar_one()
                for table in (CompanyRow, ContactRow, ActivityRow, ReminderRow)
            ]
        )


async def texts_of(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as connection:
        return list((await connection.execute(select(ActivityRow.text))).scalars())


async def test_sql_looking_text_is_stored_as_words(
    assistant: Assistant, engine: AsyncEngine
) -> None:
    message = "Met Robert'); DROP TABLE contacts;-- from Acme, call back tomorrow at 10"

    reply = await say(assistant, message)

    assert reply.text.startswith("✓ Meeting")
    assert await texts_of(engine) == [message]
    for probe in ("/find '; DROP TABLE", "/find %", "/find _%_", "/history ' OR 1=1 --"):
        answer = await say(assistant, probe)
        assert "Acme" not in answer.text or probe.startswith("/find '"), (probe, answer.text)
    assert (await say(assistant, "/find 100%")).text == "Nothing found for “100%”."
    assert await counts(engine) == (1, 1, 1, 1)  # every table still there, nothing added


async def test_control_characters_are_dropped_before_anything_is_stored(
    assistant: Assistant, engine: AsyncEngine
) -> None:
    # NUL is refused by PostgreSQL's text type; bidi overrides can disguise a name.
    reply = await say(assistant, "Met Sam\x00 Reed\u202e from North\x07wind, call back tomorrow")

    assert reply.text.startswith("✓ Meeting with Sam Reed (Northwind) saved.")
    assert await texts_of(engine) == ["Met Sam Reed from Northwind, call back tomorrow"]


async def test_a_name_too_long_for_its_column_is_kept_as_words(
    assistant: Assistant, engine: AsyncEngine
) -> None:
    message = "Met Sam " + "R" * 300 + " from Acme"

    reply = await say(assistant, message)

    assert reply.text.startswith("✓ Meeting")
    assert await texts_of(engine) == [message]
    async with engine.connect() as connection:
        names = (await connection.execute(select(ContactRow.full_name))).scalars().all()
    assert all(len(name) <= 200 for name in names)


async def test_a_very_long_message_is_refused_whole(
    assistant: Assistant, engine: AsyncEngine
) -> None:
    before = await counts(engine)

    reply = await say(assistant, "Met Sam Reed " + "blah " * MAX_MESSAGE_LENGTH)

    assert reply.text.startswith("That message is ")
    assert "Nothing was saved" in reply.text
    assert await counts(engine) == before
