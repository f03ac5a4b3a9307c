"""The managers' digests from the database: each section one grouped query, scoped by team
and period through the ``(team_id, occurred_at)`` and ``(team_id, changed_at)`` indexes, never
a loop over reps. And the ``sent_digests`` table that makes each digest go out once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVarTuple

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    delete,
    exists,
    extract,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute, aliased

from handlers.digest import LIST_LIMIT
from handlers.digest_data import (
    ActivityCount,
    AgendaWindow,
    ClosedDeal,
    DigestData,
    DigestKind,
    DigestSchedule,
    FailedCallback,
    Member,
    OverdueCallbacks,
    Period,
    RepPipeline,
    StageMoves,
    StageTime,
    StageTotal,
)
from handlers.domain import (
    ActivityKind,
    DealLine,
    Recipients,
    ReminderStatus,
    Rep,
    Role,
    Stage,
)
from storage.database import conflict_insert
from storage.deals import deal_record, read_idle_limits
from storage.models import (
    ActivityRow,
    CompanyRow,
    ContactRow,
    DealRow,
    ReminderRow,
    RepRow,
    SentDigestRow,
    StageChangeRow,
    TeamRow,
    as_utc,
)
from storage.repositories import rep_record

_OPEN_STAGES = [stage.value for stage in Stage if not stage.is_closed]


async def _open_deal_sums(
    session: AsyncSession, team_id: int, by: InstrumentedAttribute[Any]
) -> Sequence[Any]:
    """The team's open deals counted and summed per ``by`` and currency."""
    result = await session.execute(
        select(by, DealRow.currency, func.count(), func.sum(DealRow.amount))
        .where(DealRow.team_id == team_id, DealRow.stage.in_(_OPEN_STAGES))
        .group_by(by, DealRow.currency)
    )
    return result.all()


_CLOSED_STAGES = [stage.value for stage in Stage if stage.is_closed]
_OPEN_REMINDERS = [status.value for status in ReminderStatus if status.is_open]
_MANAGING_ROLES = [Role.MANAGER.value, Role.ADMIN.value]
_Columns = TypeVarTuple("_Columns")


def schedule_record(row: TeamRow) -> DigestSchedule:
    return DigestSchedule(
        team_id=row.id,
        team_name=row.name,
        timezone=row.timezone,
        daily_at=row.daily_digest_at,
        weekly_at=row.weekly_digest_at,
        agenda_at=row.agenda_at,
        enabled=row.digests_enabled,
        created_at=row.created_at,
    )


class SqlDigestSource:
    def __init__(self, engine: AsyncEngine) -> None:
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._dialect = engine.dialect.name

    async def schedules(self) -> list[DigestSchedule]:
        async with self._sessions() as session:
            rows = await session.scalars(select(TeamRow).order_by(TeamRow.id))
            return [schedule_record(row) for row in rows]

    async def digest(
        self,
        schedule: DigestSchedule,
        kind: DigestKind,
        period: Period,
        previous: Period | None,
        now: datetime,
    ) -> DigestData:
        team_id = schedule.team_id
        async with self._sessions() as session:
            failed, failed_count = await self._failed(session, team_id, period)
            limits = await read_idle_limits(session, team_id)
            return DigestData(
                schedule=schedule,
                kind=kind,
                period=period,
                previous=previous,
                now=now,
                members=await self._members(session, team_id),
                activities=await self._activities(session, team_id, period, previous),
                moves=await self._moves(session, team_id, period),
                closed=await self._closed(session, team_id, period, previous),
                pipeline=await self._pipeline(session, team_id),
                pipeline_by_rep=await self._pipeline_by_rep(session, team_id),
                overdue=await self._overdue(session, team_id, now),
                quiet_candidates=await self._quiet_candidates(session, team_id, now, limits),
                idle_limits=limits,
                failed=failed,
                failed_count=failed_count,
                stage_times=(
                    await self._stage_times(session, team_id, period)
                    if kind is DigestKind.WEEK
                    else ()
                ),
            )

    async def _members(self, session: AsyncSession, team_id: int) -> tuple[Member, ...]:
        rows = await session.execute(
            select(RepRow.id, RepRow.display_name, RepRow.external_id, RepRow.role)
            .where(RepRow.team_id == team_id)
            .order_by(RepRow.id)
        )
        return tuple(Member(id, name or external, Role(role)) for id, name, external, role in rows)

    async def _activities(
        self, session: AsyncSession, team_id: int, period: Period, previous: Period | None
    ) -> tuple[ActivityCount, ...]:
        occurred = ActivityRow.occurred_at
        current = func.count().filter(occurred >= period.start, occurred < period.end)
        before: ColumnElement[int] = literal(0)
        start = period.start
        if previous is not None:
            before = func.count().filter(occurred >= previous.start, occurred < previous.end)
            start = min(start, previous.start)
        rows = await session.execute(
            select(ActivityRow.rep_id, ActivityRow.kind, current, before)
            .where(ActivityRow.team_id == team_id, occurred >= start, occurred < period.end)
            .group_by(ActivityRow.rep_id, ActivityRow.kind)
        )
        return tuple(
            ActivityCount(rep_id, ActivityKind(kind), count, previous_count)
            for rep_id, kind, count, previous_count in rows
        )

    async def _moves(
        self, session: AsyncSession, team_id: int, period: Period
    ) -> tuple[StageMoves, ...]:
        changed = StageChangeRow.changed_at
        rows = await session.execute(
            select(StageChangeRow.from_stage, StageChangeRow.to_stage, func.count())
            .where(
                StageChangeRow.team_id == team_id,
                changed >= period.start,
                changed < period.end,
            )
            .group_by(StageChangeRow.from_stage, StageChangeRow.to_stage)
        )
        return tuple(
            StageMoves(Stage(source) if source else None, Stage(target), count)
            for source, target, count in rows
        )

    async def _closed(
        self, session: AsyncSession, team_id: int, period: Period, previous: Period | None
    ) -> tuple[ClosedDeal, ...]:
        start = min(period.start, previous.start) if previous is not None else period.start
        rows = await session.execute(
            select(DealRow, CompanyRow.name)
            .outerjoin(CompanyRow, CompanyRow.id == DealRow.company_id)
            .where(
                DealRow.team_id == team_id,
                DealRow.stage.in_(_CLOSED_STAGES),
                DealRow.closed_at >= start,
                DealRow.closed_at < period.end,
            )
            .order_by(DealRow.closed_at, DealRow.id)
        )
        closed = []
        for deal, company in rows:
            assert deal.closed_at is not None
            closed.append(
                ClosedDeal(
                    deal_id=deal.id,
                    name=company or deal.title,
                    owner_rep_id=deal.owner_rep_id,
                    stage=Stage(deal.stage),
                    amount=deal.amount,
                    currency=deal.currency,
                    created_at=deal.created_at,
                    closed_at=deal.closed_at,
                )
            )
        return tuple(closed)

    async def _pipeline(self, session: AsyncSession, team_id: int) -> tuple[StageTotal, ...]:
        rows = await _open_deal_sums(session, team_id, DealRow.stage)
        return tuple(
            StageTotal(Stage(stage), currency, count, _decimal(amount))
            for stage, currency, count, amount in rows
        )

    async def _pipeline_by_rep(
        self, session: AsyncSession, team_id: int
    ) -> tuple[RepPipeline, ...]:
        rows = await _open_deal_sums(session, team_id, DealRow.owner_rep_id)
        return tuple(
            RepPipeline(rep_id, currency, count, _decimal(amount))
            for rep_id, currency, count, amount in rows
        )

    async def _overdue(
        self, session: AsyncSession, team_id: int, now: datetime
    ) -> tuple[OverdueCallbacks, ...]:
        rows = await session.execute(
            select(ReminderRow.rep_id, func.count(), as_utc(func.min(ReminderRow.due_at)))
            .where(
                ReminderRow.team_id == team_id,
                ReminderRow.status.in_(_OPEN_REMINDERS),
                ReminderRow.due_at < now,
            )
            .group_by(ReminderRow.rep_id)
        )
        return tuple(OverdueCallbacks(rep_id, count, oldest) for rep_id, count, oldest in rows)

    async def _quiet_candidates(
        self, session: AsyncSession, team_id: int, now: datetime, limits: Mapping[Stage, int]
    ) -> tuple[DealLine, ...]:
        """Open deals untouched for longer than their stage's quiet limit (no deal goes quiet
        sooner), with their company's last activity and next open callback (as ``/pipeline``);
        :func:`handlers.pipeline.is_quiet` decides which are quiet."""
        idle = and_(
            DealRow.team_id == team_id,
            or_(
                *(
                    and_(
                        DealRow.stage == stage.value,
                        DealRow.updated_at < now - timedelta(days=limit),
                    )
                    for stage, limit in limits.items()
                )
            ),
        )
        companies = select(DealRow.company_id).where(idle, DealRow.company_id.is_not(None))
        # Per deal, one step down the (company_id, occurred_at) index: not an aggregate over
        # the companies' whole history.
        last_activity = as_utc(
            select(func.max(ActivityRow.occurred_at))
            .where(ActivityRow.company_id == DealRow.company_id)
            .correlate(DealRow)
            .scalar_subquery()
        )
        next_callback = (
            select(ReminderRow.company_id, as_utc(func.min(ReminderRow.due_at)).label("at"))
            .where(
                ReminderRow.team_id == team_id,
                ReminderRow.status.in_(_OPEN_REMINDERS),
                ReminderRow.due_at >= now,
                ReminderRow.company_id.in_(companies),
            )
            .group_by(ReminderRow.company_id)
            .subquery()
        )
        owner = aliased(RepRow)
        rows = await session.execute(
            select(DealRow, CompanyRow.name, owner.display_name, last_activity, next_callback.c.at)
            .join(owner, owner.id == DealRow.owner_rep_id)
            .outerjoin(CompanyRow, CompanyRow.id == DealRow.company_id)
            .outerjoin(next_callback, next_callback.c.company_id == DealRow.company_id)
            .where(idle)
            .order_by(DealRow.id)
        )
        return tuple(
            DealLine(deal_record(deal), company, owner_name, last, upcoming)
            for deal, company, owner_name, last, upcoming in rows
        )

    async def _failed(
        self, session: AsyncSession, team_id: int, period: Period
    ) -> tuple[tuple[FailedCallback, ...], int]:
        failed_at = func.coalesce(ReminderRow.failed_at, ReminderRow.due_at)
        contact, company = aliased(ContactRow), aliased(CompanyRow)
        rows = list(
            await session.execute(
                select(ReminderRow, contact.full_name, company.name, func.count().over())
                .outerjoin(contact, contact.id == ReminderRow.contact_id)
                .outerjoin(
                    company,
                    company.id == func.coalesce(ReminderRow.company_id, contact.company_id),
                )
                .where(
                    ReminderRow.team_id == team_id,
                    ReminderRow.status == ReminderStatus.FAILED.value,
                    failed_at >= period.start,
                    failed_at < period.end,
                )
                .order_by(ReminderRow.due_at, ReminderRow.id)
                .limit(LIST_LIMIT)
            )
        )
        failed = tuple(
            FailedCallback(
                rep_id=reminder.rep_id,
                due_at=reminder.due_at,
                text=reminder.text,
                contact_name=contact_name,
                company_name=company_name,
                error=reminder.last_error,
            )
            for reminder, contact_name, company_name, _ in rows
        )
        return failed, (rows[0][3] if rows else 0)

    async def _stage_times(
        self, session: AsyncSession, team_id: int, period: Period
    ) -> tuple[StageTime, ...]:
        """For each stage, the deals that left it in the period and their average stay: the
        time from the change that entered the stage to the one that left it."""
        changed = StageChangeRow.changed_at
        moved = select(StageChangeRow.deal_id).where(
            StageChangeRow.team_id == team_id, changed >= period.start, changed < period.end
        )
        history = (
            select(
                StageChangeRow.from_stage,
                changed.label("left_at"),
                func.lag(changed)
                .over(partition_by=StageChangeRow.deal_id, order_by=(changed, StageChangeRow.id))
                .label("entered_at"),
            )
            .where(StageChangeRow.team_id == team_id, StageChangeRow.deal_id.in_(moved))
            .subquery()
        )
        stay = self._seconds(history.c.left_at, history.c.entered_at)
        rows = await session.execute(
            select(history.c.from_stage, func.count(), func.avg(stay))
            .where(
                history.c.from_stage.is_not(None),
                history.c.entered_at.is_not(None),
                history.c.left_at >= period.start,
                history.c.left_at < period.end,
            )
            .group_by(history.c.from_stage)
        )
        return tuple(
            StageTime(Stage(stage), exits, float(seconds) / 86400)
            for stage, exits, seconds in rows
            if seconds is not None
        )

    def _seconds(self, later: Any, earlier: Any) -> ColumnElement[Any]:
        if self._dialect == "postgresql":
            return extract("epoch", later - earlier)
        # SQLite keeps times as ISO text, which julianday() reads (in days).
        return (func.julianday(later) - func.julianday(earlier)) * 86400.0

    async def unsent_managers(
        self, kind: DigestKind, periods: Mapping[int, datetime], recipients: Recipients | None
    ) -> dict[int, list[Rep]]:
        if not periods:
            return {}
        async with self._sessions() as session:
            managers = await session.scalars(
                _served(
                    select(RepRow).where(
                        RepRow.team_id.in_(sorted(periods)), RepRow.role.in_(_MANAGING_ROLES)
                    ),
                    recipients,
                ).order_by(RepRow.id)
            )
            sent = await session.execute(
                select(
                    SentDigestRow.team_id, SentDigestRow.rep_id, SentDigestRow.period_start
                ).where(
                    SentDigestRow.kind == kind.value,
                    SentDigestRow.team_id.in_(sorted(periods)),
                    SentDigestRow.period_start.in_(sorted(set(periods.values()))),
                )
            )
            done = {(team, rep) for team, rep, start in sent if start == periods[team]}
            unsent: dict[int, list[Rep]] = {}
            for row in managers:
                if (row.team_id, row.id) not in done:
                    unsent.setdefault(row.team_id, []).append(rep_record(row))
            return unsent

    async def agenda_settings(self, recipients: Recipients | None) -> list[tuple[str, str]]:
        query = (
            select(RepRow.timezone, TeamRow.agenda_at)
            .join(TeamRow, TeamRow.id == RepRow.team_id)
            .distinct()
        )
        async with self._sessions() as session:
            rows = await session.execute(_served(query, recipients))
            return sorted((zone, at) for zone, at in rows)

    async def agenda_due(
        self, windows: Sequence[AgendaWindow], recipients: Recipients | None
    ) -> list[tuple[Rep, str]]:
        if not windows:
            return []
        conditions = []
        for window in windows:
            due = [
                ReminderRow.rep_id == RepRow.id,
                ReminderRow.status.in_(_OPEN_REMINDERS),
                ReminderRow.due_at < window.day.end,
            ]
            if window.due_today_only:
                due.append(ReminderRow.due_at >= window.day.start)
            sent = exists().where(
                SentDigestRow.team_id == RepRow.team_id,
                SentDigestRow.kind == DigestKind.AGENDA.value,
                SentDigestRow.period_start == window.day.start,
                SentDigestRow.rep_id == RepRow.id,
            )
            conditions.append(
                and_(
                    RepRow.timezone == window.timezone,
                    TeamRow.agenda_at == window.agenda_at,
                    RepRow.created_at <= window.slot,
                    RepRow.agenda_enabled.is_(True),
                    exists().where(*due),
                    ~sent,
                )
            )
        query = (
            select(RepRow, TeamRow.agenda_at)
            .join(TeamRow, TeamRow.id == RepRow.team_id)
            .where(or_(*conditions))
        )
        async with self._sessions() as session:
            rows = await session.execute(_served(query, recipients).order_by(RepRow.id))
            return [(rep_record(row), agenda_at) for row, agenda_at in rows]

    async def claim(
        self, team_id: int, rep_id: int, kind: DigestKind, period_start: datetime, at: datetime
    ) -> bool:
        statement = (
            conflict_insert(self._dialect, SentDigestRow)
            .values(
                team_id=team_id,
                rep_id=rep_id,
                kind=kind.value,
                period_start=period_start,
                sent_at=at,
            )
            .on_conflict_do_nothing()
            .returning(SentDigestRow.rep_id)
        )
        async with self._sessions() as session, session.begin():
            # RETURNING, not rowcount: drivers disagree on rowcount after DO NOTHING.
            return (await session.scalar(statement)) is not None

    async def release(
        self, team_id: int, rep_id: int, kind: DigestKind, period_start: datetime
    ) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(
                delete(SentDigestRow).where(
                    SentDigestRow.team_id == team_id,
                    SentDigestRow.rep_id == rep_id,
                    SentDigestRow.kind == kind.value,
                    SentDigestRow.period_start == period_start,
                )
            )


def _served(query: Select[*_Columns], recipients: Recipients | None) -> Select[*_Columns]:
    """The query (over ``reps``) narrowed to ``recipients`` (all when None)."""
    if recipients is None:
        return query
    query = query.where(RepRow.platform.in_(sorted(recipients.platforms)))
    if recipients.external_id is not None:
        query = query.where(RepRow.external_id == recipients.external_id)
    return query


def _decimal(value: Any) -> Decimal | None:
    """SQLite sums NUMERIC as a float: back to cents."""
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(round(value, 2)))
