"""Deals and their stage history, and the one-query pipeline view."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BindParameter,
    Integer,
    Row,
    Select,
    bindparam,
    case,
    delete,
    exists,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.domain import (
    PIPELINE,
    QUIET_AFTER_DAYS,
    Deal,
    DealLine,
    DealTally,
    ReminderStatus,
    Stage,
)
from storage.models import (
    ActivityRow,
    CompanyRow,
    DealRow,
    Id,
    ReminderRow,
    RepRow,
    StageChangeRow,
    StageIdleLimitRow,
    UTCDateTime,
    as_utc,
)
from storage.repositories import _Repository

_LineQuery = Select[*tuple[Any, ...]]
"""A deal's columns, its company's name, its owner's name, last activity, next callback."""
_DEAL_COLUMNS = tuple(DealRow.__table__.columns)
_OPEN_STAGES = [stage.value for stage in Stage if not stage.is_closed]
_OPEN_REMINDERS = [status.value for status in ReminderStatus if status.is_open]


def deal_record(row: DealRow) -> Deal:
    return Deal(
        id=row.id,
        team_id=row.team_id,
        company_id=row.company_id,
        owner_rep_id=row.owner_rep_id,
        title=row.title,
        stage=Stage(row.stage),
        amount=row.amount,
        currency=row.currency,
        created_at=row.created_at,
        updated_at=row.updated_at,
        closed_at=row.closed_at,
        expected_close=row.expected_close,
    )


async def read_idle_limits(session: AsyncSession, team_id: int) -> dict[Stage, int]:
    """The team's idle limits: its own over the defaults (``QUIET_AFTER_DAYS``)."""
    limits = dict(QUIET_AFTER_DAYS)
    rows = await session.execute(
        select(StageIdleLimitRow.stage, StageIdleLimitRow.days).where(
            StageIdleLimitRow.team_id == team_id
        )
    )
    for stage, days in rows:
        if stage in limits:  # a stage this version no longer knows keeps no limit
            limits[Stage(stage)] = days
    return limits


def _line(row: Row[Any]) -> DealLine:
    """A row of :meth:`SqlDeals._lines` as the core's record."""
    return DealLine(
        Deal(
            id=row.id, team_id=row.team_id, company_id=row.company_id,
            owner_rep_id=row.owner_rep_id, title=row.title, stage=Stage(row.stage),
            amount=row.amount, currency=row.currency, created_at=row.created_at,
            updated_at=row.updated_at, closed_at=row.closed_at,
            expected_close=row.expected_close,
        ),
        row.company_name, row.owner_name, row.last_activity_at, row.next_callback_at,
    )  # fmt: skip


def _line_query(
    team_id: int | BindParameter[int], now: datetime | BindParameter[datetime]
) -> _LineQuery:
    """Deals with their company, owner, the company's last activity and next callback.

    Both are correlated per deal: one step down the ``(company_id, occurred_at)`` and
    ``(company_id, due_at)`` indexes each, never an aggregate over the team's history.
    """
    last_activity = as_utc(
        select(func.max(ActivityRow.occurred_at))
        .where(ActivityRow.company_id == DealRow.company_id)
        .correlate(DealRow)
        .scalar_subquery()
    )
    next_callback = as_utc(
        select(func.min(ReminderRow.due_at))
        .where(
            ReminderRow.company_id == DealRow.company_id,
            ReminderRow.status.in_(_OPEN_REMINDERS),
            ReminderRow.due_at >= now,
        )
        .correlate(DealRow)
        .scalar_subquery()
    )
    # Columns, not ORM entities: a manager's /pipeline reads a whole team's open deals,
    # and building an identity-mapped object per row costs more than the query.
    return (
        select(
            *_DEAL_COLUMNS,
            CompanyRow.name.label("company_name"),
            RepRow.display_name.label("owner_name"),
            last_activity.label("last_activity_at"),
            next_callback.label("next_callback_at"),
        )
        .join(RepRow, RepRow.id == DealRow.owner_rep_id)
        .outerjoin(CompanyRow, CompanyRow.id == DealRow.company_id)
        .where(DealRow.team_id == team_id)
    )


@functools.cache
def _quiet_query(*, by_owner: bool) -> _LineQuery:
    """:meth:`SqlDeals.quiet_lines`' statement, built once with bound parameters (``team_id``,
    ``owner_rep_id``, ``now``, ``limit`` and a ``cutoff_<stage>`` per open stage): building
    and keying it anew took a third of what PostgreSQL took to run it.

    ``handlers.pipeline.is_quiet`` in SQL: untouched since the stage's cut-off, no activity
    with the company since then, no open callback ahead. Each deal costs one step down the
    ``(company_id, occurred_at)`` and ``(company_id, due_at)`` indexes; only the first
    ``limit`` are read, with their last activity, and a window count says how many in all."""
    team_id = bindparam("team_id", type_=Id)
    now = bindparam("now", type_=UTCDateTime())
    cutoff = case(
        {stage: bindparam(f"cutoff_{stage}", type_=UTCDateTime()) for stage in _OPEN_STAGES},
        value=DealRow.stage,
    )  # NULL (never quiet) for a stage without a limit
    news_since = exists().where(
        ActivityRow.company_id == DealRow.company_id, ActivityRow.occurred_at >= cutoff
    )
    callback_ahead = exists().where(
        ReminderRow.company_id == DealRow.company_id,
        ReminderRow.status.in_(_OPEN_REMINDERS),
        ReminderRow.due_at >= now,
    )
    quiet = (
        select(DealRow.id, func.count().over().label("quiet_count"))
        .join(RepRow, RepRow.id == DealRow.owner_rep_id)
        .where(
            DealRow.team_id == team_id,
            DealRow.stage.in_(_OPEN_STAGES),
            DealRow.updated_at < cutoff,
            ~news_since,
            ~callback_ahead,
        )
        .order_by(RepRow.display_name, DealRow.id)
        .limit(bindparam("limit", type_=Integer()))
    )
    if by_owner:
        quiet = quiet.where(DealRow.owner_rep_id == bindparam("owner_rep_id", type_=Id))
    first = quiet.subquery()
    return (
        _line_query(team_id, now)
        .add_columns(first.c.quiet_count)
        .join(first, first.c.id == DealRow.id)
        .order_by(RepRow.display_name, DealRow.id)
    )


@functools.cache
def _first_open_query(*, by_owner: bool) -> _LineQuery:
    """:meth:`SqlDeals.first_open_lines`' statement, built once, as :func:`_quiet_query`."""
    team_id = bindparam("team_id", type_=Id)
    order = case({stage.value: index for index, stage in enumerate(PIPELINE)}, value=DealRow.stage)
    first = (
        select(DealRow.id)
        .where(DealRow.team_id == team_id, DealRow.stage.in_(_OPEN_STAGES))
        .order_by(order, DealRow.id)
        .limit(bindparam("limit", type_=Integer()))
    )
    if by_owner:
        first = first.where(DealRow.owner_rep_id == bindparam("owner_rep_id", type_=Id))
    # The last activity and next callback of these few deals only, not of every open deal.
    now = bindparam("now", type_=UTCDateTime())
    return _line_query(team_id, now).where(DealRow.id.in_(first)).order_by(order, DealRow.id)


_OPEN_FOR_COMPANY = (
    select(DealRow)
    .where(
        DealRow.team_id == bindparam("team_id"),
        DealRow.company_id == bindparam("company_id"),
        DealRow.stage.in_(_OPEN_STAGES),
    )
    .order_by(DealRow.created_at.desc(), DealRow.id.desc())
    .limit(1)
)
"""Asked of every capture that names a company; built once (see storage.repositories)."""


class SqlDeals(_Repository):
    async def open_for_company(self, team_id: int, company_id: int) -> Deal | None:
        values = {"team_id": team_id, "company_id": company_id}
        row = await self._session.scalar(_OPEN_FOR_COMPANY, values)
        return deal_record(row) if row else None

    async def latest_for_company(self, team_id: int, company_id: int) -> Deal | None:
        row = await self._session.scalar(
            select(DealRow)
            .where(DealRow.team_id == team_id, DealRow.company_id == company_id)
            .order_by(DealRow.created_at.desc(), DealRow.id.desc())
            .limit(1)
        )
        return deal_record(row) if row else None

    async def get(self, team_id: int, deal_id: int) -> Deal | None:
        row = await self._session.scalar(
            select(DealRow).where(DealRow.team_id == team_id, DealRow.id == deal_id)
        )
        return deal_record(row) if row else None

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
        row = DealRow(
            team_id=team_id,
            company_id=company_id,
            owner_rep_id=owner_rep_id,
            title=title,
            stage=stage.value,
            amount=amount,
            currency=currency,
            created_at=at,
            updated_at=at,
            closed_at=at if stage.is_closed else None,
        )
        await self._insert(row)
        await self._insert(
            StageChangeRow(
                team_id=team_id,
                deal_id=row.id,
                rep_id=owner_rep_id,
                from_stage=None,
                to_stage=stage.value,
                changed_at=at,
            )
        )
        return deal_record(row)

    async def _team_row(self, team_id: int, deal_id: int) -> DealRow:
        return (
            await self._session.scalars(
                select(DealRow).where(DealRow.team_id == team_id, DealRow.id == deal_id)
            )
        ).one()

    async def move(
        self, team_id: int, deal_id: int, to_stage: Stage, rep_id: int, at: datetime
    ) -> Deal:
        row = await self._team_row(team_id, deal_id)
        from_stage = row.stage
        row.stage, row.updated_at = to_stage.value, at
        row.closed_at = at if to_stage.is_closed else None
        await self._insert(
            StageChangeRow(
                team_id=row.team_id,
                deal_id=deal_id,
                rep_id=rep_id,
                from_stage=from_stage,
                to_stage=to_stage.value,
                changed_at=at,
            )
        )
        return deal_record(row)

    async def set_amount(
        self, team_id: int, deal_id: int, amount: Decimal, currency: str | None, at: datetime
    ) -> Deal:
        row = await self._team_row(team_id, deal_id)
        row.amount, row.currency, row.updated_at = amount, currency, at
        await self._session.flush()
        return deal_record(row)

    async def delete(self, team_id: int, deal_id: int) -> bool:
        row = await self._session.scalar(
            select(DealRow).where(DealRow.team_id == team_id, DealRow.id == deal_id)
        )
        if row is None:
            return False
        await self._session.execute(delete(StageChangeRow).where(StageChangeRow.deal_id == deal_id))
        await self._session.delete(row)
        await self._session.flush()
        return True

    async def revert(self, team_id: int, deal_id: int, before: Deal) -> Deal | None:
        row = await self._session.scalar(
            select(DealRow).where(DealRow.team_id == team_id, DealRow.id == deal_id)
        )
        if row is None:
            return None
        if row.stage != before.stage.value:
            last_move = await self._session.scalar(
                select(StageChangeRow)
                .where(StageChangeRow.deal_id == deal_id)
                .order_by(StageChangeRow.changed_at.desc(), StageChangeRow.id.desc())
                .limit(1)
            )
            if last_move is not None and last_move.from_stage == before.stage.value:
                await self._session.delete(last_move)
        row.stage, row.amount, row.currency = before.stage.value, before.amount, before.currency
        row.updated_at, row.closed_at = before.updated_at, before.closed_at
        await self._session.flush()
        return deal_record(row)

    async def open_lines(
        self, team_id: int, owner_rep_id: int | None, now: datetime
    ) -> list[DealLine]:
        query = self._lines(team_id, now).where(DealRow.stage.in_(_OPEN_STAGES))
        if owner_rep_id is not None:
            query = query.where(DealRow.owner_rep_id == owner_rep_id)
        return await self._read_lines(query.order_by(RepRow.display_name, DealRow.id))

    async def line(self, team_id: int, deal_id: int, now: datetime) -> DealLine | None:
        lines = await self._read_lines(self._lines(team_id, now).where(DealRow.id == deal_id))
        return lines[0] if lines else None

    async def open_tallies(self, team_id: int, owner_rep_id: int | None) -> list[DealTally]:
        query = (
            select(
                RepRow.display_name, DealRow.stage, DealRow.currency,
                func.count(), func.sum(DealRow.amount),
            )
            .join(RepRow, RepRow.id == DealRow.owner_rep_id)
            .where(DealRow.team_id == team_id, DealRow.stage.in_(_OPEN_STAGES))
            .group_by(RepRow.display_name, DealRow.stage, DealRow.currency)
        )  # fmt: skip
        if owner_rep_id is not None:
            query = query.where(DealRow.owner_rep_id == owner_rep_id)
        rows = await self._session.execute(query)
        return [
            DealTally(owner, Stage(stage), currency, count, amount)
            for owner, stage, currency, count, amount in rows
        ]

    async def quiet_lines(
        self,
        team_id: int,
        owner_rep_id: int | None,
        now: datetime,
        limits: Mapping[Stage, int],
        limit: int,
    ) -> tuple[list[DealLine], int]:
        """``handlers.pipeline.is_quiet`` in SQL (:func:`_quiet_query`)."""
        if limit <= 0:
            return [], 0
        parameters: dict[str, Any] = {
            "team_id": team_id, "owner_rep_id": owner_rep_id, "now": now, "limit": limit,
        } | {
            f"cutoff_{stage}": now - timedelta(days=limits[Stage(stage)])
            if Stage(stage) in limits else None  # no limit: never quiet
            for stage in _OPEN_STAGES
        }  # fmt: skip
        query = _quiet_query(by_owner=owner_rep_id is not None)
        rows = list(await self._session.execute(query, parameters))
        return [_line(row) for row in rows], (rows[0].quiet_count if rows else 0)

    async def first_open_lines(
        self, team_id: int, owner_rep_id: int | None, now: datetime, limit: int
    ) -> list[DealLine]:
        query = _first_open_query(by_owner=owner_rep_id is not None)
        parameters = {"team_id": team_id, "owner_rep_id": owner_rep_id, "now": now, "limit": limit}
        return [_line(row) for row in await self._session.execute(query, parameters)]

    def _lines(
        self, team_id: int | BindParameter[int], now: datetime | BindParameter[datetime]
    ) -> _LineQuery:
        return _line_query(team_id, now)

    async def _read_lines(self, query: _LineQuery) -> list[DealLine]:
        return [_line(row) for row in await self._session.execute(query)]

    async def open_of_company(self, team_id: int, company_id: int) -> list[Deal]:
        rows = await self._session.scalars(
            select(DealRow)
            .where(
                DealRow.team_id == team_id,
                DealRow.company_id == company_id,
                DealRow.stage.in_(_OPEN_STAGES),
            )
            .order_by(DealRow.created_at, DealRow.id)
        )
        return [deal_record(row) for row in rows]

    async def idle_limits(self, team_id: int) -> dict[Stage, int]:
        return await read_idle_limits(self._session, team_id)

    async def set_idle_limit(self, team_id: int, stage: Stage, days: int | None) -> None:
        if stage not in QUIET_AFTER_DAYS:
            raise ValueError(f"{stage.value} has no idle limit: it is not an open stage")
        row = await self._session.get(StageIdleLimitRow, (team_id, stage.value))
        if days is None:
            if row is not None:
                await self._session.delete(row)
        elif row is None:
            self._session.add(StageIdleLimitRow(team_id=team_id, stage=stage.value, days=days))
        else:
            row.days = days
        await self._session.flush()
