"""The message a rep gets when a promised callback falls due, and its buttons."""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers import timefmt
from handlers.domain import DueReminder, ReminderStatus
from handlers.i18n import N_, _
from handlers.messages import Button, Reply
from handlers.terms import kind_label

LATE_AFTER = timedelta(minutes=2)
"""A reminder delivered later than this after its time says so (the bot was down)."""

_QUOTE_LIMIT = 120


def quote(text: str, limit: int = _QUOTE_LIMIT) -> str:
    text = " ".join(text.split())
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return _("“{text}”").format(text=text)  # each language's quotation marks: „…”, «…»


_STATUS_LABELS = {
    ReminderStatus.PENDING: N_("pending"),
    ReminderStatus.SENT: N_("sent"),
    ReminderStatus.DONE: N_("done"),
    ReminderStatus.CANCELLED: N_("cancelled"),
    ReminderStatus.FAILED: N_("failed"),
}


def status_label(status: ReminderStatus) -> str:
    """A reminder's state in the rep's language, as lists and answers name it."""
    return _(_STATUS_LABELS[status])


def who(contact_name: str | None, company_name: str | None) -> str:
    if contact_name and company_name:
        return f"{contact_name} ({company_name})"
    return contact_name or company_name or ""


def reminder_buttons(reminder_id: int) -> tuple[tuple[Button, ...], ...]:
    return (
        (
            Button(_("✓ Done"), f"r:done:{reminder_id}"),
            Button(_("Snooze 1 h"), f"r:snooze:{reminder_id}"),
        ),
        (
            Button(_("Tomorrow"), f"r:tomorrow:{reminder_id}"),
            Button(_("Pick a time"), f"r:pick:{reminder_id}"),
        ),
    )


def compose(due: DueReminder, now: datetime) -> Reply:
    """A note from a colleague: whom to call, why, and what happened last time."""
    reminder, rep = due.reminder, due.rep
    person = who(due.contact_name, due.company_name)
    lines = [_("⏰ Time to call {person}.").format(person=person) if person else _("⏰ Reminder.")]
    if now - reminder.due_at > LATE_AFTER:
        when = timefmt.describe(reminder.due_at, now, rep.timezone)
        lines.append(_("Late: this was due {when}.").format(when=when))
    lines.append(_("You wrote: {text}").format(text=quote(reminder.text)))
    if due.last_activity is not None:
        last = due.last_activity
        label = kind_label(last.kind, lowercase=True)
        day = timefmt.day_label(
            timefmt.local(last.occurred_at, rep.timezone), timefmt.local(now, rep.timezone)
        )
        lines.append(
            _("Last {kind}, {day}: {text}").format(kind=label, day=day, text=quote(last.text))
        )
    return Reply("\n".join(lines), reminder_buttons(reminder.id))
