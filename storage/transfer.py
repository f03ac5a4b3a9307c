"""CSV import into a team: read what the team has, plan, write the plan in one transaction.

The merge decisions are :mod:`handlers.import_plan`'s; this module reads the team into a
:class:`~handlers.import_plan.Snapshot` and writes the plan in batches, each row as the
repositories write one (folded name key, name prefixes, an audit row). Reading and writing
happen in one transaction: two imports at once cannot both create the same company (the second
fails on the unique name and writes nothing), and an error halfway leaves the team as it was.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from handlers.contact_details import FIELDS as DETAIL_FIELDS
from handlers.domain import Role, Stage, Team
from handlers.i18n import _
from handlers.import_plan import (
    KnownCompany,
    KnownContact,
    KnownDeal,
    KnownRep,
    OwnerError,
    Plan,
    Ref,
    Snapshot,
    default_owner,
    make_plan,
)
from handlers.import_rows import ImportRecord, Rejected
from handlers.names import name_key, name_prefixes
from handlers.ports import Clock
from storage.models import (
    AuditRow,
    Base,
    CompanyPrefixRow,
    CompanyRow,
    ContactPrefixRow,
    ContactRow,
    DealRow,
    RepRow,
    StageChangeRow,
    TeamRow,
    table_of,
)
from storage.repositories import team_record

_OPEN_STAGES = [stage.value for stage in Stage if not stage.is_closed]


class TransferError(Exception):
    """The import or export cannot start (no such team, an unknown owner); nothing written."""


async def find_team(session: AsyncSession, name: str) -> Team:
    """A team by its name (case forgiven) or its id."""
    teams = (await session.execute(select(TeamRow.id, TeamRow.name).order_by(TeamRow.id))).all()
    wanted = name.strip().casefold()
    named = [team_id for team_id, team_name in teams if team_name.casefold() == wanted]
    if not named and name.strip().isdigit():
        named = [team_id for team_id, _name in teams if team_id == int(name)]
    if len(named) > 1:
        ids = ", ".join(map(str, named))
        raise TransferError(
            _("{count} teams are called {name!r} (ids {ids}); pass --team ID").format(
                count=len(named), name=name, ids=ids
            )
        )
    if not named:
        listed = ", ".join(f"{team_name} (id {team_id})" for team_id, team_name in teams)
        raise TransferError(
            _("no team is called {name!r}. Teams: {teams}").format(
                name=name, teams=listed or _("none yet")
            )
        )
    return team_record(await session.get_one(TeamRow, named[0]))


async def load_snapshot(session: AsyncSession, team_id: int) -> Snapshot:
    companies = await session.execute(
        select(CompanyRow.id, CompanyRow.name).where(CompanyRow.team_id == team_id)
    )
    contacts = await session.execute(
        select(
            ContactRow.id,
            ContactRow.full_name,
            ContactRow.company_id,
            ContactRow.email,
            ContactRow.phone,
            ContactRow.job_title,
        )
        .where(ContactRow.team_id == team_id)
        .order_by(ContactRow.id)
    )
    deals = await session.execute(
        select(
            DealRow.id,
            DealRow.company_id,
            DealRow.title,
            DealRow.stage,
            DealRow.amount,
            DealRow.currency,
        )
        .where(
            DealRow.team_id == team_id,
            DealRow.stage.in_(_OPEN_STAGES),
        )
        .order_by(DealRow.created_at.desc(), DealRow.id.desc())  # the newest, as the bot does
    )
    reps = await session.execute(
        select(RepRow.id, RepRow.display_name, RepRow.external_id, RepRow.role)
        .where(RepRow.team_id == team_id)
        .order_by(RepRow.id)
    )
    return Snapshot(
        companies=[KnownCompany(*row) for row in companies],
        contacts=[KnownContact(*row) for row in contacts],
        open_deals=[
            KnownDeal(deal_id, company_id, title, Stage(stage), amount, currency)
            for deal_id, company_id, title, stage, amount, currency in deals
            if company_id is not None
        ],
        reps=[
            KnownRep(rep_id, name, external, Role(role)) for rep_id, name, external, role in reps
        ],
    )


@dataclass(frozen=True, slots=True)
class ImportResult:
    team: Team
    plan: Plan
    written: bool


async def import_contacts(
    engine: AsyncEngine,
    clock: Clock,
    team_name: str,
    read: Callable[[Team], Sequence[ImportRecord | Rejected]],
    *,
    owner: str | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Plan the records ``read`` gives for the team (dates follow its order) against what
    it has and, unless ``dry_run``, write them: all or nothing."""
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    async with sessions() as session:
        team = await find_team(session, team_name)
        snapshot = await load_snapshot(session, team.id)
        try:
            default = default_owner(snapshot.reps, owner)
        except OwnerError as error:
            raise TransferError(str(error)) from error
        plan = make_plan(snapshot, read(team), default)
        if dry_run or not plan.writes_anything:
            await session.rollback()
            return ImportResult(team, plan, written=False)
        await _write(session, clock, team, plan)
        await session.commit()
        return ImportResult(team, plan, written=True)


def _close_at(day: date | None, timezone: str) -> datetime | None:
    """An expected close date, as the start of that day on the team's clock."""
    if day is None:
        return None
    return datetime.combine(day, time(0), ZoneInfo(timezone))


async def _write(session: AsyncSession, clock: Clock, team: Team, plan: Plan) -> None:
    """Write the plan in a few statements per table, never one per row (a 20,000-row file would
    take minutes of round trips). Rows are built as the repositories' ``add`` builds them (the
    folded name key, the name prefixes), and each is audited under one change id."""
    now = clock.now()
    audit: list[dict[str, Any]] = []

    def audited(action: str, entity: str, entity_id: int, after: dict[str, Any]) -> None:
        audit.append(
            {"team_id": team.id, "rep_id": None, "change_id": "", "action": action,
             "entity": entity, "entity_id": entity_id, "before": None, "after": after, "at": now}
        )  # fmt: skip

    # Ids come back with what tells the new rows apart: a company's folded name is unique in
    # the team; the plan never makes two contacts with one folded name and company, nor two
    # deals for one company.
    company_rows: list[dict[str, Any]] = [
        {"team_id": team.id, "name": new.name, "name_key": name_key(new.name), "created_at": now}
        for new in plan.companies
    ]
    company_ids = await _insert_returning(session, CompanyRow, company_rows, "name_key")
    new_company_ids = [company_ids[(row["name_key"],)] for row in company_rows]
    await _insert(session, CompanyPrefixRow, [
        {"company_id": new_id, "team_id": team.id, "prefix": prefix}
        for row, new_id in zip(company_rows, new_company_ids, strict=True)
        for prefix in sorted(name_prefixes(row["name"]))
    ])  # fmt: skip
    for row, new_id in zip(company_rows, new_company_ids, strict=True):
        audited("create", "company", new_id, {"name": row["name"]})

    def company_id(ref: Ref | None) -> int | None:
        if ref is None:
            return None
        return new_company_ids[ref.id] if ref.new else ref.id

    contact_rows: list[dict[str, Any]] = [
        {"team_id": team.id, "company_id": company_id(new.company), "full_name": new.name,
         "name_key": name_key(new.name), "created_at": now,
         **{name: new.details.get(name) for name in DETAIL_FIELDS}}
        for new in plan.contacts
    ]  # fmt: skip
    contact_ids = await _insert_returning(
        session, ContactRow, contact_rows, "name_key", "company_id"
    )
    for row in contact_rows:
        new_id = contact_ids[(row["name_key"], row["company_id"])]
        row["id"] = new_id
        audited("create", "contact", new_id, _contact_view(row))
    await _insert(session, ContactPrefixRow, [
        {"contact_id": row["id"], "team_id": team.id, "prefix": prefix}
        for row in contact_rows
        for prefix in sorted(name_prefixes(row["full_name"]))
    ])  # fmt: skip
    filed: list[dict[str, Any]] = [
        {"id": contact_id, "company_id": company_id(ref)}
        for contact_id, ref in plan.contact_companies.items()
    ]
    if filed:
        await session.execute(update(ContactRow), filed)  # by primary key, in one batch
    for row in filed:
        audited("update", "contact", row["id"], {"company_id": row["company_id"]})
    for contact_id, details in (await _fill_details(session, plan.contact_details)).items():
        audited("update", "contact", contact_id, details)

    deal_rows: list[dict[str, Any]] = [
        {"team_id": team.id, "company_id": company_id(new.company),
         "owner_rep_id": new.owner_id, "title": new.deal.title, "stage": new.deal.stage.value,
         "amount": new.deal.amount, "currency": new.deal.currency,
         "expected_close": _close_at(new.deal.expected_close, team.timezone),
         "created_at": now, "updated_at": now, "closed_at": None}
        for new in plan.deals
    ]  # fmt: skip
    deal_ids = await _insert_returning(session, DealRow, deal_rows, "company_id")
    for row in deal_rows:
        row["id"] = deal_ids[(row["company_id"],)]
        audited("create", "deal", row["id"], _deal_view(row))
    await _insert(session, StageChangeRow, [
        {"team_id": team.id, "deal_id": row["id"], "rep_id": None, "from_stage": None,
         "to_stage": row["stage"], "changed_at": now}
        for row in deal_rows
    ])  # fmt: skip
    priced: list[dict[str, Any]] = [
        {"id": deal_id, "amount": amount, "currency": currency, "updated_at": now}
        for deal_id, (amount, currency) in plan.deal_amounts.items()
    ]
    if priced:
        await session.execute(update(DealRow), priced)
    for row in priced:
        after = {"amount": str(row["amount"]), "currency": row["currency"]}
        audited("update", "deal", row["id"], after)
    change_id = uuid.uuid4().hex  # one id for the whole import in the audit log
    await _insert(session, AuditRow, [{**entry, "change_id": change_id} for entry in audit])


async def _insert(session: AsyncSession, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """Insert plain rows (no ids wanted back) in one executemany, which SQLAlchemy batches
    into multi-row statements ("insertmanyvalues"); the Core table skips the ORM's per-row
    bookkeeping."""
    if rows:
        await session.execute(insert(table_of(model)), rows)


async def _insert_returning(
    session: AsyncSession, model: type[Base], rows: list[dict[str, Any]], *keys: str
) -> dict[tuple[Any, ...], int]:
    """Insert the rows as :func:`_insert` does and give their new ids by ``keys``."""
    if not rows:
        return {}
    table = table_of(model)
    statement = insert(table).returning(table.c.id, *(table.c[key] for key in keys))
    return {tuple(found[1:]): found[0] for found in await session.execute(statement, rows)}


async def _fill_details(
    session: AsyncSession, wanted: dict[int, dict[str, str]]
) -> dict[int, dict[str, str]]:
    """Fill in the stored contacts' empty details, one batched statement per field. The
    statement itself checks the field is still empty, so a rep who typed a number since the
    team was read keeps it. Gives what was asked for, by contact, for the audit log."""
    table = table_of(ContactRow)
    written: dict[int, dict[str, str]] = {}
    for name in DETAIL_FIELDS:
        rows: list[dict[str, Any]] = [
            {"contact_id": contact_id, "value": details[name]}
            for contact_id, details in wanted.items()
            if name in details
        ]
        if not rows:
            continue
        column = table.c[name]
        statement = (
            update(table)
            .where(table.c.id == bindparam("contact_id"), column.is_(None))
            .values({column: bindparam("value")})
        )
        await session.execute(statement, rows)
        for row in rows:
            written.setdefault(row["contact_id"], {})[name] = row["value"]
    return written


def _contact_view(row: dict[str, Any]) -> dict[str, Any]:
    view = {"full_name": row["full_name"], "company_id": row["company_id"]}
    return view | {name: row[name] for name in DETAIL_FIELDS if row.get(name)}


def _deal_view(row: dict[str, Any]) -> dict[str, Any]:
    amount = row["amount"]
    return {
        "title": row["title"],
        "stage": row["stage"],
        "amount": None if amount is None else str(amount),
        "currency": row["currency"],
        "company_id": row["company_id"],
        "owner_rep_id": row["owner_rep_id"],
    }
