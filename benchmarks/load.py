"""Load harness: simulated reps driving the core directly, on SQLite and PostgreSQL.

Run from the repository root::

    python -m benchmarks.load [--backend sqlite|postgresql|both] [--reps N] [--rate R]
                              [--seconds S] [--warmup S] [--processes K] [--clients C]

Each simulated rep is a Telegram user of a seeded team (50 reps a team) and sends, through
``Assistant.handle`` over the SQL unit of work (the production path minus the chat network),
a realistic mix: captures in six languages (the texts of ``tests/capture/corpus.jsonl``),
presses on the cards they got back (Undo, Change time with its answer, a reminder's Done and
Snooze 1 h), and recall commands (/today, /history, /pipeline, /find). Every message carries a
fresh update id, so the redelivery check runs as it does in production.

Before the run every team is given ``--clients`` entries (default 500): the companies and
contacts the texts name, as a team using the bot for a while has them, and made-up companies
for the rest of its book. ``--clients 0`` starts from an empty CRM instead, where most
captures create a company and a contact (dearer: more statements per message).

``--rate`` is the offered load in messages/s over all reps (each rep sends at random,
exponentially spaced moments); ``--rate 0`` lets every rep send its next message as soon as it
has the answer to the last (the saturation point). Printed: messages/s sustained after the
warm-up, p50/p99/max latency per kind of message, failures (the core's "something went wrong"
answer), and this process's resident memory. ``--processes K`` splits the reps over K worker
processes (PostgreSQL only: SQLite has one writer). At the end of the warm-up the harness
settles the heap (``bot.heap``), as ``crmbot run`` does a minute after it starts.

PostgreSQL runs on ``CRMBOT_TEST_POSTGRES_URL`` (default postgresql://postgres@127.0.0.1:5432/test)
in a database of its own, created and dropped here; SQLite runs on a temporary file.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import os
import random
import resource
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from multiprocessing import get_context
from pathlib import Path

from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy import insert, select

from benchmarks.reminders import database
from bot.heap import settle_heap
from bot.runtime import open_runtime
from handlers.assistant import Assistant, CoreConfig
from handlers.clock import SystemClock
from handlers.messages import Incoming, Reply
from handlers.texts import FAILED
from storage.database import create_engine, sync_url
from storage.models import RepRow, TeamRow
from storage.unit_of_work import SqlUnitOfWorkFactory

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "capture" / "corpus.jsonl"
TEAM_SIZE = 50
PLATFORM = "telegram"
DEFAULT_REPS = {"sqlite": 50, "postgresql": 500}
DEFAULT_CLIENTS = 500
"""Entries in each team's CRM before the run: an established team, whose messages mostly
name clients it already has. With an empty CRM most captures of a short run create a
company and a contact, which a team in its first days does but not for long."""
MIX = {"capture": 0.50, "button": 0.25, "recall": 0.25}
"""Shares of what a rep does next (a button needs a card to press on; else it captures)."""
TIME_ANSWERS = ("tomorrow at 4pm", "friday at 10", "in 2 hours", "next monday 9am")


# --- what the reps say ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Phrasebook:
    """Texts per language, and the names a rep may look up."""

    captures: dict[str, list[str]]
    contacts: list[str]
    words: list[str]
    clients: list[tuple[str | None, str | None]]
    """The (company, contact) pairs the texts name, as a team that knows them has them."""

    @classmethod
    def load(cls, path: Path = CORPUS) -> Phrasebook:
        captures: dict[str, list[str]] = defaultdict(list)
        words: set[str] = set()
        # Each contact once, at the first company the texts name for them: a CRM does not keep
        # two of the same person, and two would make every capture naming them ask which.
        employers: dict[str, str | None] = {}
        companies_alone: set[str] = set()
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            captures[row["lang"]].append(row["text"])
            expect = row.get("expect") or {}
            if expect.get("company"):
                words.add(expect["company"].split()[0])
            if expect.get("contact"):
                if employers.get(expect["contact"]) is None:
                    employers[expect["contact"]] = expect.get("company")
            elif expect.get("company"):
                companies_alone.add(expect["company"])
        clients: list[tuple[str | None, str | None]] = [(name, None) for name in companies_alone]
        clients += [(company, contact) for contact, company in employers.items()]
        return cls(dict(captures), sorted(employers), sorted(words), sorted(clients, key=str))

    @property
    def languages(self) -> list[str]:
        return sorted(self.captures)


@dataclass(slots=True)
class SimRep:
    """One simulated rep: who they are, and what their latest card offers to press."""

    user_id: str
    language: str
    card: Reply | None = None
    reminders: list[int] = field(default_factory=list)
    awaiting_time: bool = False

    def incoming(self, update_id: str, *, text: str = "", button: str | None = None) -> Incoming:
        return Incoming(
            platform=PLATFORM,
            user_id=self.user_id,
            chat_id=self.user_id,
            text=text,
            button=button,
            display_name=f"Rep {self.user_id}",
            language=self.language,
            update_id=update_id,
        )

    def next_message(
        self, rng: random.Random, book: Phrasebook, update_id: str
    ) -> tuple[str, Incoming]:
        """The kind of the next message (for the figures) and the message itself."""
        if self.awaiting_time:
            return "time answer", self.incoming(update_id, text=rng.choice(TIME_ANSWERS))
        roll = rng.random()
        if roll < MIX["button"]:
            pressed = self._press(rng, update_id)
            if pressed is not None:
                return pressed
        elif roll < MIX["button"] + MIX["recall"]:
            return self._recall(rng, book, update_id)
        return "capture", self.incoming(update_id, text=rng.choice(book.captures[self.language]))

    def _press(self, rng: random.Random, update_id: str) -> tuple[str, Incoming] | None:
        choices: list[tuple[str, str]] = []
        if self.card is not None:
            for button in self.card.flat_buttons:
                if button.payload.startswith("u:"):
                    choices.append(("undo", button.payload))
                elif button.payload.startswith("r:pick:"):
                    choices.append(("change time", button.payload))
        if self.reminders:
            reminder = rng.choice(self.reminders)
            choices.append(("reminder done", f"r:done:{reminder}"))
            choices.append(("reminder snooze", f"r:snooze:{reminder}"))
        if not choices:
            return None
        kind, payload = rng.choice(choices)
        if kind == "reminder done":  # done is done: not pressed again
            self.reminders.remove(int(payload.removeprefix("r:done:")))
        return kind, self.incoming(update_id, button=payload)

    def _recall(self, rng: random.Random, book: Phrasebook, update_id: str) -> tuple[str, Incoming]:
        command = rng.choice(("/today", "/history", "/pipeline", "/find"))
        text = command
        if command == "/history":
            text = f"/history {rng.choice(book.contacts)}"
        elif command == "/find":
            text = f"/find {rng.choice(book.words)}"
        return command, self.incoming(update_id, text=text)

    def learn(self, kind: str, reply: Reply | None) -> None:
        """Remember what the answer offers: its card, the reminder it set."""
        if kind == "change time":
            self.awaiting_time = True
            return
        self.awaiting_time = False
        if reply is None:
            return
        if kind == "capture":
            self.card = reply if reply.buttons else None
            for button in reply.flat_buttons:
                if button.payload.startswith("r:pick:"):
                    self.reminders.append(int(button.payload.removeprefix("r:pick:")))
                    del self.reminders[:-5]  # the latest few, like a rep's open reminders
        elif kind == "undo":
            self.card = None


# --- seeding -------------------------------------------------------------------------------


def seed_reps(url: str, count: int, languages: Sequence[str], *, first: int = 0) -> list[SimRep]:
    """Bulk-insert teams of :data:`TEAM_SIZE` Telegram reps (the first of each a manager)."""
    engine = create_sync_engine(sync_url(url))
    created = datetime.now(UTC) - timedelta(days=1)
    reps: list[SimRep] = []
    try:
        with engine.begin() as connection:
            for team_start in range(0, count, TEAM_SIZE):
                team_id = connection.execute(
                    insert(TeamRow)
                    .values(name=f"Load team {first + team_start // TEAM_SIZE}", created_at=created)
                    .returning(TeamRow.id)
                ).scalar_one()
                members = range(team_start, min(count, team_start + TEAM_SIZE))
                rows = []
                for number in members:
                    user_id = str(1_000_000 + first + number)
                    language = languages[number % len(languages)]
                    rows.append(
                        {
                            "team_id": team_id,
                            "platform": PLATFORM,
                            "external_id": user_id,
                            "chat_id": user_id,
                            "display_name": f"Rep {user_id}",
                            "language": language,
                            "timezone": "Europe/Bucharest",
                            "role": "manager" if number == team_start else "rep",
                            "created_at": created,
                        }
                    )
                    reps.append(SimRep(user_id, language))
                connection.execute(insert(RepRow), rows)
            connection.execute(select(1))
    finally:
        engine.dispose()
    return reps


# Made-up company names for the rest of a team's book: a team that has used the bot for a
# while knows many more clients than today's messages name, and lookups search all of them.
_NAME_STARTS = ("Alder", "Birch", "Cedar", "Delta", "Ember", "Fjord", "Granite", "Harbor",
                "Iris", "Juniper", "Kestrel", "Linden", "Meridian", "Nimbus", "Orchard",
                "Pioneer", "Quarry", "Riverside", "Summit", "Tidewater")  # fmt: skip
_NAME_ENDS = ("Logistics", "Foods", "Dental", "Builders", "Analytics", "Motors", "Textiles",
              "Pharma", "Studios", "Energy", "Farms", "Hotels", "Robotics", "Print",
              "Outdoor")  # fmt: skip


def book_of_clients(book: Phrasebook, size: int) -> list[tuple[str | None, str | None]]:
    """What an established team's CRM holds: the clients the texts name (all of them, even
    beyond ``size``), then made-up companies up to ``size`` entries."""
    clients = list(book.clients)
    made_up = (
        f"{start} {end}{'' if round_ == 0 else f' {round_ + 1}'}"
        for round_ in itertools.count()
        for start in _NAME_STARTS
        for end in _NAME_ENDS
    )
    while len(clients) < size:
        clients.append((next(made_up), None))
    return clients


async def seed_clients(url: str, clients: Sequence[tuple[str | None, str | None]]) -> None:
    """Give every team the same ``clients``, through the repositories (search tables too)."""
    engine = create_engine(url)
    uows = SqlUnitOfWorkFactory(engine, SystemClock())
    try:
        async with engine.connect() as connection:
            team_ids = list(await connection.scalars(select(TeamRow.id)))
        for team_id in team_ids:
            async with uows() as uow:
                companies: dict[str, int] = {}
                for company, contact in clients:
                    company_id = None
                    if company is not None:
                        if company not in companies:
                            companies[company] = (await uow.companies.add(team_id, company)).id
                        company_id = companies[company]
                    if contact is not None:
                        await uow.contacts.add(team_id, contact, company_id)
                await uow.commit()
    finally:
        await engine.dispose()


# --- running -------------------------------------------------------------------------------


@dataclass(slots=True)
class Tally:
    """Latencies per kind of message (seconds), counted after the warm-up only."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    """This process's CPU time over the measured span (the load of others excluded)."""

    def merge(self, other: Tally) -> None:
        for kind, values in other.latencies.items():
            self.latencies[kind].extend(values)
        self.failures += other.failures
        self.seconds = max(self.seconds, other.seconds)
        self.cpu_seconds += other.cpu_seconds

    @property
    def count(self) -> int:
        return sum(len(values) for values in self.latencies.values())

    def as_json(self) -> str:
        return json.dumps(
            {
                "latencies": self.latencies,
                "failures": self.failures,
                "seconds": self.seconds,
                "cpu_seconds": self.cpu_seconds,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Tally:
        data = json.loads(text)
        tally = cls(
            failures=data["failures"], seconds=data["seconds"], cpu_seconds=data["cpu_seconds"]
        )
        for kind, values in data["latencies"].items():
            tally.latencies[kind] = values
        return tally


async def drive(
    assistant: Assistant,
    reps: Sequence[SimRep],
    book: Phrasebook,
    *,
    rate: float,
    seconds: float,
    warmup: float,
    seed: int,
    prefix: str = "",
) -> Tally:
    """Every rep sends messages for ``warmup + seconds``; latencies after the warm-up count."""
    tally = Tally()
    counter = itertools.count()
    start = time.perf_counter()
    measured_from = start + warmup
    end = measured_from + seconds
    interval = len(reps) / rate if rate > 0 else 0.0
    cpu_from: list[float] = []

    async def start_cpu_clock() -> None:
        await asyncio.sleep(warmup)
        # As ``crmbot run`` does a minute after start (bot/heap.py): the measured span is a
        # process that has settled, not one whose full collections still walk everything.
        settle_heap()
        cpu_from.append(time.process_time())

    async def rep_loop(rep: SimRep, rng: random.Random) -> None:
        next_at = time.perf_counter() + (rng.expovariate(1 / interval) if interval else 0.0)
        while True:
            if interval:
                # Never past the end: a rep whose next message falls after it stops there,
                # instead of stretching the measured time (and shrinking messages/s).
                delay = min(next_at, end) - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
            sent_at = time.perf_counter()
            if sent_at >= end:
                return
            kind, incoming = rep.next_message(rng, book, f"{prefix}{next(counter)}")
            reply = await assistant.handle(incoming)
            took = time.perf_counter() - sent_at
            if sent_at >= measured_from:
                tally.latencies[kind].append(took)
                if reply is not None and reply.text.startswith(FAILED):
                    tally.failures += 1
            rep.learn(kind, reply)
            if interval:
                next_at += rng.expovariate(1 / interval)

    await asyncio.gather(
        start_cpu_clock(),
        *(rep_loop(rep, random.Random(f"{seed}:{rep.user_id}")) for rep in reps),
    )
    tally.seconds = time.perf_counter() - measured_from
    tally.cpu_seconds = time.process_time() - cpu_from[0]
    return tally


async def run_reps(
    url: str,
    reps: Sequence[SimRep],
    *,
    rate: float,
    seconds: float,
    warmup: float,
    seed: int,
    prefix: str = "",
) -> Tally:
    book = Phrasebook.load()
    config = CoreConfig(default_timezone="Europe/Bucharest")
    async with open_runtime(url, config, migrate=False) as runtime:
        return await drive(
            runtime.assistant,
            reps,
            book,
            rate=rate,
            seconds=seconds,
            warmup=warmup,
            seed=seed,
            prefix=prefix,
        )


def _worker(
    url: str, reps: list[SimRep], rate: float, seconds: float, warmup: float, seed: int, index: int
) -> tuple[str, int]:
    """One worker process: its share of the reps; returns its tally and its peak RSS (KiB)."""
    run = run_reps(
        url, reps, rate=rate, seconds=seconds, warmup=warmup, seed=seed, prefix=f"{index}-"
    )
    tally = asyncio.run(run)
    return tally.as_json(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_processes(
    url: str,
    reps: list[SimRep],
    *,
    processes: int,
    rate: float,
    seconds: float,
    warmup: float,
    seed: int,
) -> tuple[Tally, int]:
    shares = [reps[index::processes] for index in range(processes)]
    with ProcessPoolExecutor(processes, mp_context=get_context("spawn")) as pool:
        futures = [
            pool.submit(_worker, url, share, rate / processes, seconds, warmup, seed, index)
            for index, share in enumerate(shares)
        ]
        results = [future.result() for future in futures]
    tally = Tally()
    for text, _ in results:
        tally.merge(Tally.from_json(text))
    return tally, max(rss for _, rss in results)


# --- figures -------------------------------------------------------------------------------


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def rss_mib() -> float:
    """This process's resident memory now, MiB (Linux /proc; peak RSS elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(backend: str, reps: int, rate: float, processes: int, tally: Tally) -> list[str]:
    offered = f"{rate:g} msg/s offered" if rate else "as fast as answers come"
    lines = [
        f"{backend}: {reps} reps, {offered}, {processes} process(es), "
        f"{tally.seconds:.0f} s measured",
        f"  sustained: {tally.count / tally.seconds:,.0f} messages/s, "
        f"{tally.count:,} messages, {tally.failures} failed, "
        f"{tally.cpu_seconds / max(1, tally.count) * 1000:.1f} ms of CPU per message",
        f"  {'kind':<16}{'count':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}",
    ]
    everything: list[float] = []
    for kind in sorted(tally.latencies):
        values = tally.latencies[kind]
        everything.extend(values)
        lines.append(_row(kind, values))
    if everything:
        lines.append(_row("all", everything))
    return lines


def _row(kind: str, values: Sequence[float]) -> str:
    return (
        f"  {kind:<16}{len(values):>8,}{percentile(values, 0.5) * 1000:>9.1f}"
        f"{percentile(values, 0.99) * 1000:>9.1f}{max(values) * 1000:>9.1f}"
    )


def measure(backend: str, args: argparse.Namespace) -> list[str]:
    count = args.reps or DEFAULT_REPS[backend]
    processes = args.processes if backend == "postgresql" else 1
    book = Phrasebook.load()
    with database(backend) as url:
        reps = seed_reps(url, count, book.languages)
        if args.clients:
            asyncio.run(seed_clients(url, book_of_clients(book, args.clients)))
        if processes > 1:
            tally, peak = run_processes(
                url,
                reps,
                processes=processes,
                rate=args.rate,
                seconds=args.seconds,
                warmup=args.warmup,
                seed=args.seed,
            )
            memory = f"peak RSS per worker process {peak / 1024:.0f} MiB"
        else:
            tally = asyncio.run(
                run_reps(
                    url,
                    reps,
                    rate=args.rate,
                    seconds=args.seconds,
                    warmup=args.warmup,
                    seed=args.seed,
                )
            )
            memory = f"RSS after the run {rss_mib():.0f} MiB"
    lines = report(backend, count, args.rate, processes, tally)
    lines.append(f"  {memory}")
    return lines


def backends(choice: str) -> Iterator[str]:
    yield from ("sqlite", "postgresql") if choice == "both" else (choice,)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument(
        "--reps", type=int, default=0, help="simulated reps (default: 50 SQLite, 500 PostgreSQL)"
    )
    parser.add_argument(
        "--rate", type=float, default=300.0, help="offered messages/s overall; 0: no pacing"
    )
    parser.add_argument("--seconds", type=float, default=30.0, help="measured time")
    parser.add_argument("--warmup", type=float, default=5.0, help="unmeasured start")
    parser.add_argument("--processes", type=int, default=1, help="worker processes (PostgreSQL)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--clients",
        type=int,
        default=DEFAULT_CLIENTS,
        help="companies and contacts each team knows before the run; 0: an empty CRM",
    )
    args = parser.parse_args(argv)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for backend in backends(args.backend):
        for line in measure(backend, args):
            print(line, flush=True)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
