"""Sending digests and agendas: to whom, when, once, and what happens when a send fails."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from handlers.clock import FixedClock
from handlers.digest_data import DigestKind, DigestSchedule
from handlers.domain import Recipients, ReminderStatus, Rep, Role
from handlers.messages import Reply
from handlers.ports import RetryLater, Undeliverable
from reminders.charts import PNG_SIGNATURE
from reminders.digests import DigestPolicy, DigestScheduler, DigestSender, default_chart
from reminders.dispatcher import Dispatcher
from reminders.ratelimit import SendLimiter
from storage.database import create_engine
from storage.digests import SqlDigestSource
from storage.reminder_queue import SqlReminderQueue
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.digests.conftest import NEW_YORK, Seed, local

DAY, WEEK, AGENDA = DigestKind.DAY, DigestKind.WEEK, DigestKind.AGENDA


class Recorder:
    """A notifier that records what it delivers; scripted errors first, per rep name."""

    def __init__(self, errors: dict[str, list[Exception]] | None = None) -> None:
        self.errors = errors or {}
        self.sent: list[tuple[Rep, Reply]] = []

    async def send(self, rep: Rep, reply: Reply) -> None:
        await asyncio.sleep(0)  # let a racing sender in
        if self.errors.get(rep.display_name):
            raise self.errors[rep.display_name].pop(0)
        self.sent.append((rep, reply))

    def names(self) -> list[str]:
        return sorted(rep.display_name for rep, _ in self.sent)

    def clear(self) -> None:
        self.sent.clear()


class QuietLimiter(SendLimiter):
    """No limits, and pauses recorded instead of slept."""

    def __init__(self) -> None:
        super().__init__({}, sleep=self._sleep)
        self.slept: list[float] = []

    async def _sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


@dataclass
class Teams:
    acme: int
    new_york: int
    ana: int
    dan: int
    nick: int


@pytest.fixture
async def teams(seed: Seed) -> Teams:
    acme = await seed.team("Acme Sales")
    await seed.rep(acme, "Maria", Role.MANAGER)
    await seed.rep(acme, "Boss", Role.ADMIN, platform="console")
    ana = await seed.rep(acme, "Ana")
    dan = await seed.rep(acme, "Dan")
    new_york = await seed.team("Big Apple", NEW_YORK)
    await seed.rep(new_york, "Pat", Role.MANAGER, timezone=NEW_YORK)
    nick = await seed.rep(new_york, "Nick", timezone=NEW_YORK)
    return Teams(acme, new_york, ana, dan, nick)


def make_sender(
    source: SqlDigestSource,
    notifier: Recorder,
    clock: FixedClock,
    units: SqlUnitOfWorkFactory,
    *,
    recipients: Recipients | None = None,
    chart: object = None,
    limiter: SendLimiter | None = None,
) -> DigestSender:
    return DigestSender(
        source,
        notifier,
        clock,
        uow_factory=units,
        limiter=limiter or QuietLimiter(),
        recipients=recipients,
        chart=chart,  # type: ignore[arg-type]
    )


@pytest.fixture
def notifier() -> Recorder:
    return Recorder()


@pytest.fixture
def sender(
    source: SqlDigestSource, notifier: Recorder, clock: FixedClock, units: SqlUnitOfWorkFactory
) -> DigestSender:
    return make_sender(source, notifier, clock, units)


def at(clock: FixedClock, moment: datetime) -> None:
    clock.set(moment + timedelta(seconds=1))  # the scheduler wakes at second 1


async def test_each_team_gets_its_daily_digest_at_its_own_1800_managers_and_admins_only(
    teams: Teams, sender: DigestSender, notifier: Recorder, clock: FixedClock
) -> None:
    at(clock, local(23, "17:59"))
    assert (await sender.run(DAY)).sent == 0

    at(clock, local(23, "18:00"))
    report = await sender.run(DAY)

    assert (report.sent, notifier.names()) == (2, ["Boss", "Maria"])
    assert all(reply.text.startswith("📊 Daily digest: Acme Sales") for _, reply in notifier.sent)
    notifier.clear()

    at(clock, local(23, "18:00", NEW_YORK))  # seven hours later
    assert (await sender.run(DAY)).sent == 1
    assert notifier.names() == ["Pat"]
    assert notifier.sent[0][1].text.startswith("📊 Daily digest: Big Apple, Mon 23 Nov")


async def test_a_digest_goes_out_once_however_often_the_sender_runs(
    teams: Teams, sender: DigestSender, notifier: Recorder, clock: FixedClock
) -> None:
    at(clock, local(23, "18:00"))
    await sender.run(DAY)
    clock.advance(timedelta(minutes=1))
    again = await sender.run(DAY)
    clock.advance(timedelta(hours=3))
    later = await sender.run(DAY)

    assert (again.sent, later.sent) == (0, 0)
    assert notifier.names() == ["Boss", "Maria"]


async def test_a_process_sends_only_to_the_platforms_it_serves(
    teams: Teams,
    source: SqlDigestSource,
    clock: FixedClock,
    units: SqlUnitOfWorkFactory,
) -> None:
    telegram, console = Recorder(), Recorder()
    at(clock, local(23, "18:00"))

    await make_sender(
        source, telegram, clock, units, recipients=Recipients(frozenset({"telegram"}))
    ).run(DAY)
    await make_sender(
        source, console, clock, units, recipients=Recipients(frozenset({"console"}))
    ).run(DAY)

    assert (telegram.names(), console.names()) == (["Maria"], ["Boss"])


async def test_a_digest_missed_while_down_goes_out_late_but_not_when_it_is_old_news(
    teams: Teams, sender: DigestSender, notifier: Recorder, clock: FixedClock
) -> None:
    at(clock, local(24, "00:01"))  # more than six hours after Monday's 18:00
    assert (await sender.run(DAY)).sent == 0

    at(clock, local(24, "23:30"))  # Tuesday's, five and a half hours late
    assert (await sender.run(DAY)).sent == 2


async def test_the_weekly_digest_comes_with_its_chart(
    teams: Teams,
    source: SqlDigestSource,
    notifier: Recorder,
    clock: FixedClock,
    units: SqlUnitOfWorkFactory,
) -> None:
    sender = make_sender(source, notifier, clock, units, chart=default_chart)
    at(clock, local(23, "08:00"))

    assert (await sender.run(WEEK)).sent == 2
    _, reply = notifier.sent[0]
    assert reply.text.startswith("📊 Weekly digest: Acme Sales, Mon 16 Nov to Mon 23 Nov")
    assert reply.image is not None
    assert reply.image.startswith(PNG_SIGNATURE)
    assert reply.image_name == "digest-2026-11-23.png"
    assert notifier.sent[1][1] is reply  # composed once for all the team's managers


async def test_a_send_that_fails_for_now_is_tried_again_next_minute(
    teams: Teams,
    source: SqlDigestSource,
    clock: FixedClock,
    units: SqlUnitOfWorkFactory,
) -> None:
    notifier = Recorder({"Maria": [ConnectionError("reset"), RetryLater(7)]})
    limiter = QuietLimiter()
    sender = make_sender(source, notifier, clock, units, limiter=limiter)
    at(clock, local(23, "18:00"))

    first = await sender.run(DAY)
    clock.advance(timedelta(minutes=1))
    second = await sender.run(DAY)
    clock.advance(timedelta(minutes=1))
    third = await sender.run(DAY)

    assert [(r.sent, r.retried) for r in (first, second, third)] == [(1, 1), (0, 1), (1, 0)]
    assert notifier.names() == ["Boss", "Maria"]
    assert limiter.slept  # the 429's pause held the next send to Maria
    assert limiter.slept[0] == pytest.approx(7, abs=0.5)


async def test_a_manager_who_cannot_be_reached_is_not_tried_again(
    teams: Teams,
    source: SqlDigestSource,
    clock: FixedClock,
    units: SqlUnitOfWorkFactory,
) -> None:
    notifier = Recorder(
        {
            "Maria": [Undeliverable("Telegram: Forbidden: bot was blocked by the user")],
            "Boss": [ConnectionError("down")] * 5,
        }
    )
    sender = DigestSender(
        source,
        notifier,
        clock,
        uow_factory=units,
        limiter=QuietLimiter(),
        policy=DigestPolicy(max_attempts=5),
        chart=None,
    )
    at(clock, local(23, "18:00"))

    reports = []
    for _ in range(7):
        reports.append(await sender.run(DAY))
        clock.advance(timedelta(minutes=1))

    assert sum(r.failed for r in reports) == 2
    assert sum(r.retried for r in reports) == 4  # Boss: four retries, given up at the fifth
    assert notifier.sent == []
    assert "blocked" in reports[0].errors[0]


async def test_two_processes_racing_send_each_digest_once(
    seed: Seed, database_url: str, clock: FixedClock, units: SqlUnitOfWorkFactory
) -> None:
    team = await seed.team("Big Team")
    for number in range(12):
        await seed.rep(team, f"Manager {number:02}", Role.MANAGER)
    engines = [create_engine(database_url), create_engine(database_url)]
    try:
        notifiers = [Recorder(), Recorder()]
        senders = [
            make_sender(SqlDigestSource(engine), notifier, clock, units)
            for engine, notifier in zip(engines, notifiers, strict=True)
        ]
        for kind, moment in ((DAY, local(23, "18:00")), (WEEK, local(23, "08:00"))):
            at(clock, moment)
            await asyncio.gather(*(sender.run(kind) for sender in senders))

        sends = Counter(
            (rep.display_name, reply.text.split(":")[0])
            for notifier in notifiers
            for rep, reply in notifier.sent
        )
        assert len(sends) == 24  # every manager got the daily and the weekly digest...
        assert set(sends.values()) == {1}  # ...exactly once
    finally:
        for engine in engines:
            await engine.dispose()


async def test_only_one_claim_of_a_digest_succeeds(
    teams: Teams, database_url: str, clock: FixedClock
) -> None:
    engines = [create_engine(database_url) for _ in range(2)]
    try:
        sources = [SqlDigestSource(engine) for engine in engines]
        start = local(20, "18:00")
        claims = await asyncio.gather(
            *(
                source.claim(teams.acme, teams.ana, DAY, start, clock.now())
                for source in sources * 5
            )
        )
        assert claims.count(True) == 1
        await sources[0].release(teams.acme, teams.ana, DAY, start)
        assert await sources[1].claim(teams.acme, teams.ana, DAY, start, clock.now())
    finally:
        for engine in engines:
            await engine.dispose()


# --- the morning agenda ---------------------------------------------------------------------


async def test_the_morning_agenda_lists_todays_and_overdue_callbacks_with_buttons(
    teams: Teams, seed: Seed, sender: DigestSender, notifier: Recorder, clock: FixedClock
) -> None:
    overdue = await seed.reminder(teams.acme, teams.ana, local(20, "10:00"), text="send the quote")
    today = await seed.reminder(teams.acme, teams.ana, local(23, "11:00"), text="call Sam")
    await seed.reminder(teams.acme, teams.ana, local(25, "11:00"), text="later")
    await seed.reminder(teams.acme, teams.dan, local(22, "10:00"), ReminderStatus.DONE)
    await seed.reminder(teams.new_york, teams.nick, local(23, "11:00", NEW_YORK))

    at(clock, local(23, "08:29"))
    assert (await sender.run(AGENDA)).sent == 0
    at(clock, local(23, "08:30"))
    assert (await sender.run(AGENDA)).sent == 1
    clock.advance(timedelta(minutes=1))
    assert (await sender.run(AGENDA)).sent == 0  # once a day

    (rep, reply), = notifier.sent  # fmt: skip
    assert rep.display_name == "Ana"
    assert reply.text == (
        "☀️ Good morning, Ana!\n"
        "Today, Mon 23 Nov\n"
        "Overdue (1):\n"
        "• Fri 20 Nov 10:00 send the quote\n"
        "Due today:\n"
        "• 11:00 call Sam\n"
        "Coming up:\n"
        "• Wed 25 Nov 11:00 later"
    )
    assert [[button.payload for button in row] for row in reply.buttons] == [
        [f"r:done:{overdue}", f"r:pick:{overdue}"],
        [f"r:done:{today}", f"r:pick:{today}"],
    ]
    assert reply.buttons[0][0].label == "✓ Done: “send the quote”"

    notifier.clear()
    at(clock, local(23, "08:30", NEW_YORK))  # Nick's 08:30 comes seven hours later
    assert (await sender.run(AGENDA)).sent == 1
    assert notifier.names() == ["Nick"]


async def test_on_a_weekend_only_a_callback_due_that_day_brings_an_agenda(
    teams: Teams, seed: Seed, sender: DigestSender, notifier: Recorder, clock: FixedClock
) -> None:
    await seed.reminder(teams.acme, teams.ana, local(19, "10:00"))  # overdue since Thursday
    await seed.reminder(teams.acme, teams.dan, local(21, "14:00"))  # due Saturday

    at(clock, local(21, "08:30"))
    await sender.run(AGENDA)

    assert notifier.names() == ["Dan"]


async def test_a_rep_who_turned_the_agenda_off_gets_none(
    teams: Teams,
    seed: Seed,
    sender: DigestSender,
    notifier: Recorder,
    clock: FixedClock,
    engine: AsyncEngine,
) -> None:
    await seed.reminder(teams.acme, teams.ana, local(23, "11:00"))
    await seed.reminder(teams.acme, teams.dan, local(23, "11:00"))
    async with SqlUnitOfWorkFactory(engine, clock)() as uow:
        await uow.reps.set_agenda(teams.ana, False)
        await uow.commit()

    at(clock, local(23, "08:30"))
    await sender.run(AGENDA)

    assert notifier.names() == ["Dan"]


async def test_no_agenda_after_its_grace(
    teams: Teams, seed: Seed, sender: DigestSender, notifier: Recorder, clock: FixedClock
) -> None:
    await seed.reminder(teams.acme, teams.ana, local(23, "15:00"))

    at(clock, local(23, "11:31"))
    await sender.run(AGENDA)

    assert notifier.sent == []


# --- the scheduler --------------------------------------------------------------------------


async def test_the_scheduler_runs_a_job_per_kind_and_stops_cleanly(
    teams: Teams, sender: DigestSender, notifier: Recorder, clock: FixedClock
) -> None:
    # Monday 18:00 in Bucharest: Acme's daily digest is due, and its weekly one (08:00) and
    # New York's (08:00 there, three hours ago) are still within their grace.
    at(clock, local(23, "18:00"))
    scheduler = DigestScheduler(sender)
    await scheduler.start()
    try:
        assert scheduler.jobs == ["digests-agenda", "digests-day", "digests-week"]
        for _ in range(200):  # the first runs start at once
            if len(notifier.sent) >= 5:
                break
            await asyncio.sleep(0.05)
    finally:
        await scheduler.stop()

    sent = sorted((rep.display_name, reply.text.split(":")[0]) for rep, reply in notifier.sent)
    assert sent == [
        ("Boss", "📊 Daily digest"),
        ("Boss", "📊 Weekly digest"),
        ("Maria", "📊 Daily digest"),
        ("Maria", "📊 Weekly digest"),
        ("Pat", "📊 Weekly digest"),
    ]
    assert not scheduler.running


async def test_a_failing_run_is_logged_and_the_next_minute_tries_again(
    engine: AsyncEngine,
    clock: FixedClock,
    units: SqlUnitOfWorkFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Away(SqlDigestSource):
        async def schedules(self) -> list[DigestSchedule]:
            raise ConnectionError("database away")

    scheduler = DigestScheduler(
        DigestSender(Away(engine), Recorder(), clock, uow_factory=units, chart=None)
    )

    report = await scheduler.tick(DAY)

    assert report.sent == 0
    assert "day digests failed" in caplog.text


async def test_a_callback_the_dispatcher_gives_up_on_shows_in_the_next_digest(
    teams: Teams,
    seed: Seed,
    engine: AsyncEngine,
    source: SqlDigestSource,
    sender: DigestSender,
    notifier: Recorder,
    clock: FixedClock,
) -> None:
    await seed.reminder(teams.acme, teams.ana, local(23, "17:40"), text="call Sam")
    blocked = Recorder({"Ana": [Undeliverable("Telegram: Forbidden: bot was blocked")]})
    at(clock, local(23, "17:50"))
    dispatcher = Dispatcher(SqlReminderQueue(engine), blocked, clock, limiter=QuietLimiter())
    assert (await dispatcher.run_once()).failed == 1

    at(clock, local(23, "18:00"))
    await sender.run(DAY)

    text = notifier.sent[0][1].text
    assert "⚠ Callbacks not delivered: 1\n" in text
    assert "• Ana: “call Sam”, due Mon 23 Nov 17:40 (Telegram: Forbidden: bot was blocked)" in text
