"""APScheduler 3 as an alarm clock for the dispatcher, and nothing more.

No job store: the reminders table is the source of truth. Two jobs wake the dispatcher: one
at the next known due time (moved whenever a sooner reminder is set), and a safety net on a
short interval that catches anything else (reminders set by another process, clock jumps).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from handlers.domain import Recipients
from handlers.ports import Clock, ReminderQueue
from reminders.dispatcher import Dispatcher, DispatchReport

log = logging.getLogger(__name__)

SAFETY_INTERVAL = timedelta(seconds=30)


class ReminderScheduler:
    def __init__(
        self,
        dispatcher: Dispatcher,
        queue: ReminderQueue,
        clock: Clock,
        *,
        safety_interval: timedelta = SAFETY_INTERVAL,
        recipients: Recipients | None = None,
    ) -> None:
        self._dispatcher = dispatcher
        self._queue = queue
        self._clock = clock
        self._safety_interval = safety_interval
        self._recipients = recipients
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self._planned: datetime | None = None
        # Ticks under way. A tick queries the database after the dispatcher's lock is free
        # (the next due time), so waiting for the dispatcher alone could stop the scheduler,
        # and let the caller close the engine, under a query still in flight.
        self._ticks: set[asyncio.Task[object]] = set()

    async def start(self) -> DispatchReport:
        """Start waking the dispatcher; first send whatever fell due while we were down."""
        self._scheduler.start()
        self._scheduler.add_job(
            self.tick,
            "interval",
            seconds=self._safety_interval.total_seconds(),
            id="safety-net",
            max_instances=2,
            coalesce=True,
        )
        return await self.tick()

    async def tick(self) -> DispatchReport:
        """Dispatch now, then set the alarm for the next due reminder."""
        task = asyncio.current_task()
        assert task is not None, "tick() runs in a task"
        self._ticks.add(task)
        try:
            report = await self._dispatcher.run_once()
            next_due = await self._queue.next_due_at(self._recipients)
        except Exception:
            # The database may be briefly away; the safety net will try again.
            log.exception("reminder dispatch failed")
            return DispatchReport()
        finally:
            self._ticks.discard(task)
        self._planned = None
        if next_due is not None:
            self.wake_at(next_due)
        return report

    def wake_at(self, when: datetime) -> None:
        """Make sure the dispatcher runs at ``when`` (called when a reminder is set)."""
        now = self._clock.now()
        if self._planned is not None and now < self._planned <= when:
            return  # an earlier alarm is already set; it will plan the next one
        self._planned = when
        if not self._scheduler.running:
            return
        self._scheduler.add_job(
            self.tick,
            "date",
            run_date=max(when, now),
            id="next-due",
            replace_existing=True,
            misfire_grace_time=None,  # late is better than never
            # The tick that sets this alarm is usually the running "next-due" job itself: with
            # one instance per job id, an alarm due before that tick returns would be skipped
            # and, being a one-off job, lost until the safety net. Overlapping ticks are safe:
            # Dispatcher.run_once serialises them with its lock.
            max_instances=2,
        )

    async def stop(self) -> None:
        """Stop waking the dispatcher, and wait for a dispatch already under way to finish."""
        if self._scheduler.running:
            # Pause first: APScheduler's asyncio executor cancels the jobs in flight on
            # shutdown, which would leave a claimed batch to be sent again after its lease.
            # One loop turn lets a job submitted just now reach the dispatcher's lock.
            self._scheduler.pause()
            await asyncio.sleep(0)
            await self._ticks_done()
            self._scheduler.shutdown(wait=False)
        await self._ticks_done()
        await self._dispatcher.idle()

    async def _ticks_done(self) -> None:
        others = self._ticks - {asyncio.current_task()}
        if others:
            # asyncio.wait, not gather: cancelling stop() must not cancel the ticks themselves.
            await asyncio.wait(others)
