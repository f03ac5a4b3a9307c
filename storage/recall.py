"""Reads for /history and /find: each one bounded query, scoped to the team.

Contacts and companies are searched on their ``name_key`` columns (folded on the way in, so
case and accents never matter). Activity text has no folded column: it is searched with
``lower(text) LIKE``, the same on PostgreSQL and SQLite. That is a scan of the team's (or the
rep's) activities, fine at today's volumes; SQLite's lower() folds ASCII letters only, and
neither backend drops accents. A folded text column (or pg_trgm) is the next step if either
starts to matter.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, aliased

from handlers.domain import Activity as ActivityRecord
from handlers.domain import ActivityKind, ActivityLine, Company, Contact, Reminder, ReminderStatus
from storage.models import ActivityRow, CompanyRow, ContactRow, ReminderRow
from storage.repositories import (
    _Repository,
    activity_record,
    company_record,
    contact_record,
    reminder_record,
)

_OPEN_STATUSES = [status.value for status in ReminderStatus if status.is_open]


def _about(
    contact_column: InstrumentedAttribute[int | None],
    company_column: InstrumentedAttribute[int | None],
    contact_id: int | None,
    company_id: int | None,
) -> ColumnElement[bool]:
    if (contact_id is None) == (company_id is None):
        raise ValueError("give exactly one of contact_id and company_id")
    return contact_column == contact_id if contact_id is not None else company_column == company_id


class SqlRecall(_Repository):
    async def contacts_at(self, team_id: int, company_id: int, limit: int) -> list[Contact]:
        rows = await self._session.scalars(
            select(ContactRow)
            .where(ContactRow.team_id == team_id, ContactRow.company_id == company_id)
            .order_by(ContactRow.name_key, ContactRow.id)
            .limit(limit)
        )
        return [contact_record(row) for row in rows]

    async def activities_about(
        self,
        team_id: int,
        *,
        contact_id: int | None,
        company_id: int | None,
        rep_id: int | None,
        kind: ActivityKind | None,
        limit: int,
    ) -> list[ActivityRecord]:
        query = (
            select(ActivityRow)
            .where(
                ActivityRow.team_id == team_id,
                _about(ActivityRow.contact_id, ActivityRow.company_id, contact_id, company_id),
            )
            .order_by(ActivityRow.occurred_at.desc(), ActivityRow.id.desc())
            .limit(limit)
        )
        if rep_id is not None:
            query = query.where(ActivityRow.rep_id == rep_id)
        if kind is not None:
            query = query.where(ActivityRow.kind == kind.value)
        return [activity_record(row) for row in await self._session.scalars(query)]

    async def next_callback(
        self, team_id: int, *, contact_id: int | None, company_id: int | None, rep_id: int | None
    ) -> Reminder | None:
        query = (
            select(ReminderRow)
            .where(
                ReminderRow.team_id == team_id,
                ReminderRow.status.in_(_OPEN_STATUSES),
                _about(ReminderRow.contact_id, ReminderRow.company_id, contact_id, company_id),
            )
            .order_by(ReminderRow.due_at, ReminderRow.id)
            .limit(1)
        )
        if rep_id is not None:
            query = query.where(ReminderRow.rep_id == rep_id)
        row = await self._session.scalar(query)
        return reminder_record(row) if row else None

    async def find_contacts(self, team_id: int, needle: str, limit: int) -> list[Contact]:
        rows = await self._session.scalars(
            select(ContactRow)
            .where(
                ContactRow.team_id == team_id, ContactRow.name_key.contains(needle, autoescape=True)
            )
            .order_by(ContactRow.name_key, ContactRow.id)
            .limit(limit)
        )
        return [contact_record(row) for row in rows]

    async def find_companies(self, team_id: int, needle: str, limit: int) -> list[Company]:
        rows = await self._session.scalars(
            select(CompanyRow)
            .where(
                CompanyRow.team_id == team_id, CompanyRow.name_key.contains(needle, autoescape=True)
            )
            .order_by(CompanyRow.name_key, CompanyRow.id)
            .limit(limit)
        )
        return [company_record(row) for row in rows]

    async def find_activities(
        self, team_id: int, rep_id: int | None, needles: Sequence[str], limit: int
    ) -> list[ActivityLine]:
        if not needles:
            return []
        # lower(text) LIKE '%…%' on both backends: a scan, fine for now (see the module doc).
        text = func.lower(ActivityRow.text)
        contact, company = aliased(ContactRow), aliased(CompanyRow)
        query = (
            select(ActivityRow, contact.full_name, company.name)
            .outerjoin(contact, contact.id == ActivityRow.contact_id)
            .outerjoin(company, company.id == ActivityRow.company_id)
            .where(
                ActivityRow.team_id == team_id,
                or_(*(text.contains(needle, autoescape=True) for needle in needles)),
            )
            .order_by(ActivityRow.occurred_at.desc(), ActivityRow.id.desc())
            .limit(limit)
        )
        if rep_id is not None:
            query = query.where(ActivityRow.rep_id == rep_id)
        rows = await self._session.execute(query)
        return [
            ActivityLine(activity_record(row), contact_name, company_name)
            for row, contact_name, company_name in rows
        ]
