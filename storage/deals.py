"""Deals and their stage history, and the one-query pipeline view."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import delete, func, select
from sqlalchemy.orm import aliased

from handlers.domain import Deal, DealLine, ReminderStatus, Stage
from storage.models import (
    ActivityRow,
    CompanyRow,
    DealRow,
    ReminderRow,
    RepRow,
    StageChangeRow,
    as_utc,
)
from storage.repositories import _Repository

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
    )


class SqlDeals(_Repository):
    async def open_for_company(self, team_id: int, company_id: int) -> Deal | None:
        row = await self._session.scalar(
            select(DealRow)
            .where(
                DealRow.team_id == team_id,
                DealRow.company_id == company_id,
                DealRow.stage.in_(_OPEN_STAGES),
            )
            .order_by(DealRow.created_at.desc(), DealRow.id.desc())
            .limit(1)
        )
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

    async def move(self, deal_id: int, to_stage: Stage, rep_id: int, at: datetime) -> Deal:
        row = await self._session.get_one(DealRow, deal_id)
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
        self, deal_id: int, amount: Decimal, currency: str | None, at: datetime
    ) -> Deal:
        row = await self._session.get_one(DealRow, deal_id)
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
        last_activity = (
            select(ActivityRow.company_id, as_utc(func.max(ActivityRow.occurred_at)).label("at"))
            .where(ActivityRow.team_id == team_id)
            .group_by(ActivityRow.company_id)
            .subquery()
        )
        next_callback = (
            select(ReminderRow.company_id, as_utc(func.min(ReminderRow.due_at)).label("at"))
            .where(
                ReminderRow.team_id == team_id,
                ReminderRow.status.in_(_OPEN_REMINDERS),
                ReminderRow.due_at >= now,
            )
            .group_by(ReminderRow.company_id)
            .subquery()
        )
        owner = aliased(RepRow)
        query = (
            select(
                DealRow, CompanyRow.name, owner.display_name, last_activity.c.at, next_callback.c.at
            )
            .join(owner, owner.id == DealRow.owner_rep_id)
            .outerjoin(CompanyRow, CompanyRow.id == DealRow.company_id)
            .outerjoin(last_activity, last_activity.c.company_id == DealRow.company_id)
            .outerjoin(next_callback, next_callback.c.company_id == DealRow.company_id)
            .where(DealRow.team_id == team_id, DealRow.stage.in_(_OPEN_STAGES))
            .order_by(owner.display_name, DealRow.id)
        )
        if owner_rep_id is not None:
            query = query.where(DealRow.owner_rep_id == owner_rep_id)
        rows = await self._session.execute(query)
        return [
            DealLine(deal_record(deal), company, owner_name, last, upcoming)
            for deal, company, owner_name, last, upcoming in rows
        ]
