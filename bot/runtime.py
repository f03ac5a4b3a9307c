"""Building the running bot: database, migrations, the core, the reminder scheduler and the
digests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from handlers.assistant import Assistant, CoreConfig
from handlers.clock import SystemClock
from handlers.domain import Recipients
from handlers.ports import Clock, Notifier
from reminders.digests import DigestPolicy, DigestScheduler, DigestSender
from reminders.dispatcher import Dispatcher, DispatchPolicy
from reminders.ratelimit import SendLimiter
from reminders.scheduler import ReminderScheduler
from storage.database import DEFAULT_POOL, PoolSettings, create_engine
from storage.digests import SqlDigestSource
from storage.migrate import upgrade
from storage.reminder_queue import SqlReminderQueue
from storage.unit_of_work import SqlUnitOfWorkFactory


class Runtime:
    """The core and the reminder machinery over one database engine."""

    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock,
        config: CoreConfig,
        pool: PoolSettings = DEFAULT_POOL,
    ) -> None:
        self.clock = clock
        self.queue = SqlReminderQueue(engine)
        self.limiter = SendLimiter()
        """Shared by everything that sends, so reminders and replies share one budget."""
        self.scheduler: ReminderScheduler | None = None
        self.digest_source = SqlDigestSource(engine)
        self.digests: DigestScheduler | None = None
        self._uow_factory = SqlUnitOfWorkFactory(engine, clock, pool)
        self.assistant = Assistant(self._uow_factory, clock, config, on_reminder_set=self._wake)

    async def start_reminders(
        self,
        notifier: Notifier,
        *,
        recipients: Recipients,
        policy: DispatchPolicy | None = None,
    ) -> None:
        """Start dispatching the reminders of ``recipients`` through ``notifier``."""
        dispatcher = Dispatcher(
            self.queue,
            notifier,
            self.clock,
            limiter=self.limiter,
            policy=policy,
            recipients=recipients,
            name="console" if recipients.external_id else "dispatcher",
        )
        self.scheduler = ReminderScheduler(
            dispatcher, self.queue, self.clock, recipients=recipients
        )
        await self.scheduler.start()

    async def start_digests(
        self,
        notifier: Notifier,
        *,
        recipients: Recipients,
        policy: DigestPolicy | None = None,
    ) -> None:
        """Start sending, through ``notifier``, the managers' daily and weekly digests and the
        reps' morning agendas of ``recipients``, each when its time comes."""
        sender = DigestSender(
            self.digest_source,
            notifier,
            self.clock,
            uow_factory=self._uow_factory,
            limiter=self.limiter,
            recipients=recipients,
            policy=policy,
        )
        self.digests = DigestScheduler(sender)
        await self.digests.start()

    async def stop_digests(self) -> None:
        """Stop the digests, waiting for a send under way (before the notifier closes)."""
        if self.digests is not None:
            await self.digests.stop()
            self.digests = None

    def _wake(self, due_at: datetime) -> None:
        """A reminder was set for ``due_at``: make sure the dispatcher wakes up then."""
        if self.scheduler is not None:
            self.scheduler.wake_at(due_at)


@asynccontextmanager
async def open_runtime(
    database_url: str,
    config: CoreConfig,
    clock: Clock | None = None,
    *,
    migrate: bool = True,
    pool: PoolSettings = DEFAULT_POOL,
) -> AsyncIterator[Runtime]:
    """The core wired to the database at ``database_url``, migrated first when asked."""
    if migrate:
        upgrade(database_url)
    clock = clock or SystemClock()
    engine = create_engine(database_url, pool=pool)
    runtime = Runtime(engine, clock, config, pool)
    try:
        yield runtime
    finally:
        await runtime.stop_digests()
        if runtime.scheduler is not None:
            await runtime.scheduler.stop()
        await engine.dispose()
