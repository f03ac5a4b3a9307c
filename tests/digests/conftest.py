"""Digest tests: rows written straight into the tables (exact times), on SQLite and PostgreSQL.

Times are November 2026 on a team's wall clock: Bucharest is UTC+2 then, New York UTC-5.
The fixed clock of tests/conftest.py (Mon 23 Nov 08:00 UTC) is moved where a test needs it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from handlers.clock import FixedClock
from handlers.domain import ActivityKind, ReminderStatus, Role, Stage
from storage.database import create_engine
from storage.digests import SqlDigestSource
from storage.models import (
    ActivityRow,
    CompanyRow,
    ContactRow,
    DealRow,
    ReminderRow,
    RepRow,
    StageChangeRow,
    TeamRow,
)
from storage.unit_of_work import SqlUnitOfWorkFactory

BUCHAREST = "Europe/Bucharest"
NEW_YORK = "America/New_York"
LONG_AGO = datetime(2026, 1, 5, tzinfo=UTC)
"""When seeded teams and reps were created: before anything the tests look at."""


def local(day: int, clock: str = "12:00", zone: str = BUCHAREST, month: int = 11) -> datetime:
    """``day`` November 2026 at ``clock`` on ``zone``'s wall clock."""
    hour, minute = (int(part) for part in clock.split(":"))
    return datetime(2026, month, day, hour, minute, tzinfo=ZoneInfo(zone))


class Seed:
    """Writes rows as they would be after reps had used the bot, with exact times."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    async def _add(self, row: Any) -> int:
        async with self._sessions() as session, session.begin():
            session.add(row)
            await session.flush()
            return int(row.id)

    async def team(self, name: str, timezone: str = BUCHAREST, **settings: Any) -> int:
        return await self._add(
            TeamRow(name=name, timezone=timezone, created_at=LONG_AGO, **settings)
        )

    async def rep(
        self,
        team_id: int,
        name: str,
        role: Role = Role.REP,
        *,
        platform: str = "telegram",
        timezone: str = BUCHAREST,
        created_at: datetime = LONG_AGO,
    ) -> int:
        return await self._add(
            RepRow(
                team_id=team_id,
                platform=platform,
                external_id=f"{team_id}-{name}",
                chat_id=f"chat-{team_id}-{name}",
                display_name=name,
                timezone=timezone,
                role=role.value,
                created_at=created_at,
            )
        )

    async def company(self, team_id: int, name: str) -> int:
        return await self._add(
            CompanyRow(team_id=team_id, name=name, name_key=name.casefold(), created_at=LONG_AGO)
        )

    async def contact(self, team_id: int, name: str, company_id: int | None) -> int:
        return await self._add(
            ContactRow(
                team_id=team_id,
                company_id=company_id,
                full_name=name,
                name_key=name.casefold(),
                created_at=LONG_AGO,
            )
        )

    async def activity(
        self,
        team_id: int,
        rep_id: int,
        kind: ActivityKind,
        when: datetime,
        company_id: int | None = None,
        times: int = 1,
    ) -> None:
        for _ in range(times):
            await self._add(
                ActivityRow(
                    team_id=team_id,
                    rep_id=rep_id,
                    kind=kind.value,
                    occurred_at=when,
                    text=f"{kind} at {when:%d %H:%M}",
                    company_id=company_id,
                    created_at=when,
                )
            )

    async def deal(
        self,
        team_id: int,
        owner: int,
        company_id: int | None,
        history: list[tuple[Stage, datetime]],
        amount: str | None = None,
        currency: str | None = "EUR",
        title: str = "",
    ) -> int:
        """A deal that went through ``history`` (each stage and when it was entered)."""
        stage, created = history[0][0], history[0][1]
        last_stage, updated = history[-1]
        deal_id = await self._add(
            DealRow(
                team_id=team_id,
                company_id=company_id,
                owner_rep_id=owner,
                title=title,
                stage=last_stage.value,
                amount=Decimal(amount) if amount else None,
                currency=currency if amount else None,
                created_at=created,
                updated_at=updated,
                closed_at=updated if last_stage.is_closed else None,
            )
        )
        previous: Stage | None = None
        for stage, when in history:
            await self._add(
                StageChangeRow(
                    team_id=team_id,
                    deal_id=deal_id,
                    rep_id=owner,
                    from_stage=previous.value if previous else None,
                    to_stage=stage.value,
                    changed_at=when,
                )
            )
            previous = stage
        return deal_id

    async def reminder(
        self,
        team_id: int,
        rep_id: int,
        due_at: datetime,
        status: ReminderStatus = ReminderStatus.PENDING,
        *,
        text: str = "call back",
        contact_id: int | None = None,
        company_id: int | None = None,
        failed_at: datetime | None = None,
        error: str | None = None,
    ) -> int:
        return await self._add(
            ReminderRow(
                team_id=team_id,
                rep_id=rep_id,
                contact_id=contact_id,
                company_id=company_id,
                due_at=due_at,
                text=text,
                status=status.value,
                failed_at=failed_at,
                last_error=error,
                created_at=LONG_AGO,
            )
        )


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def seed(engine: AsyncEngine) -> Seed:
    return Seed(engine)


@pytest.fixture
def source(engine: AsyncEngine) -> SqlDigestSource:
    return SqlDigestSource(engine)


@pytest.fixture
def units(engine: AsyncEngine, clock: FixedClock) -> SqlUnitOfWorkFactory:
    return SqlUnitOfWorkFactory(engine, clock)
