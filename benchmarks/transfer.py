"""CSV import and export at the size of a real address book.

Run from the repository root::

    python -m benchmarks.transfer [--backend sqlite|postgresql|both] [--rows N]

Writes a semicolon CSV of ``--rows`` rows (default 20,000: one in ten a repeat of an earlier
row, 5,000 companies, a deal on one row in three) and times, per backend: reading and checking
the file, the dry run, the real import (one transaction), the same file again (everything
merges, nothing is written), and exporting the team.

PostgreSQL runs on ``CRMBOT_TEST_POSTGRES_URL`` (default postgresql://postgres@127.0.0.1:5432/test)
in a database of its own, created and dropped here; SQLite runs on a temporary file.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy import text
from sqlalchemy.engine import make_url

from handlers.clock import FixedClock
from handlers.csv_table import read_table
from handlers.domain import Role
from handlers.import_rows import map_columns, read_records
from storage.database import create_engine
from storage.export import read_team, write_tables
from storage.migrate import upgrade
from storage.transfer import import_contacts
from storage.unit_of_work import SqlUnitOfWorkFactory

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
FIRST = ("Ana", "Ion", "Maria", "Sam", "Laura", "Marta", "Борис", "Olga", "Diego", "Eva", "Piotr")
LAST = ("Pop", "Reed", "Chen", "Nowak", "Орлов", "García", "Ionescu", "Kowalska", "Smith")
STAGES = ("prospect", "needs", "Offer sent", "negotiation", "contract")


def make_csv(rows: int, rng: random.Random) -> bytes:
    lines = ["Full name;Company;Stage;Amount;Close date"]
    for index in range(rows):
        if index and rng.random() < 0.1:
            lines.append(lines[rng.randrange(1, len(lines))])
            continue
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {index}"
        company = f"Company {rng.randrange(5000)}"
        deal = rng.random() < 1 / 3
        stage = rng.choice(STAGES) if deal else ""
        amount = f"{rng.randrange(1, 500)} 000,50 EUR" if deal else ""
        lines.append(f"{name};{company};{stage};{amount};{'31.12.2026' if deal else ''}")
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


@contextmanager
def database(backend: str) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            url = f"sqlite:///{directory}/bench.db"
            upgrade(url)
            yield url
        return
    server = os.environ.get("CRMBOT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    admin_url = make_url(server).set(drivername="postgresql+psycopg")
    name = f"crmbot_bench_{uuid.uuid4().hex[:10]}"
    admin = create_sync_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = admin_url.set(database=name).render_as_string(hide_password=False)
        upgrade(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


async def run(url: str, data: bytes, out: Path) -> dict[str, float]:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    table = read_table(data)
    columns = map_columns(table.header)
    records = read_records(table, columns)
    timings["read and check the file"] = time.perf_counter() - started
    engine = create_engine(url)
    clock = FixedClock(NOW)
    try:
        async with SqlUnitOfWorkFactory(engine, clock)() as uow:
            team = await uow.teams.add("Bench")
            await uow.reps.add(
                team_id=team.id, platform="console", external_id="ana", chat_id="ana",
                display_name="Ana", language="en", timezone="UTC", role=Role.ADMIN,
            )  # fmt: skip
            await uow.commit()
        for label, dry_run in (
            ("dry run", True),
            ("import (one transaction)", False),
            ("the same file again (all merged)", False),
        ):
            started = time.perf_counter()
            result = await import_contacts(
                engine, clock, "Bench", lambda _team: records, dry_run=dry_run
            )
            timings[label] = time.perf_counter() - started
            counts = result.plan.counts()
            print(f"    {label}: {sum(counts.values())} row events, written={result.written}")
        started = time.perf_counter()
        _team, tables = await read_team(engine, "Bench")
        files = write_tables(out, tables)
        timings["export"] = time.perf_counter() - started
        print("    exported: " + ", ".join(f"{f.name} {f.rows}" for f in files))
    finally:
        await engine.dispose()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()
    data = make_csv(args.rows, random.Random(2026))
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    for backend in backends:
        print(f"{backend}, {args.rows:,} rows ({len(data) / 2**20:.1f} MB):")
        with database(backend) as url, tempfile.TemporaryDirectory() as out:
            timings = asyncio.run(run(url, data, Path(out)))
        for label, seconds in timings.items():
            print(f"  {label:<34} {seconds:6.2f} s  ({args.rows / seconds:,.0f} rows/s)")


if __name__ == "__main__":
    main()
