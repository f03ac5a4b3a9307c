"""Reads for /history and /find: each one bounded query, scoped to the team.

Contacts and companies are searched on their ``name_key`` columns, activities on their
``text_key`` column: all folded on the way in (:mod:`handlers.names`), so case and accents
never matter, and the same on PostgreSQL and SQLite. On PostgreSQL a trigram index
(``pg_trgm``) serves ``text_key LIKE '%word%'`` over a whole team's notes; elsewhere the search
walks the team's (or the rep's) activities newest first until it has enough.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, literal, or_, select
from sqlalchemy.orm import InstrumentedAttribute, aliased

from handlers.contact_details import PHONE_SEPARATORS
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


def _contains(column: InstrumentedAttribute[str], needle: str) -> ColumnElement[bool]:
    """``column LIKE '%needle%'``, the needle's ``%``, ``_`` and ``/`` taken literally.

    The pattern is written into the statement, not bound: PostgreSQL then plans each search
    for its own word. A plan cached for any word (psycopg prepares repeated statements) would
    walk a team's whole history, newest first, for a word found nowhere, seconds on a million
    activities, where the trigram index answers in a millisecond.
    """
    escaped = needle.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return column.like(literal(f"%{escaped}%", literal_execute=True), escape="/")


def _digits(column: InstrumentedAttribute[str | None]) -> ColumnElement[str]:
    """The phone's digits: what ``handlers.contact_details.read_phone`` lets through besides
    digits taken out (SQLite has no regexp_replace)."""
    expression: ColumnElement[str] = func.coalesce(column, "")
    for separator in PHONE_SEPARATORS:
        expression = func.replace(expression, separator, "")
    return expression


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
            .where(ContactRow.team_id == team_id, _contains(ContactRow.name_key, needle))
            .order_by(ContactRow.name_key, ContactRow.id)
            .limit(limit)
        )
        return [contact_record(row) for row in rows]

    async def find_contacts_by_details(
        self, team_id: int, *, email: str | None, phone_digits: str | None, limit: int
    ) -> list[Contact]:
        found: list[ColumnElement[bool]] = []
        if email:
            found.append(func.lower(ContactRow.email).contains(email.lower(), autoescape=True))
        if phone_digits:
            found.append(_digits(ContactRow.phone).contains(phone_digits, autoescape=True))
        if not found:
            return []
        # No index: the team's contacts with a detail are few next to its activities.
        rows = await self._session.scalars(
            select(ContactRow)
            .where(ContactRow.team_id == team_id, or_(*found))
            .order_by(ContactRow.name_key, ContactRow.id)
            .limit(limit)
        )
        return [contact_record(row) for row in rows]

    async def find_companies(self, team_id: int, needle: str, limit: int) -> list[Company]:
        rows = await self._session.scalars(
            select(CompanyRow)
            .where(CompanyRow.team_id == team_id, _contains(CompanyRow.name_key, needle))
            .order_by(CompanyRow.name_key, CompanyRow.id)
            .limit(limit)
        )
        return [company_record(row) for row in rows]

    async def find_activities(
        self, team_id: int, rep_id: int | None, needles: Sequence[str], limit: int
    ) -> list[ActivityLine]:
        if not needles:
            return []
        text = ActivityRow.text_key
        contact, company = aliased(ContactRow), aliased(CompanyRow)
        query = (
            select(ActivityRow, contact.full_name, company.name)
            .outerjoin(contact, contact.id == ActivityRow.contact_id)
            .outerjoin(company, company.id == ActivityRow.company_id)
            .where(
                ActivityRow.team_id == team_id,
                or_(*(_contains(text, needle) for needle in needles)),
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
