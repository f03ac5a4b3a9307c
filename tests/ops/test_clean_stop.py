"""Stopping the schedulers waits for the run under way instead of cancelling it.

APScheduler's asyncio executor cancels the jobs in flight when it shuts down: a digest
claimed but not yet sent would then never go out, and a claimed reminder batch would be sent
again after its lease. Found by ``benchmarks/soak.py`` (one digest claimed, never sent).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from handlers.clock import FixedClock
from handlers.digest_data import DigestKind
from reminders.digests import DigestReport, DigestScheduler
from reminders.dispatcher import DispatchReport
from reminders.scheduler import ReminderScheduler


class SlowRun:
    """A sender or dispatcher whose second run blocks until the test lets it finish."""

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.runs = 0
        self.started = asyncio.Event()
        self.gate = asyncio.Event()
        self.finished = False

    async def _run(self) -> None:
        async with self.lock:
            self.runs += 1
            if self.runs == 1:
                return  # the run at start, inline
            self.started.set()
            await self.gate.wait()
            self.finished = True

    async def run(self, kind: DigestKind) -> DigestReport:
        await self._run()
        return DigestReport()

    async def run_once(self) -> DispatchReport:
        await self._run()
        return DispatchReport()

    async def idle(self) -> None:
        async with self.lock:
            pass

    async def next_due_at(self, recipients: object = None) -> None:
        return None


async def stop_while_running(work: SlowRun, stop: asyncio.Task[None]) -> None:
    await asyncio.sleep(0.05)
    assert not stop.done()  # waiting for the run, not cancelling it
    work.gate.set()
    await asyncio.wait_for(stop, 5)


async def test_stopping_the_digests_lets_a_send_under_way_finish() -> None:
    work = SlowRun()
    scheduler = DigestScheduler(work, kinds=(DigestKind.DAY,))  # type: ignore[arg-type]
    await scheduler.start()  # its first run is at once, in the scheduler
    work.runs = 1  # so that the scheduled run is the slow one
    await asyncio.wait_for(work.started.wait(), 5)

    await stop_while_running(work, asyncio.create_task(scheduler.stop()))

    assert work.finished


async def test_stopping_the_reminders_lets_a_dispatch_under_way_finish() -> None:
    work = SlowRun()
    clock = FixedClock(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    scheduler = ReminderScheduler(work, work, clock)  # type: ignore[arg-type]
    await scheduler.start()  # the inline run at start
    scheduler.wake_at(clock.now())  # a reminder set now: a scheduled run
    await asyncio.wait_for(work.started.wait(), 5)

    await stop_while_running(work, asyncio.create_task(scheduler.stop()))

    assert work.finished
