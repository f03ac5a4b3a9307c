"""``/today``: what a rep has to do now, and what they have done."""

from __future__ import annotations

from datetime import datetime

from handlers import texts, timefmt
from handlers.domain import ActivityKind, ReminderLine, Rep
from handlers.messages import Reply
from handlers.ports import UnitOfWork

UPCOMING_LIMIT = 3


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
    return Reply("\n".join(lines))
