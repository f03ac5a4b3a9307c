"""What the managers' digests are made of, as plain values (read by ``DigestSource``).

The storage layer fills these from a few grouped queries; :mod:`handlers.digest` turns them
into text and KPIs, and ``reminders/charts.py`` into a picture.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from handlers.domain import QUIET_AFTER_DAYS, ActivityKind, DealLine, Role, Stage


class DigestKind(enum.StrEnum):
    DAY = "day"
    """The managers' daily digest: weekdays, at the team's ``daily_digest_at``."""
    WEEK = "week"
    """The managers' weekly digest, with KPIs and a chart, at ``weekly_digest_at``."""
    AGENDA = "agenda"
    """A rep's morning agenda: today's and overdue callbacks, at the team's ``agenda_at``."""


@dataclass(frozen=True, slots=True)
class DigestSchedule:
    """A team's digest settings (``teams`` columns), in the team's own words."""

    team_id: int
    team_name: str
    timezone: str
    """The IANA zone digests are scheduled and shown in."""
    daily_at: str
    """``HH:MM``, weekdays."""
    weekly_at: str
    """``DDD HH:MM``, e.g. ``MON 08:00``."""
    agenda_at: str
    """``HH:MM`` in each rep's own zone."""
    enabled: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Period:
    """``[start, end)``, aware datetimes."""

    start: datetime
    end: datetime

    def __contains__(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


@dataclass(frozen=True, slots=True)
class AgendaWindow:
    """Reps in one zone, on teams with one agenda time, whose agenda is due now."""

    timezone: str
    agenda_at: str
    slot: datetime
    """When the agenda was due (reps created after it wait for tomorrow's)."""
    day: Period
    """The reps' local today; its start keys the sent agenda."""
    due_today_only: bool
    """Weekends: only a callback due that day (not an old overdue one) warrants a message."""


@dataclass(frozen=True, slots=True)
class Member:
    """Someone on the team, as a digest names them."""

    rep_id: int
    name: str
    role: Role


@dataclass(frozen=True, slots=True)
class ActivityCount:
    rep_id: int
    kind: ActivityKind
    count: int
    """In the digest's period."""
    previous: int = 0
    """In the comparison period (the weekly digest's previous week), else 0."""


@dataclass(frozen=True, slots=True)
class StageMoves:
    """How many stage changes in the period went from one stage to another."""

    from_stage: Stage | None
    """None for a deal that was opened in the period."""
    to_stage: Stage
    count: int


@dataclass(frozen=True, slots=True)
class ClosedDeal:
    """A deal won (completed) or lost in the digest's period or the comparison period."""

    deal_id: int
    name: str
    """The company's name, else the deal's title."""
    owner_rep_id: int
    stage: Stage
    amount: Decimal | None
    currency: str | None
    created_at: datetime
    closed_at: datetime


@dataclass(frozen=True, slots=True)
class StageTotal:
    """Open deals in one stage and currency (``currency`` None: no currency stated)."""

    stage: Stage
    currency: str | None
    count: int
    amount: Decimal | None
    """The sum of the priced deals' amounts; None when none of them has one."""


@dataclass(frozen=True, slots=True)
class RepPipeline:
    """One rep's open deals in one currency (``currency`` None: no currency stated)."""

    rep_id: int
    currency: str | None
    count: int
    amount: Decimal | None
    """The sum of the priced deals' amounts; None when none of them has one."""


@dataclass(frozen=True, slots=True)
class OverdueCallbacks:
    rep_id: int
    count: int
    oldest_due_at: datetime


@dataclass(frozen=True, slots=True)
class FailedCallback:
    """A callback reminder that could not be delivered in the period."""

    rep_id: int
    due_at: datetime
    text: str
    contact_name: str | None
    company_name: str | None
    error: str | None


@dataclass(frozen=True, slots=True)
class StageTime:
    """Deals that left a stage in the period, and how long they had been in it."""

    stage: Stage
    exits: int
    average_days: float


@dataclass(frozen=True, slots=True)
class DigestData:
    """Everything one team's digest for one period says, read at ``now``."""

    schedule: DigestSchedule
    kind: DigestKind
    period: Period
    previous: Period | None
    """The week before, for the weekly digest's comparisons; None for the daily one."""
    now: datetime
    members: tuple[Member, ...]
    activities: tuple[ActivityCount, ...]
    moves: tuple[StageMoves, ...]
    closed: tuple[ClosedDeal, ...]
    """Deals closed in ``period`` and, for the weekly digest, in ``previous``."""
    pipeline: tuple[StageTotal, ...]
    overdue: tuple[OverdueCallbacks, ...]
    quiet_candidates: tuple[DealLine, ...]
    """Open deals idle long enough to be quiet; :func:`handlers.pipeline.is_quiet` decides."""
    failed: tuple[FailedCallback, ...]
    failed_count: int
    """All failed in the period; ``failed`` holds only the first few."""
    stage_times: tuple[StageTime, ...] = ()
    """Weekly only: time spent in each stage by the deals that left it in the period."""
    idle_limits: Mapping[Stage, int] = field(default_factory=lambda: dict(QUIET_AFTER_DAYS))
    """The team's idle limit per open stage (days), which decided ``quiet_candidates``."""
    pipeline_by_rep: tuple[RepPipeline, ...] = ()
    """The open pipeline per owner, for "who holds how much"."""
