"""Sending the managers' digests and the reps' morning agendas when their time comes.

**Waking.** APScheduler 3 runs one job per kind (daily digest, weekly digest, agenda) every
minute, at second 1. Each run reads the teams' settings from the database and sends what is
due by their own wall clocks: a team in Bucharest and one in New York each get the daily
digest at their 18:00. Waking every minute rather than at computed next times costs one small
query per kind a minute, and buys what a planned alarm would need extra code for: a setting
changed by another process, a DST change, a new team or a late start all take effect at the
next minute, with no job store and nothing to re-plan. A digest whose time passed while the
bot was down goes out when it starts, unless it is older than the kind's grace
(:class:`DigestPolicy`): an old digest is news no longer, and the next one covers its own
period anyway.

**Exactly once.** Before sending, the sender inserts a ``sent_digests`` row (team, person,
kind, period start) with insert-or-skip; only the process whose insert took sends, so two
processes never send one digest twice. A send that fails for now (a 429, a network error)
gives the row back and is tried again a minute later, up to ``max_attempts`` times; one that
cannot succeed (the manager blocked the bot) keeps it. A process killed between the insert
and the send loses that one digest (at most once, never twice).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfoNotFoundError

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from handlers import agenda, timefmt
from handlers.digest import (
    ScheduleError,
    agenda_window,
    compose,
    due_period,
    week_before,
)
from handlers.digest_data import DigestData, DigestKind, DigestSchedule, Period
from handlers.domain import Recipients, Rep
from handlers.i18n import language_of, use_locale
from handlers.messages import Reply
from handlers.ports import (
    Clock,
    DigestSource,
    Notifier,
    RetryLater,
    Undeliverable,
    UnitOfWorkFactory,
)
from handlers.terms import Terms, use_terms
from reminders.ratelimit import SendLimiter

log = logging.getLogger(__name__)

Chart = Callable[[DigestData], bytes]
"""Draws a digest's picture as PNG bytes (blocking; run in a worker thread)."""

WAKE_SECOND = 1
"""Runs start at second 1 of every minute: just after a whole-minute due time."""


def default_chart(data: DigestData) -> bytes:
    # matplotlib takes a moment to import: only processes that draw pay for it.
    from reminders.charts import digest_chart

    return digest_chart(data)


async def compose_digest(
    source: DigestSource,
    schedule: DigestSchedule,
    kind: DigestKind,
    period: Period,
    now: datetime,
    chart: Chart | None,
) -> tuple[DigestData, Reply]:
    """A team's digest for ``period`` as of ``now``; the weekly one with its chart, drawn in a
    worker thread (it takes a few hundred milliseconds)."""
    previous = week_before(period, schedule.timezone) if kind is DigestKind.WEEK else None
    data = await source.digest(schedule, kind, period, previous, now)
    reply = compose(data)
    if kind is DigestKind.WEEK and chart is not None:
        image = await asyncio.to_thread(chart, data)
        day = timefmt.local(period.end, schedule.timezone).date()
        reply = replace(reply, image=image, image_name=f"digest-{day:%Y-%m-%d}.png")
    return data, reply


@dataclass(frozen=True, slots=True)
class DigestPolicy:
    day_grace: timedelta = timedelta(hours=6)
    """A daily digest later than this after its time is skipped."""
    week_grace: timedelta = timedelta(hours=24)
    agenda_grace: timedelta = timedelta(hours=3)
    """A morning agenda after 11:30 (for 08:30) is no longer a morning agenda."""
    max_attempts: int = 5
    """Sends that fail for now are tried again each minute, this many times in all."""

    def grace(self, kind: DigestKind) -> timedelta:
        return {
            DigestKind.DAY: self.day_grace,
            DigestKind.WEEK: self.week_grace,
            DigestKind.AGENDA: self.agenda_grace,
        }[kind]


@dataclass(slots=True)
class DigestReport:
    sent: int = 0
    skipped: int = 0
    """Claimed by another process first (or already sent)."""
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


class DigestSender:
    """Finds the digests and agendas due now, composes each once, and sends it to each
    person once (see the module's notes)."""

    def __init__(
        self,
        source: DigestSource,
        notifier: Notifier,
        clock: Clock,
        *,
        uow_factory: UnitOfWorkFactory,
        limiter: SendLimiter | None = None,
        recipients: Recipients | None = None,
        policy: DigestPolicy | None = None,
        chart: Chart | None = default_chart,
    ) -> None:
        self._source = source
        self._notifier = notifier
        self._clock = clock
        self._uow_factory = uow_factory
        self._limiter = limiter or SendLimiter()
        self._recipients = recipients
        self._policy = policy or DigestPolicy()
        self._chart = chart
        self._locks = {kind: asyncio.Lock() for kind in DigestKind}
        self._attempts: dict[tuple[int, DigestKind, datetime], int] = {}

    async def idle(self) -> None:
        """Return once no run is under way (for a clean shutdown)."""
        for lock in self._locks.values():
            async with lock:
                pass

    async def run(self, kind: DigestKind) -> DigestReport:
        """Send everything of ``kind`` that is due now. Overlapping runs wait for each other."""
        async with self._locks[kind]:
            if kind is DigestKind.AGENDA:
                return await self._agendas()
            return await self._digests(kind)

    async def _digests(self, kind: DigestKind) -> DigestReport:
        report = DigestReport()
        now = self._clock.now()
        due: dict[int, tuple[DigestSchedule, Period]] = {}
        for schedule in await self._source.schedules():
            try:
                period = due_period(schedule, kind, now, self._policy.grace(kind))
            except (ScheduleError, ZoneInfoNotFoundError, ValueError) as error:
                log.warning("team %s: cannot schedule its digests: %s", schedule.team_id, error)
                continue
            if period is not None:
                due[schedule.team_id] = (schedule, period)
        starts = {team_id: period.start for team_id, (_, period) in due.items()}
        unsent = await self._source.unsent_managers(kind, starts, self._recipients)
        for team_id, managers in unsent.items():
            schedule, period = due[team_id]
            terms = await self._terms(team_id)
            replies: dict[str, Reply] = {}  # one digest per language the managers read
            for manager in managers:
                language = language_of(manager.language)
                if language not in replies:
                    with use_locale(language), use_terms(terms):
                        _data, replies[language] = await compose_digest(
                            self._source, schedule, kind, period, now, self._chart
                        )
                if await self._source.claim(team_id, manager.id, kind, period.start, now):
                    await self._send(manager, replies[language], kind, period.start, report)
                else:
                    report.skipped += 1
        return report

    async def _terms(self, team_id: int) -> Terms:
        """The team's own words for stages and kinds, as its digests show them."""
        async with self._uow_factory() as uow:
            return Terms.of(await uow.terms.for_team(team_id))

    async def _agendas(self) -> DigestReport:
        report = DigestReport()
        now = self._clock.now()
        grace = self._policy.grace(DigestKind.AGENDA)
        windows = {}
        for zone, agenda_at in await self._source.agenda_settings(self._recipients):
            try:
                window = agenda_window(zone, agenda_at, now, grace)
            except (ScheduleError, ZoneInfoNotFoundError, ValueError) as error:
                log.warning("agendas at %s in %s: %s", agenda_at, zone, error)
                continue
            if window is not None:
                windows[zone, agenda_at] = window
        for rep, agenda_at in await self._source.agenda_due(
            list(windows.values()), self._recipients
        ):
            window = windows[rep.timezone, agenda_at]
            start = window.day.start
            if not await self._source.claim(rep.team_id, rep.id, DigestKind.AGENDA, start, now):
                report.skipped += 1
                continue
            try:
                async with self._uow_factory() as uow:
                    terms = Terms.of(await uow.terms.for_team(rep.team_id))
                    with use_locale(rep.language), use_terms(terms):
                        reply = await agenda.morning(
                            uow, rep, now, due_today_only=window.due_today_only
                        )
            except Exception:
                log.exception("could not compose rep %s's agenda", rep.id)
                await self._source.release(rep.team_id, rep.id, DigestKind.AGENDA, start)
                report.retried += 1
                continue
            if reply is not None:  # None: the callbacks were dealt with meanwhile
                await self._send(rep, reply, DigestKind.AGENDA, start, report)
        return report

    async def _send(
        self,
        rep: Rep,
        reply: Reply,
        kind: DigestKind,
        period_start: datetime,
        report: DigestReport,
    ) -> None:
        """Send a claimed digest; give the claim back when trying again may help."""
        key = (rep.id, kind, period_start)
        try:
            await self._limiter.wait(rep.platform, rep.chat_id)
            await self._notifier.send(rep, reply)
        except RetryLater as error:
            self._limiter.pause(rep.platform, error.retry_after)
            await self._again(rep, kind, period_start, str(error), report)
        except Undeliverable as error:
            self._give_up(rep, kind, str(error), report)
        except Exception as error:  # network, server errors: transient until proven otherwise
            description = f"{type(error).__name__}: {error}"
            self._attempts[key] = attempts = self._attempts.get(key, 0) + 1
            if attempts >= self._policy.max_attempts:
                self._give_up(rep, kind, description, report)
            else:
                await self._again(rep, kind, period_start, description, report)
        else:
            report.sent += 1
            self._attempts.pop(key, None)

    async def _again(
        self, rep: Rep, kind: DigestKind, period_start: datetime, reason: str, report: DigestReport
    ) -> None:
        log.warning("%s digest for rep %s: %s; trying again next minute", kind, rep.id, reason)
        report.retried += 1
        await self._source.release(rep.team_id, rep.id, kind, period_start)

    def _give_up(self, rep: Rep, kind: DigestKind, reason: str, report: DigestReport) -> None:
        report.failed += 1
        report.errors.append(reason)
        self._attempts = {key: n for key, n in self._attempts.items() if key[0] != rep.id}
        log.error("%s digest for rep %s could not be delivered: %s", kind, rep.id, reason)


class DigestScheduler:
    """APScheduler 3 wakes the sender every minute, one job per kind; nothing else is kept
    in it (no job store: what is due, and what was sent, is in the database)."""

    def __init__(self, sender: DigestSender, kinds: tuple[DigestKind, ...] = tuple(DigestKind)):
        self._sender = sender
        self._kinds = kinds
        self._scheduler = AsyncIOScheduler(timezone=UTC)

    @property
    def jobs(self) -> list[str]:
        return sorted(job.id for job in self._scheduler.get_jobs())

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running)

    async def start(self) -> None:
        """Start the jobs; the first runs at once (digests missed while down go out now)."""
        self._scheduler.start()
        for kind in self._kinds:
            self._scheduler.add_job(
                self.tick,
                "cron",
                args=[kind],
                second=WAKE_SECOND,
                id=f"digests-{kind}",
                next_run_time=datetime.now(UTC),
                max_instances=1,
                coalesce=True,
                misfire_grace_time=50,
            )

    async def tick(self, kind: DigestKind) -> DigestReport:
        try:
            return await self._sender.run(kind)
        except Exception:
            # The database may be briefly away; the next minute tries again.
            log.exception("%s digests failed", kind)
            return DigestReport()

    async def stop(self) -> None:
        """Stop waking the sender, and wait for a run under way to finish."""
        if self._scheduler.running:
            # Pause first: APScheduler's asyncio executor cancels the jobs in flight on
            # shutdown, and a digest cancelled between its claim and its send would stay
            # claimed and never go out (benchmarks/soak.py found it). One loop turn lets a
            # job submitted just now reach the sender's lock, so idle() waits for it too.
            self._scheduler.pause()
            await asyncio.sleep(0)
            await self._sender.idle()
            self._scheduler.shutdown(wait=False)
            await asyncio.sleep(0)  # AsyncIOScheduler shuts down on the loop's next turn
        await self._sender.idle()
