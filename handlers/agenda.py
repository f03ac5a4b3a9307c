"""``/today``: what a rep has to do now, and what they have done; for a manager, the team's
callbacks due too."""

from __future__ import annotations

from datetime import datetime

from handlers import timefmt
from handlers.domain import ActivityKind, ReminderLine, Rep
from handlers.i18n import _, format_day, ngettext
from handlers.messages import Button, Reply
from handlers.permissions import sees_team
from handlers.ports import UnitOfWork
from handlers.reminder_card import quote
from handlers.terms import kind_count

UPCOMING_LIMIT = 3
TEAM_LINES_PER_REP = 5
"""Callbacks shown per rep in a manager's view of the team; the count says the rest."""
MORNING_BUTTONS = 5
"""Callbacks offered with buttons in the morning agenda; /reminders has the rest."""
_LABEL_LIMIT = 40


def _line(item: ReminderLine, now: datetime, timezone: str, with_day: bool) -> str:
    due = timefmt.local(item.reminder.due_at, timezone)
    if with_day:
        when = f"{timefmt.day_label(due, timefmt.local(now, timezone))} {due:%H:%M}"
    else:
        when = f"{due:%H:%M}"
    who = item.contact_name or item.company_name or ""
    if item.contact_name and item.company_name:
        who = f"{item.contact_name} ({item.company_name})"
    subject = f"{who}: " if who else ""
    return f"• {when} {subject}{item.reminder.text}"


async def today(uow: UnitOfWork, rep: Rep, now: datetime) -> Reply:
    text, _due = await _today(uow, rep, now)
    return Reply(text)


async def morning(
    uow: UnitOfWork, rep: Rep, now: datetime, *, due_today_only: bool = False
) -> Reply | None:
    """The rep's morning agenda: /today's text, with ✓ Done and Move for the first callbacks
    due (overdue first). None when no callback is due today or overdue (with
    ``due_today_only``, on a weekend: when none is due today): better no message than an
    empty one."""
    text, due = await _today(uow, rep, now)
    start, _end = timefmt.day_bounds(now, rep.timezone)
    if not due or (due_today_only and all(item.reminder.due_at < start for item in due)):
        return None
    buttons = []
    for item in due[:MORNING_BUTTONS]:
        name = item.contact_name or item.company_name or quote(item.reminder.text, 24)
        reminder_id = item.reminder.id
        buttons.append(
            (
                Button(
                    _("✓ Done: {name}").format(name=name)[:_LABEL_LIMIT], f"r:done:{reminder_id}"
                ),
                Button(_("Move: {name}").format(name=name)[:_LABEL_LIMIT], f"r:pick:{reminder_id}"),
            )
        )
    greeting = (
        _("☀️ Good morning, {name}!").format(name=rep.display_name)
        if rep.display_name
        else _("☀️ Good morning!")
    )
    return Reply(f"{greeting}\n{text}", tuple(buttons))


async def _today(uow: UnitOfWork, rep: Rep, now: datetime) -> tuple[str, list[ReminderLine]]:
    """/today's text, and the open callbacks due before the end of the day (overdue first)."""
    start, end = timefmt.day_bounds(now, rep.timezone)
    due = await uow.reminders.open_for_rep(rep.id, due_before=end)
    upcoming = await uow.reminders.upcoming_for_rep(rep.id, due_from=end, limit=UPCOMING_LIMIT)
    logged = await uow.activities.count_by_kind(rep.id, since=start, until=end)

    overdue = [item for item in due if item.reminder.due_at < now]
    later_today = [item for item in due if item.reminder.due_at >= now]
    local_now = timefmt.local(now, rep.timezone)
    lines = [_("Today, {day}").format(day=format_day(local_now))]
    if overdue:
        lines.append(_("Overdue ({count}):").format(count=len(overdue)))
        lines += [_line(item, now, rep.timezone, with_day=True) for item in overdue]
    if later_today:
        lines.append(_("Due today:"))
        lines += [_line(item, now, rep.timezone, with_day=False) for item in later_today]
    if not due:
        lines.append(_("No callbacks due today."))
    if upcoming:
        lines.append(_("Coming up:"))
        lines += [_line(item, now, rep.timezone, with_day=True) for item in upcoming]
    if logged:
        parts = [kind_count(kind, count) for kind in ActivityKind if (count := logged.get(kind, 0))]
        lines.append(_("Logged today: {items}.").format(items=", ".join(parts)))
    elif not due and not upcoming:
        lines.append(_('Nothing planned either. Try: "Called Ana at Acme, call back Friday".'))
    lines += await team_due(uow, rep, now, end)
    return "\n".join(lines), due


async def team_due(uow: UnitOfWork, rep: Rep, now: datetime, due_before: datetime) -> list[str]:
    """For a manager or admin, the other reps' open callbacks due before ``due_before``
    (overdue ones included), by rep; nothing for a rep, who sees only their own."""
    if not sees_team(rep):
        return []
    others = [
        line
        for line in await uow.reminders.open_for_team(rep.team_id, due_before=due_before)
        if line.reminder.rep_id != rep.id
    ]
    if not others:
        return []
    names = {
        member.id: member.display_name or member.external_id
        for member in await uow.reps.members(rep.team_id)
    }
    by_rep: dict[int, list[ReminderLine]] = {}
    for line in others:
        by_rep.setdefault(line.reminder.rep_id, []).append(line)
    lines = [_("The team's callbacks:")]
    for rep_id, items in sorted(by_rep.items(), key=lambda item: names.get(item[0], "").lower()):
        overdue = sum(item.reminder.due_at < now for item in items)
        later = len(items) - overdue
        counts = []
        if overdue:
            text = ngettext("{count} overdue", "{count} overdue", overdue)
            counts.append(text.format(count=overdue))
        if later:
            counts.append(
                ngettext("{count} due today", "{count} due today", later).format(count=later)
            )
        name = names.get(rep_id, "?")
        lines.append(f"{name}: {', '.join(counts)}")
        lines += [
            _line(item, now, rep.timezone, with_day=True) for item in items[:TEAM_LINES_PER_REP]
        ]
        if len(items) > TEAM_LINES_PER_REP:
            more = len(items) - TEAM_LINES_PER_REP
            lines.append("• " + _("… and {count} more.").format(count=more))
    return lines


async def switch(uow: UnitOfWork, rep: Rep, args: str) -> Reply:
    """``/agenda``, ``/agenda off``, ``/agenda on``: the rep's own morning agenda."""
    choice = args.strip().lower()
    if choice in ("off", "on"):
        enabled = choice == "on"
        if enabled != rep.agenda_enabled:
            await uow.reps.set_agenda(rep.id, enabled)
        if enabled:
            return Reply(
                _("☀️ Morning agenda on: your callbacks for the day, each working morning.")
            )
        return Reply(
            _("Morning agenda off. /today still shows your day; /agenda on brings it back.")
        )
    if choice:
        return Reply(_("Say /agenda on or /agenda off."))
    if rep.agenda_enabled:
        return Reply(_("Your morning agenda is on. /agenda off turns it off."))
    return Reply(_("Your morning agenda is off. /agenda on turns it on."))
