"""The unit of work: one session and one transaction per incoming update."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from handlers.ports import (
    ActivityRepository,
    AuditLog,
    Clock,
    CompanyRepository,
    ContactRepository,
    DealRepository,
    RecallRepository,
    ReminderRepository,
    RepRepository,
    TeamRepository,
    UpdateLog,
)
from storage.deals import SqlDeals
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


class SqlUnitOfWork:
    # Typed as the ports, so this class is checked against handlers.ports.UnitOfWork.
    teams: TeamRepository
    reps: RepRepository
    companies: CompanyRepository
    contacts: ContactRepository
    activities: ActivityRepository
    reminders: ReminderRepository
    deals: DealRepository
    recall: RecallRepository
    audit: AuditLog
    updates: UpdateLog

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock
        self._session: AsyncSession | None = None

    async def __aenter__(self) -> Self:
        session = self._session = self._sessions()
        self.teams = SqlTeams(session, self._clock)
        self.reps = SqlReps(session, self._clock)
        self.companies = SqlCompanies(session, self._clock)
        self.contacts = SqlContacts(session, self._clock)
        self.activities = SqlActivities(session, self._clock)
        self.reminders = SqlReminders(session, self._clock)
        self.deals = SqlDeals(session, self._clock)
        self.recall = SqlRecall(session, self._clock)
        self.audit = SqlAudit(session, self._clock)
        self.updates = SqlUpdateLog(session, self._clock)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._session is not None
        try:
            await self._session.rollback()  # a no-op after commit; undoes anything left
        finally:
            await self._session.close()
            self._session = None

    async def commit(self) -> None:
        assert self._session is not None, "commit() outside 'async with'"
        await self._session.commit()


class SqlUnitOfWorkFactory:
    """Makes a fresh :class:`SqlUnitOfWork` per update, all sharing one engine."""

    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._clock = clock

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._sessions, self._clock)
