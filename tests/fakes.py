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
    PIPELINE,
    QUIET_AFTER_DAYS,
    Activity,
    ActivityKind,
    ActivityLine,
    Attachment,
    Change,
    Company,
    Contact,
    Deal,
    DealLine,
    DealTally,
    Invite,
    InviteProblem,
    Reminder,
    ReminderLine,
    ReminderStatus,
    Rep,
    Role,
    Stage,
    Team,
    TeamTerm,
)
from handlers.messages import Reply
from handlers.names import name_key, name_prefixes, text_key
from handlers.pipeline import is_quiet
from handlers.ports import Clock, Erasure
from handlers.privacy import company_placeholder, names_them, scrub_snapshot


@dataclass
class FakeState:
    """Everything the fake database holds; copied on begin, swapped in on commit."""

    teams: dict[int, Team] = field(default_factory=dict)
    reps: dict[int, Rep] = field(default_factory=dict)
    invites: dict[int, Invite] = field(default_factory=dict)
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
    idle_limits: dict[tuple[int, Stage], int] = field(default_factory=dict)
    """Teams' own idle limits by (team id, stage); the rest keep ``QUIET_AFTER_DAYS``."""
    terms: dict[tuple[int, str, str], TeamTerm] = field(default_factory=dict)
    """Teams' own words, by (team id, subject, key)."""

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

    async def set_language(self, rep_id: int, language: str) -> Rep:
        rep = replace(self.state.reps[rep_id], language=language, language_chosen=True)
        self.state.reps[rep_id] = rep
        return rep

    async def managers(self, team_id: int) -> list[Rep]:
        return [
            rep
            for rep in self.state.reps.values()
            if rep.team_id == team_id and rep.role in (Role.MANAGER, Role.ADMIN)
        ]

    async def members(self, team_id: int) -> list[Rep]:
        return sorted(
            (rep for rep in self.state.reps.values() if rep.team_id == team_id),
            key=lambda rep: rep.id,
        )

    async def set_role(self, team_id: int, rep_id: int, role: Role) -> Rep:
        if self.state.reps[rep_id].team_id != team_id:  # as the SQL query finds no row
            raise LookupError(f"no rep {rep_id} in team {team_id}")
        rep = self.state.reps[rep_id]
        admins = [other for other in await self.members(team_id) if other.role is Role.ADMIN]
        if role is not Role.ADMIN and admins == [rep]:
            return None  # the team would have no admin
        rep = self.state.reps[rep_id] = replace(rep, role=role)
        return rep


class FakeInvites:
    """Invites as the SQL table keeps them: codes unique, a use counted only while valid."""

    def __init__(self, state: FakeState, ids: _Ids, clock: Clock) -> None:
        self.state, self.ids, self.clock = state, ids, clock

    async def add(
        self,
        *,
        team_id: int,
        code: str,
        role: Role,
        created_by: int | None,
        expires_at: datetime | None,
        max_uses: int,
    ) -> Invite:
        if team_id not in self.state.teams:
            raise LookupError(f"no team {team_id}")  # a foreign key
        if any(invite.code == code for invite in self.state.invites.values()):
            raise ValueError("duplicate invite code")  # a unique constraint
        invite = Invite(
            self.ids.next(),
            team_id,
            code,
            role,
            created_by,
            self.clock.now(),
            expires_at,
            max_uses,
            uses=0,
        )
        self.state.invites[invite.id] = invite
        return invite

    async def peek(self, code: str, now: datetime) -> Invite | InviteProblem:
        invite = next((i for i in self.state.invites.values() if i.code == code), None)
        if invite is None:
            return InviteProblem.UNKNOWN
        if invite.expires_at is not None and invite.expires_at <= now:
            return InviteProblem.EXPIRED
        if invite.uses >= invite.max_uses:
            return InviteProblem.USED_UP
        return invite

    async def redeem(self, code: str, now: datetime) -> Invite | InviteProblem:
        invite = await self.peek(code, now)
        if isinstance(invite, Invite):
            invite = self.state.invites[invite.id] = replace(invite, uses=invite.uses + 1)
        return invite


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
        # As SqlCompanies: a name the team already has (another rep's message added it at the
        # same moment) gives back that company instead of a second one.
        key = name_key(name)
        for existing in self.state.companies.values():
            if existing.team_id == team_id and name_key(existing.name) == key:
                return existing
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

    async def set_status(self, team_id: int, reminder_id: int, status: ReminderStatus) -> None:
        if await self.get(team_id, reminder_id) is not None:
            self.state.reminders[reminder_id] = replace(
                self.state.reminders[reminder_id], status=status
            )

    async def reschedule(self, team_id: int, reminder_id: int, due_at: datetime) -> None:
        if await self.get(team_id, reminder_id) is not None:
            self.state.reminders[reminder_id] = replace(
                self.state.reminders[reminder_id], due_at=due_at, status=ReminderStatus.PENDING
            )

    async def restore(
        self, team_id: int, reminder_id: int, *, due_at: datetime, status: ReminderStatus
    ) -> Reminder | None:
        reminder = await self.get(team_id, reminder_id)
        if reminder is None:
            return None
        self.state.reminders[reminder_id] = replace(reminder, due_at=due_at, status=status)
        return self.state.reminders[reminder_id]

    async def link_activity(self, team_id: int, reminder_id: int, activity_id: int) -> None:
        if await self.get(team_id, reminder_id) is not None:
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

    async def open_for_team(self, team_id: int, due_before: datetime) -> list[ReminderLine]:
        due = [
            r
            for r in self.state.reminders.values()
            if r.team_id == team_id and r.status.is_open and r.due_at < due_before
        ]
        return [self._line(r) for r in sorted(due, key=lambda r: (r.due_at, r.id))]

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

    def _team_deal(self, team_id: int, deal_id: int) -> Deal:
        deal = self.state.deals[deal_id]
        if deal.team_id != team_id:  # as the SQL query finds no row
            raise LookupError(f"no deal {deal_id} in team {team_id}")
        return deal

    async def move(
        self, team_id: int, deal_id: int, to_stage: Stage, rep_id: int, at: datetime
    ) -> Deal:
        deal = self._team_deal(team_id, deal_id)
        moved = replace(
            deal, stage=to_stage, updated_at=at, closed_at=at if to_stage.is_closed else None
        )
        self.state.deals[deal_id] = moved
        self.state.stage_changes.append((deal_id, deal.stage, to_stage, rep_id, at))
        return moved

    async def set_amount(
        self, team_id: int, deal_id: int, amount: Decimal, currency: str | None, at: datetime
    ) -> Deal:
        deal = replace(
            self._team_deal(team_id, deal_id), amount=amount, currency=currency, updated_at=at
        )
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
            lines.append(self._line(deal, now))
        return sorted(lines, key=lambda line: (line.owner_name, line.deal.id))

    def _line(self, deal: Deal, now: datetime) -> DealLine:
        company = self.state.companies.get(deal.company_id or 0)
        activities = [
            a.occurred_at for a in self.state.activities.values()
            if a.company_id is not None and a.company_id == deal.company_id
        ]  # fmt: skip
        callbacks = [
            r.due_at for r in self.state.reminders.values()
            if r.company_id is not None and r.company_id == deal.company_id
            and r.status.is_open and r.due_at >= now
        ]  # fmt: skip
        owner = self.state.reps[deal.owner_rep_id]
        return DealLine(
            deal,
            company.name if company else None,
            owner.display_name,
            max(activities, default=None),
            min(callbacks, default=None),
        )

    async def line(self, team_id: int, deal_id: int, now: datetime) -> DealLine | None:
        deal = await self.get(team_id, deal_id)
        return self._line(deal, now) if deal is not None else None

    async def open_tallies(self, team_id: int, owner_rep_id: int | None) -> list[DealTally]:
        counts: dict[tuple[str, Stage, str | None], int] = {}
        sums: dict[tuple[str, Stage, str | None], Decimal] = {}
        for deal in self.state.deals.values():
            if deal.team_id != team_id or deal.stage.is_closed:
                continue
            if owner_rep_id is not None and deal.owner_rep_id != owner_rep_id:
                continue
            key = (self.state.reps[deal.owner_rep_id].display_name, deal.stage, deal.currency)
            counts[key] = counts.get(key, 0) + 1
            if deal.amount is not None:  # SQL's SUM skips NULLs, and is NULL over none
                sums[key] = sums.get(key, Decimal(0)) + deal.amount
        return [DealTally(*key, count, sums.get(key)) for key, count in counts.items()]

    async def quiet_lines(
        self,
        team_id: int,
        owner_rep_id: int | None,
        now: datetime,
        limits: Mapping[Stage, int],
        limit: int,
    ) -> tuple[list[DealLine], int]:
        if limit <= 0:
            return [], 0
        lines = await self.open_lines(team_id, owner_rep_id, now)
        quiet = [line for line in lines if is_quiet(line, now, limits)]
        return quiet[:limit], len(quiet)

    async def first_open_lines(
        self, team_id: int, owner_rep_id: int | None, now: datetime, limit: int
    ) -> list[DealLine]:
        order = {stage: index for index, stage in enumerate(PIPELINE)}
        lines = await self.open_lines(team_id, owner_rep_id, now)
        return sorted(lines, key=lambda line: (order[line.deal.stage], line.deal.id))[:limit]

    async def open_of_company(self, team_id: int, company_id: int) -> list[Deal]:
        return [d for d in self._company_deals(team_id, company_id) if not d.stage.is_closed]

    async def idle_limits(self, team_id: int) -> dict[Stage, int]:
        limits = dict(QUIET_AFTER_DAYS)
        for (team, stage), days in self.state.idle_limits.items():
            if team == team_id:
                limits[stage] = days
        return limits

    async def set_idle_limit(self, team_id: int, stage: Stage, days: int | None) -> None:
        if stage not in QUIET_AFTER_DAYS:
            raise ValueError(f"{stage.value} has no idle limit: it is not an open stage")
        if days is None:
            self.state.idle_limits.pop((team_id, stage), None)
        else:
            self.state.idle_limits[(team_id, stage)] = days


def _about(record: Activity | Reminder, contact_id: int | None, company_id: int | None) -> bool:
    if (contact_id is None) == (company_id is None):
        raise ValueError("give exactly one of contact_id and company_id")
    if contact_id is not None:
        return record.contact_id == contact_id
    return record.company_id == company_id


class FakeRecall:
    """storage.recall's rules: name_key containment for names, text_key containment for
    activity text (both folded, as the SQL columns are)."""

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

    async def find_contacts_by_details(
        self, team_id: int, *, email: str | None, phone_digits: str | None, limit: int
    ) -> list[Contact]:
        def fits(contact: Contact) -> bool:
            by_email = bool(email and email.lower() in (contact.email or "").lower())
            digits = "".join(char for char in contact.phone or "" if char.isdigit())
            return by_email or bool(phone_digits and phone_digits in digits)

        found = [c for c in self.state.contacts.values() if c.team_id == team_id and fits(c)]
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
                and any(needle in text_key(a.text) for needle in needles)
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

    async def recent_changes(
        self, team_id: int, rep_id: int, since: datetime, limit: int
    ) -> list[str]:
        latest: list[str] = []
        for entry in reversed(self.state.audit):  # written in order: the latest last
            if entry["team_id"] != team_id or entry["rep_id"] != rep_id or entry["at"] < since:
                continue
            if entry["change_id"] not in latest:
                latest.append(entry["change_id"])
        return latest[:limit]


class FakePrivacy:
    """storage.privacy's rules: the contact, the activities and callbacks linked to them or
    naming them (as typed or in other case), their attachments, and the audit snapshots."""

    def __init__(self, state: FakeState) -> None:
        self.state = state

    async def erase_contact(
        self, team_id: int, contact_id: int, *, placeholder: str, redacted: str
    ) -> Erasure | None:
        contact = self.state.contacts.get(contact_id)
        if contact is None or contact.team_id != team_id:
            return None
        name = contact.full_name
        self.state.contacts[contact_id] = replace(
            contact, full_name=placeholder, email=None, phone=None, job_title=None
        )

        def about(record: Activity | Reminder) -> bool:
            return record.team_id == team_id and (
                record.contact_id == contact_id or names_them(record.text, name)
            )

        activities = [a.id for a in self.state.activities.values() if about(a)]
        reminders = [r.id for r in self.state.reminders.values() if about(r)]
        for activity_id in activities:
            self.state.activities[activity_id] = replace(
                self.state.activities[activity_id], text=redacted
            )
        for attachment in list(self.state.attachments.values()):
            if attachment.activity_id in activities:
                del self.state.attachments[attachment.id]
        for reminder_id in reminders:
            self.state.reminders[reminder_id] = replace(
                self.state.reminders[reminder_id], text=redacted
            )
        companies = [
            c.id for c in self.state.companies.values()
            if c.team_id == team_id and names_them(c.name, name)
        ]  # fmt: skip
        for company_id in companies:
            renamed = company_placeholder(company_id)
            self.state.companies[company_id] = replace(
                self.state.companies[company_id], name=renamed
            )
            for deal in list(self.state.deals.values()):
                if deal.team_id == team_id and deal.company_id == company_id:
                    self.state.deals[deal.id] = replace(deal, title=renamed)
        deals = [d.id for d in self.state.deals.values() if d.company_id in companies]
        touched = [
            entry for entry in self.state.audit
            if entry["team_id"] == team_id and (
                (entry["entity"], entry["entity_id"]) == ("contact", contact_id)
                or (entry["entity"] == "activity" and entry["entity_id"] in activities)
                or (entry["entity"] == "reminder" and entry["entity_id"] in reminders)
                or (entry["entity"] == "company" and entry["entity_id"] in companies)
                or (entry["entity"] == "deal" and entry["entity_id"] in deals)
            )
        ]  # fmt: skip
        changes = {entry["change_id"] for entry in touched}
        touched += [
            entry for entry in self.state.audit
            if entry["team_id"] == team_id and entry["action"] == "ask"
            and entry["change_id"] in changes
        ]  # fmt: skip
        for entry in touched:
            for side in ("before", "after"):
                entry[side] = scrub_snapshot(
                    entry["entity"], entry["action"], entry[side], entry["entity_id"]
                )
        return Erasure(len(activities), len(reminders), len(touched), len(companies))


class FakeUpdateLog:
    def __init__(self, state: FakeState) -> None:
        self.state = state

    async def first_delivery(self, platform: str, update_id: str, at: datetime) -> bool:
        if (platform, update_id) in self.state.updates:
            return False
        self.state.updates.add((platform, update_id))
        return True


class FakeTerms:
    def __init__(self, state: FakeState) -> None:
        self.state = state

    async def for_team(self, team_id: int) -> list[TeamTerm]:
        return [term for (team, _, _), term in sorted(self.state.terms.items()) if team == team_id]

    async def save(self, team_id: int, term: TeamTerm) -> None:
        self.state.terms[team_id, term.subject, term.key] = term


class FakeUnitOfWork:
    def __init__(self, database: FakeDatabase) -> None:
        self._database = database

    async def __aenter__(self) -> Self:
        self._working = copy.deepcopy(self._database.state)
        ids = self._database.ids
        self.teams = FakeTeams(self._working, ids)
        self.reps = FakeReps(self._working, ids)
        self.invites = FakeInvites(self._working, ids, self._database.clock)
        self.companies = FakeCompanies(self._working, ids)
        self.contacts = FakeContacts(self._working, ids)
        self.activities = FakeActivities(self._working, ids, self._database.clock)
        self.reminders = FakeReminders(self._working, ids)
        self.deals = FakeDeals(self._working, ids)
        self.recall = FakeRecall(self._working)
        self.audit = FakeAudit(self._working, self._database.clock)
        self.updates = FakeUpdateLog(self._working)
        self.terms = FakeTerms(self._working)
        self.privacy = FakePrivacy(self._working)
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
