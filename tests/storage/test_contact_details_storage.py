"""A contact's e-mail, phone and job title on SQLite and PostgreSQL: an import stores them,
fills in only what is empty, and an erasure leaves none of them, in the table or the audit log."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from handlers.clock import FixedClock
from handlers.csv_table import read_table
from handlers.domain import Contact, Role, Team
from handlers.import_rows import map_columns, read_records
from handlers.privacy import erase
from storage import transfer
from storage.database import create_engine
from storage.models import AuditRow, ContactRow
from storage.transfer import ImportResult, import_contacts
from storage.unit_of_work import SqlUnitOfWorkFactory

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
HEADER = "Name;Company;E-mail;Phone;Title\n"


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


async def _team(engine: AsyncEngine) -> Team:
    async with SqlUnitOfWorkFactory(engine, FixedClock(NOW))() as uow:
        team = await uow.teams.add("Acme", timezone="Europe/Bucharest")
        await uow.reps.add(
            team_id=team.id, platform="console", external_id="ana", chat_id="ana",
            display_name="Ana", language="en", timezone="Europe/Bucharest", role=Role.ADMIN,
        )  # fmt: skip
        await uow.commit()
    return team


async def _import(engine: AsyncEngine, rows: str) -> ImportResult:
    table = read_table((HEADER + rows).encode())
    columns = map_columns(table.header)
    return await import_contacts(
        engine, FixedClock(NOW), "Acme", lambda _team: read_records(table, columns)
    )


async def _contact(engine: AsyncEngine, team: Team, name: str) -> Contact:
    async with SqlUnitOfWorkFactory(engine, FixedClock(NOW))() as uow:
        found = await uow.contacts.find_by_name(team.id, name)
        assert found is not None
        return found


async def test_an_import_stores_the_details_of_new_contacts(engine: AsyncEngine) -> None:
    team = await _team(engine)

    result = await _import(
        engine,
        "Sam Reed;Northwind;sam@northwind.example;'+40 721 000 111;Head of IT\n"
        "Ivy Lu;Initech;ivy at initech;12;\n",
    )

    assert result.written
    sam = await _contact(engine, team, "Sam Reed")
    ivy = await _contact(engine, team, "Ivy Lu")
    assert (sam.email, sam.phone, sam.job_title) == (
        "sam@northwind.example", "+40 721 000 111", "Head of IT",
    )  # fmt: skip
    assert (ivy.email, ivy.phone, ivy.job_title) == (None, None, None)  # refused, not stored


async def test_a_merge_fills_only_what_is_empty_and_a_second_run_writes_nothing(
    engine: AsyncEngine,
) -> None:
    team = await _team(engine)
    async with SqlUnitOfWorkFactory(engine, FixedClock(NOW))() as uow:
        northwind = await uow.companies.add(team.id, "Northwind")
        sam = await uow.contacts.add(team.id, "Sam Reed", northwind.id)
        await uow.commit()
    async with engine.begin() as connection:  # what the team already knows
        await connection.execute(
            update(ContactRow).where(ContactRow.id == sam.id).values(email="sam@team.example")
        )
    rows = "Sam Reed;Northwind;sam@file.example;0721 000 111;Head of IT\n"

    first = await _import(engine, rows)
    again = await _import(engine, rows)

    stored = await _contact(engine, team, "Sam Reed")
    assert (stored.email, stored.phone, stored.job_title) == (
        "sam@team.example", "0721 000 111", "Head of IT",
    )  # fmt: skip
    assert first.written
    assert not again.written
    async with engine.connect() as connection:
        audited = (
            await connection.execute(
                select(AuditRow.after).where(
                    AuditRow.entity == "contact", AuditRow.entity_id == sam.id
                )
            )
        ).scalars().all()  # fmt: skip
    assert audited == [{"phone": "0721 000 111", "job_title": "Head of IT"}]


async def test_a_detail_typed_after_the_team_was_read_is_not_overwritten(
    engine: AsyncEngine,
) -> None:
    team = await _team(engine)
    async with SqlUnitOfWorkFactory(engine, FixedClock(NOW))() as uow:
        sam = await uow.contacts.add(team.id, "Sam Reed", None)
        ivy = await uow.contacts.add(team.id, "Ivy Lu", None)
        await uow.commit()
    async with engine.begin() as connection:
        await connection.execute(
            update(ContactRow).where(ContactRow.id == sam.id).values(phone="0722 999 999")
        )
    wanted = {sam.id: {"phone": "0721 000 111"}, ivy.id: {"phone": "0733 000 111"}}

    async with async_sessionmaker(engine)() as session, session.begin():
        await transfer._fill_details(session, wanted)

    assert (await _contact(engine, team, "Sam Reed")).phone == "0722 999 999"
    assert (await _contact(engine, team, "Ivy Lu")).phone == "0733 000 111"


async def test_an_erasure_clears_the_details_and_their_audit_snapshots(
    engine: AsyncEngine,
) -> None:
    team = await _team(engine)
    await _import(engine, "Sam Reed;Northwind;sam@northwind.example;0721 000 111;Skipper\n")
    sam = await _contact(engine, team, "Sam Reed")

    async with SqlUnitOfWorkFactory(engine, FixedClock(NOW))() as uow:
        assert await erase(uow, team.id, sam, None, via="cli") is not None
        await uow.commit()

    async with SqlUnitOfWorkFactory(engine, FixedClock(NOW))() as uow:
        gone = await uow.contacts.get(team.id, sam.id)
    assert gone is not None
    assert (gone.email, gone.phone, gone.job_title) == (None, None, None)
    async with engine.connect() as connection:
        snapshots = (
            await connection.execute(
                select(AuditRow.before, AuditRow.after).where(AuditRow.entity == "contact")
            )
        ).all()
    text = repr(snapshots)
    for personal in ("sam@northwind", "0721", "Skipper", "Sam Reed"):
        assert personal not in text, personal
    assert "(erased)" in text  # the import's snapshot keeps its keys, without the data


async def test_contacts_are_found_by_e_mail_in_any_case_or_by_phone_digits(
    engine: AsyncEngine,
) -> None:
    team = await _team(engine)
    await _import(
        engine,
        "Sam Reed;Northwind;Sam.Reed@Northwind.example;+40 (721) 000-111;\n"
        "Ivy Lu;Initech;ivy_lu@initech.example;0722 555 000;\n"
        "Ana Pop;Initech;;;\n",
    )

    async def find(email: str | None, digits: str | None) -> list[str]:
        async with SqlUnitOfWorkFactory(engine, FixedClock(NOW))() as uow:
            found = await uow.recall.find_contacts_by_details(
                team.id, email=email, phone_digits=digits, limit=10
            )
        return [contact.full_name for contact in found]

    assert await find("sam.reed@NORTHWIND", None) == ["Sam Reed"]
    assert await find("@", None) == ["Ivy Lu", "Sam Reed"]
    assert await find("y_l", None) == ["Ivy Lu"]
    assert await find("s_m", None) == []  # "_" is a letter here, not LIKE's wildcard
    assert await find("%", None) == []
    assert await find(None, "40721000111") == ["Sam Reed"]
    assert await find(None, "000") == ["Ivy Lu", "Sam Reed"]
    assert await find(None, None) == []
