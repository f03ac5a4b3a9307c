"""A reminder dispatcher in its own process, for ``test_crash.py`` to kill and restart.

Usage: ``python crash_worker.py DATABASE_URL LOG_PATH [SEED]``

It sends through a notifier that appends ``<reminder id>\\n`` to LOG_PATH and fsyncs before
returning, so the log is exactly what was delivered, even when the process is SIGKILLed the
next instant. Each send waits a little first, so a kill lands in the middle of a batch. The
worker runs until nothing is due and nothing is leased, then exits 0 (2 if it ran too long).
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
from datetime import timedelta

from handlers.clock import SystemClock
from handlers.domain import Rep
from handlers.messages import Reply
from reminders.dispatcher import Dispatcher, DispatchPolicy
from reminders.ratelimit import SendLimiter
from storage.database import create_engine
from storage.reminder_queue import SqlReminderQueue

LEASE = timedelta(seconds=1)
BATCH_SIZE = 10
MAX_SEND_DELAY = 0.03
"""Seconds; each send sleeps a random part of this before it is logged."""
RUN_LIMIT = 40.0
"""Seconds; a worker that has not finished by then gives up (the test fails, not hangs)."""


class FsyncLogNotifier:
    def __init__(self, path: str, rng: random.Random) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._rng = rng

    async def send(self, rep: Rep, reply: Reply) -> None:
        await asyncio.sleep(self._rng.uniform(0, MAX_SEND_DELAY))
        # One write of one short line to an O_APPEND file: whole lines, even across kills.
        os.write(self._fd, f"{reminder_id_of(reply)}\n".encode())
        os.fsync(self._fd)

    def close(self) -> None:
        os.close(self._fd)


def reminder_id_of(reply: Reply) -> int:
    for button in reply.flat_buttons:
        if button.payload.startswith("r:done:"):
            return int(button.payload.removeprefix("r:done:"))
    raise ValueError(f"no reminder button in {reply!r}")


async def work(url: str, log_path: str, seed: int) -> None:
    clock = SystemClock()
    engine = create_engine(url)
    notifier = FsyncLogNotifier(log_path, random.Random(seed))
    queue = SqlReminderQueue(engine)
    dispatcher = Dispatcher(
        queue,
        notifier,
        clock,
        limiter=SendLimiter(limits={}),
        policy=DispatchPolicy(lease=LEASE, batch_size=BATCH_SIZE),
        name="crash-worker",
    )
    try:
        while True:
            await dispatcher.run_once()
            next_due = await queue.next_due_at()
            if next_due is None:
                return  # nothing pending: everything was sent (or failed)
            # Whatever is left is leased by a killed predecessor: wait until the lease ends.
            wait = (next_due - clock.now()).total_seconds()
            await asyncio.sleep(min(max(wait, 0.0) + 0.05, LEASE.total_seconds() * 2))
    finally:
        notifier.close()
        await engine.dispose()


def main(argv: list[str]) -> int:
    url, log_path = argv[1], argv[2]
    seed = int(argv[3]) if len(argv) > 3 else 0
    try:
        asyncio.run(asyncio.wait_for(work(url, log_path, seed), timeout=RUN_LIMIT))
    except TimeoutError:
        print(f"crash worker: not finished after {RUN_LIMIT:g} s", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
