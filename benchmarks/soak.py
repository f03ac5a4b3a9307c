"""Soak: two bot processes on one PostgreSQL under the load harness, then an audit of the
database for anything lost or done twice.

Run from the repository root::

    python -m benchmarks.soak [--seconds 180] [--reps 100] [--rate 60] [--workers 2]

Each worker process is what ``crmbot run`` is minus the chat network: the runtime over the
shared database, the reminder dispatcher and the digest scheduler sending through a notifier
that logs every send to a file, and the load harness's simulated reps (its share of them)
talking to the core. Every capture carries a unique tag (``[s0-17]``), a tenth of them set a
callback due within two minutes, and one message in twenty is delivered twice at once (what
a platform does after a timeout). Every team's daily, weekly digests and the reps' agendas
are due at the start, so both processes race to send them.

Afterwards, from the database and the workers' logs:

- activities: every capture answered with a card is stored once, unless its Undo was
  pressed; no tag is stored twice; no update answered twice;
- reminders: each sent reminder was sent by exactly one worker, once; none due before the
  end is still pending;
- digests: one send per person per digest period (``sent_digests`` and the send logs agree).

PostgreSQL: ``CRMBOT_TEST_POSTGRES_URL`` (default postgresql://postgres@127.0.0.1:5432/test),
in a database created and dropped here.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy import insert, select, update

from benchmarks.load import Phrasebook, SimRep, percentile, seed_reps
from benchmarks.reminders import database
from bot.runtime import open_runtime
from handlers.assistant import Assistant, CoreConfig
from handlers.domain import Recipients, Rep
from handlers.messages import Incoming, Reply
from storage.database import sync_url
from storage.models import ActivityRow, AuditRow, ReminderRow, RepRow, SentDigestRow, TeamRow

ROOT = Path(__file__).resolve().parent.parent
TAG = re.compile(r"\[s\d+-\d+\]")
CHANGE = re.compile(r"(?:u|nc|cc|w):([0-9a-f]{32})")
SETTLE = timedelta(seconds=45)
"""After the load stops, workers keep dispatching this long (the safety net runs every 30 s)."""


# --- the worker --------------------------------------------------------------------------


class LoggingNotifier:
    """Sends nothing; appends each send to a file (flushed per line) for the audit."""

    def __init__(self, path: Path, kind: str) -> None:
        self._file = path.open("a", encoding="utf-8")
        self._kind = kind

    async def send(self, rep: Rep, reply: Reply) -> None:
        reminder = next(
            (
                int(button.payload.removeprefix("r:done:"))
                for button in reply.flat_buttons
                if button.payload.startswith("r:done:")
            ),
            None,
        )
        # A reminder send without a reminder's card is a manager told of a failed one.
        kind = "warning" if self._kind == "reminder" and reminder is None else self._kind
        line = {"kind": kind, "rep": rep.id, "reminder": reminder}
        self._file.write(json.dumps(line) + "\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()


@dataclass(slots=True)
class WorkerLog:
    messages: int = 0
    captures: dict[str, str | None] = field(default_factory=dict)
    """Tag -> change id of the card it got (None: no card)."""
    undone: list[str] = field(default_factory=list)
    """Change ids whose Undo was pressed and answered."""
    redelivered: int = 0
    answered_twice: int = 0
    failed: dict[str, int] = field(default_factory=dict)
    """Errors logged by the core (it said sorry, nothing kept), by cause."""
    latencies: list[float] = field(default_factory=list)


async def work(
    url: str,
    index: int,
    reps: Sequence[SimRep],
    seconds: float,
    rate: float,
    logs: Path,
    settle: float,
) -> WorkerLog:
    book = Phrasebook.load()
    rng = random.Random(index)
    log = WorkerLog()
    reminders = LoggingNotifier(logs / f"sends-{index}.jsonl", "reminder")
    digests = LoggingNotifier(logs / f"sends-{index}.jsonl", "digest")
    config = CoreConfig(default_timezone="Europe/Bucharest")
    failures = _FailedUpdates()
    logging.getLogger("handlers.assistant").addHandler(failures)
    async with open_runtime(url, config, migrate=False) as runtime:
        served = Recipients(frozenset({"telegram"}))
        _phase(index, "starting")
        await runtime.start_reminders(reminders, recipients=served)
        _phase(index, "reminders started")
        await runtime.start_digests(digests, recipients=served)
        _phase(index, "digests started")
        end = time.perf_counter() + seconds
        interval = len(reps) / rate
        serial = iter(range(10**9))

        async def rep_loop(rep: SimRep) -> None:
            while time.perf_counter() < end:
                await asyncio.sleep(rng.expovariate(1 / interval))
                number = next(serial)
                kind, incoming = rep.next_message(rng, book, f"{index}-{number}")
                tag = None
                if kind == "capture":
                    tag = f"[s{index}-{number}]"
                    text = incoming.text
                    if rng.random() < 0.1:
                        text = f"remind me to call {rng.choice(book.contacts)} in 1 minute"
                    incoming = replace(incoming, text=f"{text} {tag}")
                started = time.perf_counter()
                if rng.random() < 0.05:  # delivered twice at once
                    (first, failed_1), (second, failed_2) = await asyncio.gather(
                        _handle(runtime.assistant, incoming), _handle(runtime.assistant, incoming)
                    )
                    log.redelivered += 1
                    # A failed first try (nothing kept, "sorry") may be followed by a good one.
                    log.answered_twice += (
                        first is not None and second is not None and not failed_1 and not failed_2
                    )
                    reply = first if first is not None and not failed_1 else second
                else:
                    reply, _ = await asyncio.create_task(_handle(runtime.assistant, incoming))
                log.latencies.append(time.perf_counter() - started)
                log.messages += 1
                if tag is not None:
                    log.captures[tag] = _change_of(reply)
                if kind == "undo" and reply is not None and incoming.button:
                    log.undone.append(incoming.button.removeprefix("u:"))
                rep.learn(kind, reply)

        await asyncio.gather(*(rep_loop(rep) for rep in reps))
        _phase(index, "load done")
        await asyncio.sleep(settle)
        _phase(index, "settled; stopping")
    _phase(index, "stopped")
    reminders.close()
    digests.close()
    log.failed = dict(failures.causes)
    return log


_errors: ContextVar[list[str] | None] = ContextVar("soak_errors", default=None)


class _FailedUpdates(logging.Handler):
    """Counts the core's failures by cause, and marks the update being handled as failed."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.causes: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        error = record.exc_info[1] if record.exc_info else None
        if error is None:
            cause = record.getMessage()[:80]
        else:  # the driver's first line names the constraint or the timeout
            cause = f"{type(error).__name__}: {str(error).strip().splitlines()[0][:120]}"
        self.causes[cause] += 1
        if (seen := _errors.get()) is not None:
            seen.append(cause)


async def _handle(core: Assistant, incoming: Incoming) -> tuple[Reply | None, bool]:
    """The core's answer, and whether it failed (logged an error) on the way."""
    seen: list[str] = []
    _errors.set(seen)  # this task's own: gather() runs each call in a task of its own
    reply = await core.handle(incoming)
    return reply, bool(seen)


def _phase(index: int, what: str) -> None:
    print(f"worker {index}: {time.strftime('%H:%M:%S')} {what}", file=sys.stderr, flush=True)


def _change_of(reply: Reply | None) -> str | None:
    if reply is None:
        return None
    for button in reply.flat_buttons:
        if match := CHANGE.fullmatch(button.payload) or CHANGE.match(button.payload):
            return match.group(1)
    return None


def worker_main(argv: Sequence[str]) -> None:
    url, index, seconds, rate, logs, settle, reps_json = argv
    reps = [SimRep(user_id, language) for user_id, language in json.loads(reps_json)]
    started = time.perf_counter()
    log = asyncio.run(
        work(url, int(index), reps, float(seconds), float(rate), Path(logs), float(settle))
    )
    print(f"worker {index}: done in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    out = {
        "messages": log.messages,
        "captures": log.captures,
        "undone": log.undone,
        "redelivered": log.redelivered,
        "answered_twice": log.answered_twice,
        "failed": log.failed,
        "latencies": log.latencies,
    }
    (Path(logs) / f"worker-{index}.json").write_text(json.dumps(out))


# --- the run and the audit ---------------------------------------------------------------


def digests_due_now(url: str, *, weekly: bool = True) -> None:
    """Every team's daily digest and agenda, and weekly digest when asked, due a minute ago
    (by its clock). Without ``weekly`` it is due tomorrow (its chart takes seconds to draw)."""
    from zoneinfo import ZoneInfo

    engine = create_sync_engine(sync_url(url))
    try:
        with engine.begin() as connection:
            for team_id, zone in connection.execute(select(TeamRow.id, TeamRow.timezone)):
                now = datetime.now(ZoneInfo(zone)) - timedelta(minutes=1)
                connection.execute(
                    update(TeamRow)
                    .where(TeamRow.id == team_id)
                    .values(
                        daily_digest_at=f"{now:%H:%M}",
                        weekly_digest_at=f"{now + timedelta(days=0 if weekly else 1):%a}".upper()
                        + f" {now:%H:%M}",
                        agenda_at=f"{now:%H:%M}",
                    )
                )
    finally:
        engine.dispose()


@dataclass(slots=True)
class Verdict:
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def check(self, ok: bool, text: str) -> None:
        (self.lines if ok else self.problems).append(("ok: " if ok else "PROBLEM: ") + text)


def seed_due_reminders(url: str, count: int) -> None:
    """``count`` reminders due now, spread over the reps: every dispatcher races for them.

    At most one a rep, so the run's length is not set by the per-chat limit (a rep's second
    reminder goes a second after the first; other chats no longer wait behind it)."""
    engine = create_sync_engine(sync_url(url))
    now = datetime.now(UTC)
    try:
        with engine.begin() as connection:
            reps = connection.execute(select(RepRow.id, RepRow.team_id)).all()
            if count:
                connection.execute(
                    insert(ReminderRow),
                    [
                        {
                            "team_id": reps[n % len(reps)].team_id,
                            "rep_id": reps[n % len(reps)].id,
                            "due_at": now - timedelta(seconds=n % 30),
                            "text": f"call back about quote {n}",
                            "created_at": now - timedelta(hours=1),
                        }
                        for n in range(count)
                    ],
                )
    finally:
        engine.dispose()


def audit(
    url: str,
    logs: Path,
    workers: int,
    ended_at: datetime,
    settle: float,
    manager_digest_due: bool = True,
) -> Verdict:
    results = [json.loads((logs / f"worker-{i}.json").read_text()) for i in range(workers)]
    sends = [
        json.loads(line)
        for i in range(workers)
        if (logs / f"sends-{i}.jsonl").exists()
        for line in (logs / f"sends-{i}.jsonl").read_text().splitlines()
    ]
    verdict = Verdict()
    engine = create_sync_engine(sync_url(url))
    try:
        with engine.connect() as connection:
            texts = list(connection.scalars(select(ActivityRow.text)))
            created = {
                change
                for change, entity in connection.execute(
                    select(AuditRow.change_id, AuditRow.entity).where(AuditRow.action == "create")
                )
                if entity == "activity"
            }
            reminders = connection.execute(
                select(ReminderRow.id, ReminderRow.status, ReminderRow.due_at)
            ).all()
            sent_digests = connection.execute(
                select(SentDigestRow.rep_id, SentDigestRow.kind, SentDigestRow.period_start)
            ).all()
            managers = connection.scalar(select(RepRow.id).where(RepRow.role == "manager").limit(1))
    finally:
        engine.dispose()

    # Activities.
    stored = Counter(tag for text in texts for tag in TAG.findall(text))
    captures: dict[str, str | None] = {}
    undone: set[str] = set()
    for result in results:
        captures.update(result["captures"])
        undone.update(result["undone"])
    with_card = {tag: change for tag, change in captures.items() if change in created}
    lost = [tag for tag, change in with_card.items() if change not in undone and not stored[tag]]
    twice = [tag for tag, count in stored.items() if count > 1]
    verdict.check(
        not lost,
        f"activities: {len(with_card):,} captures stored an activity "
        f"({len(undone & set(with_card.values())):,} undone since), {len(lost)} lost",
    )
    verdict.check(not twice, f"activities: no capture stored twice ({len(twice)} were)")
    unknown = [tag for tag in stored if tag not in captures]
    verdict.check(not unknown, f"activities: none without an answered message ({len(unknown)})")
    redelivered = sum(result["redelivered"] for result in results)
    answered_twice = sum(result["answered_twice"] for result in results)
    verdict.check(
        answered_twice == 0,
        f"updates delivered twice at once: {redelivered:,}, answered twice: {answered_twice}",
    )

    # Reminders.
    per_reminder = Counter(send["reminder"] for send in sends if send["kind"] == "reminder")
    status = {row.id: row.status for row in reminders}
    doubles = [rid for rid, count in per_reminder.items() if count > 1]
    verdict.check(
        not doubles,
        f"reminders: {len(per_reminder):,} sent, each once ({len(doubles)} sent more than once)",
    )
    missing = [
        row.id
        for row in reminders
        if row.status == "pending"
        and row.due_at.replace(tzinfo=row.due_at.tzinfo or UTC)
        < ended_at - timedelta(seconds=settle / 2)
    ]
    verdict.check(not missing, f"reminders: none due before the end left unsent ({len(missing)})")
    # Pending again after a send is fine when a rep snoozed or moved it (due later); pending
    # and due in the past means its send was never marked.
    due = {row.id: row.due_at.replace(tzinfo=row.due_at.tzinfo or UTC) for row in reminders}
    unsent_but_logged = [
        rid for rid in per_reminder if status.get(rid) == "pending" and due[rid] <= ended_at
    ]
    verdict.check(
        not unsent_but_logged,
        f"reminders: every send was marked ({len(unsent_but_logged)} sent but still due: "
        "marking failed, so it goes again after its lease; at least once by design)",
    )

    # Digests and agendas.
    claimed = Counter(row.rep_id for row in sent_digests)
    delivered = Counter(send["rep"] for send in sends if send["kind"] == "digest")
    periods = Counter((row.rep_id, row.kind, row.period_start) for row in sent_digests)
    verdict.check(
        claimed == delivered and max(periods.values(), default=1) == 1,
        f"digests: {sum(delivered.values()):,} sent for {len(sent_digests):,} "
        f"(person, kind, period) rows, one each "
        f"(kinds: {dict(Counter(row.kind for row in sent_digests))})",
    )
    verdict.check(
        managers is None
        or not manager_digest_due
        or any(row.rep_id == managers for row in sent_digests),
        "digests: the managers got theirs (daily on weekdays; weekly; agendas when due)",
    )

    causes: Counter[str] = Counter()
    for result in results:
        causes.update(result["failed"])
    verdict.check(
        not causes,
        f"messages the bot failed to handle (said sorry, kept nothing): {causes.total()}"
        + (f" {dict(causes)}" if causes else ""),
    )

    latencies = [value for result in results for value in result["latencies"]]
    messages = sum(result["messages"] for result in results)
    verdict.lines.insert(
        0,
        f"load: {messages:,} messages over {workers} workers, p50 "
        f"{percentile(latencies, 0.5) * 1000:.0f} ms, p99 "
        f"{percentile(latencies, 0.99) * 1000:.0f} ms",
    )
    return verdict


def soak(
    url: str,
    *,
    seconds: float,
    reps: int,
    rate: float,
    workers: int,
    settle: float = SETTLE.total_seconds(),
    due_reminders: int = 100,
    weekly: bool = True,
) -> Verdict:
    """Run the workers on ``url`` (a migrated, empty database) and audit the result."""
    book = Phrasebook.load()
    people = seed_reps(url, reps, book.languages)
    digests_due_now(url, weekly=weekly)
    seed_due_reminders(url, due_reminders)
    with tempfile.TemporaryDirectory(prefix="crmbot-soak-") as folder:
        logs = Path(folder)
        processes = []
        for index in range(workers):
            share = [(rep.user_id, rep.language) for rep in people[index::workers]]
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "benchmarks.soak",
                        "worker",
                        url,
                        str(index),
                        str(seconds),
                        str(rate / workers),
                        str(logs),
                        str(settle),
                        json.dumps(share),
                    ],
                    cwd=ROOT,  # benchmarks/ is not installed: run it from the repository
                )
            )
        budget = seconds + settle + 120
        try:
            for process in processes:
                process.wait(timeout=budget)
        finally:
            for process in processes:
                if process.poll() is None:
                    process.kill()
                    process.wait()
        failed = [p.returncode for p in processes if p.returncode != 0]
        if failed:
            raise SystemExit(f"a worker failed (exit codes {failed})")
        # The daily digest goes on weekdays only (the seeded teams' clock is UTC).
        manager_digest_due = weekly or datetime.now(UTC).weekday() < 5
        return audit(url, logs, workers, datetime.now(UTC), settle, manager_digest_due)


def main(argv: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["worker"]:
        worker_main(argv[1:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=180.0, help="load time")
    parser.add_argument("--reps", type=int, default=100)
    parser.add_argument(
        "--rate",
        type=float,
        default=20.0,
        help="messages/s over all workers (a 100-rep team sends far fewer; this is a soak, "
        "not a throughput test)",
    )
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    with database("postgresql") as url:
        verdict = soak(
            url, seconds=args.seconds, reps=args.reps, rate=args.rate, workers=args.workers
        )
    print(
        f"soak: {args.workers} workers, {args.reps} reps, {args.rate:g} msg/s offered, "
        f"{args.seconds:.0f} s of load, {time.perf_counter() - started:.0f} s in all"
    )
    for line in verdict.lines + verdict.problems:
        print(f"  {line}")
    print("RESULT:", "no loss, no duplicates" if not verdict.problems else "PROBLEMS FOUND")
    if verdict.problems:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
