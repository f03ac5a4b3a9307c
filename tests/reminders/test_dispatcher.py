"""The dispatcher over the real reminders table (SQLite and PostgreSQL), with a fixed clock."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from handlers.assistant import Assistant, CoreConfig
from handlers.clock import FixedClock, SystemClock
from handlers.domain import Recipients, Rep, Role
from handlers.messages import Incoming, Reply
from handlers.ports import RetryLater, Undeliverable
from reminders.dispatcher import Dispatcher, DispatchPolicy
from reminders.ratelimit import RateLimits, SendLimiter
from reminders.scheduler import ReminderScheduler
from storage.database import create_engine
from storage.models import ReminderRow
from storage.reminder_queue import SqlReminderQueue
from storage.unit_of_work import SqlUnitOfWorkFactory

ZONE = "Europe/Bucharest"


class ScriptedNotifier:
    """Records what was sent; raises the scripted errors first, one per send."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.sent: list[tuple[Rep, Reply]] = []

    async def send(self, rep: Rep, reply: Reply) -> None:
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append((rep, reply))


class Harness:
    def __init__(self, database_url: str, clock: FixedClock) -> None:
        self.engine = create_engine(database_url)
        self.clock = clock
        self.uow_factory = SqlUnitOfWorkFactory(self.engine, clock)
        self.assistant = Assistant(self.uow_factory, clock, CoreConfig(default_timezone=ZONE))
        self.queue = SqlReminderQueue(self.engine)
        self.sleeps: list[float] = []

    async def say(self, text: str = "", button: str | None = None, user: str = "ana") -> Reply:
        return await self.assistant.handle(
            Incoming(
                platform="console",
                user_id=user,
                chat_id=user,
                text=text,
                button=button,
                timezone=ZONE,
            )
        )

    def dispatcher(
        self, notifier: ScriptedNotifier, recipients: Recipients | None = None, **policy: object
    ) -> Dispatcher:
        async def record_sleep(seconds: float) -> None:
            self.sleeps.append(seconds)

        limiter = SendLimiter(
            {"console": RateLimits(per_second=None, per_chat_per_second=1000.0)},
            monotonic=lambda: 0.0,
            sleep=record_sleep,
        )
        return Dispatcher(
            self.queue,
            notifier,
            self.clock,
            limiter=limiter,
            policy=DispatchPolicy(**policy),  # type: ignore[arg-type]
            recipients=recipients,
        )

    async def statuses(self) -> list[str]:
        async with self.uow_factory() as uow:
            session = uow._session  # reading rows directly is the point of this check
            assert session is not None
            return list(await session.scalars(select(ReminderRow.status).order_by(ReminderRow.id)))

    async def add_manager(self, name: str) -> None:
        async with self.uow_factory() as uow:
            ana = await uow.reps.by_identity("console", "ana")
            assert ana is not None
            await uow.reps.add(
                team_id=ana.team_id,
                platform="console",
                external_id=name,
                chat_id=name,
                display_name=name,
                language="en",
                timezone=ZONE,
                role=Role.MANAGER,
            )
            await uow.commit()


@pytest.fixture
async def harness(database_url: str, clock: FixedClock) -> AsyncIterator[Harness]:
    harness = Harness(database_url, clock)
    try:
        yield harness
    finally:
        await harness.engine.dispose()


async def test_a_due_reminder_is_sent_once_with_its_story_and_buttons(harness: Harness) -> None:
    await harness.say("Met Sam Reed from Northwind, wants a quote, call back at 11")
    notifier = ScriptedNotifier()
    dispatcher = harness.dispatcher(notifier)

    assert (await dispatcher.run_once()).sent == 0  # 10:00: not due yet
    harness.clock.advance(timedelta(hours=1))
    report = await dispatcher.run_once()
    again = await dispatcher.run_once()

    assert (report.sent, again.sent) == (1, 0)
    ((rep, card),) = notifier.sent
    assert rep.external_id == "ana"
    assert card.text.splitlines() == [
        "⏰ Time to call Sam Reed (Northwind).",
        "You wrote: “call back at 11”",
        "Last meeting, today: “Met Sam Reed from Northwind, wants a quote, call back at 11”",
    ]
    assert [b.label for b in card.flat_buttons] == [
        "✓ Done",
        "Snooze 1 h",
        "Tomorrow",
        "Pick a time",
    ]
    assert await harness.statuses() == ["sent"]


async def test_reminders_missed_while_down_go_out_marked_late(harness: Harness) -> None:
    await harness.say("Called Ana Popescu @Acme, call back at 11")
    harness.clock.advance(timedelta(hours=5))  # the bot was down over the due time
    notifier = ScriptedNotifier()

    await harness.dispatcher(notifier).run_once()

    ((_, card),) = notifier.sent
    assert "Late: this was due today at 11:00." in card.text


async def test_done_closes_it_and_snooze_brings_it_back_an_hour_later(harness: Harness) -> None:
    await harness.say("Met Sam Reed from Northwind, call back at 11")
    await harness.say("Called Ana Popescu @Acme, call back at 11")
    harness.clock.advance(timedelta(hours=1))
    notifier = ScriptedNotifier()
    dispatcher = harness.dispatcher(notifier)
    await dispatcher.run_once()
    sam_card, ana_card = (card for _, card in notifier.sent)

    await harness.say(button=sam_card.flat_buttons[0].payload)  # Done
    snoozed = await harness.say(button=ana_card.flat_buttons[1].payload)  # Snooze 1 h
    assert snoozed.text == "⏰ Moved: I'll remind you today at 12:00."
    assert await harness.statuses() == ["done", "pending"]
    assert await harness.queue.next_due_at() == harness.clock.now() + timedelta(hours=1)

    harness.clock.advance(timedelta(minutes=59))
    assert (await dispatcher.run_once()).sent == 0
    harness.clock.advance(timedelta(minutes=1))
    assert (await dispatcher.run_once()).sent == 1
    assert "Ana Popescu" in notifier.sent[-1][1].text
    assert await harness.statuses() == ["done", "sent"]


async def test_a_cancelled_reminder_is_never_sent(harness: Harness) -> None:
    await harness.say("Met Sam Reed from Northwind, call back at 11")
    listing = await harness.say("/reminders")
    await harness.say(button=listing.flat_buttons[1].payload)  # Cancel 1
    harness.clock.advance(timedelta(days=1))
    notifier = ScriptedNotifier()

    await harness.dispatcher(notifier).run_once()

    assert notifier.sent == []
    assert await harness.statuses() == ["cancelled"]


async def test_a_429_holds_the_reminder_and_the_platform_for_retry_after(
    harness: Harness,
) -> None:
    await harness.say("Met Sam Reed from Northwind, call back at 11")
    await harness.say("Called Ana Popescu @Acme, call back at 11")
    harness.clock.advance(timedelta(hours=1))
    notifier = ScriptedNotifier(RetryLater(7))
    dispatcher = harness.dispatcher(notifier)

    report = await dispatcher.run_once()

    assert (report.sent, report.retried) == (1, 1)
    assert harness.sleeps
    assert max(harness.sleeps) == pytest.approx(7)
    assert await harness.statuses() == ["pending", "sent"]
    harness.clock.advance(timedelta(seconds=6))
    assert (await dispatcher.run_once()).sent == 0  # Retry-After not over yet
    harness.clock.advance(timedelta(seconds=2))
    assert (await dispatcher.run_once()).sent == 1
    assert await harness.statuses() == ["sent", "sent"]


async def test_transient_failures_back_off_then_fail_and_managers_hear_of_it(
    harness: Harness,
) -> None:
    await harness.say("Met Sam Reed from Northwind, call back at 11")
    await harness.add_manager("maria")
    harness.clock.advance(timedelta(hours=1))
    down = [ConnectionError("network unreachable")] * 3
    notifier = ScriptedNotifier(*down)
    dispatcher = harness.dispatcher(notifier, max_attempts=3, backoff=timedelta(seconds=10))

    assert (await dispatcher.run_once()).retried == 1
    harness.clock.advance(timedelta(seconds=9))
    assert (await dispatcher.run_once()).retried == 0  # still backing off (10 s)
    harness.clock.advance(timedelta(seconds=1))
    assert (await dispatcher.run_once()).retried == 1
    harness.clock.advance(timedelta(seconds=20))  # second backoff: 20 s
    report = await dispatcher.run_once()

    assert report.failed == 1
    assert await harness.statuses() == ["failed"]
    ((manager, warning),) = notifier.sent
    assert manager.external_id == "maria"
    assert warning.text.startswith("⚠️ I could not deliver a reminder to ana about Sam Reed")
    assert "network unreachable" in warning.text


async def test_an_undeliverable_reminder_fails_at_once_and_is_reported(harness: Harness) -> None:
    await harness.say("Met Sam Reed from Northwind, call back at 11")
    await harness.add_manager("maria")
    harness.clock.advance(timedelta(hours=1))
    notifier = ScriptedNotifier(Undeliverable("the rep blocked the bot"))

    report = await harness.dispatcher(notifier).run_once()

    assert report.failed == 1
    assert await harness.statuses() == ["failed"]
    assert [rep.external_id for rep, _ in notifier.sent] == ["maria"]
    health = await harness.queue.dispatch_health(harness.clock.now(), timedelta(minutes=2))
    assert (health.failed, health.due) == (1, 0)
    assert health.last_tick == harness.clock.now()


async def test_a_claim_never_settled_is_retried_after_its_lease(harness: Harness) -> None:
    await harness.say("Met Sam Reed from Northwind, call back at 11")
    harness.clock.advance(timedelta(hours=1))
    # A dispatcher claims it and dies before sending.
    lease = timedelta(minutes=5)
    (claimed,) = await harness.queue.claim_due(harness.clock.now(), lease, 10)
    notifier = ScriptedNotifier()
    dispatcher = harness.dispatcher(notifier, lease=lease)

    assert (await dispatcher.run_once()).sent == 0  # still leased to the dead one
    assert await harness.queue.next_due_at() == harness.clock.now() + lease
    harness.clock.advance(lease)
    assert (await dispatcher.run_once()).sent == 1
    assert notifier.sent[0][1].flat_buttons[0].payload == f"r:done:{claimed.reminder.id}"


async def test_health_counts_due_and_late(harness: Harness) -> None:
    await harness.say("Met Sam Reed from Northwind, call back at 11")
    await harness.say("Called Ana Popescu @Acme, call back at 10:30")
    harness.clock.advance(timedelta(hours=1, minutes=1))

    health = await harness.queue.dispatch_health(harness.clock.now(), timedelta(minutes=2))

    assert (health.due, health.late, health.failed, health.last_tick) == (2, 1, 0, None)


async def test_the_scheduler_sends_what_fell_due_while_it_was_stopped(harness: Harness) -> None:
    await harness.say("Met Sam Reed from Northwind, call back at 11")
    harness.clock.advance(timedelta(hours=2))
    notifier = ScriptedNotifier()
    scheduler = ReminderScheduler(harness.dispatcher(notifier), harness.queue, harness.clock)

    try:
        report = await scheduler.start()
    finally:
        await scheduler.stop()

    assert report.sent == 1
    assert len(notifier.sent) == 1


async def test_stopping_waits_for_a_tick_still_planning_its_next_alarm(harness: Harness) -> None:
    """The caller closes the engine after stop(): no tick may still be querying it."""
    asking, answered = asyncio.Event(), asyncio.Event()

    class SlowToPlan(SqlReminderQueue):
        async def next_due_at(self, recipients: Recipients | None = None) -> datetime | None:
            asking.set()
            await answered.wait()
            return await super().next_due_at(recipients)

    scheduler = ReminderScheduler(
        harness.dispatcher(ScriptedNotifier()), SlowToPlan(harness.engine), harness.clock
    )
    starting = asyncio.create_task(scheduler.start())
    await asking.wait()  # the dispatch is over; the tick now asks for the next due time
    stopping = asyncio.create_task(scheduler.stop())
    await asyncio.sleep(0.1)
    assert not stopping.done()

    answered.set()
    await asyncio.wait_for(stopping, timeout=5)
    assert starting.done()


async def test_a_reminder_falling_due_during_a_tick_is_not_left_to_the_safety_net(
    database_url: str,
) -> None:
    """Real time: the alarm set by a tick for an already-due reminder must still fire."""
    engine = create_engine(database_url)
    clock = SystemClock()
    assistant = Assistant(
        SqlUnitOfWorkFactory(engine, clock), clock, CoreConfig(default_timezone="UTC")
    )
    queue = SqlReminderQueue(engine)
    sent: list[float] = []
    both_sent = asyncio.Event()
    started = asyncio.get_running_loop().time()

    class SlowNotifier:
        async def send(self, rep: Rep, reply: Reply) -> None:
            await asyncio.sleep(0.3)  # the second reminder falls due while this one sends
            sent.append(asyncio.get_running_loop().time() - started)
            if len(sent) == 2:
                both_sent.set()

    dispatcher = Dispatcher(queue, SlowNotifier(), clock, limiter=SendLimiter({}))
    scheduler = ReminderScheduler(dispatcher, queue, clock, safety_interval=timedelta(minutes=10))
    try:
        for text in ("call back Sam Reed in 1 minute", "call back Ana Popescu in 1 minute"):
            await assistant.handle(
                Incoming(platform="console", user_id="ana", chat_id="ana", text=text)
            )
        # Bring them due a fraction of a second apart, from now.
        async with engine.begin() as connection:
            now = clock.now()
            for offset, reminder_id in ((0.1, 1), (0.2, 2)):
                await connection.execute(
                    update(ReminderRow)
                    .where(ReminderRow.id == reminder_id)
                    .values(due_at=now + timedelta(seconds=offset))
                )
        await scheduler.start()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(both_sent.wait(), timeout=10)
    finally:
        await scheduler.stop()
        await engine.dispose()

    assert len(sent) == 2
    assert max(sent) < 5  # seconds: woken by the alarm, not by the 10-minute safety net


async def test_a_dispatcher_sends_only_what_its_notifier_can_deliver(harness: Harness) -> None:
    """A Telegram process must not mark a console rep's reminder failed, nor the reverse."""
    await harness.say("Met Sam Reed from Northwind, call back at 11")  # console rep ana
    async with harness.uow_factory() as uow:
        ana = await uow.reps.by_identity("console", "ana")
        assert ana is not None
        ion = await uow.reps.add(
            team_id=ana.team_id,
            platform="telegram",
            external_id="4242",
            chat_id="4242",
            display_name="Ion",
            language="ro",
            timezone=ZONE,
            role=Role.REP,
        )
        await uow.reminders.add(
            team_id=ana.team_id,
            rep_id=ion.id,
            due_at=harness.clock.now() + timedelta(minutes=30),
            text="sună-l pe Dan",
            contact_id=None,
            company_id=None,
        )
        await uow.commit()
    harness.clock.advance(timedelta(hours=1))
    telegram, console = ScriptedNotifier(), ScriptedNotifier()
    only_telegram = Recipients(frozenset({"telegram"}))
    only_ana = Recipients(frozenset({"console"}), "ana")

    assert await harness.queue.next_due_at(only_telegram) == harness.clock.now() - timedelta(
        minutes=30
    )
    await harness.dispatcher(telegram, recipients=only_telegram).run_once()
    await harness.dispatcher(console, recipients=only_ana).run_once()

    assert [rep.external_id for rep, _ in telegram.sent] == ["4242"]
    assert [rep.external_id for rep, _ in console.sent] == ["ana"]
    assert await harness.statuses() == ["sent", "sent"]
