"""The unit of work: one session and one transaction per incoming update."""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Self

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from handlers.ports import (
    ActivityRepository,
    AuditLog,
    Clock,
    CompanyRepository,
    ConcurrentChange,
    ConnectionLost,
    ContactRepository,
    DealRepository,
    InviteRepository,
    PrivacyRepository,
    RecallRepository,
    ReminderRepository,
    RepRepository,
    TeamRepository,
    TermRepository,
    UpdateLog,
)
from storage.audit_batch import write_pending_audit
from storage.database import DEFAULT_POOL, SQLITE_POOL_TIMEOUT, PoolSettings
from storage.deals import SqlDeals
from storage.invites import SqlInvites
from storage.privacy import SqlPrivacy
from storage.recall import SqlRecall
from storage.repositories import (
    SqlActivities,
    SqlAudit,
    SqlCompanies,
    SqlContacts,
    SqlReminders,
    SqlReps,
    SqlTeams,
    SqlUpdateLog,
)
from storage.terms import SqlTerms


class SqlUnitOfWork:
    # Typed as the ports, so this class is checked against handlers.ports.UnitOfWork.
    teams: TeamRepository
    reps: RepRepository
    invites: InviteRepository
    companies: CompanyRepository
    contacts: ContactRepository
    activities: ActivityRepository
    reminders: ReminderRepository
    deals: DealRepository
    recall: RecallRepository
    audit: AuditLog
    updates: UpdateLog
    terms: TermRepository
    privacy: PrivacyRepository

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        turns: asyncio.Semaphore | None = None,
        turn_timeout: float = SQLITE_POOL_TIMEOUT,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._turns = turns
        self._turn_timeout = turn_timeout
        self._session: AsyncSession | None = None
        self._committing = False

    async def __aenter__(self) -> Self:
        if self._turns is not None:
            async with asyncio.timeout(self._turn_timeout):
                await self._turns.acquire()
        try:
            session = self._session = self._sessions()
        except BaseException:
            self._release_turn()
            raise
        self.teams = SqlTeams(session, self._clock)
        self.reps = SqlReps(session, self._clock)
        self.invites = SqlInvites(session, self._clock)
        self.companies = SqlCompanies(session, self._clock)
        self.contacts = SqlContacts(session, self._clock)
        self.activities = SqlActivities(session, self._clock)
        self.reminders = SqlReminders(session, self._clock)
        self.deals = SqlDeals(session, self._clock)
        self.recall = SqlRecall(session, self._clock)
        self.audit = SqlAudit(session, self._clock)
        self.updates = SqlUpdateLog(session, self._clock)
        self.terms = SqlTerms(session, self._clock)
        self.privacy = SqlPrivacy(session, self._clock)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._session is not None
        try:
            if self._session.in_transaction():  # undo anything left (nothing after commit)
                await self._session.rollback()
        finally:
            await self._session.close()
            self._session = None
            self._release_turn()
        if exc is None:
            return
        if _lost_a_race(exc):
            raise ConcurrentChange(str(exc).splitlines()[0]) from exc
        if _lost_the_connection(exc) and not self._committing:
            # A COMMIT cut off may have landed: only a failure before it is safe to repeat.
            raise ConnectionLost(str(exc).splitlines()[0]) from exc

    def _release_turn(self) -> None:
        if self._turns is not None:
            self._turns.release()

    async def commit(self) -> None:
        assert self._session is not None, "commit() outside 'async with'"
        await write_pending_audit(self._session)
        self._committing = True
        await self._session.commit()


_RACE_STATES = frozenset({"40001", "40P01"})
"""PostgreSQL's serialization failure and deadlock: the transaction may simply run again."""


def _lost_a_race(error: BaseException) -> bool:
    if isinstance(error, IntegrityError):
        return True  # a foreign key or unique name another transaction changed under us
    sqlstate = getattr(getattr(error, "orig", None), "sqlstate", None)
    return isinstance(error, DBAPIError) and sqlstate in _RACE_STATES


def _lost_the_connection(error: BaseException) -> bool:
    # SQLAlchemy has recognised a disconnect and invalidated the pool's connections.
    return isinstance(error, DBAPIError) and error.connection_invalidated


class SqlUnitOfWorkFactory:
    """Makes a fresh :class:`SqlUnitOfWork` per update, all sharing one engine."""

    def __init__(
        self, engine: AsyncEngine, clock: Clock, pool: PoolSettings = DEFAULT_POOL
    ) -> None:
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._clock = clock
        # Updates take the pool's connections in arrival order. The pool's own queue lets an
        # update that has just given a connection back take it again at once: on SQLite (one
        # connection) a rep firing messages back to back kept 49 others waiting until they
        # failed, and on PostgreSQL near capacity a few updates waited seconds while others
        # went first (benchmarks/load.py, 500 reps at 80/s: p99 3.8 s -> 0.8 s).
        # asyncio.Semaphore serves its waiters first come, first served.
        if engine.dialect.name == "sqlite":
            self._turns, self._turn_timeout = asyncio.Semaphore(1), SQLITE_POOL_TIMEOUT
        else:
            self._turns = asyncio.Semaphore(pool.size + pool.max_overflow)
            self._turn_timeout = pool.timeout

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._sessions, self._clock, self._turns, self._turn_timeout)
