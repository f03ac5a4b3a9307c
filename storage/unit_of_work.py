"""The unit of work: one session and one transaction per incoming update."""

from __future__ import annotations

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

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock
        self._session: AsyncSession | None = None

    async def __aenter__(self) -> Self:
        session = self._session = self._sessions()
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
        if exc is not None and _lost_a_race(exc):
            raise ConcurrentChange(str(exc).splitlines()[0]) from exc

    async def commit(self) -> None:
        assert self._session is not None, "commit() outside 'async with'"
        await write_pending_audit(self._session)
        await self._session.commit()


_RACE_STATES = frozenset({"40001", "40P01"})
"""PostgreSQL's serialization failure and deadlock: the transaction may simply run again."""


def _lost_a_race(error: BaseException) -> bool:
    if isinstance(error, IntegrityError):
        return True  # a foreign key or unique name another transaction changed under us
    sqlstate = getattr(getattr(error, "orig", None), "sqlstate", None)
    return isinstance(error, DBAPIError) and sqlstate in _RACE_STATES


class SqlUnitOfWorkFactory:
    """Makes a fresh :class:`SqlUnitOfWork` per update, all sharing one engine."""

    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._clock = clock

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._sessions, self._clock)
