"""``/today``: what a rep has to do now, and what they have done."""

from __future__ import annotations

from datetime import datetime

from handlers import texts, timefmt
from handlers.domain import ActivityKind, ReminderLine, Rep
from handlers.messages import Button, Reply
from handlers.ports import UnitOfWork
from handlers.reminder_card import quote

UPCOMING_LIMIT = 3
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
    text, _ = await _today(uow, rep, now)
    return Reply(text)


async def morning(
    uow: UnitOfWork, rep: Rep, now: datetime, *, due_today_only: bool = False
) -> Reply | None:
    """The rep's morning agenda: /today's text, with ✓ Done and Move for the first callbacks
    due (overdue first). None when no callback is due today or overdue (with
    ``due_today_only``, on a weekend: when none is due today): better no message than an
    empty one."""
    text, due = await _today(uow, rep, now)
    start, _ = timefmt.day_bounds(now, rep.timezone)
    if not due or (due_today_only and all(item.reminder.due_at < start for item in due)):
        return None
    buttons = []
    for item in due[:MORNING_BUTTONS]:
        name = item.contact_name or item.company_name or quote(item.reminder.text, 24)
        reminder_id = item.reminder.id
        buttons.append(
            (
                Button(f"✓ Done: {name}"[:_LABEL_LIMIT], f"r:done:{reminder_id}"),
                Button(f"Move: {name}"[:_LABEL_LIMIT], f"r:pick:{reminder_id}"),
            )
        )
    return Reply(f"☀️ Good morning, {rep.display_name or 'there'}!\n{text}", tuple(buttons))


async def _today(uow: UnitOfWork, rep: Rep, now: datetime) -> tuple[str, list[ReminderLine]]:
    """/today's text, and the open callbacks due before the end of the day (overdue first)."""
    start, end = timefmt.day_bounds(now, rep.timezone)
    due = await uow.reminders.open_for_rep(rep.id, due_before=end)
    upcoming = await uow.reminders.upcoming_for_rep(rep.id, due_from=end, limit=UPCOMING_LIMIT)
    logged = await uow.activities.count_by_kind(rep.id, since=start, until=end)

    overdue = [item for item in due if item.reminder.due_at < now]
    later_today = [item for item in due if item.reminder.due_at >= now]
    local_now = timefmt.local(now, rep.timezone)
    lines = [f"Today, {local_now:%a} {local_now.day} {local_now:%b}"]
    if overdue:
        lines.append(f"Overdue ({len(overdue)}):")
        lines += [_line(item, now, rep.timezone, with_day=True) for item in overdue]
    if later_today:
        lines.append("Due today:")
        lines += [_line(item, now, rep.timezone, with_day=False) for item in later_today]
    if not due:
        lines.append("No callbacks due today.")
    if upcoming:
        lines.append("Coming up:")
        lines += [_line(item, now, rep.timezone, with_day=True) for item in upcoming]
    if logged:
        parts = [
            f"{count} {texts.KIND_PLURALS[kind] if count > 1 else texts.KIND_LABELS[kind].lower()}"
            for kind in ActivityKind
            if (count := logged.get(kind, 0))
        ]
        lines.append("Logged today: " + ", ".join(parts) + ".")
    elif not due and not upcoming:
        lines.append('Nothing planned either. Try: "Called Ana at Acme, call back Friday".')
    return "\n".join(lines), due


async def switch(uow: UnitOfWork, rep: Rep, args: str) -> Reply:
    """``/agenda``, ``/agenda off``, ``/agenda on``: the rep's own morning agenda."""
    choice = args.strip().lower()
    if choice in ("off", "on"):
        enabled = choice == "on"
        if enabled != rep.agenda_enabled:
            await uow.reps.set_agenda(rep.id, enabled)
        if enabled:
            return Reply("☀️ Morning agenda on: your callbacks for the day, each working morning.")
        return Reply("Morning agenda off. /today still shows your day; /agenda on brings it back.")
    if choice:
        return Reply("Say /agenda on or /agenda off.")
    state = "on" if rep.agenda_enabled else "off"
    return Reply(f"Your morning agenda is {state}. /agenda on or /agenda off changes it.")
