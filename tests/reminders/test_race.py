"""Two dispatchers racing over one reminders table: every reminder goes out exactly once.

Each dispatcher has its own engine and queue, as two bot processes would. PostgreSQL claims
with ``FOR UPDATE SKIP LOCKED``; SQLite serialises claims with ``BEGIN IMMEDIATE``. A small
batch size makes the two take many turns, so their claims really interleave.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy import func, insert, select

from handlers.clock import FixedClock
from handlers.domain import ReminderStatus, Rep
from handlers.messages import Reply
from reminders.dispatcher import Dispatcher, DispatchPolicy, DispatchReport
from reminders.ratelimit import SendLimiter
from storage.database import create_engine, sync_url
from storage.models import ReminderRow, RepRow, TeamRow
from storage.reminder_queue import SqlReminderQueue

BATCH_SIZE = 50


def seed_due_reminders(
    url: str,
    *,
    count: int,
    reps: int,
    due_before: datetime,
    platform: str = "telegram",
) -> list[int]:
    """Bulk-insert one team, ``reps`` reps and ``count`` pending reminders due before a time.

    Due times step back one second per reminder from ``due_before``. Returns the reminder ids.
    """
    engine = create_sync_engine(sync_url(url))
    created = due_before - timedelta(days=1)
    try:
        with engine.begin() as connection:
            team_id = connection.execute(
                insert(TeamRow).values(name="Race", created_at=created).returning(TeamRow.id)
            ).scalar_one()
            connection.execute(
                insert(RepRow),
                [
                    {
                        "team_id": team_id,
                        "platform": platform,
                        "external_id": f"rep-{number}",
                        "chat_id": f"chat-{number}",
                        "display_name": f"Rep {number}",
                        "created_at": created,
                    }
                    for number in range(reps)
                ],
            )
            rep_ids = list(
                connection.scalars(
                    select(RepRow.id).where(RepRow.team_id == team_id).order_by(RepRow.id)
                )
            )
            connection.execute(
                insert(ReminderRow),
                [
                    {
                        "team_id": team_id,
                        "rep_id": rep_ids[number % reps],
                        "due_at": due_before - timedelta(seconds=number + 1),
                        "text": f"call back #{number}",
                        "created_at": created,
                    }
                    for number in range(count)
                ],
            )
            return list(connection.scalars(select(ReminderRow.id).order_by(ReminderRow.id)))
    finally:
        engine.dispose()


def status_counts(url: str) -> Counter[str]:
    engine = create_sync_engine(sync_url(url))
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(ReminderRow.status, func.count()).group_by(ReminderRow.status)
            )
            return Counter({status: number for status, number in rows})
    finally:
        engine.dispose()


def reminder_id_of(reply: Reply) -> int:
    """The reminder a composed message is about, read from its "done" button."""
    for button in reply.flat_buttons:
        if button.payload.startswith("r:done:"):
            return int(button.payload.removeprefix("r:done:"))
    raise AssertionError(f"no reminder button in {reply!r}")


class RecordingNotifier:
    """Shared by both dispatchers: notes which reminder each send was for."""

    def __init__(self) -> None:
        self.sent: list[int] = []

    async def send(self, rep: Rep, reply: Reply) -> None:
        await asyncio.sleep(0.001)  # a send takes time: the other dispatcher claims meanwhile
        self.sent.append(reminder_id_of(reply))


async def race(url: str, count: int, reps: int, *, both_send: bool) -> None:
    clock = FixedClock(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    ids = seed_due_reminders(url, count=count, reps=reps, due_before=clock.now())
    assert len(ids) == count

    notifier = RecordingNotifier()
    policy = DispatchPolicy(batch_size=BATCH_SIZE)
    engines = [create_engine(url), create_engine(url)]
    try:
        dispatchers = [
            Dispatcher(
                SqlReminderQueue(engine),
                notifier,
                clock,
                limiter=SendLimiter(limits={}),
                policy=policy,
                name=f"dispatcher-{index}",
            )
            for index, engine in enumerate(engines)
        ]
        reports: list[DispatchReport] = await asyncio.wait_for(
            asyncio.gather(*(dispatcher.run_once() for dispatcher in dispatchers)), timeout=120
        )
    finally:
        for engine in engines:
            await engine.dispose()

    sends = Counter(notifier.sent)
    duplicates = {reminder_id: n for reminder_id, n in sends.items() if n > 1}
    assert duplicates == {}
    assert sorted(sends) == ids
    assert [report.errors for report in reports] == [[], []]
    assert sum(report.sent for report in reports) == count
    if both_send:  # SKIP LOCKED lets both work at once; SQLite may let one take everything
        assert all(report.sent > 0 for report in reports), [report.sent for report in reports]
    assert status_counts(url) == Counter({ReminderStatus.SENT.value: count})


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_two_dispatchers_on_postgresql_send_each_reminder_once(database_url: str) -> None:
    await race(database_url, count=3_000, reps=60, both_send=True)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_two_dispatchers_on_one_sqlite_file_send_each_reminder_once(
    database_url: str,
) -> None:
    await race(database_url, count=500, reps=20, both_send=False)
