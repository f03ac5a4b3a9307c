"""``crmbot demo``: a realistic demo team, seeded through the storage layer.

A manager and four reps on the console platform, fifteen companies with their contacts, three
weeks of meetings, calls, e-mails and notes, deals in every part of the pipeline with the stage
moves that took them there (one won today, one lost, one moved back, one gone quiet), overdue
and upcoming callbacks, and one callback the bot could not deliver. Everything is dated
relative to ``now``, so the digests previewed right after show a live-looking team; the random
choices come from a fixed seed, so two demo teams seeded at the same moment are the same.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine

from handlers import texts
from handlers.clock import FixedClock
from handlers.domain import ActivityKind, Company, Contact, Rep, Role, Stage
from storage.digests import SqlDigestSource
from storage.reminder_queue import SqlReminderQueue
from storage.unit_of_work import SqlUnitOfWork, SqlUnitOfWorkFactory

DEMO_TEAM = "Demo Sales"
TIMEZONE = "Europe/Bucharest"
SEED = 2026
PLATFORM = "console"
HISTORY_DAYS = 21
"""How far back the activities go: three weeks."""

MANAGER = "Elena Marin"
REPS = ("Andrei Popa", "Ioana Dumitru", "Mihai Stan", "Carmen Ilie")
QUIET_REP = "Carmen Ilie"
"""Logs nothing in the last days, so the digest has someone under "Logged nothing"."""
QUIET_REP_SILENT_DAYS = 6

# Company, its owner (an index into REPS), its contacts.
COMPANIES: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("Northwind Traders", 0, ("Sam Reed", "Laura Chen")),
    ("Carpathia Logistics", 0, ("Radu Georgescu",)),
    ("Terra Agro", 0, ("Vlad Munteanu", "Irina Pop")),
    ("Helix Labs", 0, ("Nina Petrova",)),
    ("Danube Foods", 1, ("Cristina Barbu", "Paul Neagu")),
    ("Aurora Hotels", 1, ("Sofia Lungu",)),
    ("Vitra Textiles", 1, ("Marek Nowak", "Ewa Kowalska")),
    ("Orion Pharma", 1, ("Dana Toma",)),
    ("Bluefin Software", 2, ("Mike Hart", "Priya Shah")),
    ("Pixel Print", 2, ("Tudor Radu",)),
    ("Lumen Energy", 2, ("Alina Vasile",)),
    ("Quanta Finance", 2, ("George Enache", "Maria Ionescu")),
    ("Iris Medical", 3, ("Bogdan Stoica",)),
    ("Granite Build", 3, ("Oana Diaconu", "Stefan Matei")),
    ("Sigma Retail", 3, ("Adrian Luca",)),
)

# Company, amount, currency, and the stages it went through with how many days ago
# (0: today, a few hours ago).
DEALS: tuple[tuple[str, int | None, str, tuple[tuple[Stage, int], ...]], ...] = (
    ("Northwind Traders", 18_000, "EUR", (
        (Stage.PROSPECT, 24), (Stage.CONTACT, 21), (Stage.NEEDS, 17), (Stage.OFFER, 12),
        (Stage.NEGOTIATION, 7), (Stage.CONTRACT, 3), (Stage.COMPLETED, 1),
    )),
    ("Carpathia Logistics", 24_500, "EUR", (
        (Stage.PROSPECT, 22), (Stage.CONTACT, 19), (Stage.NEEDS, 14), (Stage.OFFER, 9),
        (Stage.NEGOTIATION, 4),
    )),
    ("Terra Agro", 19_000, "EUR", (
        (Stage.PROSPECT, 19), (Stage.CONTACT, 14), (Stage.NEEDS, 10), (Stage.OFFER, 7),
        (Stage.NEGOTIATION, 1),
    )),
    ("Danube Foods", 7_200, "EUR", (
        (Stage.PROSPECT, 20), (Stage.CONTACT, 15), (Stage.OFFER, 8), (Stage.LOST, 2),
    )),
    ("Aurora Hotels", 15_000, "EUR", (
        (Stage.PROSPECT, 16), (Stage.CONTACT, 10), (Stage.NEEDS, 5),
    )),
    ("Vitra Textiles", 12_000, "EUR", (
        (Stage.PROSPECT, 25), (Stage.CONTACT, 20), (Stage.NEEDS, 15), (Stage.OFFER, 11),
        (Stage.NEGOTIATION, 6), (Stage.OFFER, 3),
    )),
    ("Orion Pharma", 27_500, "EUR", (
        (Stage.PROSPECT, 23), (Stage.CONTACT, 18), (Stage.NEEDS, 13), (Stage.OFFER, 9),
        (Stage.NEGOTIATION, 5), (Stage.CONTRACT, 2), (Stage.COMPLETED, 0),
    )),
    ("Bluefin Software", 9_800, "USD", (
        (Stage.PROSPECT, 18), (Stage.CONTACT, 12), (Stage.NEEDS, 6), (Stage.OFFER, 2),
    )),
    ("Pixel Print", 3_500, "EUR", (
        (Stage.PROSPECT, 12), (Stage.CONTACT, 9), (Stage.LOST, 4),
    )),
    ("Lumen Energy", None, "EUR", (
        (Stage.PROSPECT, 5), (Stage.CONTACT, 2),
    )),
    ("Iris Medical", 31_000, "EUR", (
        (Stage.PROSPECT, 26), (Stage.CONTACT, 23), (Stage.NEEDS, 20), (Stage.OFFER, 16),
        (Stage.NEGOTIATION, 13),
    )),
    ("Granite Build", 42_000, "EUR", (
        (Stage.PROSPECT, 27), (Stage.CONTACT, 25), (Stage.NEEDS, 22), (Stage.OFFER, 19),
        (Stage.NEGOTIATION, 16), (Stage.CONTRACT, 12), (Stage.DELIVERY, 9),
    )),
    ("Sigma Retail", 6_000, "EUR", (
        (Stage.PROSPECT, 10),
    )),
)  # fmt: skip
QUIET_COMPANY = "Iris Medical"
"""Negotiating for days with no news and no callback: the digest's "gone quiet"."""

# Callbacks: company, days from now (negative: overdue), hour on the team's clock.
OVERDUE = (("Carpathia Logistics", -2, 10), ("Aurora Hotels", -3, 11), ("Terra Agro", -1, 15))
UPCOMING = (
    ("Carpathia Logistics", 1, 10),
    ("Vitra Textiles", 1, 14),
    ("Bluefin Software", 2, 11),
    ("Lumen Energy", 3, 9),
    ("Granite Build", 6, 16),
)
FAILED = ("Quanta Finance", -1, 9)
FAILED_ERROR = "Forbidden: bot was blocked by the user"

TOPICS = (
    "pricing",
    "the rollout plan",
    "delivery terms",
    "the pilot",
    "volumes for next quarter",
    "the contract draft",
    "payment terms",
    "a demo for their team",
)
KINDS = (
    (ActivityKind.CALL,) * 5
    + (ActivityKind.MEETING,) * 2
    + (ActivityKind.EMAIL,) * 3
    + (ActivityKind.NOTE,)
)


class DemoError(Exception):
    """The demo cannot be seeded here (the team or one of its people exists already)."""


@dataclass(frozen=True, slots=True)
class DemoSummary:
    team_id: int
    team_name: str
    timezone: str
    manager: str
    manager_user: str
    """The manager's console user name: ``crmbot console --user`` it to chat as them."""
    reps: tuple[str, ...]
    companies: int
    contacts: int
    activities: int
    deals_by_stage: tuple[tuple[Stage, int], ...]
    stage_moves: int
    overdue: int
    upcoming: int
    failed: int
    last_weekly_at: str
    """When the last weekly digest was due (``MON 08:00`` on the team's clock), ISO 8601:
    ``crmbot digest --at`` it to see the last full week."""

    @property
    def deals(self) -> int:
        return sum(count for _, count in self.deals_by_stage)

    def lines(self) -> list[str]:
        stages = ", ".join(
            f"{count} {texts.STAGE_LABELS[stage]}" for stage, count in self.deals_by_stage
        )
        return [
            f"Created the demo team {self.team_name!r} (id {self.team_id}, {self.timezone}):",
            f"• Manager: {self.manager} (console user {self.manager_user})",
            f"• Reps: {', '.join(self.reps)}",
            f"• {self.companies} companies, {self.contacts} contacts",
            f"• {self.activities} activities over the last {HISTORY_DAYS // 7} weeks",
            f"• {self.deals} deals ({stages}), {self.stage_moves} stage moves",
            f"• Callbacks: {self.overdue} overdue, {self.upcoming} upcoming, "
            f"{self.failed} not delivered",
        ]


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-") or "demo"


def user_name(person: str, team_name: str) -> str:
    """A demo person's console user name: ``elena.demo-sales``."""
    return f"{person.split()[0].lower()}.{_slug(team_name)}"


class _Seeder:
    def __init__(self, uow: SqlUnitOfWork, clock: FixedClock, now: datetime) -> None:
        self.uow, self.clock, self.now = uow, clock, now
        self.zone = ZoneInfo(TIMEZONE)
        self.random = random.Random(SEED)
        self.today = now.astimezone(self.zone).date()
        self.activities = 0

    def at(self, days_ago: int, hour: int, minute: int = 0) -> datetime:
        """``days_ago`` days before today at ``hour:minute`` on the team's clock; on the day
        itself, a moment already past."""
        moment = datetime.combine(
            self.today - timedelta(days=days_ago), time(hour, minute), tzinfo=self.zone
        )
        if days_ago == 0 and moment >= self.now:
            moment = self.now - timedelta(minutes=self.random.randint(20, 180))
        return moment

    def working_moment(self, days_ago: int) -> datetime:
        return self.at(days_ago, self.random.randint(9, 17), self.random.choice((0, 15, 30, 45)))

    def topic(self) -> str:
        return self.random.choice(TOPICS)

    async def activity(
        self, rep: Rep, company: Company, contact: Contact, kind: ActivityKind, at: datetime
    ) -> None:
        topic = self.topic()
        text = {
            ActivityKind.MEETING: f"Met {contact.full_name} at {company.name} about {topic}",
            ActivityKind.CALL: f"Called {contact.full_name} ({company.name}) about {topic}",
            ActivityKind.EMAIL: f"Emailed {contact.full_name} at {company.name} about {topic}",
            ActivityKind.NOTE: f"{company.name}: {contact.full_name} asked about {topic}",
        }[kind]
        self.clock.set(at)
        await self.uow.activities.add(
            team_id=rep.team_id,
            rep_id=rep.id,
            kind=kind,
            occurred_at=at,
            text=text,
            contact_id=contact.id,
            company_id=company.id,
        )
        self.activities += 1


async def _existing(engine: AsyncEngine, team_name: str) -> bool:
    schedules = await SqlDigestSource(engine).schedules()
    return any(s.team_name.casefold() == team_name.strip().casefold() for s in schedules)


async def seed_demo(engine: AsyncEngine, team_name: str, now: datetime) -> DemoSummary:
    """Seed the demo team called ``team_name`` as of ``now``; :class:`DemoError` if a team of
    that name (or a console user the demo would use) exists already, in which case nothing
    is written."""
    if await _existing(engine, team_name):
        raise DemoError(f"a team called {team_name!r} already exists; nothing was added")
    clock = FixedClock(now - timedelta(days=HISTORY_DAYS + 7))
    factory = SqlUnitOfWorkFactory(engine, clock)
    async with factory() as uow:
        seeder = _Seeder(uow, clock, now)
        for someone in (MANAGER, *REPS):
            if await uow.reps.by_identity(PLATFORM, user_name(someone, team_name)) is not None:
                raise DemoError(
                    f"the console user {user_name(someone, team_name)!r} exists already; "
                    "nothing was added (pick another name with --team)"
                )
        team = await uow.teams.add(team_name, TIMEZONE)

        async def add_person(name: str, role: Role) -> Rep:
            user = user_name(name, team_name)
            return await uow.reps.add(
                team_id=team.id, platform=PLATFORM, external_id=user, chat_id=user,
                display_name=name, language="en", timezone=TIMEZONE, role=role,
            )  # fmt: skip

        await add_person(MANAGER, Role.MANAGER)
        reps = [await add_person(name, Role.REP) for name in REPS]

        companies: dict[str, Company] = {}
        contacts: dict[str, list[Contact]] = {}
        owners: dict[str, Rep] = {}
        for name, index, people in COMPANIES:
            clock.set(seeder.working_moment(HISTORY_DAYS + seeder.random.randint(1, 6)))
            company = companies[name] = await uow.companies.add(team.id, name)
            owners[name] = reps[index]
            contacts[name] = [await uow.contacts.add(team.id, full, company.id) for full in people]

        # Deals, each stage move with the meeting or call that brought it.
        moves = 0
        quiet_since = 0
        for name, amount, currency, path in DEALS:
            owner, company = owners[name], companies[name]
            (first, started), *later = path
            at = seeder.working_moment(started)
            deal = await uow.deals.add(
                team_id=team.id, company_id=company.id, owner_rep_id=owner.id, title=name,
                stage=first, amount=Decimal(amount) if amount is not None else None,
                currency=currency if amount is not None else None, at=at,
            )  # fmt: skip
            moves += 1
            for stage, days_ago in later:
                at = max(seeder.working_moment(days_ago), at + timedelta(minutes=1))
                kind = ActivityKind.MEETING if stage.is_closed else ActivityKind.CALL
                await seeder.activity(owner, company, contacts[name][0], kind, at)
                await uow.deals.move(deal.team_id, deal.id, stage, owner.id, at)
                moves += 1
            if name == QUIET_COMPANY:
                quiet_since = path[-1][1]

        # Three weeks of everyday work, weekdays only.
        for days_ago in range(HISTORY_DAYS, -1, -1):
            if (seeder.today - timedelta(days=days_ago)).weekday() >= 5:
                continue
            for rep in reps:
                if rep.display_name == QUIET_REP and days_ago < QUIET_REP_SILENT_DAYS:
                    continue
                own = [
                    name
                    for name, owner in owners.items()
                    if owner.id == rep.id and not (name == QUIET_COMPANY and days_ago < quiet_since)
                ]
                for _ in range(seeder.random.choice((0, 1, 2, 2, 3, 3, 4))):
                    name = seeder.random.choice(own)
                    at = seeder.working_moment(days_ago)
                    if at >= now:
                        continue
                    contact = seeder.random.choice(contacts[name])
                    kind = seeder.random.choice(KINDS)
                    await seeder.activity(rep, companies[name], contact, kind, at)

        async def callback(name: str, days: int, hour: int) -> tuple[int, datetime]:
            contact = contacts[name][0]
            clock.set(min(now, seeder.at(max(-days, 0) + 2, 12)))
            day = seeder.today + timedelta(days=days)
            while day.weekday() >= 5:  # callbacks fall on working days
                day += timedelta(days=1 if days > 0 else -1)
            due_at = datetime.combine(day, time(hour), tzinfo=seeder.zone)
            reminder = await uow.reminders.add(
                team_id=team.id, rep_id=owners[name].id, due_at=due_at,
                text=f"Call back {contact.full_name} ({name}) about {seeder.topic()}",
                contact_id=contact.id, company_id=companies[name].id,
            )  # fmt: skip
            return reminder.id, due_at

        overdue = [await callback(*item) for item in OVERDUE]
        for item in UPCOMING:
            await callback(*item)
        failed, failed_due = await callback(*FAILED)
        await uow.commit()

    # What the dispatcher did with them: the overdue ones were delivered (and not done yet),
    # one could not be delivered at all.
    queue = SqlReminderQueue(engine)
    for reminder_id, due_at in overdue:
        await queue.mark_sent([reminder_id], due_at + timedelta(minutes=1))
    await queue.mark_failed(failed, FAILED_ERROR, failed_due + timedelta(minutes=20))

    stages = Counter(path[-1][0] for _, _, _, path in DEALS)
    return DemoSummary(
        team_id=team.id,
        team_name=team_name,
        timezone=TIMEZONE,
        manager=MANAGER,
        manager_user=user_name(MANAGER, team_name),
        reps=REPS,
        companies=len(companies),
        contacts=sum(len(people) for people in contacts.values()),
        activities=seeder.activities,
        deals_by_stage=tuple((stage, stages[stage]) for stage in Stage if stages[stage]),
        stage_moves=moves,
        overdue=len(OVERDUE),
        upcoming=len(UPCOMING),
        failed=1,
        last_weekly_at=_last_monday_morning(now, ZoneInfo(TIMEZONE)),
    )


def _last_monday_morning(now: datetime, zone: ZoneInfo) -> str:
    today = now.astimezone(zone).date()
    monday = datetime.combine(today - timedelta(days=today.weekday()), time(8), tzinfo=zone)
    if monday > now:
        monday -= timedelta(days=7)
    return f"{monday:%Y-%m-%dT%H:%M}"
