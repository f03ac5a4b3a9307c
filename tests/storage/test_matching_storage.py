"""The repository queries behind matching and /log, on SQLite and PostgreSQL.

``similar`` finds the team's names sharing a word prefix with what was typed through the prefix
index, never by loading the table; ``recent_for_rep`` lists the rep's latest contacts; the
draft of a /log survives between updates. Each test writes in one unit of work and reads back
in a fresh one, the way two incoming updates would.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from sqlalchemy import event, insert, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from handlers.clock import FixedClock
from handlers.domain import ActivityKind, Contact, Rep, Role, Team
from handlers.matching import CANDIDATE_LIMIT, find_company, find_contact
from handlers.names import name_key, name_prefixes
from storage.database import create_engine, is_sqlite
from storage.migrate import alembic_config, upgrade
from storage.models import ContactPrefixRow, ContactRow
from storage.unit_of_work import SqlUnitOfWork, SqlUnitOfWorkFactory

# The conftest clock: Monday 23 November 2026, 08:00 UTC.
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """Another engine on the same database, to add rows in bulk and look at query plans."""
    engine = create_engine(database_url)
    try:
        yield engine
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


def names(records: list[Any]) -> list[str]:
    return [getattr(record, "full_name", None) or record.name for record in records]


# similar -------------------------------------------------------------------------------------


async def test_similar_contacts_share_a_word_prefix_most_shared_first_then_newest(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        team = await uow.teams.add("Sales")
        other = await uow.teams.add("Other")
        for name in ["Sam Smith", "Sam Reed", "Mike Hart", "Reed Hastings", "Samantha Reeves"]:
            await uow.contacts.add(team.id, name, None)
        await uow.contacts.add(other.id, "Sam Reed", None)
        await uow.commit()

    async with uow_factory() as uow:
        found = await uow.contacts.similar(team.id, "SAM reeed", 10)
        capped = await uow.contacts.similar(team.id, "sam reeed", 2)
        by_surname = await uow.contacts.similar(team.id, "Reed", 10)
        nothing = await uow.contacts.similar(team.id, "Zed Quinn", 10)
        no_words = await uow.contacts.similar(team.id, " -- ", 10)

    # Both words' prefixes shared (sa, sam, re, ree), newest first; then one word's.
    assert names(found) == ["Samantha Reeves", "Sam Reed", "Reed Hastings", "Sam Smith"]
    assert {contact.team_id for contact in found} == {team.id}
    assert names(capped) == ["Samantha Reeves", "Sam Reed"]
    assert names(by_surname) == ["Samantha Reeves", "Reed Hastings", "Sam Reed"]
    assert nothing == no_words == []


async def test_similar_companies_fold_case_accents_and_special_letters(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        team = await uow.teams.add("Sales")
        for name in ["Пятёрочка", "Łódź Trading", "Northwind", "Acme"]:
            await uow.companies.add(team.id, name)
        await uow.commit()

    async with uow_factory() as uow:
        assert names(await uow.companies.similar(team.id, "ПЯТЕРОЧКА", 10)) == ["Пятёрочка"]
        assert names(await uow.companies.similar(team.id, "lodz", 10)) == ["Łódź Trading"]
        assert names(await uow.companies.similar(team.id, "Nortwind", 10)) == ["Northwind"]
        # What the core does with them: the close spelling is the company.
        northwind = await find_company(uow, team.id, "Nortwind")
        assert northwind is not None
        assert northwind.name == "Northwind"


async def test_a_deleted_contact_or_company_leaves_the_index(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        team = await uow.teams.add("Sales")
        company = await uow.companies.add(team.id, "Northwind")
        contact = await uow.contacts.add(team.id, "Sam Reed", None)
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.contacts.delete_unused(team.id, contact.id)
        assert await uow.companies.delete_unused(team.id, company.id)
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.contacts.similar(team.id, "Sam Reed", 10) == []
        assert await uow.companies.similar(team.id, "Northwind", 10) == []


async def test_a_rolled_back_contact_leaves_no_prefixes(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        team = await uow.teams.add("Sales")
        await uow.commit()
    async with uow_factory() as uow:
        await uow.contacts.add(team.id, "Sam Reed", None)  # no commit

    async with uow_factory() as uow:
        assert await uow.contacts.similar(team.id, "Sam", 10) == []


# At the size of a real team ------------------------------------------------------------------

FIRST = (
    "Sam Ana Mike Maria Ion Elena Piotr Marta Olga Boris Juan Lucia Dan Irina Tom Kate Alex "
    "Sofia Ivan Nina Paul Eva Mark Lena Adam Zoe Luca Mila Igor Vera"
).split()
LAST = [
    f"{stem}{ending}"
    for stem in (
        "Reed Smith Hart Popa Nowak Orlov Garcia Ionescu Petrov Kowal Lopez Stan Ivanov Moss "
        "Dunn Kerr Lee Brown Green White"
    ).split()
    for ending in ("", "er", "son", "ski", "ov", "ova", "escu", "ez", "ing", "ton", "ley", "ham",
                   "man", "wood", "field", "ford", "well", "by", "en", "ich", "as", "is", "ek",
                   "ko", "ic", "ar", "al", "on", "um", "ix", "ux", "ox", "ay", "ey")
]  # fmt: skip


async def add_many(engine: AsyncEngine, team_id: int, count: int) -> list[str]:
    """``count`` contacts with their prefixes, in bulk, as the repository would store them."""
    full_names = [f"{first} {last}" for last in LAST for first in FIRST][:count]
    async with engine.begin() as connection:
        result = await connection.execute(
            insert(ContactRow).returning(ContactRow.id, ContactRow.full_name),
            [
                {
                    "team_id": team_id,
                    "full_name": name,
                    "name_key": name_key(name),
                    "created_at": NOW,
                }
                for name in full_names
            ],
        )
        ids = dict((name, contact_id) for contact_id, name in result.all())
        await connection.execute(
            insert(ContactPrefixRow),
            [
                {"contact_id": ids[name], "team_id": team_id, "prefix": prefix}
                for name in full_names
                for prefix in name_prefixes(name)
            ],
        )
        if not is_sqlite(str(engine.url)):
            await connection.execute(text("ANALYZE contacts"))
            await connection.execute(text("ANALYZE contact_prefixes"))
        else:
            await connection.execute(text("ANALYZE"))
    return full_names


def capture_statements(engine: AsyncEngine) -> tuple[list[tuple[str, Any]], Callable[[], None]]:
    statements: list[tuple[str, Any]] = []

    def remember(
        conn: Connection, cursor: Any, statement: str, parameters: Any, *args: Any
    ) -> None:
        statements.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", remember)
    return statements, lambda: event.remove(engine.sync_engine, "before_cursor_execute", remember)


async def test_twenty_thousand_contacts_a_typo_finds_one_by_the_index(
    engine: AsyncEngine, clock: FixedClock, database_url: str
) -> None:
    factory = SqlUnitOfWorkFactory(engine, clock)
    async with factory() as uow:
        team = await uow.teams.add("Big team")
        await uow.commit()
    full_names = await add_many(engine, team.id, 20_000)
    assert len(full_names) == 20_000
    assert "Sam Reed" in full_names

    statements, stop = capture_statements(engine)
    started = time.perf_counter()
    async with factory() as uow:
        candidates = await uow.contacts.similar(team.id, "sam reid", CANDIDATE_LIMIT)
        match = await find_contact(uow, team.id, "sam reid")
        lone = await find_contact(uow, team.id, "Sam")
    elapsed = time.perf_counter() - started
    stop()

    assert len(candidates) <= CANDIDATE_LIMIT
    assert match.contact is not None
    assert match.contact.full_name == "Sam Reed"
    assert lone.contact is None
    assert len(lone.choices) == 5  # hundreds of Sams: the rep is asked, with a screenful
    assert elapsed < 5  # generous for CI; about 0.05 s on a laptop

    # The candidates come from the prefix index, then their rows by primary key: no scans.
    prefix_query = next(s for s in statements if "FROM contact_prefixes" in s[0])
    rows_query = next(s for s in statements if "FROM contacts" in s[0] and " IN " in s[0])
    async with engine.connect() as connection:
        for (query, parameters), index in [
            (prefix_query, "ix_contact_prefixes_lookup"),
            (rows_query, "PRIMARY KEY" if is_sqlite(database_url) else "pk_contacts"),
        ]:
            if is_sqlite(database_url):
                rows = await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {query}", parameters)
                plan = "\n".join(str(row[-1]) for row in rows)
                assert "SCAN contact" not in plan, plan
            else:
                rows = await connection.exec_driver_sql(f"EXPLAIN {query}", parameters)
                plan = "\n".join(str(row[0]) for row in rows)
                assert "Seq Scan" not in plan, plan
            assert index in plan, plan


# recent_for_rep ------------------------------------------------------------------------------


async def test_recent_contacts_are_the_reps_latest_distinct_most_recent_first(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        team = await uow.teams.add("Sales")
        ana, bob = await add_rep(uow, team, "ana"), await add_rep(uow, team, "bob")
        contacts = [await uow.contacts.add(team.id, f"Person {n}", None) for n in range(7)]

        async def log(rep: Rep, contact: Contact | None, minutes: int) -> None:
            await uow.activities.add(
                team_id=team.id,
                rep_id=rep.id,
                kind=ActivityKind.CALL,
                occurred_at=NOW + timedelta(minutes=minutes),
                text="call",
                contact_id=contact.id if contact else None,
                company_id=None,
            )

        for minute, person in enumerate(contacts[:6]):
            await log(ana, person, minute)
        await log(ana, contacts[1], 10)  # seen again: first
        await log(ana, contacts[4], 10)  # same time, logged later: before it
        await log(ana, None, 20)  # a note with no one
        await log(bob, contacts[6], 30)  # another rep's
        await uow.commit()

    async with uow_factory() as uow:
        recent = await uow.contacts.recent_for_rep(team.id, ana.id, 5)
        others = await uow.contacts.recent_for_rep(team.id + 1000, ana.id, 5)
        bobs = await uow.contacts.recent_for_rep(team.id, bob.id, 5)

    assert names(recent) == ["Person 4", "Person 1", "Person 5", "Person 3", "Person 2"]
    assert others == []
    assert names(bobs) == ["Person 6"]


# The /log draft --------------------------------------------------------------------------------


async def test_a_reps_draft_is_kept_between_updates_and_cleared(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    draft = '{"kind": "call", "name": "Борис Орлов", "text": "' + "x" * 3000 + '"}'
    async with uow_factory() as uow:
        team = await uow.teams.add("Sales")
        rep = await add_rep(uow, team, "ana")
        await uow.reps.set_awaiting(rep.id, "log:a1b2c3:when")
        await uow.reps.set_draft(rep.id, draft)
        await uow.commit()

    async with uow_factory() as uow:
        stored = await uow.reps.by_identity("telegram", "ana")
        assert stored is not None
        assert (stored.awaiting, stored.draft) == ("log:a1b2c3:when", draft)
        await uow.reps.set_draft(rep.id, None)
        await uow.commit()

    async with uow_factory() as uow:
        stored = await uow.reps.by_identity("telegram", "ana")
        assert stored is not None
        assert stored.draft is None


# The migration ----------------------------------------------------------------------------------


async def test_the_migration_indexes_the_names_already_stored(
    database_url: str, engine: AsyncEngine, clock: FixedClock
) -> None:
    command.downgrade(alembic_config(database_url), "0002")
    try:
        async with engine.begin() as connection:
            # Plain SQL: the models describe the newest schema, this database is at 0002.
            team_id = (
                await connection.execute(
                    text(
                        "INSERT INTO teams (name, default_hour, date_order, created_at) "
                        "VALUES ('Sales', 9, 'DMY', :at) RETURNING id"
                    ),
                    {"at": NOW},
                )
            ).scalar_one()
            for table, column, name in [
                ("contacts", "full_name", "Sam Reed"),
                ("companies", "name", "Pied Piper"),
            ]:
                await connection.execute(
                    text(
                        f"INSERT INTO {table} (team_id, {column}, name_key, created_at) "
                        "VALUES (:team, :name, :key, :at)"
                    ),
                    {"team": team_id, "name": name, "key": name_key(name), "at": NOW},
                )

        # Through 0003, which indexes them, to the newest schema (the models read every column).
        upgrade(database_url)

        factory = SqlUnitOfWorkFactory(engine, clock)
        async with factory() as uow:
            assert names(await uow.contacts.similar(team_id, "reid sam", 10)) == ["Sam Reed"]
            assert names(await uow.companies.similar(team_id, "piper", 10)) == ["Pied Piper"]
        async with async_sessionmaker(engine)() as session:
            prefixes = await session.scalars(select(ContactPrefixRow.prefix).order_by("prefix"))
            assert list(prefixes) == ["re", "ree", "sa", "sam"]
    finally:
        async with engine.begin() as connection:  # leave the database as the other tests expect
            for table in ["contact_prefixes", "company_prefixes", "contacts", "companies"]:
                await connection.execute(text(f"DELETE FROM {table}"))
            await connection.execute(text("DELETE FROM teams"))
        upgrade(database_url)
