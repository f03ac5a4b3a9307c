"""Reminder dispatch benchmarks: raw throughput, and lateness under Telegram's send limit.

Run from the repository root::

    python -m benchmarks.reminders [--backend sqlite|postgresql|both] [--count N]
                                   [--lateness-count N] [--rate R]
                                   [--driver scheduler|loop|both]

(a) Throughput: ``--count`` due reminders across 50 reps, claimed, composed, sent through a
    no-op notifier with no rate limit and marked sent by one dispatcher; reminders/second.
(b) Lateness: ``--lateness-count`` reminders for as many reps (one chat each), all falling due
    within one minute, sent through a ``SendLimiter`` allowing ``--rate`` messages/s overall and
    1/s per chat. Telegram allows about 30/s; the default 300/s runs ten times faster, with the
    due window shrunk by the same factor, so the ratio of the total time to what the limit
    itself requires is what compares. Run twice (``--driver both``): woken by the production
    ``ReminderScheduler`` (APScheduler), and by a plain ``run_once``/``next_due_at`` loop.

PostgreSQL runs on ``CRMBOT_TEST_POSTGRES_URL`` (default postgresql://postgres@127.0.0.1:5432/test)
in a database of its own, created and dropped here; SQLite runs on a temporary file.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import make_url

from handlers.clock import SystemClock
from handlers.domain import ReminderStatus, Rep
from handlers.messages import Reply
from reminders.dispatcher import Dispatcher
from reminders.ratelimit import RateLimits, SendLimiter
from reminders.scheduler import ReminderScheduler
from storage.database import create_engine, sync_url
from storage.migrate import upgrade
from storage.models import ReminderRow, RepRow, TeamRow
from storage.reminder_queue import SqlReminderQueue

POSTGRES_ENV = "CRMBOT_TEST_POSTGRES_URL"
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
TELEGRAM_RATE = 30.0
"""Telegram's overall send limit, messages per second: what --rate is scaled against."""
DUE_WINDOW = timedelta(minutes=1)
"""At Telegram's real rate, every lateness reminder falls due within this window."""
THROUGHPUT_REPS = 50
LEAD = timedelta(seconds=2)
"""How far ahead the first lateness reminder is due, so the scheduler wakes for it."""


# --- databases ---------------------------------------------------------------------------


@contextmanager
def database(backend: str) -> Iterator[str]:
    """A fresh, migrated database of the backend; gone afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="crmbot-bench-") as folder:
            url = f"sqlite:///{Path(folder) / 'bench.db'}"
            upgrade(url)
            yield url
        return
    server = make_url(os.environ.get(POSTGRES_ENV) or DEFAULT_POSTGRES)
    server = server.set(drivername="postgresql+psycopg")
    name = f"crmbot_bench_{uuid.uuid4().hex[:12]}"
    admin = create_sync_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = server.set(database=name).render_as_string(hide_password=False)
            upgrade(url)
            yield url
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def seed(url: str, *, count: int, reps: int, due: Callable[[int], datetime]) -> dict[int, datetime]:
    """Bulk-insert a team, ``reps`` Telegram reps and ``count`` pending reminders (reminder
    ``i`` for rep ``i % reps``, due at ``due(i)``). Returns each reminder's due time by id."""
    engine = create_sync_engine(sync_url(url))
    created = datetime.now(UTC) - timedelta(days=1)
    try:
        with engine.begin() as connection:
            team_id = connection.execute(
                insert(TeamRow).values(name="Bench", created_at=created).returning(TeamRow.id)
            ).scalar_one()
            connection.execute(
                insert(RepRow),
                [
                    {
                        "team_id": team_id,
                        "platform": "telegram",
                        "external_id": str(100_000 + number),
                        "chat_id": str(100_000 + number),
                        "display_name": f"Rep {number}",
                        "created_at": created,
                    }
                    for number in range(reps)
                ],
            )
            rep_ids = list(connection.scalars(select(RepRow.id).order_by(RepRow.id)))
            connection.execute(
                insert(ReminderRow),
                [
                    {
                        "team_id": team_id,
                        "rep_id": rep_ids[number % reps],
                        "due_at": due(number),
                        "text": f"Call back about the quote #{number}",
                        "created_at": created,
                    }
                    for number in range(count)
                ],
            )
            rows = connection.execute(select(ReminderRow.id, ReminderRow.due_at))
            return {reminder_id: due_at for reminder_id, due_at in rows}
    finally:
        engine.dispose()


def count_sent(url: str) -> int:
    engine = create_sync_engine(sync_url(url))
    try:
        with engine.connect() as connection:
            return connection.execute(
                select(func.count()).where(ReminderRow.status == ReminderStatus.SENT.value)
            ).scalar_one()
    finally:
        engine.dispose()


# --- notifiers ---------------------------------------------------------------------------


class NoopNotifier:
    async def send(self, rep: Rep, reply: Reply) -> None:
        return None


class TimingNotifier:
    """Notes when each reminder went out (the send itself is free: the limiter is the cost)."""

    def __init__(self, clock: SystemClock, expected: int) -> None:
        self._clock = clock
        self._expected = expected
        self.sent: dict[int, datetime] = {}
        self.duplicates = 0
        self.done = asyncio.Event()

    async def send(self, rep: Rep, reply: Reply) -> None:
        reminder_id = reminder_id_of(reply)
        if reminder_id in self.sent:
            self.duplicates += 1
        self.sent[reminder_id] = self._clock.now()
        if len(self.sent) >= self._expected:
            self.done.set()


def reminder_id_of(reply: Reply) -> int:
    for button in reply.flat_buttons:
        if button.payload.startswith("r:done:"):
            return int(button.payload.removeprefix("r:done:"))
    raise ValueError(f"no reminder button in {reply!r}")


# --- the two measurements ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Throughput:
    count: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.count / self.seconds


@dataclass(frozen=True, slots=True)
class Lateness:
    count: int
    rate: float
    window: timedelta
    total: float
    """Seconds from the first reminder's due time to the last send."""
    p50: float
    p99: float
    max: float
    duplicates: int

    @property
    def required(self) -> float:
        """Seconds the send limit alone needs for all of them."""
        return self.count / self.rate

    @property
    def ratio(self) -> float:
        return self.total / self.required


async def measure_throughput(url: str, count: int) -> Throughput:
    now = datetime.now(UTC)
    seed(url, count=count, reps=THROUGHPUT_REPS, due=lambda n: now - timedelta(seconds=n + 1))
    engine = create_engine(url)
    try:
        dispatcher = Dispatcher(
            SqlReminderQueue(engine), NoopNotifier(), SystemClock(), limiter=SendLimiter({})
        )
        started = time.perf_counter()
        report = await dispatcher.run_once()
        seconds = time.perf_counter() - started
    finally:
        await engine.dispose()
    if report.sent != count or count_sent(url) != count:
        raise RuntimeError(f"sent {report.sent} of {count}: {report.errors[:3]}")
    return Throughput(count, seconds)


DRIVERS = ("scheduler", "loop")
"""How the lateness run wakes the dispatcher: ``scheduler`` is the production wiring
(:class:`ReminderScheduler`, APScheduler alarms plus its safety net); ``loop`` calls
``run_once`` and sleeps until ``next_due_at`` directly, which is what those alarms are meant to
do, so the two together separate the dispatcher's own speed from its wake-ups."""


async def measure_lateness(url: str, count: int, rate: float, driver: str) -> Lateness:
    window = DUE_WINDOW * (TELEGRAM_RATE / rate)
    first_due = datetime.now(UTC) + LEAD
    due = seed(url, count=count, reps=count, due=lambda n: first_due + window * (n / count))
    clock = SystemClock()
    notifier = TimingNotifier(clock, count)
    limiter = SendLimiter({"telegram": RateLimits(per_second=rate, per_chat_per_second=1.0)})
    engine = create_engine(url)
    queue = SqlReminderQueue(engine)
    dispatcher = Dispatcher(queue, notifier, clock, limiter=limiter, name=f"bench-{driver}")
    # Generous: the lead, the window, the limit's own time thrice, and the safety net's period.
    budget = LEAD.total_seconds() + window.total_seconds() + 3 * count / rate + 60
    try:
        if driver == "scheduler":
            scheduler = ReminderScheduler(dispatcher, queue, clock)
            try:
                await scheduler.start()
                await asyncio.wait_for(notifier.done.wait(), timeout=budget)
                await asyncio.wait_for(settled(queue), timeout=30)
                await dispatcher.run_once()  # waits for a pass still in progress to finish
            finally:
                await scheduler.stop()  # waits for the last tick's next_due_at query too
        else:
            await asyncio.wait_for(run_loop(dispatcher, queue, clock), timeout=budget)
    finally:
        await engine.dispose()
    late = sorted((notifier.sent[i] - due[i]).total_seconds() for i in due)
    return Lateness(
        count=count,
        rate=rate,
        window=window,
        total=(max(notifier.sent.values()) - min(due.values())).total_seconds(),
        p50=percentile(late, 50),
        p99=percentile(late, 99),
        max=late[-1],
        duplicates=notifier.duplicates,
    )


async def run_loop(dispatcher: Dispatcher, queue: SqlReminderQueue, clock: SystemClock) -> None:
    """Dispatch, then sleep until the next reminder is due, until none is pending."""
    while True:
        await dispatcher.run_once()
        next_due = await queue.next_due_at()
        if next_due is None:
            return
        await asyncio.sleep(max(0.0, (next_due - clock.now()).total_seconds()))


async def settled(queue: SqlReminderQueue) -> None:
    """Wait until no reminder is pending (the last sends are marked)."""
    while True:
        if await queue.next_due_at() is None:
            return
        await asyncio.sleep(0.05)


def percentile(ordered: Sequence[float], percent: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


# --- output ------------------------------------------------------------------------------


def table(
    backends: list[str],
    throughput: dict[str, Throughput],
    lateness: dict[tuple[str, str], Lateness],
    drivers: Sequence[str],
) -> str:
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    sample = next(iter(lateness.values()))
    scale = sample.rate / TELEGRAM_RATE

    def row(label: str, cell: Callable[[str], str]) -> str:
        return f"| {label} | " + " | ".join(cell(backend) for backend in backends) + " |"

    def real(seconds: float) -> str:
        if math.isclose(scale, 1.0):
            return f"{seconds:.2f} s"
        return f"{seconds:.2f} s (≙ {seconds * scale:.1f} s at {TELEGRAM_RATE:g}/s)"

    count = next(iter(throughput.values())).count
    lines = [
        "| Figure | " + " | ".join(names[backend] for backend in backends) + " |",
        "|---|" + "---:|" * len(backends),
        row(
            f"Throughput, no-op notifier, {count:,} reminders / {THROUGHPUT_REPS} reps",
            lambda b: f"{throughput[b].per_second:,.0f}/s ({throughput[b].seconds:.2f} s)",
        ),
    ]
    for driver in drivers:

        def cell(fmt: Callable[[Lateness], str], driver: str = driver) -> Callable[[str], str]:
            return lambda backend: fmt(lateness[backend, driver])

        lines += [
            row(
                f"**Lateness, woken by {driver}**: {sample.count:,} reminders / chats, "
                f"{sample.rate:g} msg/s, due within {sample.window.total_seconds():g} s; "
                "total time (first due to last send)",
                cell(lambda late: f"{late.total:.2f} s"),
            ),
            row(
                "... time the send limit requires (N / rate)",
                cell(lambda late: f"{late.required:.2f} s"),
            ),
            row("... ratio total / required", cell(lambda late: f"{late.ratio:.3f}")),
            row("... lateness p50", cell(lambda late: real(late.p50))),
            row("... lateness p99", cell(lambda late: real(late.p99))),
            row("... lateness max", cell(lambda late: real(late.max))),
            row("... duplicate sends", cell(lambda late: str(late.duplicates))),
        ]
    return "\n".join(lines)


async def run(args: argparse.Namespace) -> None:
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    drivers = list(DRIVERS) if args.driver == "both" else [args.driver]
    scaled = not math.isclose(args.rate, TELEGRAM_RATE)
    window = DUE_WINDOW * (TELEGRAM_RATE / args.rate)
    print(
        f"Lateness scenario: {args.lateness_count:,} reminders for as many chats, due within "
        f"{window.total_seconds():g} s, sent at {args.rate:g} msg/s overall and 1/s per chat."
    )
    if scaled:
        print(
            f"SCALED: Telegram allows ~{TELEGRAM_RATE:g} msg/s; this run is {args.rate:g} msg/s "
            f"with the one-minute due window shrunk to match (x{args.rate / TELEGRAM_RATE:g}). "
            "Compare the ratio total/required; lateness in brackets is scaled back to 30/s."
        )
    if window.total_seconds() > args.lateness_count / args.rate:
        print(
            "Note: the due window is longer than N / rate, so the window, not the send limit, "
            "bounds the total time; a ratio above 1 is expected."
        )
    throughput: dict[str, Throughput] = {}
    lateness: dict[tuple[str, str], Lateness] = {}
    for backend in backends:
        with database(backend) as url:
            throughput[backend] = result = await measure_throughput(url, args.count)
        print(f"{backend}: throughput {result.per_second:,.0f} reminders/s", flush=True)
        for driver in drivers:
            with database(backend) as url:
                late = await measure_lateness(url, args.lateness_count, args.rate, driver)
            lateness[backend, driver] = late
            print(
                f"{backend}, {driver}: total {late.total:.2f} s for {late.required:.2f} s "
                f"required (ratio {late.ratio:.3f}); lateness p50 {late.p50:.2f} s, "
                f"p99 {late.p99:.2f} s, max {late.max:.2f} s",
                flush=True,
            )
    print()
    print(table(backends, throughput, lateness, drivers))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.reminders", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--count", type=int, default=5_000, help="throughput reminders")
    parser.add_argument(
        "--driver", choices=[*DRIVERS, "both"], default="both", help="what wakes the dispatcher"
    )
    parser.add_argument(
        "--lateness-count", type=int, default=10_000, help="lateness reminders (and chats)"
    )
    parser.add_argument(
        "--rate", type=float, default=300.0, help="overall msg/s (Telegram: 30; default scaled)"
    )
    args = parser.parse_args(argv)
    if args.count < 1 or args.lateness_count < 1 or args.rate <= 0:
        parser.error("counts must be positive and the rate above zero")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
