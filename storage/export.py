"""``crmbot export``: everything of one team as CSV files a spreadsheet opens as they are.

UTF-8 with a byte-order mark (Excel reads the accents right only with it), comma-separated,
one header line that stays the same from version to version (new columns go at the end),
times in UTC as ``YYYY-MM-DD HH:MM:SS``. ``contacts.csv`` is in the import's own format, so
``crmbot import contacts`` takes it back: contacts, companies and open deals.

A cell that starts with ``=``, ``+``, ``-`` or ``@`` is written after an apostrophe, so a
spreadsheet shows it instead of running it as a formula (CSV injection); the import takes the
apostrophe off again.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from handlers.domain import Stage, Team
from storage.models import (
    ActivityRow,
    CompanyRow,
    ContactRow,
    DealRow,
    ReminderRow,
    RepRow,
    StageChangeRow,
)
from storage.transfer import find_team

Cell = str | int | Decimal | datetime | None

CONTACTS_HEADER = (
    "name", "company", "deal_title", "deal_stage", "deal_amount", "deal_currency",
    "deal_expected_close", "deal_owner", "contact_id", "company_id", "created_at",
    "email", "phone", "job_title",
)  # fmt: skip
"""The import's field names (``job_title`` reads as its ``title``), so the file imports back
as it is; columns added later go at the end."""
_OPEN_STAGES = [stage.value for stage in Stage if not stage.is_closed]
_FORMULA_START = ("=", "+", "-", "@")


@dataclass(frozen=True, slots=True)
class ExportedFile:
    name: str
    rows: int


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, Decimal):
        return format(value, "f")
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _write(
    directory: Path, name: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]
) -> ExportedFile:
    count = 0
    with (directory / name).open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        for row in rows:
            writer.writerow([_text(cell) for cell in row])
            count += 1
    return ExportedFile(name, count)


Table = tuple[str, Sequence[str], list[Sequence[Cell]]]
"""A file's name, its header and its rows."""


async def read_team(engine: AsyncEngine, team_name: str) -> tuple[Team, list[Table]]:
    """Everything of the team, read in one transaction (one consistent snapshot)."""
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    async with sessions() as session, session.begin():
        team = await find_team(session, team_name)
        return team, await _read(session, team)


def write_tables(directory: Path, tables: Sequence[Table]) -> list[ExportedFile]:
    """Write the files into ``directory``, creating it if need be."""
    directory.mkdir(parents=True, exist_ok=True)
    return [_write(directory, name, header, rows) for name, header, rows in tables]


async def _read(
    session: AsyncSession, team: Team
) -> list[tuple[str, Sequence[str], list[Sequence[Cell]]]]:
    team_id = team.id
    reps = {
        row.id: row
        for row in await session.scalars(
            select(RepRow).where(RepRow.team_id == team_id).order_by(RepRow.id)
        )
    }
    companies = {
        row.id: row
        for row in await session.scalars(
            select(CompanyRow).where(CompanyRow.team_id == team_id).order_by(CompanyRow.id)
        )
    }
    contacts = list(
        await session.scalars(
            select(ContactRow).where(ContactRow.team_id == team_id).order_by(ContactRow.id)
        )
    )
    deals = list(
        await session.scalars(
            select(DealRow).where(DealRow.team_id == team_id).order_by(DealRow.id)
        )
    )

    def rep_name(rep_id: int | None) -> str:
        rep = reps.get(rep_id) if rep_id is not None else None
        return (rep.display_name or rep.external_id) if rep is not None else ""

    def company_name(company_id: int | None) -> str:
        company = companies.get(company_id) if company_id is not None else None
        return company.name if company is not None else ""

    zone = ZoneInfo(team.timezone)

    def close_date(deal: DealRow) -> str:
        return (
            deal.expected_close.astimezone(zone).date().isoformat() if deal.expected_close else ""
        )

    open_deal: dict[int, DealRow] = {}
    for deal in deals:  # the newest open deal of each company, as the bot sees it
        if deal.stage in _OPEN_STAGES and deal.company_id is not None:
            current = open_deal.get(deal.company_id)
            if current is None or (deal.created_at, deal.id) > (current.created_at, current.id):
                open_deal[deal.company_id] = deal

    def deal_cells(company_id: int | None) -> list[Cell]:
        deal = open_deal.get(company_id) if company_id is not None else None
        if deal is None:
            return ["", "", "", "", "", ""]
        return [
            deal.title,
            deal.stage,
            deal.amount,
            deal.currency,
            close_date(deal),
            rep_name(deal.owner_rep_id),
        ]

    contact_rows: list[Sequence[Cell]] = [
        [contact.full_name, company_name(contact.company_id), *deal_cells(contact.company_id),
         contact.id, contact.company_id, contact.created_at,
         contact.email, contact.phone, contact.job_title]
        for contact in contacts
    ]  # fmt: skip
    with_contacts = {contact.company_id for contact in contacts}
    contact_rows += [  # companies nobody is filed at, with their open deal
        [
            "",
            company.name,
            *deal_cells(company.id),
            None,
            company.id,
            company.created_at,
            None,
            None,
            None,
        ]
        for company in companies.values()
        if company.id not in with_contacts
    ]

    changes = await session.scalars(
        select(StageChangeRow)
        .where(StageChangeRow.team_id == team_id)
        .order_by(StageChangeRow.deal_id, StageChangeRow.changed_at, StageChangeRow.id)
    )
    contact, company = aliased(ContactRow), aliased(CompanyRow)
    activities = await session.execute(
        select(ActivityRow, contact.full_name, company.name)
        .outerjoin(contact, contact.id == ActivityRow.contact_id)
        .outerjoin(company, company.id == ActivityRow.company_id)
        .where(ActivityRow.team_id == team_id)
        .order_by(ActivityRow.occurred_at, ActivityRow.id)
    )
    reminders = await session.execute(
        select(ReminderRow, contact.full_name, company.name)
        .outerjoin(contact, contact.id == ReminderRow.contact_id)
        .outerjoin(company, company.id == ReminderRow.company_id)
        .where(ReminderRow.team_id == team_id)
        .order_by(ReminderRow.due_at, ReminderRow.id)
    )
    deal_company = {deal.id: deal.company_id for deal in deals}
    return [
        ("contacts.csv", CONTACTS_HEADER, contact_rows),
        (
            "companies.csv",
            ("company_id", "name", "open_deal_id", "created_at"),
            [
                [
                    row.id,
                    row.name,
                    open_deal[row.id].id if row.id in open_deal else None,
                    row.created_at,
                ]
                for row in companies.values()
            ],
        ),
        (
            "deals.csv",
            (
                "deal_id",
                "company",
                "title",
                "stage",
                "amount",
                "currency",
                "expected_close",
                "owner",
                "company_id",
                "created_at",
                "updated_at",
                "closed_at",
            ),
            [
                [
                    deal.id,
                    company_name(deal.company_id),
                    deal.title,
                    deal.stage,
                    deal.amount,
                    deal.currency,
                    close_date(deal),
                    rep_name(deal.owner_rep_id),
                    deal.company_id,
                    deal.created_at,
                    deal.updated_at,
                    deal.closed_at,
                ]
                for deal in deals
            ],
        ),
        (
            "stage_history.csv",
            ("deal_id", "company", "from_stage", "to_stage", "changed_by", "changed_at"),
            [
                [
                    row.deal_id,
                    company_name(deal_company.get(row.deal_id)),
                    row.from_stage,
                    row.to_stage,
                    rep_name(row.rep_id),
                    row.changed_at,
                ]
                for row in changes
            ],
        ),
        (
            "activities.csv",
            (
                "activity_id",
                "occurred_at",
                "kind",
                "rep",
                "contact",
                "company",
                "text",
                "contact_id",
                "company_id",
                "deal_id",
                "created_at",
            ),
            [
                [
                    row.id,
                    row.occurred_at,
                    row.kind,
                    rep_name(row.rep_id),
                    contact_name,
                    company_name_,
                    row.text,
                    row.contact_id,
                    row.company_id,
                    row.deal_id,
                    row.created_at,
                ]
                for row, contact_name, company_name_ in activities
            ],
        ),
        (
            "reminders.csv",
            (
                "reminder_id",
                "due_at",
                "status",
                "rep",
                "contact",
                "company",
                "text",
                "sent_at",
                "contact_id",
                "company_id",
                "activity_id",
                "created_at",
            ),
            [
                [
                    row.id,
                    row.due_at,
                    row.status,
                    rep_name(row.rep_id),
                    contact_name,
                    company_name_,
                    row.text,
                    row.sent_at,
                    row.contact_id,
                    row.company_id,
                    row.activity_id,
                    row.created_at,
                ]
                for row, contact_name, company_name_ in reminders
            ],
        ),
        (
            "reps.csv",
            (
                "rep_id",
                "display_name",
                "role",
                "platform",
                "external_id",
                "language",
                "timezone",
                "created_at",
            ),
            [
                [
                    rep.id,
                    rep.display_name,
                    rep.role,
                    rep.platform,
                    rep.external_id,
                    rep.language,
                    rep.timezone,
                    rep.created_at,
                ]
                for rep in reps.values()
            ],
        ),
    ]
