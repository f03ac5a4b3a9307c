"""Erasing a contact's personal data (:mod:`handlers.privacy` says what goes and what stays).

Bounded by the team and by what refers to the contact: its activities and callbacks (linked,
or whose text names them) and the audit rows of those records and of the changes that wrote
them. Runs in the caller's unit of work, so the erasure and its audit row commit together.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update

from handlers.contact_details import FIELDS as CONTACT_DETAILS
from handlers.names import name_key, text_key
from handlers.ports import Erasure
from handlers.privacy import company_placeholder, names_them, scrub_snapshot
from storage.models import (
    ActivityRow,
    AttachmentRow,
    AuditRow,
    CompanyPrefixRow,
    CompanyRow,
    ContactPrefixRow,
    ContactRow,
    DealRow,
    ReminderRow,
)
from storage.repositories import _Repository


class SqlPrivacy(_Repository):
    async def erase_contact(
        self, team_id: int, contact_id: int, *, placeholder: str, redacted: str
    ) -> Erasure | None:
        session = self._session
        contact = await session.scalar(
            select(ContactRow).where(ContactRow.team_id == team_id, ContactRow.id == contact_id)
        )
        if contact is None:
            return None
        name = contact.full_name
        contact.full_name, contact.name_key = placeholder, name_key(placeholder)
        for detail in CONTACT_DETAILS:
            setattr(contact, detail, None)
        await session.execute(
            delete(ContactPrefixRow).where(ContactPrefixRow.contact_id == contact_id)
        )

        def about(
            table: type[ActivityRow] | type[ReminderRow],
        ) -> ColumnElement[bool]:
            # Linked to them, or naming them (as typed, or in other letter case).
            return and_(
                table.team_id == team_id,
                or_(
                    table.contact_id == contact_id,
                    table.text.contains(name, autoescape=True),
                    func.lower(table.text).contains(name.lower(), autoescape=True),
                ),
            )

        # LIKE finds the candidates (both backends); the word test keeps "Samsung" for "Sam".
        activity_ids = [
            row_id
            for row_id, contact, text in await session.execute(
                select(ActivityRow.id, ActivityRow.contact_id, ActivityRow.text).where(
                    about(ActivityRow)
                )
            )
            if contact == contact_id or names_them(text, name)
        ]
        reminder_ids = [
            row_id
            for row_id, contact, text in await session.execute(
                select(ReminderRow.id, ReminderRow.contact_id, ReminderRow.text).where(
                    about(ReminderRow)
                )
            )
            if contact == contact_id or names_them(text, name)
        ]
        if activity_ids:
            await session.execute(
                update(ActivityRow)
                .where(ActivityRow.team_id == team_id, ActivityRow.id.in_(activity_ids))
                .values(text=redacted, text_key=text_key(redacted))
            )
            await session.execute(
                delete(AttachmentRow).where(
                    AttachmentRow.team_id == team_id, AttachmentRow.activity_id.in_(activity_ids)
                )
            )
        if reminder_ids:
            await session.execute(
                update(ReminderRow)
                .where(ReminderRow.team_id == team_id, ReminderRow.id.in_(reminder_ids))
                .values(text=redacted, last_error=None)
            )
        company_ids = await self._rename_companies(team_id, name)
        scrubbed = await self._scrub_audit(
            team_id, contact_id, activity_ids, reminder_ids, company_ids
        )
        await session.flush()
        return Erasure(len(activity_ids), len(reminder_ids), scrubbed, len(company_ids))

    async def _rename_companies(self, team_id: int, name: str) -> list[int]:
        """Rename the team's companies whose name holds the person's (and their deals)."""
        candidates = await self._session.scalars(
            select(CompanyRow).where(
                CompanyRow.team_id == team_id,
                or_(
                    CompanyRow.name.contains(name, autoescape=True),
                    func.lower(CompanyRow.name).contains(name.lower(), autoescape=True),
                ),
            )
        )
        rows = [row for row in candidates if names_them(row.name, name)]
        for row in rows:
            row.name = company_placeholder(row.id)
            row.name_key = name_key(row.name)
            await self._session.execute(
                delete(CompanyPrefixRow).where(CompanyPrefixRow.company_id == row.id)
            )
            await self._session.execute(
                update(DealRow)
                .where(DealRow.team_id == team_id, DealRow.company_id == row.id)
                .values(title=row.name)
            )
        return [row.id for row in rows]

    async def _scrub_audit(
        self,
        team_id: int,
        contact_id: int,
        activity_ids: list[int],
        reminder_ids: list[int],
        company_ids: list[int],
    ) -> int:
        deal_ids = list(
            await self._session.scalars(
                select(DealRow.id).where(
                    DealRow.team_id == team_id, DealRow.company_id.in_(company_ids)
                )
            )
        )
        records = or_(
            and_(AuditRow.entity == "contact", AuditRow.entity_id == contact_id),
            and_(AuditRow.entity == "activity", AuditRow.entity_id.in_(activity_ids)),
            and_(AuditRow.entity == "reminder", AuditRow.entity_id.in_(reminder_ids)),
            and_(AuditRow.entity == "company", AuditRow.entity_id.in_(company_ids)),
            and_(AuditRow.entity == "deal", AuditRow.entity_id.in_(deal_ids)),
        )
        rows = list(
            await self._session.scalars(
                select(AuditRow).where(AuditRow.team_id == team_id, records)
            )
        )
        changes = {row.change_id for row in rows}
        if changes:  # "Which Sam?" questions asked in those changes hold the typed name
            rows += await self._session.scalars(
                select(AuditRow).where(
                    AuditRow.team_id == team_id,
                    AuditRow.action == "ask",
                    AuditRow.change_id.in_(changes),
                )
            )
        for row in rows:
            # New dicts: the JSON columns notice reassignment, not changes in place.
            row.before = scrub_snapshot(row.entity, row.action, row.before, row.entity_id)
            row.after = scrub_snapshot(row.entity, row.action, row.after, row.entity_id)
        return len(rows)
