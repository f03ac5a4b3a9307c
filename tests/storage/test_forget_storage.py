"""Erasing a contact on SQLite and PostgreSQL: nothing of them is left in any table, the
activity counts stay; and ``crmbot forget contact`` does it from a shell."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine
from typer.testing import CliRunner

from bot.cli import app
from handlers.assistant import Assistant, CoreConfig
from handlers.clock import FixedClock
from handlers.messages import Incoming
from storage.database import create_engine
from storage.models import ActivityRow, Base, ContactPrefixRow, ContactRow
from storage.unit_of_work import SqlUnitOfWorkFactory

ZONE = "Europe/Bucharest"
ABOUT_SAM = [
    "Met Sam Reed from Northwind, call back tomorrow at 10",
    "Note: Sam Reed sails every weekend, birthday 5 May",
    "Called Ana Popescu at Acme, she knows SAM REED from school",
]
OTHERS = "Called Mike Hart at Pied Piper, follow up Friday"


def console(text: str = "", button: str | None = None, user: str = "ana") -> Incoming:
    return Incoming(
        platform="console", user_id=user, chat_id=user, text=text, button=button, timezone=ZONE
    )


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
async def assistant(engine: AsyncEngine, clock: FixedClock) -> Assistant:
    assistant = Assistant(SqlUnitOfWorkFactory(engine, clock), clock, CoreConfig(ZONE))
    for text in [*ABOUT_SAM, OTHERS]:
        await assistant.handle(console(text))
    await assistant.handle(console("Met Sam Reed from Umbrella", user="eve"))  # another team
    return assistant


async def dump(engine: AsyncEngine, team_id: int | None = None) -> str:
    """Every row of every table as text (of one team's tables, given ``team_id``)."""
    parts = []
    async with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            query = select(table)
            if team_id is not None and "team_id" in table.c:
                query = query.where(table.c.team_id == team_id)
            parts += [repr(tuple(row)) for row in await connection.execute(query)]
    return "\n".join(parts)


async def team_of(engine: AsyncEngine, clock: FixedClock, user: str) -> int:
    async with SqlUnitOfWorkFactory(engine, clock)() as uow:
        rep = await uow.reps.by_identity("console", user)
        assert rep is not None
        return rep.team_id


async def activities(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return (
            await connection.execute(select(func.count()).select_from(ActivityRow))
        ).scalar_one()


async def test_nothing_of_the_erased_contact_is_left_in_any_table(
    assistant: Assistant, engine: AsyncEngine, clock: FixedClock
) -> None:
    counted = await activities(engine)
    ana_team = await team_of(engine, clock, "ana")
    async with engine.begin() as connection:  # the details an import would have brought
        await connection.execute(
            update(ContactRow)
            .where(ContactRow.team_id == ana_team, ContactRow.full_name == "Sam Reed")
            .values(email="sam@reed.example", phone="+40 721 000 111", job_title="Skipper")
        )
    assert "sam@reed.example" in await dump(engine, ana_team)
    confirm = await assistant.handle(console("/forget Sam Reed"))
    assert confirm is not None
    (erase, _cancel) = confirm.flat_buttons
    eves = await dump(engine, await team_of(engine, clock, "eve"))

    reply = await assistant.handle(console(button=erase.payload))

    assert reply is not None
    assert reply.text.startswith("Erased: the contact is now “Erased contact #")
    rows = await dump(engine, await team_of(engine, clock, "ana"))
    for personal in ("Sam Reed", "SAM REED", "sam reed", "sails", "birthday", "sam@reed",
                     "721 000 111", "Skipper"):  # fmt: skip
        assert not [row for row in rows.splitlines() if personal in row], personal
    assert "Mike Hart" in rows
    # Eve's team's Sam Reed is another person: untouched.
    assert await dump(engine, await team_of(engine, clock, "eve")) == eves
    assert "Sam Reed" in eves
    assert await activities(engine) == counted
    async with engine.connect() as connection:
        prefixes = await connection.execute(
            select(ContactPrefixRow.prefix).where(
                ContactPrefixRow.contact_id == int(erase.payload.removeprefix("fg:"))
            )
        )
        assert prefixes.all() == []  # the name is not found by its letters any more


async def seed(database_url: str, clock: FixedClock) -> str:
    """Ana's messages about Sam; the database as text."""
    engine = create_engine(database_url)
    try:
        assistant = Assistant(SqlUnitOfWorkFactory(engine, clock), clock, CoreConfig(ZONE))
        for text in [*ABOUT_SAM, OTHERS]:
            await assistant.handle(console(text))
        return await dump(engine)
    finally:
        await engine.dispose()


async def read(database_url: str) -> str:
    engine = create_engine(database_url)
    try:
        return await dump(engine)
    finally:
        await engine.dispose()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_cli_asks_then_erases(database_url: str, clock: FixedClock, tmp_path: Path) -> None:
    """In-process (Typer's runner): the command runs its own event loop, as from a shell."""
    before = asyncio.run(seed(database_url, clock))
    runner = CliRunner()

    def forget(*args: str, stdin: str = "") -> Result:
        return runner.invoke(app, ["forget", "contact", *args, "--db", database_url], input=stdin)

    team = "--team", "ana's team"
    unconfirmed = forget("sam reed", *team)  # no terminal, no answer: as in CI
    declined = forget("Sam Reed", *team, stdin="n\n")
    unknown = forget("Sam Red", *team, "--yes")
    wrong_team = forget("Sam Reed", "--team", "nope", "--yes")

    for result in (unconfirmed, declined, unknown, wrong_team):
        assert result.exit_code == 2, result.output
    assert "Erase Sam Reed (Northwind) (#" in unconfirmed.stdout
    assert "not confirmed, so nothing was erased. Add --yes" in unconfirmed.stderr
    assert "not confirmed" in declined.stderr
    assert "has no contact called 'Sam Red'. Similar names: 'Sam Reed'." in unknown.stderr
    assert "no team is called 'nope'" in wrong_team.stderr
    assert asyncio.run(read(database_url)) == before

    confirmed = forget("Sam Reed", *team, stdin="y\n")

    assert confirmed.exit_code == 0, confirmed.output
    assert "Erased: the contact is now “Erased contact #" in confirmed.stdout
    after = asyncio.run(read(database_url))
    assert "Sam Reed" not in after
    assert "sails" not in after
    again = forget("#" + after.split("Erased contact #")[1].split("'")[0], *team, "--yes")
    assert again.exit_code == 2
    assert "has no contact called" in again.stderr
