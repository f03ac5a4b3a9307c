"""What a rep can do with a reminder: done (and log the call), snooze, move, cancel, list."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers import texts, timefmt
from handlers.agenda import team_due
from handlers.audit import ChangeLog
from handlers.capture import read_time
from handlers.domain import ActivityKind, Reminder, ReminderStatus, Rep, Team
from handlers.i18n import _
from handlers.messages import Button, Reply
from handlers.permissions import Action, Subject, allowed, refusal
from handlers.ports import UnitOfWork
from handlers.reminder_card import quote, status_label

SNOOZE = timedelta(hours=1)
LIST_LIMIT = 10
AWAITING_TIME = "pick"
"""The ``Rep.awaiting`` prefix while the rep is asked to type a time for a reminder."""


class ReminderActions:
    """Button presses on reminder cards and lists (payloads ``r:<action>:<id>``)."""

    def __init__(self, uow: UnitOfWork, rep: Rep, team: Team, now: datetime) -> None:
        self._uow = uow
        self._rep = rep
        self._team = team
        self._now = now
        self.scheduled: list[datetime] = []
        """Due times this update set, so the caller can wake the dispatcher for them."""
        self._changes = ChangeLog(uow, rep)
        """This update's audit rows: one change, so /undo reverts exactly it."""

    async def _own(self, reminder_id: int) -> Reminder | None:
        reminder = await self._uow.reminders.get(self._rep.team_id, reminder_id)
        if reminder is None or not self._may_change(reminder):
            return None  # another rep's reminder is none of this rep's business
        return reminder

    def _may_change(self, reminder: Reminder) -> bool:
        return allowed(
            self._rep, Action.CHANGE_OWN_WORK, Subject(reminder.team_id, reminder.rep_id)
        )

    async def _updated(self, before: Reminder, after: Reminder) -> None:
        """Audit a change just written. ``after`` is what the update wrote, worked out here
        rather than read back: the row was read in this same transaction a moment ago."""
        if after != before:
            await self._changes.updated("reminder", before, after)

    async def press(self, action: str, reminder_id: int) -> Reply:
        reminder = await self._uow.reminders.get(self._rep.team_id, reminder_id)
        if reminder is None:  # made up, gone, or another team's: all look the same
            return Reply(_(texts.UNKNOWN_BUTTON))
        if not self._may_change(reminder):  # e.g. a card pressed by someone else in a group
            subject = Subject(reminder.team_id, reminder.rep_id)
            return Reply(refusal(self._rep, Action.CHANGE_OWN_WORK, subject))
        if action == "log":
            return await self._log_call(reminder)
        if action == "nolog":
            return Reply(_("OK, not logged."))
        if not reminder.status.is_open:
            return Reply(
                _("This reminder is already {status}. Nothing was changed.").format(
                    status=status_label(reminder.status)
                )
            )
        if action == "done":
            await self._uow.reminders.set_status(
                self._rep.team_id, reminder.id, ReminderStatus.DONE
            )
            await self._updated(reminder, replace(reminder, status=ReminderStatus.DONE))
            return Reply(
                _("✓ Done: {text}. Log the call?").format(text=quote(reminder.text)),
                (
                    (
                        Button(_("Log a call"), f"r:log:{reminder.id}"),
                        Button(_("No"), f"r:nolog:{reminder.id}"),
                    ),
                ),
            )
        if action == "cancel":
            await self._uow.reminders.set_status(
                self._rep.team_id, reminder.id, ReminderStatus.CANCELLED
            )
            await self._updated(reminder, replace(reminder, status=ReminderStatus.CANCELLED))
            return Reply(_("Cancelled: {text}.").format(text=quote(reminder.text)))
        if action == "snooze":
            return await self._move(reminder, self._now + SNOOZE)
        if action == "tomorrow":
            tomorrow = timefmt.local(self._now, self._rep.timezone).date() + timedelta(days=1)
            at = datetime.combine(
                tomorrow, time(self._team.default_hour), tzinfo=ZoneInfo(self._rep.timezone)
            )
            return await self._move(reminder, at)
        if action == "pick":
            await self._uow.reps.set_awaiting(self._rep.id, f"{AWAITING_TIME}:{reminder.id}")
            return Reply(
                _(
                    "When should I remind you? Type it the way you would say it: "
                    "“tomorrow at 3pm”, “Friday”, “in 2 hours”, “Dec 2 at 10”."
                )
            )
        return Reply(_(texts.UNKNOWN_BUTTON))

    async def typed_time(self, reminder_id: int, text: str) -> Reply:
        """The rep's answer to "Pick a time"."""
        reminder = await self._own(reminder_id)
        if reminder is None or not reminder.status.is_open:
            await self._uow.reps.set_awaiting(self._rep.id, None)
            return Reply(_("That reminder is no longer open. Nothing was changed."))
        found = read_time(
            text,
            now=self._now,
            timezone=self._rep.timezone,
            language=self._rep.language,
            default_hour=self._team.default_hour,
            date_order=self._team.date_order,
        )
        if found is None:
            return Reply(
                _(
                    "I couldn't read a time in that. Try “tomorrow at 3pm” or “in 2 hours”, "
                    "or send /cancel to keep the reminder as it is."
                )
            )
        await self._uow.reps.set_awaiting(self._rep.id, None)
        return await self._move(reminder, found)

    async def _move(self, reminder: Reminder, at: datetime) -> Reply:
        due_at = at.astimezone(UTC)
        await self._uow.reminders.reschedule(self._rep.team_id, reminder.id, due_at)
        moved = replace(reminder, due_at=due_at, status=ReminderStatus.PENDING)
        await self._updated(reminder, moved)
        self.scheduled.append(due_at)
        when = timefmt.describe(due_at, self._now, self._rep.timezone)
        return Reply(_("⏰ Moved: I'll remind you {when}.").format(when=when))

    async def _log_call(self, reminder: Reminder) -> Reply:
        if reminder.activity_id is not None:
            return Reply(_("That call is already logged."))
        activity = await self._uow.activities.add(
            team_id=self._rep.team_id,
            rep_id=self._rep.id,
            kind=ActivityKind.CALL,
            occurred_at=self._now,
            text=reminder.text,
            contact_id=reminder.contact_id,
            company_id=reminder.company_id,
        )
        await self._changes.created("activity", activity)
        await self._uow.reminders.link_activity(self._rep.team_id, reminder.id, activity.id)
        await self._updated(reminder, replace(reminder, activity_id=activity.id))
        return Reply(_("✓ Call logged."))

    async def listing(self) -> Reply:
        """``/reminders``: the rep's open reminders, each with Move and Cancel; for a manager,
        the team's callbacks due today and overdue after them."""
        lines = await self._uow.reminders.upcoming_for_rep(
            self._rep.id, due_from=datetime.min.replace(tzinfo=UTC), limit=LIST_LIMIT
        )
        _start, end = timefmt.day_bounds(self._now, self._rep.timezone)
        team = await team_due(self._uow, self._rep, self._now, end)
        if not lines:
            empty = _(
                "You have no open reminders. Promise one in a message: "
                "“Called Ana at Acme, call back Friday”."
            )
            return Reply("\n".join([empty, *team]))
        text = [_("Your open reminders:")]
        buttons = []
        for number, line in enumerate(lines, 1):
            reminder = line.reminder
            when = timefmt.describe(reminder.due_at, self._now, self._rep.timezone)
            person = (
                f"{line.contact_name or line.company_name}: "
                if (line.contact_name or line.company_name)
                else ""
            )
            overdue = " " + _("(overdue)") if reminder.due_at < self._now else ""
            text.append(f"{number}. {when}{overdue}, {person}{quote(reminder.text, 80)}")
            buttons.append(
                (
                    Button(_("Move {number}").format(number=number), f"r:pick:{reminder.id}"),
                    Button(_("Cancel {number}").format(number=number), f"r:cancel:{reminder.id}"),
                )
            )
        return Reply("\n".join([*text, *team]), tuple(buttons))
