"""Recall commands over a big team's history: /history, /pipeline and /find on PostgreSQL.

Run from the repository root::

    python -m benchmarks.recall [--activities N] [--contacts N] [--reps N] [--calls N]
                                [--keep | --reuse URL]

One team of ``--reps`` reps (50) and two managers: ``--contacts`` contacts (20,000) at 2,000
companies (with the name-prefix rows matching needs), 3,000 deals (about a third open) with
their first stage, 50,000 reminders and ``--activities`` activities (1,000,000) over a year,
each with a contact, its company and a short text from a few thousand (folded for /find as the
app folds them). Bulk-loaded with ``COPY`` into a database of its own on
``CRMBOT_TEST_POSTGRES_URL`` (default postgresql://postgres@127.0.0.1:5432/test), created and
dropped here (``benchmarks.reminders.database``; the digest benchmark's seed has no contacts,
so it is not reused).

Each command goes through the real :class:`~handlers.assistant.Assistant` and the SQL unit of
work, as a Telegram update would: ``--calls`` calls (300) per command, a different contact,
company or word each time. Printed: p50, p99 and max in ms. Target: p99 under 50 ms.

Seeding takes minutes: ``--keep`` keeps the seeded database (and prints its URL), and
``--reuse URL`` measures it again without seeding, after migrating it to the newest schema
(so a new index is measured too).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import psycopg
from sqlalchemy.engine import make_url

from benchmarks.digest import copy_reps, psycopg_url
from benchmarks.reminders import DEFAULT_POSTGRES, POSTGRES_ENV, database
from handlers.assistant import Assistant, CoreConfig
from handlers.clock import FixedClock
from handlers.domain import PIPELINE, ActivityKind, ReminderStatus, Stage
from handlers.messages import Incoming
from handlers.names import name_key, name_prefixes, text_key
from storage.database import create_engine
from storage.migrate import upgrade
from storage.unit_of_work import SqlUnitOfWorkFactory

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
YEAR = timedelta(days=365)
ZONE = "Europe/Bucharest"
COMPANIES = 2_000
DEALS = 3_000
REMINDERS = 50_000
TEXTS = 5_000
"""Distinct activity texts: folding a million texts would time the seeding, not the app."""

_FIRST = (
    "Ana Andrei Bogdan Cristina Dan Elena Florin Gabriela Ioana Ion Maria Mihai Radu Sorin "
    "Vlad Sam Mike Anna Marta Piotr Kasia Tomasz Zofia Ivan Olga Boris Pavel Elena Georgi "
    "Dimitar Petya Carlos Lucia Javier Sofia Diego Laura Pablo Ines Hugo Emma Noah Liam Mia "
    "Leo Zoe Max Ella Finn Nora"
).split()
_LAST_ROOTS = (
    "Popescu Ionescu Nowak Kowalski Wiśniewski Orlov Ivanov Petrov Georgiev Dimitrov Garcia "
    "Lopez Martinez Reed Hart Smith Brown Taylor Wilson Moore Kaminski Lewandowski Zielinski "
    "Szymanski Dumitrescu Stan Stoica Constantin Marin Ilie Kuznetsov Sokolov Popov Lebedev "
    "Kozlov Novak Horvat Kovacs Nagy Toth"
).split()
_COMPANY_WORDS = (
    "North Wind Pied Piper Acme Globex Initech Umbrella Stark Wayne Hooli Vandelay Soylent "
    "Dacia Orlen Biedronka Ромашка Lukoil Mercadona Zara Telefonica Inditex Bosch Siemens Nokia "
    "Tesla Apex Nova Terra Vita Prima Optima Delta Sigma Orion Atlas Titan Helios Zenith Vertex"
).split()
_PHRASES = (
    "met them about the renewal",
    "called, wants a quote",
    "sent the offer",
    "ședință amânată",
    "discuție despre preț",
    "rozmowa o rabacie",
    "żółw w biurze",
    "обсудили договор",
    "llamada sobre el contrato",
    "lunch, talked about fishing",
    "birthday next month",
    "loves sailing",
    "budget approved",
    "waiting for legal",
    "demo went well",
    "price too high",
)


def _names(rng: random.Random, count: int) -> list[str]:
    """``count`` distinct full names: first names times surnames with a numbered variant."""
    suffixes = "- escu ski ova ez son er ich ian off ini ek ák ović berg feld".split()
    names = list(
        dict.fromkeys(
            f"{first} {last}{suffix.strip('-')}"
            for suffix in suffixes
            for last in _LAST_ROOTS
            for first in _FIRST
        )
    )
    rng.shuffle(names)
    if len(names) < count:
        raise ValueError(f"at most {len(names):,} distinct contact names")
    return names[:count]


def _companies(rng: random.Random) -> list[str]:
    names = sorted(
        {
            f"{a} {b}{kind}"
            for a in _COMPANY_WORDS
            for b in _COMPANY_WORDS
            for kind in ("", " Group")
            if a != b
        }
    )
    rng.shuffle(names)
    return names[:COMPANIES]


def seed(url: str, *, reps: int, contacts: int, activities: int) -> dict[str, list[str]]:
    """Fill the database; returns what the measurements ask for (names and words)."""
    rng = random.Random(7)
    start = NOW - YEAR
    seconds = int(YEAR.total_seconds())
    contact_names = _names(rng, contacts)
    company_names = _companies(rng)
    words = [f"{word}{number}" for number in range(TEXTS // len(_PHRASES) + 1) for word in "xq"]
    texts = [f"{rng.choice(_PHRASES)}, ref {rng.choice(words)}" for _ in range(TEXTS)]
    keys = [text_key(text) for text in texts]
    with psycopg.connect(psycopg_url(url)) as connection, connection.cursor() as cursor:
        team = cursor.execute(
            "INSERT INTO teams (name, default_hour, date_order, timezone, created_at) "
            "VALUES ('Bench', 9, 'DMY', %s, %s) RETURNING id",
            (ZONE, start),
        ).fetchone()
        assert team is not None
        team_id = team[0]
        rep_ids = copy_reps(cursor, team_id, reps, ZONE, start)

        with cursor.copy("COPY companies (team_id, name, name_key, created_at) FROM STDIN") as copy:
            for name in company_names:
                copy.write_row((team_id, name, name_key(name), start))
        company_ids = [row[0] for row in cursor.execute("SELECT id FROM companies ORDER BY id")]
        with cursor.copy("COPY company_prefixes (company_id, prefix, team_id) FROM STDIN") as copy:
            for company_id, name in zip(company_ids, company_names, strict=True):
                for prefix in name_prefixes(name):
                    copy.write_row((company_id, prefix, team_id))

        employer = [rng.choice(company_ids) for _ in contact_names]
        with cursor.copy(
            "COPY contacts (team_id, company_id, full_name, name_key, created_at) FROM STDIN"
        ) as copy:
            for name, company_id in zip(contact_names, employer, strict=True):
                copy.write_row((team_id, company_id, name, name_key(name), start))
        contact_ids = [row[0] for row in cursor.execute("SELECT id FROM contacts ORDER BY id")]
        with cursor.copy("COPY contact_prefixes (contact_id, prefix, team_id) FROM STDIN") as copy:
            for contact_id, name in zip(contact_ids, contact_names, strict=True):
                for prefix in name_prefixes(name):
                    copy.write_row((contact_id, prefix, team_id))

        kinds = [kind.value for kind in ActivityKind]
        with cursor.copy(
            "COPY activities (team_id, rep_id, kind, occurred_at, text, text_key, contact_id, "
            "company_id, created_at) FROM STDIN"
        ) as copy:
            for _ in range(activities):
                at = start + timedelta(seconds=rng.randrange(seconds))
                who = rng.randrange(len(contact_ids))
                text = rng.randrange(TEXTS)
                copy.write_row(
                    (team_id, rng.choice(rep_ids), rng.choice(kinds), at, texts[text], keys[text],
                     contact_ids[who], employer[who], at)
                )  # fmt: skip

        open_stages = [stage for stage in PIPELINE if not stage.is_closed]
        with cursor.copy(
            "COPY deals (team_id, company_id, owner_rep_id, title, stage, amount, currency, "
            "created_at, updated_at, closed_at) FROM STDIN"
        ) as copy:
            for number in range(DEALS):
                created = start + timedelta(seconds=rng.randrange(seconds))
                closed = rng.random() < 2 / 3
                stage = (
                    rng.choice([Stage.COMPLETED, Stage.LOST]) if closed else rng.choice(open_stages)
                )
                company = company_ids[number % COMPANIES]
                copy.write_row(
                    (team_id, company, rng.choice(rep_ids), company_names[number % COMPANIES],
                     stage.value, rng.randrange(1, 500) * 100, "EUR", created, created,
                     created if closed else None)
                )  # fmt: skip
        cursor.execute(
            "INSERT INTO stage_changes (team_id, deal_id, rep_id, from_stage, to_stage, "
            "changed_at) SELECT team_id, id, owner_rep_id, NULL, stage, created_at FROM deals"
        )

        statuses = [status.value for status in ReminderStatus]
        with cursor.copy(
            "COPY reminders (team_id, rep_id, contact_id, company_id, due_at, text, status, "
            "attempts, created_at) FROM STDIN"
        ) as copy:
            for _ in range(REMINDERS):
                due = start + timedelta(seconds=rng.randrange(seconds + 30 * 86400))
                who = rng.randrange(len(contact_ids))
                copy.write_row(
                    (team_id, rng.choice(rep_ids), contact_ids[who], employer[who], due,
                     "call back", rng.choices(statuses, weights=[20, 10, 60, 8, 2])[0], 1, start)
                )  # fmt: skip
        connection.commit()
        connection.autocommit = True
        cursor.execute("VACUUM ANALYZE")
    return {
        "contacts": contact_names,
        "companies": company_names,
        "words": [*words[:200], "sedinta", "zolw", "fishing", "sailing", "rabacie"],
    }


def _incoming(user: str, text: str) -> Incoming:
    return Incoming(
        platform="telegram", user_id=user, chat_id=user, text=text, display_name="",
        timezone=ZONE,
    )  # fmt: skip


async def _timed(calls: int, run: Callable[[int], Awaitable[str]]) -> tuple[list[float], str]:
    timings, sample = [], ""
    await run(calls)  # warm-up: connections, prepared plans, imports
    for number in range(calls):
        started = time.perf_counter()
        sample = await run(number)
        timings.append((time.perf_counter() - started) * 1000)
    return timings, sample


def _load() -> str:
    return ", ".join(f"{value:.1f}" for value in os.getloadavg())


def _report(label: str, timings: list[float], sample: str) -> str:
    ordered = sorted(timings)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * len(ordered)) - 1)]
    line = (
        f"| {label} | {statistics.median(ordered):.1f} | {p99:.1f} | {ordered[-1]:.1f} | "
        f"{len(sample):,} |"
    )
    print(line, flush=True)
    return line


async def measure(url: str, calls: int, reps: int, seeded: dict[str, list[str]]) -> None:
    engine = create_engine(url)
    try:
        assistant = Assistant(
            SqlUnitOfWorkFactory(engine, FixedClock(NOW)),
            FixedClock(NOW),
            CoreConfig(default_timezone=ZONE, self_service_platforms=frozenset()),
        )
        rng = random.Random(11)

        updates = itertools.count(time.time_ns())

        def command(
            user: Callable[[int], str], text: Callable[[int], str], *, update_id: bool = False
        ) -> Callable[[int], Awaitable[str]]:
            async def run(number: int) -> str:
                incoming = _incoming(user(number), text(number))
                if update_id:  # as Telegram sends it: the dedupe row is written and committed
                    incoming = replace(incoming, update_id=str(next(updates)))
                reply = await assistant.handle(incoming)
                assert reply is not None
                return reply.text

            return run

        contacts = rng.sample(seeded["contacts"], calls + 1)
        companies = [rng.choice(seeded["companies"]) for _ in range(calls + 1)]
        words = [rng.choice(seeded["words"]) for _ in range(calls + 1)]

        def rep(number: int) -> str:
            return f"u{number % reps}"

        def manager(number: int) -> str:
            return f"u{reps + number % 2}"  # the two managers seeded after the reps

        cases = [
            # The floor: identify the rep and commit, one short reply, no recall query.
            ("/help (floor: identify, commit)", command(rep, lambda n: "/help")),
            (
                "/help with an update id (floor + dedupe row)",
                command(rep, lambda n: "/help", update_id=True),
            ),
            ("/history <contact>, rep", command(rep, lambda n: f"/history {contacts[n]}")),
            ("/history <company>, rep", command(rep, lambda n: f"/history {companies[n]}")),
            ("/history <contact>, manager", command(manager, lambda n: f"/history {contacts[n]}")),
            ("/pipeline, rep", command(rep, lambda n: "/pipeline")),
            ("/pipeline, manager (whole team)", command(manager, lambda n: "/pipeline")),
            ("/find <word>, rep", command(rep, lambda n: f"/find {words[n]}")),
            ("/find <word>, manager", command(manager, lambda n: f"/find {words[n]}")),
            ("/deal <company>, rep", command(rep, lambda n: f"/deal {companies[n]}")),
        ]
        # The machine may be shared: its load says how far to trust the figures.
        print(f"load average (1, 5, 15 min) before: {_load()}")
        print(f"\n| command ({calls} calls each) | p50 ms | p99 ms | max ms | reply chars |")
        print("|---|---:|---:|---:|---:|")
        for label, run in cases:
            timings, sample = await _timed(calls, run)
            _report(label, timings, sample)
        print(f"\nload average (1, 5, 15 min) after: {_load()} on {os.cpu_count()} CPUs")
    finally:
        await engine.dispose()


def _seeded(url: str) -> dict[str, list[str]]:
    """What :func:`seed` returned, read back from a database it filled (for ``--reuse``)."""
    with psycopg.connect(psycopg_url(url)) as connection, connection.cursor() as cursor:
        contacts = [row[0] for row in cursor.execute("SELECT full_name FROM contacts ORDER BY id")]
        companies = [row[0] for row in cursor.execute("SELECT name FROM companies ORDER BY id")]
    if not contacts:
        raise SystemExit(f"{url} holds no seeded team: seed one with --keep first")
    numbers = range(TEXTS // len(_PHRASES) + 1)
    refs = [f"{word}{number}" for number in numbers for word in "xq"]
    return {
        "contacts": contacts,
        "companies": companies,
        "words": [*refs[:200], "sedinta", "zolw", "fishing", "sailing", "rabacie"],
    }


@contextmanager
def _kept_database() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database that outlives the run (``--keep``)."""
    server = make_url(os.environ.get(POSTGRES_ENV) or DEFAULT_POSTGRES)
    name = f"crmbot_recall_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(psycopg_url(server.render_as_string(False)), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = server.set(drivername="postgresql+psycopg", database=name)
    upgrade(url.render_as_string(hide_password=False))
    yield url.render_as_string(hide_password=False)
    print(f"\nkept {name}: measure again with --reuse {url.render_as_string(False)}")
    server_url = psycopg_url(server.render_as_string(False))
    print(f"drop it with: psql {server_url} -c 'DROP DATABASE \"{name}\"'")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.recall", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument("--contacts", type=int, default=20_000)
    parser.add_argument("--reps", type=int, default=50)
    parser.add_argument("--calls", type=int, default=300)
    kept = parser.add_mutually_exclusive_group()
    kept.add_argument(
        "--keep", action="store_true", help="keep the seeded database and print its URL"
    )
    kept.add_argument(
        "--reuse",
        metavar="URL",
        help="measure a database seeded earlier with --keep (migrated to head first; no seeding)",
    )
    args = parser.parse_args(argv)
    if args.reuse:
        upgrade(args.reuse)  # indexes added since the seeding
        with psycopg.connect(psycopg_url(args.reuse), autocommit=True) as connection:
            connection.execute("ANALYZE")
        asyncio.run(measure(args.reuse, args.calls, args.reps, _seeded(args.reuse)))
        return
    with _kept_database() if args.keep else database("postgresql") as url:
        started = time.perf_counter()
        seeded = seed(url, reps=args.reps, contacts=args.contacts, activities=args.activities)
        print(
            f"seeding: {time.perf_counter() - started:.1f} s for {args.activities:,} activities, "
            f"{args.contacts:,} contacts, {args.reps} reps (COPY, then VACUUM ANALYZE)"
        )
        asyncio.run(measure(url, args.calls, args.reps, seeded))


if __name__ == "__main__":
    main()
