"""Crash safety: a dispatcher SIGKILLed mid-batch, again and again, loses no reminder.

A worker process (``crash_worker.py``) dispatches with a one-second lease and logs every
delivery to a file it fsyncs per send. The test kills it at random moments (after a random
number of new deliveries plus a random pause), restarts it each time, and finally lets a
worker run to the end. Delivery is at least once: every reminder is in the log and marked
sent, and the only duplicates are sends that were in flight when a kill landed, so at most
one batch per kill.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from handlers.domain import ReminderStatus
from tests.reminders import crash_worker
from tests.reminders.test_race import seed_due_reminders, status_counts

REMINDERS = 300
KILLS = 5
MAX_SENDS_BEFORE_KILL = 30
"""Kill after 1..this many new log lines: KILLS of them stay well short of REMINDERS."""
TEST_BUDGET = 50.0
"""Seconds for the whole kill-and-restart sequence; past it the test fails instead of hanging."""
WORKER = Path(crash_worker.__file__)


def read_log(path: Path) -> list[int]:
    if not path.exists():
        return []
    text = path.read_text()
    assert text == "" or text.endswith("\n"), "a torn line in the delivery log"
    return [int(line) for line in text.splitlines()]


def count_lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


class Workers:
    """Starts worker processes and makes sure none outlives the test."""

    def __init__(self, url: str, log: Path, stderr: Path, deadline: float) -> None:
        self.url, self.log, self.stderr, self.deadline = url, log, stderr, deadline
        self.runs = 0
        self.current: subprocess.Popen[bytes] | None = None

    def start(self) -> subprocess.Popen[bytes]:
        self.runs += 1
        with self.stderr.open("ab") as errors:
            self.current = subprocess.Popen(
                [sys.executable, str(WORKER), self.url, str(self.log), str(self.runs)],
                stdout=subprocess.DEVNULL,
                stderr=errors,
            )
        return self.current

    def remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            pytest.fail(f"crash test ran past its {TEST_BUDGET:g} s budget")
        return left

    def stop(self) -> None:
        if self.current is not None and self.current.poll() is None:
            self.current.kill()
            self.current.wait(timeout=10)

    def errors(self) -> str:
        return self.stderr.read_text() if self.stderr.exists() else ""


def kill_and_restart(workers: Workers, rng: random.Random) -> int:
    """KILLS rounds of: start a worker, let it deliver a few, SIGKILL it. Returns the kills."""
    kills = 0
    for _ in range(KILLS):
        worker = workers.start()
        target = count_lines(workers.log) + rng.randint(1, MAX_SENDS_BEFORE_KILL)
        while count_lines(workers.log) < target and worker.poll() is None:
            workers.remaining()
            time.sleep(0.002)
        time.sleep(rng.uniform(0, 0.05))  # ... and a moment more, to land anywhere in a batch
        if worker.poll() is None:
            worker.kill()  # SIGKILL: no cleanup, no rollback, leases left behind
            kills += 1
        worker.wait(timeout=min(10, workers.remaining()))
    return kills


@pytest.mark.parametrize(
    "database_url",
    ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
    indirect=True,
)
def test_killed_dispatcher_loses_nothing_and_duplicates_only_in_flight_sends(
    database_url: str, tmp_path: Path
) -> None:
    ids = seed_due_reminders(database_url, count=REMINDERS, reps=30, due_before=datetime.now(UTC))
    log = tmp_path / "deliveries.log"
    workers = Workers(database_url, log, tmp_path / "worker.err", time.monotonic() + TEST_BUDGET)
    try:
        kills = kill_and_restart(workers, random.Random(20261123))
        final = workers.start()
        try:
            code = final.wait(timeout=workers.remaining())
        except subprocess.TimeoutExpired:
            pytest.fail(f"the final worker did not finish in time:\n{workers.errors()}")
    finally:
        workers.stop()

    assert code == 0, workers.errors()
    assert kills == KILLS, f"a worker exited before it could be killed:\n{workers.errors()}"
    deliveries = read_log(log)
    sends = Counter(deliveries)
    assert sorted(sends) == ids, "some reminder was never delivered (or an unknown one was)"
    assert status_counts(database_url) == Counter({ReminderStatus.SENT.value: REMINDERS})
    duplicates = len(deliveries) - len(sends)
    assert duplicates <= kills * crash_worker.BATCH_SIZE, sends.most_common(5)
