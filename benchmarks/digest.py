"""The weekly digest over a big team's history: how long its queries take on PostgreSQL.

Run from the repository root::

    python -m benchmarks.digest [--activities N] [--reps N] [--runs N]

One team of ``--reps`` reps (50) and two managers with a year of work: ``--activities``
activities (1,000,000), 2,000 companies, 5,000 deals with their stage history and 50,000
reminders, bulk-loaded with ``COPY`` through psycopg into a database of its own on
``CRMBOT_TEST_POSTGRES_URL`` (default postgresql://postgres@127.0.0.1:5432/test), created and
dropped here. Printed: the seeding time, then the time of ``SqlDigestSource.digest`` for the
weekly digest (every section and KPI: the queries the scheduler runs per team and period) and
for the daily one, first run and median of ``--runs``, and the chart's drawing time apart.
Target: the weekly digest's queries under 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from benchmarks.reminders import database
from handlers.digest import compose, latest_slot, period_ending, week_before
from handlers.digest_data import DigestKind
from handlers.domain import PIPELINE, ActivityKind, ReminderStatus, Stage
from reminders.charts import digest_chart
from storage.database import create_engine
from storage.digests import SqlDigestSource

NOW = datetime(2026, 11, 23, 6, 0, 30, tzinfo=UTC)
"""Monday 23 November 2026, 08:00 in Bucharest: the weekly digest's time."""
YEAR = timedelta(days=365)
COMPANIES = 2_000
DEALS = 5_000
REMINDERS = 50_000


def psycopg_url(url: str) -> str:
    """The SQLAlchemy URL as plain psycopg takes it, for COPY-speed seeding."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def copy_reps(
    cursor: psycopg.Cursor[Any], team_id: int, reps: int, zone: str, start: datetime
) -> list[int]:
    """``reps`` reps and two managers in the team; the reps' ids, in order."""
    with cursor.copy(
        "COPY reps (team_id, platform, external_id, chat_id, display_name, language, "
        "timezone, role, created_at) FROM STDIN"
    ) as copy:
        for number in range(reps + 2):
            role = "manager" if number >= reps else "rep"
            copy.write_row(
                (team_id, "telegram", f"u{number}", f"u{number}", f"Rep {number:02}", "en",
                 zone, role, start)
            )  # fmt: skip
    return [row[0] for row in cursor.execute("SELECT id FROM reps ORDER BY id")][:reps]


def seed(url: str, *, reps: int, activities: int) -> None:
    rng = random.Random(8)
    start = NOW - YEAR
    with psycopg.connect(psycopg_url(url)) as connection, connection.cursor() as cursor:
        team = cursor.execute(
            "INSERT INTO teams (name, default_hour, date_order, timezone, daily_digest_at, "
            "weekly_digest_at, agenda_at, digests_enabled, created_at) "
            "VALUES ('Bench', 9, 'DMY', 'Europe/Bucharest', '18:00', 'MON 08:00', '08:30', true,"
            " %s) RETURNING id",
            (start,),
        ).fetchone()
        assert team is not None
        team_id = team[0]
        rep_ids = copy_reps(cursor, team_id, reps, "Europe/Bucharest", start)
        with cursor.copy("COPY companies (team_id, name, name_key, created_at) FROM STDIN") as copy:
            for number in range(COMPANIES):
                copy.write_row((team_id, f"Company {number}", f"company {number}", start))
        company_ids = [row[0] for row in cursor.execute("SELECT id FROM companies ORDER BY id")]

        seconds = int(YEAR.total_seconds())
        kinds = [kind.value for kind in ActivityKind]
        with cursor.copy(
            "COPY activities (team_id, rep_id, kind, occurred_at, text, company_id, created_at) "
            "FROM STDIN"
        ) as copy:
            for _ in range(activities):
                at = start + timedelta(seconds=rng.randrange(seconds))
                copy.write_row(
                    (team_id, rng.choice(rep_ids), rng.choice(kinds), at, "met them",
                     rng.choice(company_ids), at)
                )  # fmt: skip

        open_stages = [stage for stage in PIPELINE if not stage.is_closed]
        deals, changes = [], []
        for number in range(DEALS):
            created = start + timedelta(seconds=rng.randrange(seconds))
            steps = [rng.choice(open_stages[:3])]
            while rng.random() < 0.6 and steps[-1] is not Stage.DELIVERY:
                steps.append(open_stages[open_stages.index(steps[-1]) + 1])
            if rng.random() < 0.5:
                steps.append(Stage.COMPLETED if rng.random() < 0.6 else Stage.LOST)
            times = sorted(
                created + timedelta(seconds=rng.randrange(int((NOW - created).total_seconds())))
                for _ in steps[1:]
            )
            times = [created, *times]
            deals.append(
                (team_id, company_ids[number % COMPANIES], rng.choice(rep_ids), f"Deal {number}",
                 steps[-1].value, rng.randrange(1, 500) * 100, "EUR", created, times[-1],
                 times[-1] if steps[-1].is_closed else None)
            )  # fmt: skip
            changes.append(list(zip(steps, times, strict=True)))
        with cursor.copy(
            "COPY deals (team_id, company_id, owner_rep_id, title, stage, amount, currency, "
            "created_at, updated_at, closed_at) FROM STDIN"
        ) as copy:
            for deal in deals:
                copy.write_row(deal)
        deal_ids = [row[0] for row in cursor.execute("SELECT id FROM deals ORDER BY id")]
        with cursor.copy(
            "COPY stage_changes (team_id, deal_id, rep_id, from_stage, to_stage, changed_at) "
            "FROM STDIN"
        ) as copy:
            for deal_id, deal, history in zip(deal_ids, deals, changes, strict=True):
                previous = None
                for stage, at in history:
                    copy.write_row((team_id, deal_id, deal[2], previous, stage.value, at))
                    previous = stage.value

        statuses = [s.value for s in ReminderStatus]
        with cursor.copy(
            "COPY reminders (team_id, rep_id, company_id, due_at, text, status, attempts, "
            "failed_at, last_error, created_at) FROM STDIN"
        ) as copy:
            for _ in range(REMINDERS):
                due = start + timedelta(seconds=rng.randrange(seconds + 30 * 86400))
                status = rng.choices(statuses, weights=[20, 10, 60, 8, 2])[0]
                failed = status == ReminderStatus.FAILED.value
                copy.write_row(
                    (team_id, rng.choice(rep_ids), rng.choice(company_ids), due, "call back",
                     status, 1, due + timedelta(minutes=7) if failed else None,
                     "Telegram: Forbidden" if failed else None, start)
                )  # fmt: skip
        connection.commit()
        connection.autocommit = True
        cursor.execute("VACUUM ANALYZE")


async def measure(url: str, runs: int) -> None:
    engine = create_engine(url)
    try:
        source = SqlDigestSource(engine)
        (schedule,) = await source.schedules()
        for kind in (DigestKind.DAY, DigestKind.WEEK):
            slot = latest_slot(schedule, kind, NOW)  # Monday 08:00; Friday 18:00
            period = period_ending(schedule, kind, slot)
            previous = week_before(period, schedule.timezone) if kind is DigestKind.WEEK else None
            timings = []
            for _ in range(runs):
                started = time.perf_counter()
                data = await source.digest(schedule, kind, period, previous, slot)
                timings.append(time.perf_counter() - started)
            reply = compose(data)
            print(
                f"{kind.value:>4} digest queries: first {timings[0] * 1000:.0f} ms, "
                f"median of {runs} {statistics.median(timings) * 1000:.0f} ms "
                f"({sum(a.count for a in data.activities):,} activities in the period, "
                f"{len(reply.text):,} characters of text)"
            )
        started = time.perf_counter()
        image = digest_chart(data)
        print(f"chart: {(time.perf_counter() - started) * 1000:.0f} ms, {len(image):,} bytes")
        print()
        print(reply.text)
    finally:
        await engine.dispose()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.digest", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    with database("postgresql") as url:
        started = time.perf_counter()
        seed(url, reps=args.reps, activities=args.activities)
        print(
            f"seeding: {time.perf_counter() - started:.1f} s for {args.activities:,} activities, "
            f"{args.reps} reps, {DEALS:,} deals, {REMINDERS:,} reminders (COPY, then ANALYZE)"
        )
        asyncio.run(measure(url, args.runs))


if __name__ == "__main__":
    main()
