"""The message a rep gets when a promised callback falls due, and its buttons."""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers import texts, timefmt
from handlers.domain import DueReminder
from handlers.messages import Button, Reply

LATE_AFTER = timedelta(minutes=2)
"""A reminder delivered later than this after its time says so (the bot was down)."""

_QUOTE_LIMIT = 120


def quote(text: str, limit: int = _QUOTE_LIMIT) -> str:
    text = " ".join(text.split())
    return f"“{text if len(text) <= limit else text[: limit - 1] + '…'}”"


def who(contact_name: str | None, company_name: str | None) -> str:
    if contact_name and company_name:
        return f"{contact_name} ({company_name})"
    return contact_name or company_name or ""


def reminder_buttons(reminder_id: int) -> tuple[tuple[Button, ...], ...]:
    return (
        (
            Button("✓ Done", f"r:done:{reminder_id}"),
            Button("Snooze 1 h", f"r:snooze:{reminder_id}"),
        ),
        (
            Button("Tomorrow", f"r:tomorrow:{reminder_id}"),
            Button("Pick a time", f"r:pick:{reminder_id}"),
        ),
    )


def compose(due: DueReminder, now: datetime) -> Reply:
    """A note from a colleague: whom to call, why, and what happened last time."""
    reminder, rep = due.reminder, due.rep
    person = who(due.contact_name, due.company_name)
    lines = [f"⏰ Time to call {person}." if person else "⏰ Reminder."]
    if now - reminder.due_at > LATE_AFTER:
        when = timefmt.describe(reminder.due_at, now, rep.timezone)
        lines.append(f"Late: this was due {when}.")
    lines.append(f"You wrote: {quote(reminder.text)}")
    if due.last_activity is not None:
        last = due.last_activity
        label = texts.KIND_LABELS[last.kind].lower()
        day = timefmt.day_label(
            timefmt.local(last.occurred_at, rep.timezone), timefmt.local(now, rep.timezone)
        )
        lines.append(f"Last {label}, {day}: {quote(last.text)}")
    return Reply("\n".join(lines), reminder_buttons(reminder.id))
