"""The managers' digests: when they fall due, what they cover, their KPIs and their text.

Pure core code: it reads :class:`~handlers.digest_data.DigestData` (filled by the storage
layer from a few grouped queries) and returns a :class:`~handlers.messages.Reply`.

**When.** A team's daily digest is due on weekdays at ``daily_digest_at`` and its weekly one
at ``weekly_digest_at`` (``MON 08:00``), both on the wall clock of the team's zone, so a team
in Bucharest and one in New York each get theirs at their own 18:00, DST included.

**What it covers.** A digest covers the time since the previous one was due: Tuesday's daily
digest the 24 hours from Monday 18:00, Monday's the weekend too (from Friday 18:00), the
weekly one the seven days from the previous Monday 08:00. Periods follow each other without
gap or overlap, so nothing a rep logs in the evening falls between two digests. A preview
at any moment covers the time since the last due digest ("so far").
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from handlers import timefmt
from handlers.deals import money
from handlers.digest_data import (
    AgendaWindow,
    ClosedDeal,
    DigestData,
    DigestKind,
    DigestSchedule,
    Period,
    StageMoves,
    StageTime,
)
from handlers.domain import PIPELINE, ActivityKind, Role, Stage
from handlers.i18n import N_, _, format_day, ngettext
from handlers.messages import Reply
from handlers.pipeline import is_quiet
from handlers.reminder_card import quote, who
from handlers.terms import kind_count, stage_label

WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
DAILY_WEEKDAYS = frozenset(range(5))
"""The daily digest goes out Monday to Friday."""
LIST_LIMIT = 10
"""Quiet deals and undelivered callbacks listed by name; the rest are counted."""
CLOSED_NAMES = 5
"""Won or lost deals named in the stage moves; the rest are counted."""

_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class ScheduleError(ValueError):
    """A team's digest time is not one this module can read."""


def clock_time(text: str) -> time:
    """``HH:MM`` (24-hour) as a time."""
    found = _CLOCK.match(text.strip())
    if found is None:
        raise ScheduleError(f"{text!r} is not a time like 18:00")
    return time(int(found.group(1)), int(found.group(2)))


def weekly_time(text: str) -> tuple[int, time]:
    """``MON 08:00`` as (weekday, time), Monday being 0."""
    day, _, clock = text.strip().partition(" ")
    if day.upper()[:3] not in WEEKDAYS:
        raise ScheduleError(f"{text!r} is not a weekday and a time like MON 08:00")
    return WEEKDAYS.index(day.upper()[:3]), clock_time(clock)


def _rule(schedule: DigestSchedule, kind: DigestKind) -> tuple[frozenset[int], time]:
    if kind is DigestKind.DAY:
        return DAILY_WEEKDAYS, clock_time(schedule.daily_at)
    if kind is DigestKind.WEEK:
        weekday, at = weekly_time(schedule.weekly_at)
        return frozenset({weekday}), at
    raise ValueError(f"{kind} is not a team digest")


def _on(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The moment the wall clock of ``zone`` shows ``at`` on ``day`` (in a DST gap: the
    moment an hour later, as zoneinfo reads a time that does not exist)."""
    return datetime.combine(day, at, tzinfo=zone)


def latest_slot(
    schedule: DigestSchedule, kind: DigestKind, at: datetime, *, strictly: bool = False
) -> datetime:
    """When the team's digest of ``kind`` was last due at or before ``at`` (before it, if
    ``strictly``), as an aware datetime in the team's zone."""
    days, clock = _rule(schedule, kind)
    zone = ZoneInfo(schedule.timezone)
    today = at.astimezone(zone).date()
    for back in range(15):
        day = today - timedelta(days=back)
        if day.weekday() in days:
            slot = _on(day, clock, zone)
            if slot < at or (slot == at and not strictly):
                return slot
    raise AssertionError("every kind has a slot within two weeks")


def next_slot(schedule: DigestSchedule, kind: DigestKind, after: datetime) -> datetime:
    """When the team's digest of ``kind`` is next due, strictly after ``after``."""
    days, clock = _rule(schedule, kind)
    zone = ZoneInfo(schedule.timezone)
    today = after.astimezone(zone).date()
    for ahead in range(15):
        day = today + timedelta(days=ahead)
        if day.weekday() in days and (slot := _on(day, clock, zone)) > after:
            return slot
    raise AssertionError("every kind has a slot within two weeks")


def period_ending(schedule: DigestSchedule, kind: DigestKind, end: datetime) -> Period:
    """The period a digest composed at ``end`` covers: since the last one due before it."""
    return Period(latest_slot(schedule, kind, end, strictly=True), end)


def week_before(period: Period, timezone: str) -> Period:
    """The same stretch of wall-clock time seven days earlier (the weekly comparison)."""
    zone = ZoneInfo(timezone)

    def back(moment: datetime) -> datetime:
        wall = moment.astimezone(zone).replace(tzinfo=None) - timedelta(days=7)
        return wall.replace(tzinfo=zone)

    return Period(back(period.start), back(period.end))


def due_period(
    schedule: DigestSchedule, kind: DigestKind, now: datetime, grace: timedelta
) -> Period | None:
    """The period whose digest is due at ``now``: the one ending at the latest due time, if
    that was at most ``grace`` ago (a digest much later than its time is news no longer) and
    after the team was created. None when nothing is due."""
    if not schedule.enabled:
        return None
    slot = latest_slot(schedule, kind, now)
    if now - slot > grace or slot < schedule.created_at:
        return None
    return period_ending(schedule, kind, slot)


def agenda_window(
    timezone: str, agenda_at: str, now: datetime, grace: timedelta
) -> AgendaWindow | None:
    """The morning agenda due at ``now`` for reps in ``timezone``, if its time
    (``agenda_at`` on their wall clock, every day) passed at most ``grace`` ago."""
    zone, at = ZoneInfo(timezone), clock_time(agenda_at)
    day = now.astimezone(zone).date()
    slot = _on(day, at, zone)
    if slot > now:
        day -= timedelta(days=1)
        slot = _on(day, at, zone)
    if now - slot > grace:
        return None
    following = day + timedelta(days=1)
    return AgendaWindow(
        timezone=timezone,
        agenda_at=agenda_at,
        slot=slot,
        day=Period(_on(day, time(), zone), _on(following, time(), zone)),
        due_today_only=day.weekday() not in DAILY_WEEKDAYS,
    )


# --- KPIs ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WeekKpis:
    activities: int
    activities_before: int
    won: int
    won_before: int
    lost: int
    win_rate: float | None
    """won / (won + lost) among the deals closed in the week; None if none closed."""
    average_cycle_days: float | None
    """Created to completed, over the deals won in the week; None if none was won."""
    stage_times: tuple[StageTime, ...]


def _closed(data: DigestData, period: Period | None, stage: Stage) -> list[ClosedDeal]:
    if period is None:
        return []
    return [deal for deal in data.closed if deal.stage == stage and deal.closed_at in period]


def kpis(data: DigestData) -> WeekKpis:
    won = _closed(data, data.period, Stage.COMPLETED)
    lost = _closed(data, data.period, Stage.LOST)
    closed = len(won) + len(lost)
    cycles = [(deal.closed_at - deal.created_at).total_seconds() / 86400 for deal in won]
    return WeekKpis(
        activities=sum(item.count for item in data.activities),
        activities_before=sum(item.previous for item in data.activities),
        won=len(won),
        won_before=len(_closed(data, data.previous, Stage.COMPLETED)),
        lost=len(lost),
        win_rate=len(won) / closed if closed else None,
        average_cycle_days=sum(cycles) / len(cycles) if cycles else None,
        stage_times=tuple(sorted(data.stage_times, key=lambda item: PIPELINE.index(item.stage))),
    )


# --- text ------------------------------------------------------------------------------


def _day(moment: datetime, zone: str) -> str:
    return format_day(timefmt.local(moment, zone))


def _moment(moment: datetime, zone: str) -> str:
    return f"{_day(moment, zone)} {timefmt.local(moment, zone):%H:%M}"


def _days(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def amounts(items: Iterable[tuple[Decimal | None, str | None]]) -> str:
    """Amounts added up per currency: ``12,000 EUR + 3,000 USD``."""
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for amount, currency in items:
        if amount is not None:
            sums[currency or ""] += amount
    return " + ".join(money(amount, currency or None) for currency, amount in sorted(sums.items()))


def _counted(count: int, kind: ActivityKind) -> str:
    return kind_count(kind, count)


class _Names:
    def __init__(self, data: DigestData) -> None:
        self._names = {member.rep_id: member.name for member in data.members}

    def __call__(self, rep_id: int) -> str:
        return self._names.get(rep_id) or _("rep #{id}").format(id=rep_id)


def _header(data: DigestData) -> list[str]:
    zone, team = data.schedule.timezone, data.schedule.team_name
    start, end = data.period.start, data.period.end
    if data.kind is DigestKind.WEEK:
        title = _("📊 Weekly digest: {team}, {start} to {end}").format(
            team=team, start=_day(start, zone), end=_day(end, zone)
        )
    else:
        title = _("📊 Daily digest: {team}, {day}").format(team=team, day=_day(end, zone))
    span = _("From {start} to {end}.").format(start=_moment(start, zone), end=_moment(end, zone))
    return [title, span]


def _activity(data: DigestData, name: _Names) -> list[str]:
    per_rep: dict[int, dict[ActivityKind, int]] = defaultdict(dict)
    for item in data.activities:
        if item.count:
            per_rep[item.rep_id][item.kind] = item.count
    total = sum(sum(kinds.values()) for kinds in per_rep.values())
    lines = [
        "\n" + _("Activity: {count} logged").format(count=f"{total:,}")
        if total
        else "\n" + _("Activity: nothing logged.")
    ]
    ranked = sorted(per_rep.items(), key=lambda entry: (-sum(entry[1].values()), name(entry[0])))
    for rep_id, kinds in ranked:
        parts = ", ".join(_counted(kinds[kind], kind) for kind in ActivityKind if kind in kinds)
        if len(kinds) > 1:
            parts = f"{sum(kinds.values()):,} ({parts})"
        lines.append(f"• {name(rep_id)}: {parts}")
    silent = sorted(
        member.name
        for member in data.members
        if member.role is Role.REP and member.rep_id not in per_rep
    )
    if silent:
        lines.append(_("Logged nothing: {names}").format(names=", ".join(silent)))
    return lines


def _deal_names(deals: Sequence[ClosedDeal], name: _Names) -> str:
    """ "Northwind 12,000 EUR (Ana)": each deal with its value and the rep who closed it."""
    shown = [
        " ".join(part for part in (deal.name, money(deal.amount, deal.currency)) if part)
        + f" ({name(deal.owner_rep_id)})"
        for deal in deals[:CLOSED_NAMES]
    ]
    more = (
        " · " + _("and {count} more").format(count=len(deals) - CLOSED_NAMES)
        if len(deals) > CLOSED_NAMES
        else ""
    )
    return " · ".join(shown) + more


def move_kind(move: StageMoves) -> str:
    """``won``, ``lost``, ``new`` (a deal opened), ``back`` (to an earlier stage, or out of
    a closed one: a repeat sale) or ``advanced``."""
    if move.to_stage is Stage.COMPLETED:
        return "won"
    if move.to_stage is Stage.LOST:
        return "lost"
    if move.from_stage is None:
        return "new"
    if move.from_stage.is_closed or PIPELINE.index(move.to_stage) < PIPELINE.index(move.from_stage):
        return "back"
    return "advanced"


_OTHER_MOVES = (("new", N_("New")), ("back", N_("Moved back")))


def _moves(data: DigestData, name: _Names) -> list[str]:
    lines = []
    for stage, label in ((Stage.COMPLETED, N_("Won")), (Stage.LOST, N_("Lost"))):
        deals = sorted(
            _closed(data, data.period, stage),
            key=lambda deal: (-(deal.amount or Decimal(0)), deal.name),
        )
        if deals:
            value = amounts((deal.amount, deal.currency) for deal in deals)
            worth = f" ({value})" if value and stage is Stage.COMPLETED else ""
            lines.append(f"• {_(label)} {len(deals)}{worth}: {_deal_names(deals, name)}")
    advanced: dict[Stage, int] = defaultdict(int)
    counts: dict[str, int] = defaultdict(int)
    for move in data.moves:
        kind = move_kind(move)
        if kind == "advanced":
            advanced[move.to_stage] += move.count
        counts[kind] += move.count
    if advanced:
        targets = ", ".join(
            _("{count} to {stage}").format(count=advanced[stage], stage=stage_label(stage))
            for stage in PIPELINE
            if stage in advanced
        )
        lines.append(
            "• "
            + _("Advanced {count}: {targets}").format(count=sum(advanced.values()), targets=targets)
        )
    others = [f"{_(label)} {counts[kind]}" for kind, label in _OTHER_MOVES if counts[kind]]
    if others:
        lines.append("• " + " · ".join(others))
    return ["\n" + _("Deals:"), *lines] if lines else ["\n" + _("Deals: no stage moves.")]


def _pipeline(data: DigestData, name: _Names) -> list[str]:
    by_stage: dict[Stage, list[tuple[int, Decimal | None, str | None]]] = defaultdict(list)
    for total in data.pipeline:
        by_stage[total.stage].append((total.count, total.amount, total.currency))
    count = sum(total.count for total in data.pipeline)
    if not count:
        return ["\n" + _("Pipeline: no open deals.")]
    overall = amounts((total.amount, total.currency) for total in data.pipeline)
    lines = [
        "\n"
        + _("Pipeline: {count} open").format(count=f"{count:,}")
        + (f", {overall}" if overall else "")
    ]
    for stage in PIPELINE:
        if stage in by_stage:
            rows = by_stage[stage]
            value = amounts((amount, currency) for _, amount, currency in rows)
            in_stage = sum(number for number, _, _ in rows)
            lines.append(f"• {stage_label(stage)}: {in_stage:,}" + (f" · {value}" if value else ""))
    return lines + _pipeline_by_rep(data, name)


def _pipeline_by_rep(data: DigestData, name: _Names) -> list[str]:
    """ "By rep: Ana 4 (15,000 EUR) · Dan 2": who holds the open deals, the most first."""
    per_rep: dict[int, list[tuple[int, Decimal | None, str | None]]] = defaultdict(list)
    for total in data.pipeline_by_rep:
        per_rep[total.rep_id].append((total.count, total.amount, total.currency))
    if len(per_rep) < 2:
        return []  # one owner: the totals above are theirs
    held = {
        rep_id: (sum(count for count, _, _ in rows), name(rep_id))
        for rep_id, rows in per_rep.items()
    }
    parts = []
    for rep_id in sorted(held, key=lambda rep_id: (-held[rep_id][0], held[rep_id][1])):
        count, rep_name = held[rep_id]
        value = amounts((amount, currency) for _, amount, currency in per_rep[rep_id])
        parts.append(f"{rep_name} {count:,}" + (f" ({value})" if value else ""))
    return ["• " + _("By rep: {reps}").format(reps=" · ".join(parts))]


def _overdue(data: DigestData, name: _Names) -> list[str]:
    if not data.overdue:
        return ["\n" + _("Overdue callbacks: none.")]
    zone = data.schedule.timezone
    now = timefmt.local(data.now, zone)
    total = sum(item.count for item in data.overdue)
    lines = ["\n" + _("Overdue callbacks: {count}").format(count=f"{total:,}")]
    for item in sorted(data.overdue, key=lambda entry: (-entry.count, name(entry.rep_id))):
        oldest = timefmt.day_label(timefmt.local(item.oldest_due_at, zone), now)
        lines.append(
            f"• {name(item.rep_id)}: "
            + _("{count}, oldest {day}").format(count=item.count, day=oldest)
        )
    return lines


def _quiet(data: DigestData, name: _Names) -> list[str]:
    quiet = [line for line in data.quiet_candidates if is_quiet(line, data.now, data.idle_limits)]
    if not quiet:
        return ["\n" + _("Gone quiet: none.")]

    def last_news(line_index: int) -> datetime:
        line = quiet[line_index]
        return max(line.last_activity_at or line.deal.updated_at, line.deal.updated_at)

    order = sorted(range(len(quiet)), key=last_news)
    lines = [
        "\n"
        + _("Gone quiet: {count} (no news past the stage's limit, no callback)").format(
            count=len(quiet)
        )
    ]
    for index in order[:LIST_LIMIT]:
        line = quiet[index]
        days = (data.now - last_news(index)).days
        deal = line.company_name or line.deal.title
        stage = stage_label(line.deal.stage)
        silence = ngettext("{days} day without news", "{days} days without news", days)
        lines.append(
            f"⚠ {deal} ({name(line.deal.owner_rep_id)}): {stage}, {silence.format(days=days)}"
        )
    if len(quiet) > LIST_LIMIT:
        lines.append(
            _("… and {count} more: /pipeline lists them all.").format(count=len(quiet) - LIST_LIMIT)
        )
    return lines


def _failed(data: DigestData, name: _Names) -> list[str]:
    if not data.failed_count:
        return []
    zone = data.schedule.timezone
    lines = ["\n" + _("⚠ Callbacks not delivered: {count}").format(count=data.failed_count)]
    for item in data.failed[:LIST_LIMIT]:
        person = who(item.contact_name, item.company_name) or quote(item.text, 60)
        reason = f" ({item.error})" if item.error else ""
        lines.append(
            (
                f"• {name(item.rep_id)}: "
                + _("{person}, due {when}").format(person=person, when=_moment(item.due_at, zone))
                + reason
            )[:300]
        )
    if data.failed_count > len(data.failed[:LIST_LIMIT]):
        lines.append(
            _("… and {count} more.").format(count=data.failed_count - len(data.failed[:LIST_LIMIT]))
        )
    return lines


def _change(now: int, before: int, *, percent: bool) -> str:
    change = f"{(now - before) / before:+.0%}" if percent and before else f"{now - before:+,d}"
    return _("{now} ({before} the week before, {change})").format(
        now=f"{now:,}", before=f"{before:,}", change=change
    )


def _kpis(data: DigestData) -> list[str]:
    figures = kpis(data)
    lines = [
        "\n" + _("This week against the week before:"),
        "• "
        + _("Activities: {change}").format(
            change=_change(figures.activities, figures.activities_before, percent=True)
        ),
        "• "
        + _("Won: {change}").format(change=_change(figures.won, figures.won_before, percent=False)),
    ]
    if figures.win_rate is None:
        lines.append("• " + _("Win rate: no deals closed this week"))
    else:
        lines.append(
            "• "
            + _("Win rate: {rate} ({won} won, {lost} lost)").format(
                rate=f"{figures.win_rate:.0%}", won=figures.won, lost=figures.lost
            )
        )
    if figures.average_cycle_days is not None:
        lines.append(
            "• "
            + _("Sales cycle: {days} days on average, created to completed ({won} won)").format(
                days=_days(figures.average_cycle_days), won=figures.won
            )
        )
    if figures.stage_times:
        times = " · ".join(
            _("{stage} {days} d").format(
                stage=stage_label(item.stage), days=_days(item.average_days)
            )
            for item in figures.stage_times
        )
        lines.append("• " + _("Average time in stage: {times}").format(times=times))
    return lines


def compose(data: DigestData) -> Reply:
    """The digest's text, short and scannable: one section per question a manager asks."""
    name = _Names(data)
    lines = _header(data)
    lines += _activity(data, name)
    lines += _moves(data, name)
    lines += _pipeline(data, name)
    lines += _overdue(data, name)
    lines += _quiet(data, name)
    lines += _failed(data, name)
    if data.kind is DigestKind.WEEK:
        lines += _kpis(data)
    return Reply("\n".join(lines))
