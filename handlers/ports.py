"""The core's view of the outside world, as small protocols.

The storage layer implements the unit of work and repositories with SQLAlchemy; adapters
implement the notifier; tests implement all of them with in-memory fakes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, Self

from handlers.domain import (
    Activity,
    ActivityKind,
    Company,
    Contact,
    Reminder,
    ReminderLine,
    Rep,
    Role,
    Team,
)
from handlers.messages import Reply


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class Notifier(Protocol):
    async def send(self, rep: Rep, reply: Reply) -> None:
        """Deliver a reply to a rep outside a conversation (reminders, digests)."""
        ...


class TeamRepository(Protocol):
    async def add(self, name: str) -> Team: ...

    async def get(self, team_id: int) -> Team | None: ...


class RepRepository(Protocol):
    async def by_identity(self, platform: str, external_id: str) -> Rep | None: ...

    async def add(
        self,
        *,
        team_id: int,
        platform: str,
        external_id: str,
        chat_id: str,
        display_name: str,
        language: str,
        timezone: str,
        role: Role,
    ) -> Rep: ...

    async def update_profile(
        self, rep_id: int, *, chat_id: str, display_name: str, language: str, timezone: str
    ) -> Rep: ...


class CompanyRepository(Protocol):
    async def find_by_name(self, team_id: int, name: str) -> Company | None:
        """The team's company with this name, ignoring case."""
        ...

    async def add(self, team_id: int, name: str) -> Company: ...

    async def get(self, team_id: int, company_id: int) -> Company | None: ...


class ContactRepository(Protocol):
    async def find_by_name(self, team_id: int, full_name: str) -> Contact | None:
        """The team's contact with this full name, ignoring case."""
        ...

    async def add(self, team_id: int, full_name: str, company_id: int | None) -> Contact: ...


class ActivityRepository(Protocol):
    async def add(
        self,
        *,
        team_id: int,
        rep_id: int,
        kind: ActivityKind,
        occurred_at: datetime,
        text: str,
        contact_id: int | None,
        company_id: int | None,
    ) -> Activity: ...

    async def count_by_kind(
        self, rep_id: int, since: datetime, until: datetime
    ) -> Mapping[ActivityKind, int]:
        """How many activities of each kind the rep logged in [since, until)."""
        ...


class ReminderRepository(Protocol):
    async def add(
        self,
        *,
        team_id: int,
        rep_id: int,
        due_at: datetime,
        text: str,
        contact_id: int | None,
        company_id: int | None,
    ) -> Reminder: ...

    async def open_for_rep(self, rep_id: int, due_before: datetime) -> list[ReminderLine]:
        """The rep's open reminders due before the given time, earliest first."""
        ...

    async def upcoming_for_rep(
        self, rep_id: int, due_from: datetime, limit: int
    ) -> list[ReminderLine]:
        """The rep's next open reminders due at or after the given time, earliest first."""
        ...


class AuditLog(Protocol):
    async def record(
        self,
        *,
        team_id: int,
        rep_id: int | None,
        change_id: str,
        action: str,
        entity: str,
        entity_id: int,
        before: Mapping[str, Any] | None,
        after: Mapping[str, Any] | None,
    ) -> None: ...


class UnitOfWork(Protocol):
    """One transaction: everything an incoming update changes commits together or not at all."""

    teams: TeamRepository
    reps: RepRepository
    companies: CompanyRepository
    contacts: ContactRepository
    activities: ActivityRepository
    reminders: ReminderRepository
    audit: AuditLog

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed."""
        ...

    async def commit(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
