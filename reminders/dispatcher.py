"""Sending due reminders: claim, compose, send through the notifier, settle.

The database is the source of truth; this runs whenever the scheduler wakes it (and on
start, so reminders that fell due while the bot was down go out at once, marked late).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from handlers.domain import DueReminder, Recipients
from handlers.i18n import _, use_locale
from handlers.messages import Reply
from handlers.ports import Clock, Notifier, ReminderQueue, RetryLater, Undeliverable
from handlers.reminder_card import compose, quote, who
from reminders.ratelimit import SendLimiter

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DispatchPolicy:
    lease: timedelta = timedelta(minutes=5)
    """How long a claim is held; a send not settled by then is retried (crash safety)."""
    batch_size: int = 100
    max_attempts: int = 5
    """Transient failures are retried this many times in all before the reminder fails."""
    backoff: timedelta = timedelta(seconds=30)
    """First retry delay after a transient failure; doubles with each attempt."""
    max_backoff: timedelta = timedelta(minutes=30)


@dataclass(slots=True)
class DispatchReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


class Dispatcher:
    def __init__(
        self,
        queue: ReminderQueue,
        notifier: Notifier,
        clock: Clock,
        *,
        limiter: SendLimiter | None = None,
        policy: DispatchPolicy | None = None,
        recipients: Recipients | None = None,
        name: str = "dispatcher",
    ) -> None:
        self._queue = queue
        self._notifier = notifier
        self._clock = clock
        self._limiter = limiter or SendLimiter()
        self._policy = policy or DispatchPolicy()
        self._recipients = recipients
        self._name = name
        self._lock = asyncio.Lock()

    async def idle(self) -> None:
        """Return once no dispatch is under way (for a clean shutdown)."""
        async with self._lock:
            pass

    async def run_once(self) -> DispatchReport:
        """Send everything due now. Overlapping calls wait for each other."""
        report = DispatchReport()
        async with self._lock:
            while True:
                batch = await self._queue.claim_due(
                    self._clock.now(),
                    self._policy.lease,
                    self._policy.batch_size,
                    self._recipients,
                )
                delivered: list[int] = []
                await asyncio.gather(*(self._deliver(item, report, delivered) for item in batch))
                # One transaction settles the batch: a crash before it re-sends at most this
                # batch, the same bound as a crash in the middle of sending it.
                await self._queue.mark_sent(delivered, self._clock.now())
                report.sent += len(delivered)
                if len(batch) < self._policy.batch_size:
                    break
            await self._queue.record_tick(self._name, self._clock.now())
        return report

    async def _deliver(
        self, item: DueReminder, report: DispatchReport, delivered: list[int]
    ) -> None:
        reminder, rep = item.reminder, item.rep
        with use_locale(rep.language):  # the card in the rep's language
            reply = compose(item, self._clock.now())
        try:
            await self._limiter.wait(rep.platform, rep.chat_id)
            await self._notifier.send(rep, reply)
        except RetryLater as error:
            # The platform is throttling us: hold everything to it, and this one with it.
            self._limiter.pause(rep.platform, error.retry_after)
            retry = self._clock.now() + timedelta(seconds=error.retry_after)
            await self._queue.retry_at(reminder.id, retry, str(error))
            report.retried += 1
        except Undeliverable as error:
            await self._fail(item, str(error), report)
        except Exception as error:  # network, server errors: transient until proven otherwise
            description = f"{type(error).__name__}: {error}"
            if item.attempts >= self._policy.max_attempts:
                await self._fail(item, description, report)
            else:
                delay = min(
                    self._policy.backoff * 2 ** (item.attempts - 1), self._policy.max_backoff
                )
                await self._queue.retry_at(reminder.id, self._clock.now() + delay, description)
                report.retried += 1
                log.warning("reminder %s: %s; retrying in %s", reminder.id, description, delay)
        else:
            delivered.append(reminder.id)

    async def _fail(self, item: DueReminder, reason: str, report: DispatchReport) -> None:
        """Give up on a reminder, loudly: its team's managers hear about it."""
        await self._queue.mark_failed(item.reminder.id, reason, self._clock.now())
        report.failed += 1
        report.errors.append(reason)
        log.error("reminder %s for rep %s failed: %s", item.reminder.id, item.rep.id, reason)
        person = who(item.contact_name, item.company_name)
        for manager in await self._queue.managers(item.rep.team_id):
            if manager.id == item.rep.id:
                continue  # the one person we cannot reach
            with use_locale(manager.language):
                warning = Reply(_warning(item.rep.display_name, person, reason, item.reminder.text))
            try:
                await self._limiter.wait(manager.platform, manager.chat_id)
                await self._notifier.send(manager, warning)
            except Exception:
                log.exception(
                    "could not tell manager %s about reminder %s", manager.id, item.reminder.id
                )


def _warning(rep_name: str, person: str, reason: str, text: str) -> str:
    """What a manager reads when a rep's reminder could not be delivered."""
    if person:
        first = _("⚠️ I could not deliver a reminder to {rep} about {person}: {reason}.").format(
            rep=rep_name, person=person, reason=reason
        )
    else:
        first = _("⚠️ I could not deliver a reminder to {rep}: {reason}.").format(
            rep=rep_name, reason=reason
        )
    return first + "\n" + _("It said: {text}").format(text=quote(text))
