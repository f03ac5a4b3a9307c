"""CSV import and export on SQLite and PostgreSQL: merges, all-or-nothing, the round trip."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from handlers.clock import FixedClock
from handlers.csv_table import read_table
from handlers.domain import Role, Stage, Team
from handlers.import_rows import map_columns, read_records
from storage import transfer
from storage.database import create_engine
from storage.export import CONTACTS_HEADER, read_team, write_tables
from storage.models import AuditRow, CompanyRow, ContactRow, DealRow, StageChangeRow
from storage.transfer import ImportResult, TransferError, import_contacts
from storage.unit_of_work import SqlUnitOfWorkFactory

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

FILE = (
    "Full name;Company;Stage;Amount;Expected close;Owner\n"
    "Sam Reed;Northwind;offer;12 000,50 EUR;31.12.2026;\n"
    "sam REED;northwind;;;;\n"
    "Laura Chen;Contoso;needs;4k USD;;Dan\n"
    "Ivy Lu;Initech;hot;;;\n"
    "Marta Nowicka;;;;;\n"
)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


async def _team(engine: AsyncEngine, name: str, *reps: tuple[str, Role]) -> Team:
    async with SqlUnitOfWorkFactory(engine, FixedClock(NOW))() as uow:
        team = await uow.teams.add(name, timezone="Europe/Bucharest")
        for rep_name, role in reps:
            await uow.reps.add(
                team_id=team.id, platform="console", external_id=f"{rep_name}.{team.id}",
                chat_id=rep_name, display_name=rep_name, language="en",
                timezone="Europe/Bucharest", role=role,
            )  # fmt: skip
        await uow.commit()
    return team


async def _import(
    engine: AsyncEngine, team: str, text: str, *, dry_run: bool = False
) -> ImportResult:
    table = read_table(text.encode())
    columns = map_columns(table.header)
    return await import_contacts(
        engine,
        FixedClock(NOW),
        team,
        lambda found: read_records(table, columns, date_order=found.date_order),
        dry_run=dry_run,
    )


async def _contacts(engine: AsyncEngine, team_id: int) -> set[tuple[str, str | None]]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(ContactRow.full_name, CompanyRow.name)
            .outerjoin(CompanyRow, CompanyRow.id == ContactRow.company_id)
            .where(ContactRow.team_id == team_id)
        )
        return {(name, company) for name, company in rows}


async def _deals(engine: AsyncEngine, team_id: int) -> set[tuple[str, str, str, Decimal | None]]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(CompanyRow.name, DealRow.title, DealRow.stage, DealRow.amount)
            .join(CompanyRow, CompanyRow.id == DealRow.company_id)
            .where(DealRow.team_id == team_id)
        )
        return {tuple(row) for row in rows}  # type: ignore[misc]


async def _details(
    engine: AsyncEngine, team_id: int
) -> set[tuple[str, str | None, str | None, str | None]]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(
                ContactRow.full_name, ContactRow.email, ContactRow.phone, ContactRow.job_title
            ).where(ContactRow.team_id == team_id)
        )
        return {tuple(row) for row in rows}  # type: ignore[misc]


async def _count(engine: AsyncEngine, table: type[object]) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(table)) or 0)


async def test_import_merges_writes_once_and_a_second_run_changes_nothing(
    engine: AsyncEngine,
) -> None:
    team = await _team(engine, "Acme", ("Ana", Role.ADMIN), ("Dan", Role.REP))
    async with SqlUnitOfWorkFactory(engine, FixedClock(NOW))() as uow:
        northwind = await uow.companies.add(team.id, "Northwind")
        await uow.contacts.add(team.id, "Marta Nowicka", None)
        await uow.commit()

    first = await _import(engine, "acme", FILE)
    again = await _import(engine, "ACME", FILE)

    assert first.written
    assert not again.written
    assert await _contacts(engine, team.id) == {
        ("Sam Reed", "Northwind"), ("Laura Chen", "Contoso"), ("Marta Nowicka", None),
    }  # fmt: skip
    assert await _deals(engine, team.id) == {
        ("Northwind", "Northwind", "offer", Decimal("12000.50")),
        ("Contoso", "Contoso", "needs", Decimal(4000)),
    }
    async with engine.connect() as connection:
        owners = {
            title: owner
            for title, owner in await connection.execute(
                select(DealRow.title, DealRow.owner_rep_id)
            )
        }
        close = await connection.scalar(
            select(DealRow.expected_close).where(DealRow.company_id == northwind.id)
        )
        history = (await connection.execute(select(StageChangeRow.to_stage))).scalars().all()
        audited = (await connection.execute(select(AuditRow.entity, AuditRow.change_id))).all()
    assert owners["Contoso"] != owners["Northwind"]  # Dan by name; Ana, the admin, by default
    # The start of 31 December on the team's clock (Bucharest, UTC+2).
    assert close is not None
    assert close.astimezone(UTC) == datetime(2026, 12, 30, 22, 0, tzinfo=UTC)
    assert sorted(history) == ["needs", "offer"]
    assert sorted(entity for entity, _change in audited) == [
        "company", "contact", "contact", "deal", "deal",
    ]  # fmt: skip
    assert len({change for _entity, change in audited}) == 1  # one import, one change id
    assert [row.rejected for row in first.plan.rejected] == [
        "unknown stage 'hot' (stages: prospect, contact, needs, offer, negotiation, contract, "
        "delivery, completed, lost)"
    ]
    async with SqlUnitOfWorkFactory(engine, FixedClock(NOW))() as uow:
        # Imported names are found as typed ones are: by their prefixes.
        assert [c.full_name for c in await uow.contacts.similar(team.id, "laura chen", 5)] == [
            "Laura Chen"
        ]


async def test_a_dry_run_reports_the_same_and_writes_nothing(engine: AsyncEngine) -> None:
    team = await _team(engine, "Acme", ("Ana", Role.ADMIN), ("Dan", Role.REP))

    dry = await _import(engine, "Acme", FILE, dry_run=True)
    real = await _import(engine, "Acme", FILE)

    assert not dry.written
    assert dry.plan.rows == real.plan.rows
    assert len(await _contacts(engine, team.id)) == 3


async def test_a_failure_halfway_leaves_the_team_as_it_was(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    team = await _team(engine, "Acme", ("Ana", Role.ADMIN))

    def fail(row: object) -> dict[str, object]:
        raise RuntimeError("the database went away")

    # Companies and contacts are written by then; the deals fail.
    monkeypatch.setattr(transfer, "_deal_view", fail)

    with pytest.raises(RuntimeError):
        await _import(engine, "Acme", FILE)

    assert await _contacts(engine, team.id) == set()
    assert await _count(engine, CompanyRow) == 0
    assert await _count(engine, DealRow) == 0


async def test_an_unknown_team_or_owner_stops_before_anything(engine: AsyncEngine) -> None:
    await _team(engine, "Acme", ("Ana", Role.ADMIN))
    table = read_table(FILE.encode())
    columns = map_columns(table.header)

    with pytest.raises(TransferError, match=r"no team is called 'Globex'\. Teams: Acme \(id"):
        await _import(engine, "Globex", FILE)
    with pytest.raises(TransferError, match="no rep called 'Zed'"):
        await import_contacts(
            engine, FixedClock(NOW), "Acme", lambda _t: read_records(table, columns), owner="Zed"
        )
    assert await _count(engine, ContactRow) == 0


async def test_export_then_import_into_a_new_team_gives_the_same_contacts_and_deals(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    source = await _team(engine, "Source", ("Ana", Role.ADMIN), ("Dan", Role.REP))
    target = await _team(engine, "Target", ("Eve", Role.MANAGER))
    async with SqlUnitOfWorkFactory(engine, FixedClock(NOW))() as uow:
        ana = await uow.reps.by_identity("console", f"Ana.{source.id}")
        assert ana is not None
        lonely = await uow.companies.add(source.id, "=Lonely Corp")  # no contacts; a formula
        quiet = await uow.companies.add(source.id, "Quiet Ltd")
        await uow.deals.add(
            team_id=source.id, company_id=lonely.id, owner_rep_id=ana.id, title="Big one",
            stage=Stage.CONTRACT, amount=Decimal("99.95"), currency="EUR", at=NOW,
        )  # fmt: skip
        await uow.deals.add(
            team_id=source.id, company_id=quiet.id, owner_rep_id=ana.id, title="Gone",
            stage=Stage.LOST, amount=None, currency=None, at=NOW,
        )  # fmt: skip
        await uow.commit()
    await _import(engine, "Source", FILE)
    async with engine.begin() as connection:  # details, one starting as a formula would
        await connection.execute(
            update(ContactRow)
            .where(ContactRow.team_id == source.id, ContactRow.full_name == "Sam Reed")
            .values(email="sam@northwind.example", phone="+40 721 000 111", job_title="CTO")
        )
        await connection.execute(
            update(ContactRow)
            .where(ContactRow.team_id == source.id, ContactRow.full_name == "Laura Chen")
            .values(phone="(021) 312 45 67")
        )

    exported_team, tables = await read_team(engine, "Source")
    files = write_tables(tmp_path, tables)
    contacts_csv = (tmp_path / "contacts.csv").read_bytes()
    result = await _import_bytes(engine, "Target", contacts_csv)

    assert exported_team.id == source.id
    assert {f.name for f in files} == {
        "contacts.csv", "companies.csv", "deals.csv", "stage_history.csv", "activities.csv",
        "reminders.csv", "reps.csv",
    }  # fmt: skip
    assert contacts_csv.startswith(b"\xef\xbb\xbf" + ",".join(CONTACTS_HEADER).encode())
    assert b"'=Lonely Corp" in contacts_csv  # a spreadsheet shows it instead of running it
    assert result.plan.rejected == []
    assert await _contacts(engine, target.id) == await _contacts(engine, source.id)
    assert (
        await _details(engine, target.id)
        == await _details(engine, source.id)
        == {
            ("Sam Reed", "sam@northwind.example", "+40 721 000 111", "CTO"),
            ("Laura Chen", None, "(021) 312 45 67", None),
            ("Marta Nowicka", None, None, None),
        }
    )
    assert b",'+40 721 000 111," in contacts_csv
    open_deals = {deal for deal in await _deals(engine, source.id) if deal[2] != "lost"}
    assert await _deals(engine, target.id) == open_deals
    async with engine.connect() as connection:
        names = set((await connection.execute(
            select(CompanyRow.name).where(CompanyRow.team_id == target.id)
        )).scalars())  # fmt: skip
        closes = set((await connection.execute(
            select(DealRow.expected_close).where(DealRow.team_id == target.id)
        )).scalars())  # fmt: skip
    assert "=Lonely Corp" in names
    assert "Quiet Ltd" in names
    assert {c.date() if c else None for c in closes} == {date(2026, 12, 30), None}


async def _import_bytes(engine: AsyncEngine, team: str, data: bytes) -> ImportResult:
    table = read_table(data)
    columns = map_columns(table.header)
    return await import_contacts(
        engine,
        FixedClock(NOW),
        team,
        lambda found: read_records(table, columns, date_order=found.date_order),
    )
