"""The reminders table as a work queue: claim due reminders under a lease, then settle them.

A claim is one short transaction that picks due, unleased reminders and stamps a lease on
them. On PostgreSQL the pick uses ``FOR UPDATE SKIP LOCKED``, so concurrent dispatchers
take disjoint sets without waiting on each other; on SQLite the transaction starts with
``BEGIN IMMEDIATE`` (see :mod:`storage.database`), which serialises claims outright. A claim
that is never settled (the process died mid-send) becomes claimable again when its lease
runs out: delivery is at least once, with duplicates only inside that window.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from handlers.domain import Activity, DueReminder, Recipients, ReminderStatus, Rep
from handlers.ports import DispatchHealth
from storage.database import conflict_insert
from storage.models import (
    ActivityRow,
    CompanyRow,
    ContactRow,
    ReminderRow,
    RepRow,
    SchedulerTickRow,
    as_utc,
)
from storage.repositories import activity_record, reminder_record, rep_record, team_managers

_PENDING = ReminderStatus.PENDING.value
_OPEN = [status.value for status in ReminderStatus if status.is_open]


class SqlReminderQueue:
    def __init__(self, engine: AsyncEngine) -> None:
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._dialect = engine.dialect.name

    async def claim_due(
        self,
        now: datetime,
        lease: timedelta,
        limit: int,
        recipients: Recipients | None = None,
    ) -> list[DueReminder]:
        async with self._sessions() as session, session.begin():
            pick = (
                select(ReminderRow.id)
                .where(
                    ReminderRow.status == _PENDING,
                    ReminderRow.due_at <= now,
                    or_(ReminderRow.lease_until.is_(None), ReminderRow.lease_until <= now),
                )
                .order_by(ReminderRow.due_at, ReminderRow.id)
                .limit(limit)
                .with_for_update(skip_locked=True, of=ReminderRow)
            )
            pick = _only(pick, recipients)
            ids = list(await session.scalars(pick))
            if not ids:
                return []
            await session.execute(
                update(ReminderRow)
                .where(ReminderRow.id.in_(ids))
                .values(lease_until=now + lease, attempts=ReminderRow.attempts + 1)
            )
            return await self._load(session, ids)

    async def _load(self, session: AsyncSession, ids: list[int]) -> list[DueReminder]:
        contact, company = aliased(ContactRow), aliased(CompanyRow)
        result = await session.execute(
            select(ReminderRow, RepRow, contact.full_name, company.name)
            .join(RepRow, RepRow.id == ReminderRow.rep_id)
            .outerjoin(contact, contact.id == ReminderRow.contact_id)
            .outerjoin(
                company, company.id == func.coalesce(ReminderRow.company_id, contact.company_id)
            )
            .where(ReminderRow.id.in_(ids))
            .order_by(ReminderRow.due_at, ReminderRow.id)
        )
        rows = list(result)
        by_contact = await _latest_activities(
            session, ActivityRow.contact_id, {r.contact_id for r, *_ in rows if r.contact_id}
        )
        by_company = await _latest_activities(
            session,
            ActivityRow.company_id,
            {r.company_id for r, *_ in rows if r.company_id and not r.contact_id},
        )
        due = []
        for reminder, rep, contact_name, company_name in rows:
            if reminder.contact_id is not None:
                last = by_contact.get(reminder.contact_id)
            else:
                last = by_company.get(reminder.company_id or 0)
            due.append(
                DueReminder(
                    reminder=reminder_record(reminder),
                    rep=rep_record(rep),
                    contact_name=contact_name,
                    company_name=company_name,
                    last_activity=last,
                    attempts=reminder.attempts,
                )
            )
        return due

    async def mark_sent(self, reminder_ids: Sequence[int], at: datetime) -> None:
        if reminder_ids:
            await self._settle(
                list(reminder_ids), status=ReminderStatus.SENT.value, sent_at=at, last_error=None
            )

    async def retry_at(self, reminder_id: int, at: datetime, error: str) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(ReminderRow)
                .where(ReminderRow.id == reminder_id, ReminderRow.status == _PENDING)
                .values(lease_until=at, last_error=error[:1000])
            )

    async def mark_failed(self, reminder_id: int, error: str, at: datetime) -> None:
        await self._settle(
            [reminder_id], status=ReminderStatus.FAILED.value, last_error=error[:1000], failed_at=at
        )

    async def _settle(self, reminder_ids: list[int], **values: Any) -> None:
        # Only a still-pending reminder is settled: if the rep moved or closed it meanwhile,
        # their choice stands.
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(ReminderRow)
                .where(ReminderRow.id.in_(reminder_ids), ReminderRow.status == _PENDING)
                .values(lease_until=None, **values)
            )

    async def next_due_at(self, recipients: Recipients | None = None) -> datetime | None:
        claimable_at = case(
            (ReminderRow.lease_until > ReminderRow.due_at, ReminderRow.lease_until),
            else_=ReminderRow.due_at,
        )
        # The CASE loses the column type; coerce so SQLite's text comes back as aware UTC.
        query = select(as_utc(func.min(claimable_at))).where(ReminderRow.status == _PENDING)
        query = _only(query, recipients)
        async with self._sessions() as session:
            return await session.scalar(query)

    async def managers(self, team_id: int) -> list[Rep]:
        async with self._sessions() as session:
            return await team_managers(session, team_id)

    async def record_tick(self, name: str, at: datetime) -> None:
        statement = conflict_insert(self._dialect, SchedulerTickRow).values(name=name, ticked_at=at)
        statement = statement.on_conflict_do_update(
            index_elements=[SchedulerTickRow.name], set_={"ticked_at": at}
        )
        async with self._sessions() as session, session.begin():
            await session.execute(statement)

    async def dispatch_health(self, now: datetime, grace: timedelta) -> DispatchHealth:
        status = ReminderRow.status
        query = select(
            as_utc(select(func.max(SchedulerTickRow.ticked_at)).scalar_subquery()),
            func.count().filter(status == _PENDING, ReminderRow.due_at <= now),
            func.count().filter(status.in_(_OPEN), ReminderRow.due_at < now - grace),
            func.count().filter(status == ReminderStatus.FAILED.value),
        ).select_from(ReminderRow)
        async with self._sessions() as session:
            last_tick, due, late, failed = (await session.execute(query)).one()
        return DispatchHealth(last_tick=last_tick, due=due, late=late, failed=failed)


def _only(query: Select[Any], recipients: Recipients | None) -> Select[Any]:
    """The query narrowed to the reminders of ``recipients`` (all when None)."""
    if recipients is None:
        return query
    query = query.join(RepRow, RepRow.id == ReminderRow.rep_id).where(
        RepRow.platform.in_(sorted(recipients.platforms))
    )
    if recipients.external_id is not None:
        query = query.where(RepRow.external_id == recipients.external_id)
    return query


async def _latest_activities(
    session: AsyncSession, column: Any, keys: set[int]
) -> dict[int, Activity]:
    """The latest activity per contact (or company) in ``keys``, in one query."""
    if not keys:
        return {}
    ranked = (
        select(
            ActivityRow.id,
            func.row_number()
            .over(
                partition_by=column,
                order_by=(ActivityRow.occurred_at.desc(), ActivityRow.id.desc()),
            )
            .label("rank"),
        )
        .where(column.in_(keys))
        .subquery()
    )
    rows = await session.scalars(
        select(ActivityRow).join(ranked, ranked.c.id == ActivityRow.id).where(ranked.c.rank == 1)
    )
    return {getattr(row, column.key): activity_record(row) for row in rows}
