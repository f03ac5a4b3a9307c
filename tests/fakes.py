"""In-memory implementations of the core's ports, for tests that need no database.

They keep the same observable rules as the SQL ones (team scoping, name folding, ordering,
rollback on exit without commit), so the core tests exercise real behaviour.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from types import TracebackType
from typing import Any, Self, TypeVar

from handlers.clock import SystemClock
from handlers.domain import (
    Activity,
    ActivityKind,
    ActivityLine,
    Attachment,
    Change,
    Company,
    Contact,
    Deal,
    DealLine,
    Reminder,
    ReminderLine,
    ReminderStatus,
    Rep,
    Role,
    Stage,
    Team,
)
from handlers.messages import Reply
from handlers.names import name_key, name_prefixes
from handlers.ports import Clock


@dataclass
class FakeState:
    """Everything the fake database holds; copied on begin, swapped in on commit."""

    teams: dict[int, Team] = field(default_factory=dict)
    reps: dict[int, Rep] = field(default_factory=dict)
    companies: dict[int, Company] = field(default_factory=dict)
    contacts: dict[int, Contact] = field(default_factory=dict)
    activities: dict[int, Activity] = field(default_factory=dict)
    activity_created: dict[int, datetime] = field(default_factory=dict)
    """When each activity was stored (the SQL column ``created_at``)."""
    attachments: dict[int, Attachment] = field(default_factory=dict)
    reminders: dict[int, Reminder] = field(default_factory=dict)
    audit: list[dict[str, Any]] = field(default_factory=list)
    updates: set[tuple[str, str]] = field(default_factory=set)
    deals: dict[int, Deal] = field(default_factory=dict)
    stage_changes: list[tuple[int, Stage | None, Stage, int, datetime]] = field(
        default_factory=list
    )

    def row_count(self) -> int:
        tables: list[dict[int, Any]] = [
            self.teams, self.reps, self.companies, self.contacts, self.activities, self.reminders
        ]  # fmt: skip
        return sum(len(table) for table in tables)


_Named = TypeVar("_Named", Company, Contact)


def _sharing_prefixes(
    records: list[_Named], name: str, name_of: Callable[[_Named], str], limit: int
) -> list[_Named]:
    """What the SQL prefix index finds: records sharing word prefixes with ``name``, the most
    shared first, then the newest, at most ``limit``."""
    wanted = name_prefixes(name)
    hits = [(len(wanted & name_prefixes(name_of(record))), record) for record in records]
    ranked = sorted(
        ((count, record) for count, record in hits if count), key=lambda h: (-h[0], -h[1].id)
    )
    return [record for _, record in ranked[:limit]]


class _Ids:
    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def next(self) -> int:
        return next(self._counter)


class FakeTeams:
    def __init__(self, state: FakeState, ids: _Ids) -> None:
        self.state, self.ids = state, ids

    async def add(self, name: str, timezone: str = "UTC") -> Team:
        team = Team(self.ids.next(), name, default_hour=9, date_order="DMY", timezone=timezone)
        self.state.teams[team.id] = team
        return team

    async def get(self, team_id: int) -> Team | None:
        return self.state.teams.get(team_id)

    async def set_digest_settings(
        self,
        team_id: int,
        *,
        timezone: str,
        daily_digest_at: str,
        weekly_digest_at: str,
        agenda_at: str,
        digests_enabled: bool,
    ) -> Team:
        team = replace(
            self.state.teams[team_id],
            timezone=timezone,
            daily_digest_at=daily_digest_at,
            weekly_digest_at=weekly_digest_at,
            agenda_at=agenda_at,
            digests_enabled=digests_enabled,
        )
        self.state.teams[team_id] = team
        return team


class FakeReps:
    def __init__(self, state: FakeState, ids: _Ids) -> None:
        self.state, self.ids = state, ids

    async def by_identity(self, platform: str, external_id: str) -> Rep | None:
        return next(
            (
                rep
                for rep in self.state.reps.values()
                if (rep.platform, rep.external_id) == (platform, external_id)
            ),
            None,
        )

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
    ) -> Rep:
        if await self.by_identity(platform, external_id) is not None:
            raise ValueError("duplicate rep identity")
        rep = Rep(
            self.ids.next(),
            team_id,
            platform,
            external_id,
            chat_id,
            display_name,
            language,
            timezone,
            role,
        )
        self.state.reps[rep.id] = rep
        return rep

    async def update_profile(
        self, rep_id: int, *, chat_id: str, display_name: str, language: str, timezone: str
    ) -> Rep:
        rep = replace(
            self.state.reps[rep_id],
            chat_id=chat_id,
            display_name=display_name,
            language=language,
            timezone=timezone,
        )
        self.state.reps[rep_id] = rep
        return rep

    async def set_awaiting(self, rep_id: int, awaiting: str | None) -> None:
        self.state.reps[rep_id] = replace(self.state.reps[rep_id], awaiting=awaiting)

    async def set_draft(self, rep_id: int, draft: str | None) -> None:
        self.state.reps[rep_id] = replace(self.state.reps[rep_id], draft=draft)

    async def set_agenda(self, rep_id: int, enabled: bool) -> None:
        self.state.reps[rep_id] = replace(self.state.reps[rep_id], agenda_enabled=enabled)

    async def managers(self, team_id: int) -> list[Rep]:
        return [
            rep
            for rep in self.state.reps.values()
            if rep.team_id == team_id and rep.role in (Role.MANAGER, Role.ADMIN)
        ]


class FakeCompanies:
    def __init__(self, state: FakeState, ids: _Ids) -> None:
        self.state, self.ids = state, ids

    async def find_by_name(self, team_id: int, name: str) -> Company | None:
        key = name_key(name)
        return next(
            (
                company
                for company in self.state.companies.values()
                if company.team_id == team_id and name_key(company.name) == key
            ),
            None,
        )

    async def similar(self, team_id: int, name: str, limit: int) -> list[Company]:
        companies = [c for c in self.state.companies.values() if c.team_id == team_id]
        return _sharing_prefixes(companies, name, lambda company: company.name, limit)

    async def add(self, team_id: int, name: str) -> Company:
        company = Company(self.ids.next(), team_id, name)
        self.state.companies[company.id] = company
        return company

    async def get(self, team_id: int, company_id: int) -> Company | None:
        company = self.state.companies.get(company_id)
        return company if company is not None and company.team_id == team_id else None

    async def delete_unused(self, team_id: int, company_id: int) -> bool:
        if await self.get(team_id, company_id) is None:
            return False
        # Any reference blocks the delete, as the SQL foreign keys would.
        records: list[Contact | Activity | Reminder | Deal] = [
            *self.state.contacts.values(),
            *self.state.activities.values(),
            *self.state.reminders.values(),
            *self.state.deals.values(),
        ]
        if any(record.company_id == company_id for record in records):
            return False
        del self.state.companies[company_id]
        return True


class FakeContacts:
    def __init__(self, state: FakeState, ids: _Ids) -> None:
        self.state, self.ids = state, ids

    async def find_by_name(self, team_id: int, full_name: str) -> Contact | None:
        key = name_key(full_name)
        return next(
            (
                contact
                for contact in self.state.contacts.values()
                if contact.team_id == team_id and name_key(contact.full_name) == key
            ),
            None,
        )

    async def similar(self, team_id: int, full_name: str, limit: int) -> list[Contact]:
        contacts = [c for c in self.state.contacts.values() if c.team_id == team_id]
        return _sharing_prefixes(contacts, full_name, lambda contact: contact.full_name, limit)

    async def recent_for_rep(self, team_id: int, rep_id: int, limit: int) -> list[Contact]:
        latest: dict[int, tuple[datetime, int]] = {}
        for activity in self.state.activities.values():
            if activity.rep_id != rep_id or activity.team_id != team_id:
                continue
            if activity.contact_id is None:
                continue
            seen = (activity.occurred_at, activity.id)
            latest[activity.contact_id] = max(latest.get(activity.contact_id, seen), seen)
        ranked = sorted(latest, key=lambda contact_id: latest[contact_id], reverse=True)[:limit]
        return [
            self.state.contacts[contact_id]
            for contact_id in ranked
            if self.state.contacts[contact_id].team_id == team_id
        ]

    async def add(self, team_id: int, full_name: str, company_id: int | None) -> Contact:
        contact = Contact(self.ids.next(), team_id, full_name, company_id)
        self.state.contacts[contact.id] = contact
        return contact

    async def set_company(self, contact_id: int, company_id: int) -> Contact:
        contact = replace(self.state.contacts[contact_id], company_id=company_id)
        self.state.contacts[contact_id] = contact
        return contact

    async def get(self, team_id: int, contact_id: int) -> Contact | None:
        contact = self.state.contacts.get(contact_id)
        return contact if contact is not None and contact.team_id == team_id else None

    async def relink_company(
        self, team_id: int, contact_id: int, company_id: int | None
    ) -> Contact | None:
        if await self.get(team_id, contact_id) is None:
            return None
        contact = replace(self.state.contacts[contact_id], company_id=company_id)
        self.state.contacts[contact_id] = contact
        return contact

    async def delete_unused(self, team_id: int, contact_id: int) -> bool:
        if await self.get(team_id, contact_id) is None:
            return False
        records: list[Activity | Reminder] = [
            *self.state.activities.values(),
            *self.state.reminders.values(),
        ]
        if any(record.contact_id == contact_id for record in records):
            return False
        del self.state.contacts[contact_id]
        return True


class FakeActivities:
    def __init__(self, state: FakeState, ids: _Ids, clock: Clock) -> None:
        self.state, self.ids, self.clock = state, ids, clock

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
    ) -> Activity:
        activity = Activity(
            self.ids.next(), team_id, rep_id, kind, occurred_at, text, contact_id, company_id
        )
        self.state.activities[activity.id] = activity
        self.state.activity_created[activity.id] = self.clock.now()
        return activity

    async def last_with(
        self, team_id: int, contact_id: int | None, company_id: int | None
    ) -> Activity | None:
        if contact_id is None and company_id is None:
            return None
        matching = [
            activity
            for activity in self.state.activities.values()
            if activity.team_id == team_id
            and (
                activity.contact_id == contact_id
                if contact_id is not None
                else activity.company_id == company_id
            )
        ]
        return max(matching, key=lambda a: (a.occurred_at, a.id), default=None)

    async def count_by_kind(
        self, rep_id: int, since: datetime, until: datetime
    ) -> Mapping[ActivityKind, int]:
        counts: dict[ActivityKind, int] = {}
        for activity in self.state.activities.values():
            if activity.rep_id == rep_id and since <= activity.occurred_at < until:
                counts[activity.kind] = counts.get(activity.kind, 0) + 1
        return counts

    async def get(self, team_id: int, activity_id: int) -> Activity | None:
        activity = self.state.activities.get(activity_id)
        return activity if activity is not None and activity.team_id == team_id else None

    async def relink_contact(
        self, team_id: int, activity_id: int, *, contact_id: int | None, company_id: int | None
    ) -> Activity | None:
        if await self.get(team_id, activity_id) is None:
            return None
        activity = replace(
            self.state.activities[activity_id], contact_id=contact_id, company_id=company_id
        )
        self.state.activities[activity_id] = activity
        return activity

    async def delete(self, team_id: int, activity_id: int) -> bool:
        if await self.get(team_id, activity_id) is None:
            return False
        for reminder in list(self.state.reminders.values()):
            if reminder.team_id == team_id and reminder.activity_id == activity_id:
                self.state.reminders[reminder.id] = replace(reminder, activity_id=None)
        del self.state.activities[activity_id]
        for attachment in list(self.state.attachments.values()):
            if attachment.activity_id == activity_id:
                del self.state.attachments[attachment.id]
        return True

    async def latest_created_by(
        self, team_id: int, rep_id: int, since: datetime
    ) -> Activity | None:
        created = self.state.activity_created
        recent = [
            activity
            for activity in self.state.activities.values()
            if activity.team_id == team_id
            and activity.rep_id == rep_id
            and created[activity.id] >= since
        ]
        return max(recent, key=lambda a: (created[a.id], a.id), default=None)

    async def attach(
        self, team_id: int, activity_id: int, *, platform: str, kind: str, file_id: str
    ) -> Attachment:
        if await self.get(team_id, activity_id) is None:
            raise LookupError(f"no activity {activity_id} in team {team_id}")  # a foreign key
        attachment = Attachment(self.ids.next(), team_id, activity_id, platform, kind, file_id)
        self.state.attachments[attachment.id] = attachment
        return attachment

    async def attachments(self, team_id: int, activity_id: int) -> list[Attachment]:
        return sorted(
            (
                a
                for a in self.state.attachments.values()
                if a.team_id == team_id and a.activity_id == activity_id
            ),
            key=lambda a: a.id,
        )


class FakeReminders:
    def __init__(self, state: FakeState, ids: _Ids) -> None:
        self.state, self.ids = state, ids

    async def add(
        self,
        *,
        team_id: int,
        rep_id: int,
        due_at: datetime,
        text: str,
        contact_id: int | None,
        company_id: int | None,
    ) -> Reminder:
        reminder = Reminder(
            self.ids.next(),
            team_id,
            rep_id,
            due_at,
            text,
            ReminderStatus.PENDING,
            contact_id,
            company_id,
        )
        self.state.reminders[reminder.id] = reminder
        return reminder

    async def get(self, team_id: int, reminder_id: int) -> Reminder | None:
        reminder = self.state.reminders.get(reminder_id)
        return reminder if reminder is not None and reminder.team_id == team_id else None

    async def set_status(self, reminder_id: int, status: ReminderStatus) -> None:
        self.state.reminders[reminder_id] = replace(
            self.state.reminders[reminder_id], status=status
        )

    async def reschedule(self, reminder_id: int, due_at: datetime) -> None:
        self.state.reminders[reminder_id] = replace(
            self.state.reminders[reminder_id], due_at=due_at, status=ReminderStatus.PENDING
        )

    async def link_activity(self, reminder_id: int, activity_id: int) -> None:
        self.state.reminders[reminder_id] = replace(
            self.state.reminders[reminder_id], activity_id=activity_id
        )

    def _line(self, reminder: Reminder) -> ReminderLine:
        contact = self.state.contacts.get(reminder.contact_id or 0)
        company_id = reminder.company_id or (contact.company_id if contact else None)
        company = self.state.companies.get(company_id or 0)
        return ReminderLine(
            reminder, contact.full_name if contact else None, company.name if company else None
        )

    def _open(self, rep_id: int) -> list[Reminder]:
        return sorted(
            (r for r in self.state.reminders.values() if r.rep_id == rep_id and r.status.is_open),
            key=lambda r: (r.due_at, r.id),
        )

    async def open_for_rep(self, rep_id: int, due_before: datetime) -> list[ReminderLine]:
        return [self._line(r) for r in self._open(rep_id) if r.due_at < due_before]

    async def upcoming_for_rep(
        self, rep_id: int, due_from: datetime, limit: int
    ) -> list[ReminderLine]:
        return [self._line(r) for r in self._open(rep_id) if r.due_at >= due_from][:limit]

    async def relink_contact(
        self, team_id: int, reminder_id: int, *, contact_id: int | None, company_id: int | None
    ) -> Reminder | None:
        if await self.get(team_id, reminder_id) is None:
            return None
        reminder = replace(
            self.state.reminders[reminder_id], contact_id=contact_id, company_id=company_id
        )
        self.state.reminders[reminder_id] = reminder
        return reminder

    async def delete(self, team_id: int, reminder_id: int) -> bool:
        if await self.get(team_id, reminder_id) is None:
            return False
        del self.state.reminders[reminder_id]
        return True


class FakeDeals:
    def __init__(self, state: FakeState, ids: _Ids) -> None:
        self.state, self.ids = state, ids

    def _company_deals(self, team_id: int, company_id: int) -> list[Deal]:
        return sorted(
            (d for d in self.state.deals.values()
             if d.team_id == team_id and d.company_id == company_id),
            key=lambda d: (d.created_at, d.id),
        )  # fmt: skip

    async def open_for_company(self, team_id: int, company_id: int) -> Deal | None:
        open_deals = [d for d in self._company_deals(team_id, company_id) if not d.stage.is_closed]
        return open_deals[-1] if open_deals else None

    async def latest_for_company(self, team_id: int, company_id: int) -> Deal | None:
        deals = self._company_deals(team_id, company_id)
        return deals[-1] if deals else None

    async def get(self, team_id: int, deal_id: int) -> Deal | None:
        deal = self.state.deals.get(deal_id)
        return deal if deal is not None and deal.team_id == team_id else None

    async def add(
        self,
        *,
        team_id: int,
        company_id: int | None,
        owner_rep_id: int,
        title: str,
        stage: Stage,
        amount: Decimal | None,
        currency: str | None,
        at: datetime,
    ) -> Deal:
        deal = Deal(
            self.ids.next(), team_id, company_id, owner_rep_id, title, stage, amount, currency,
            at, at, at if stage.is_closed else None,
        )  # fmt: skip
        self.state.deals[deal.id] = deal
        self.state.stage_changes.append((deal.id, None, stage, owner_rep_id, at))
        return deal

    async def move(self, deal_id: int, to_stage: Stage, rep_id: int, at: datetime) -> Deal:
        deal = self.state.deals[deal_id]
        moved = replace(
            deal, stage=to_stage, updated_at=at, closed_at=at if to_stage.is_closed else None
        )
        self.state.deals[deal_id] = moved
        self.state.stage_changes.append((deal_id, deal.stage, to_stage, rep_id, at))
        return moved

    async def set_amount(
        self, deal_id: int, amount: Decimal, currency: str | None, at: datetime
    ) -> Deal:
        deal = replace(self.state.deals[deal_id], amount=amount, currency=currency, updated_at=at)
        self.state.deals[deal_id] = deal
        return deal

    async def delete(self, team_id: int, deal_id: int) -> bool:
        if await self.get(team_id, deal_id) is None:
            return False
        del self.state.deals[deal_id]
        self.state.stage_changes = [c for c in self.state.stage_changes if c[0] != deal_id]
        return True

    async def revert(self, team_id: int, deal_id: int, before: Deal) -> Deal | None:
        deal = await self.get(team_id, deal_id)
        if deal is None:
            return None
        moves = [c for c in self.state.stage_changes if c[0] == deal_id]
        if deal.stage != before.stage and moves and moves[-1][1] == before.stage:
            self.state.stage_changes.remove(moves[-1])
        self.state.deals[deal_id] = before
        return before

    async def open_lines(
        self, team_id: int, owner_rep_id: int | None, now: datetime
    ) -> list[DealLine]:
        lines = []
        for deal in self.state.deals.values():
            if deal.team_id != team_id or deal.stage.is_closed:
                continue
            if owner_rep_id is not None and deal.owner_rep_id != owner_rep_id:
                continue
            company = self.state.companies.get(deal.company_id or 0)
            activities = [
                a.occurred_at for a in self.state.activities.values()
                if a.company_id is not None and a.company_id == deal.company_id
            ]  # fmt: skip
            callbacks = [
                r.due_at for r in self.state.reminders.values()
                if r.company_id == deal.company_id and r.status.is_open and r.due_at >= now
            ]  # fmt: skip
            owner = self.state.reps[deal.owner_rep_id]
            lines.append(
                DealLine(
                    deal,
                    company.name if company else None,
                    owner.display_name,
                    max(activities, default=None),
                    min(callbacks, default=None),
                )
            )
        return sorted(lines, key=lambda line: (line.owner_name, line.deal.id))


def _about(record: Activity | Reminder, contact_id: int | None, company_id: int | None) -> bool:
    if (contact_id is None) == (company_id is None):
        raise ValueError("give exactly one of contact_id and company_id")
    if contact_id is not None:
        return record.contact_id == contact_id
    return record.company_id == company_id


class FakeRecall:
    """storage.recall's rules: name_key containment for names, lower() containment for
    activity text (no accent folding there, as in SQL)."""

    def __init__(self, state: FakeState) -> None:
        self.state = state

    async def contacts_at(self, team_id: int, company_id: int, limit: int) -> list[Contact]:
        found = [
            c for c in self.state.contacts.values()
            if c.team_id == team_id and c.company_id == company_id
        ]  # fmt: skip
        return sorted(found, key=lambda c: (name_key(c.full_name), c.id))[:limit]

    async def activities_about(
        self,
        team_id: int,
        *,
        contact_id: int | None,
        company_id: int | None,
        rep_id: int | None,
        kind: ActivityKind | None,
        limit: int,
    ) -> list[Activity]:
        found = [
            a for a in self.state.activities.values()
            if a.team_id == team_id and _about(a, contact_id, company_id)
            and (rep_id is None or a.rep_id == rep_id) and (kind is None or a.kind == kind)
        ]  # fmt: skip
        return sorted(found, key=lambda a: (a.occurred_at, a.id), reverse=True)[:limit]

    async def next_callback(
        self, team_id: int, *, contact_id: int | None, company_id: int | None, rep_id: int | None
    ) -> Reminder | None:
        found = [
            r for r in self.state.reminders.values()
            if r.team_id == team_id and r.status.is_open and _about(r, contact_id, company_id)
            and (rep_id is None or r.rep_id == rep_id)
        ]  # fmt: skip
        return min(found, key=lambda r: (r.due_at, r.id), default=None)

    async def find_contacts(self, team_id: int, needle: str, limit: int) -> list[Contact]:
        found = [
            c for c in self.state.contacts.values()
            if c.team_id == team_id and needle in name_key(c.full_name)
        ]  # fmt: skip
        return sorted(found, key=lambda c: (name_key(c.full_name), c.id))[:limit]

    async def find_companies(self, team_id: int, needle: str, limit: int) -> list[Company]:
        found = [
            c for c in self.state.companies.values()
            if c.team_id == team_id and needle in name_key(c.name)
        ]  # fmt: skip
        return sorted(found, key=lambda c: (name_key(c.name), c.id))[:limit]

    async def find_activities(
        self, team_id: int, rep_id: int | None, needles: Sequence[str], limit: int
    ) -> list[ActivityLine]:
        found = sorted(
            (
                a for a in self.state.activities.values()
                if a.team_id == team_id and (rep_id is None or a.rep_id == rep_id)
                and any(needle in a.text.lower() for needle in needles)
            ),
            key=lambda a: (a.occurred_at, a.id),
            reverse=True,
        )[:limit]  # fmt: skip
        lines = []
        for activity in found:
            contact = self.state.contacts.get(activity.contact_id or 0)
            company = self.state.companies.get(activity.company_id or 0)
            lines.append(
                ActivityLine(
                    activity,
                    contact.full_name if contact else None,
                    company.name if company else None,
                )
            )
        return lines


class FakeAudit:
    def __init__(self, state: FakeState, clock: Clock) -> None:
        self.state, self.clock = state, clock

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
    ) -> None:
        self.state.audit.append(
            {
                "team_id": team_id,
                "rep_id": rep_id,
                "change_id": change_id,
                "action": action,
                "entity": entity,
                "entity_id": entity_id,
                "before": before,
                "after": after,
                "at": self.clock.now(),
            }
        )

    async def for_change(self, team_id: int, change_id: str) -> list[Change]:
        return [
            Change(
                change_id=entry["change_id"],
                entity=entry["entity"],
                entity_id=entry["entity_id"],
                action=entry["action"],
                rep_id=entry["rep_id"],
                before=copy.deepcopy(entry["before"]),
                after=copy.deepcopy(entry["after"]),
                at=entry["at"],
            )
            for entry in self.state.audit
            if entry["team_id"] == team_id and entry["change_id"] == change_id
        ]


class FakeUpdateLog:
    def __init__(self, state: FakeState) -> None:
        self.state = state

    async def first_delivery(self, platform: str, update_id: str, at: datetime) -> bool:
        if (platform, update_id) in self.state.updates:
            return False
        self.state.updates.add((platform, update_id))
        return True


class FakeUnitOfWork:
    def __init__(self, database: FakeDatabase) -> None:
        self._database = database

    async def __aenter__(self) -> Self:
        self._working = copy.deepcopy(self._database.state)
        ids = self._database.ids
        self.teams = FakeTeams(self._working, ids)
        self.reps = FakeReps(self._working, ids)
        self.companies = FakeCompanies(self._working, ids)
        self.contacts = FakeContacts(self._working, ids)
        self.activities = FakeActivities(self._working, ids, self._database.clock)
        self.reminders = FakeReminders(self._working, ids)
        self.deals = FakeDeals(self._working, ids)
        self.recall = FakeRecall(self._working)
        self.audit = FakeAudit(self._working, self._database.clock)
        self.updates = FakeUpdateLog(self._working)
        self._database.opened += 1
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        del self._working

    async def commit(self) -> None:
        if self._database.fail_commits:
            raise RuntimeError("database went away")
        self._database.state = copy.deepcopy(self._working)
        self._database.commits += 1


class FakeDatabase:
    """The shared state behind every fake unit of work; also the factory for them.

    ``clock`` stamps the audit log, as the SQL unit of work's clock does.
    """

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock: Clock = clock or SystemClock()
        self.state = FakeState()
        self.ids = _Ids()
        self.opened = 0
        self.commits = 0
        self.fail_commits = False

    def __call__(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self)


class RecordingNotifier:
    def __init__(self) -> None:
        self.sent: list[tuple[Rep, Reply]] = []

    async def send(self, rep: Rep, reply: Reply) -> None:
        self.sent.append((rep, reply))
