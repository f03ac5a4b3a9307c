"""The capture card's buttons: fix a part of what a message stored, or undo all of it.

After a free-text capture the bot answers with one card saying what was stored, with buttons:

- Change time (``r:pick:<reminder id>``): the "Pick a time" question of
  :mod:`handlers.reminder_actions`, as on a reminder card.
- Not a callback (``nc:<change id>``): the message's reminder goes; the rest stays.
- Change contact (``cc:<change id>``): asks "Who was it?" and re-links the message's activity
  and reminder to the contact the rep names.
- Undo (``u:<change id>``): removes what the message created, restores what it updated.

When the name a message (or the answer to "Who was it?") gives fits several of the team's
contacts equally well, the records are stored at once without a contact and the bot asks which
one, with a button per contact, one for a new contact of that name
(``w:<change id>:<question number>:<contact id>|new``) and Someone else (``cc:``, "Who was
it?"). The question is written to the audit
log under the message's change id (action ``ask``: no row changes, ``after`` holds the name and
the contacts offered), so a button of an older question, of an undone message or of another rep
changes nothing.

The change id is the one the recorder wrote the message's audit rows under (32 hex digits), so
every payload fits Telegram's 64 bytes of callback data. Corrections are audited under that same
change id, so Undo reverts them too; the rows Undo removes or restores are audited as ``undo``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from handlers import texts
from handlers.audit import ChangeLog
from handlers.audit import audit_view as audit_view  # also imported from here
from handlers.capture import read_who
from handlers.deals import deal_from_view
from handlers.domain import (
    Activity,
    ActivityKind,
    Change,
    Company,
    Contact,
    Deal,
    Reminder,
    ReminderStatus,
    Rep,
)
from handlers.i18n import N_, _, ngettext
from handlers.matching import contact_labels, find_company, find_contact
from handlers.messages import Button, Reply
from handlers.permissions import Action, Subject, allowed, refusal
from handlers.ports import UnitOfWork
from handlers.reminder_actions import AWAITING_TIME
from handlers.reminder_card import quote, status_label, who
from handlers.terms import kind_label

UNDO_WINDOW = timedelta(hours=24)
"""How long after a message its Undo still works."""
AWAITING_CONTACT = "contact"
"""The ``Rep.awaiting`` prefix while the rep is asked who a message was with."""
CHANGE_ID = re.compile(r"[0-9a-f]{32}")
CORRECTION_BUTTON = re.compile(r"(?P<action>u|nc|cc|ro|rp):(?P<change_id>[0-9a-f]{32})")
"""Card payloads; use ``fullmatch``."""
WHICH_BUTTON = re.compile(
    r"w:(?P<change_id>[0-9a-f]{32}):(?P<question>[1-9]\d{0,3}):(?P<choice>new|[1-9]\d{0,17})"
)
"""The "Which Sam?" buttons; use ``fullmatch``."""
MAX_NAME_LENGTH = 100
MAX_NAME_WORDS = 5

NOT_YOURS = N_("Only the rep who sent that message can change or undo it. Nothing was changed.")
ASK_CONTACT = N_("Who was it? Type their name, e.g. “Sam Reed” (or /cancel to keep it as it is).")

_ENTITIES = ("company", "contact", "activity", "reminder", "deal", "team")
_REMINDER_STATE = ("status", "due_at")
"""What Undo puts back on a reminder that a button marked done, cancelled or moved."""
_TEAM_SETTINGS = frozenset(
    {"timezone", "daily_digest_at", "weekly_digest_at", "agenda_at", "digests_enabled"}
)
"""The team settings Undo puts back (``/digests``)."""


AS_COMPANY = "ro"
"""Card action: the name read as a person is a company's."""
AS_PERSON = "rp"
"""Card action: the name read as a company is a person's."""


def card_buttons(
    change_id: str,
    reminder_id: int | None,
    has_contact: bool,
    doubt: tuple[str, str] | None = None,
) -> tuple[tuple[Button, ...], ...]:
    """The buttons of a capture's confirmation card; ``doubt`` is (action, name) when the
    reader was unsure whether a name it filed is a person or a company: one tap re-files it."""
    rows: list[tuple[Button, ...]] = []
    if doubt is not None:
        action, name = doubt
        label = _("{name} is a company") if action == AS_COMPANY else _("{name} is a person")
        rows.append((Button(label.format(name=name), f"{action}:{change_id}"),))
    if reminder_id is not None:
        rows.append(
            (
                Button(_("Change time"), f"r:pick:{reminder_id}"),
                Button(_("Not a callback"), f"nc:{change_id}"),
            )
        )
    if has_contact:
        rows.append((Button(_("Change contact"), f"cc:{change_id}"),))
    rows.append((Button(_("Undo"), f"u:{change_id}"),))
    return tuple(rows)


async def ask_which(
    uow: UnitOfWork, rep: Rep, change_id: str, name: str, choices: Sequence[Contact]
) -> Reply:
    """Ask which of several contacts ``name`` meant, recording the question under the change."""
    rows = await uow.audit.for_change(rep.team_id, change_id)
    number = sum(1 for row in rows if row.action == "ask") + 1
    await ChangeLog(uow, rep, change_id).record(
        "ask", "contact", 0, None, {"name": name, "offered": [contact.id for contact in choices]}
    )
    labels = await contact_labels(uow, rep.team_id, choices)
    prefix = f"w:{change_id}:{number}:"
    rows_of_buttons = [
        (Button(label, f"{prefix}{contact.id}"),)
        for contact, label in zip(choices, labels, strict=True)
    ]
    rows_of_buttons.append((Button(_("New contact: {name}").format(name=name), f"{prefix}new"),))
    rows_of_buttons.append((Button(_("Someone else"), f"cc:{change_id}"),))  # type the full name
    return Reply(
        _("Which {name}? Tap the right one, or add a new contact.").format(name=name),
        tuple(rows_of_buttons),
    )


def _created(rows: list[Change], entity: str) -> list[int]:
    return [row.entity_id for row in rows if row.action == "create" and row.entity == entity]


def _undone(rows: list[Change]) -> bool:
    return any(row.action == "undo" for row in rows)


def _as_id(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def clean_name(text: str) -> str | None:
    """A person's name typed as an answer, or None if it does not look like one."""
    if "\n" in text:
        return None
    name = " ".join(text.split()).strip(" .,;:!?\"'“”‘’«»")
    if (
        not name
        or len(name) > MAX_NAME_LENGTH
        or len(name.split()) > MAX_NAME_WORDS
        or not any(char.isalpha() for char in name)
    ):
        return None
    if name.islower():  # typed without capitals: "sam reed" is Sam Reed
        name = " ".join(word[:1].upper() + word[1:] for word in name.split())
    return name


def _label(record: Activity | Reminder | Contact | Company | Deal) -> str:
    if isinstance(record, Deal):
        return _("the {name} deal").format(name=record.title)
    if isinstance(record, Activity):
        return _("the {kind}").format(kind=kind_label(record.kind, lowercase=True))
    if isinstance(record, Reminder):
        return _("the callback")
    return record.full_name if isinstance(record, Contact) else record.name


def _join(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return _("{items} and {last}").format(items=", ".join(items[:-1]), last=items[-1])


@dataclass
class _UndoOutcome:
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    removed_reminders: list[int] = field(default_factory=list)

    def describe(self) -> str:
        lines = []
        if self.removed:
            lines.append(_("↩ Undone: removed {items}.").format(items=_join(self.removed)))
        elif not self.notes:
            lines.append(_("Nothing from that message is left to undo."))
        lines += self.notes
        if self.kept:
            kept = ngettext(
                "Kept {items}: other records use it.",
                "Kept {items}: other records use them.",
                len(self.kept),
            )
            lines.append(kept.format(items=_join(self.kept)))
        return "\n".join(lines)


class Corrections:
    """Button presses on capture cards (payloads ``u:``, ``nc:``, ``cc:`` + change id)."""

    def __init__(self, uow: UnitOfWork, rep: Rep, now: datetime) -> None:
        self._uow = uow
        self._rep = rep
        self._now = now

    async def press(self, action: str, change_id: str) -> Reply:
        rows = await self._uow.audit.for_change(self._rep.team_id, change_id)
        if not rows:  # made up, or another team's: say nothing about it
            return Reply(_(texts.UNKNOWN_BUTTON))
        if not self._authored(rows):
            return Reply(_(NOT_YOURS))
        if action == "u":
            return await self._undo(change_id, rows)
        if _undone(rows):
            return Reply(_(texts.UNKNOWN_BUTTON))  # the card is stale: what it shows is gone
        if action == "nc":
            return await self._not_a_callback(change_id, rows)
        if action == "cc":
            return await self._ask_contact(change_id, rows)
        if action in (AS_COMPANY, AS_PERSON):
            return await self._refile(change_id, rows, as_company=action == AS_COMPANY)
        return Reply(_(texts.UNKNOWN_BUTTON))

    async def _refile(self, change_id: str, rows: list[Change], *, as_company: bool) -> Reply:
        """File the message's name as the other kind of record: the person read is a company
        ("Brightline"), or the company read is a person. A record the message created for the
        wrong reading goes, unless something else uses it by now."""
        team_id = self._rep.team_id
        targets = await self._targets(rows)
        wrong_id = next(
            (t.contact_id if as_company else t.company_id for t in targets if
             (t.contact_id if as_company else t.company_id) is not None),
            None,
        )  # fmt: skip
        if wrong_id is None:
            return Reply(_(texts.UNKNOWN_BUTTON))
        wrong: Contact | Company | None = await (
            self._uow.contacts.get(team_id, wrong_id)
            if as_company
            else self._uow.companies.get(team_id, wrong_id)
        )
        if wrong is None:
            return Reply(_(texts.UNKNOWN_BUTTON))
        name = wrong.full_name if isinstance(wrong, Contact) else wrong.name
        contact_id: int | None
        company_id: int | None
        if as_company:
            company = await self._company(change_id, name)
            contact_id, company_id = None, company.id
        else:
            found = await self._uow.contacts.find_by_name(team_id, name)
            contact = found or await self._new_contact(change_id, name, [])
            contact_id, company_id = contact.id, contact.company_id
        for target in targets:
            updated: Activity | Reminder | None
            if isinstance(target, Activity):
                entity = "activity"
                updated = await self._uow.activities.relink_contact(
                    team_id, target.id, contact_id=contact_id, company_id=company_id
                )
            else:
                entity = "reminder"
                updated = await self._uow.reminders.relink_contact(
                    team_id, target.id, contact_id=contact_id, company_id=company_id
                )
            if updated is not None:
                await self._audit(
                    change_id, "update", entity, target.id, audit_view(target), audit_view(updated)
                )
        entity = "contact" if as_company else "company"
        if wrong_id in _created(rows, entity):
            remove = (
                self._uow.contacts.delete_unused
                if as_company
                else self._uow.companies.delete_unused
            )
            if await remove(team_id, wrong_id):
                await self._audit(change_id, "delete", entity, wrong_id, audit_view(wrong), None)
        if as_company:
            return Reply(_("✓ Filed {name} as a company, not a person.").format(name=name))
        return Reply(_("✓ Filed {name} as a person, not a company.").format(name=name))

    def _authored(self, rows: list[Change]) -> bool:
        """Whether the rep may correct or undo the change: only its author may."""
        subject = Subject(self._rep.team_id, rows[0].rep_id)
        return allowed(self._rep, Action.CHANGE_OWN_WORK, subject)

    async def undo(self, change_id: str) -> Reply:
        """Undo a change, as the card's Undo does (``/undo`` picks which)."""
        return await self.press("u", change_id)

    async def typed_contact(self, change_id: str, text: str) -> Reply | None:
        """The rep's answer to "Who was it?"; None if there is nothing left to re-link, in
        which case the text is not an answer (the caller reads it as a new message)."""
        rows = await self._uow.audit.for_change(self._rep.team_id, change_id)
        targets = await self._targets(rows) if rows and self._authored(rows) else []
        if not targets or _undone(rows):
            await self._uow.reps.set_awaiting(self._rep.id, None)
            return None
        name = clean_name(text)
        if name is None:
            return Reply(
                "That doesn't look like a name. Type just the person's name, e.g. “Sam Reed”, "
                "or send /cancel to keep it as it is."
            )
        await self._uow.reps.set_awaiting(self._rep.id, None)
        # Read like a message: "sam reed from northwind" is Sam Reed, of Northwind.
        person, firm = read_who(text, language=self._rep.language)
        name = person or name
        company = await self._company(change_id, firm) if firm else None
        match = await find_contact(self._uow, self._rep.team_id, name, company)
        if match.choices:
            return await ask_which(self._uow, self._rep, change_id, name, match.choices)
        if match.contact is not None:
            return await self._relink(change_id, targets, match.contact, is_new=False)
        contact = await self._new_contact(change_id, name, targets, company)
        return await self._relink(change_id, targets, contact, is_new=True)

    async def _company(self, change_id: str, name: str) -> Company:
        found = await find_company(self._uow, self._rep.team_id, name)
        if found is not None:
            return found
        company = await self._uow.companies.add(self._rep.team_id, name)
        await self._audit(change_id, "create", "company", company.id, None, audit_view(company))
        return company

    async def choose(self, change_id: str, question: int, choice: str) -> Reply:
        """A "Which Sam?" button: link the message to the contact chosen, or to a new one."""
        rows = await self._uow.audit.for_change(self._rep.team_id, change_id)
        if not rows:
            return Reply(_(texts.UNKNOWN_BUTTON))
        if not self._authored(rows):
            return Reply(_(NOT_YOURS))
        asked = [row.after or {} for row in rows if row.action == "ask"]
        if _undone(rows) or len(asked) != question:
            return Reply(_(texts.UNKNOWN_BUTTON))  # undone, or a newer question replaced this one
        targets = await self._targets(rows)
        name, offered = asked[-1].get("name"), asked[-1].get("offered") or []
        if not targets or not isinstance(name, str):
            return Reply(_(texts.UNKNOWN_BUTTON))
        await self._stop_waiting({f"{AWAITING_CONTACT}:{change_id}"})
        if choice == "new":
            contact = await self._uow.contacts.find_by_name(self._rep.team_id, name)
            if contact is not None:  # added since (by this button, or another message)
                return await self._relink(change_id, targets, contact, is_new=False)
            contact = await self._new_contact(change_id, name, targets)
            return await self._relink(change_id, targets, contact, is_new=True)
        chosen = int(choice)
        found = await self._uow.contacts.get(self._rep.team_id, chosen)
        if chosen not in offered or found is None:
            return Reply(_(texts.UNKNOWN_BUTTON))
        return await self._relink(change_id, targets, found, is_new=False)

    async def _new_contact(
        self,
        change_id: str,
        name: str,
        targets: list[Activity | Reminder],
        company: Company | None = None,
    ) -> Contact:
        # A new person is filed where the answer says, else where the message said it was.
        filed_at = company.id if company is not None else None
        filed_at = filed_at or next((t.company_id for t in targets if t.company_id), None)
        contact = await self._uow.contacts.add(self._rep.team_id, name, filed_at)
        await self._audit(change_id, "create", "contact", contact.id, None, audit_view(contact))
        return contact

    async def _relink(
        self, change_id: str, targets: list[Activity | Reminder], contact: Contact, is_new: bool
    ) -> Reply:
        """Say the message's activity and reminder were with ``contact``, auditing each change."""
        team_id = self._rep.team_id
        company_id = None
        changed = False
        for target in targets:
            # Someone filed at a company brings it along; otherwise the message's company stays.
            company_id = contact.company_id if contact.company_id is not None else target.company_id
            if (target.contact_id, target.company_id) == (contact.id, company_id):
                continue
            updated: Activity | Reminder | None
            if isinstance(target, Activity):
                entity = "activity"
                updated = await self._uow.activities.relink_contact(
                    team_id, target.id, contact_id=contact.id, company_id=company_id
                )
            else:
                entity = "reminder"
                updated = await self._uow.reminders.relink_contact(
                    team_id, target.id, contact_id=contact.id, company_id=company_id
                )
            if updated is not None:
                await self._audit(
                    change_id, "update", entity, target.id, audit_view(target), audit_view(updated)
                )
                changed = True
        if not changed:
            return Reply(
                _("It already was {name}. Nothing was changed.").format(name=contact.full_name)
            )
        company = await self._uow.companies.get(team_id, company_id) if company_id else None
        person = who(contact.full_name, company.name if company else None)
        added = " " + _("I added them as a new contact.") if is_new else ""
        if all(target.contact_id is None for target in targets):
            # the answer to "Which Sam?"
            return Reply(_("✓ Saved with {person}.").format(person=person) + added)
        return Reply(_("✓ Contact changed to {person}.").format(person=person) + added)

    async def _targets(self, rows: list[Change]) -> list[Activity | Reminder]:
        """The activity and reminder a message created, as far as they still exist."""
        targets: list[Activity | Reminder] = []
        for activity_id in _created(rows, "activity"):
            if activity := await self._uow.activities.get(self._rep.team_id, activity_id):
                targets.append(activity)
        for reminder_id in _created(rows, "reminder"):
            if reminder := await self._uow.reminders.get(self._rep.team_id, reminder_id):
                targets.append(reminder)
        return targets

    async def _ask_contact(self, change_id: str, rows: list[Change]) -> Reply:
        targets = await self._targets(rows)
        asked = any(row.action == "ask" for row in rows)  # "Which Sam?": Someone else
        if not targets or not (asked or any(t.contact_id is not None for t in targets)):
            return Reply(_(texts.UNKNOWN_BUTTON))  # no contact on that card
        await self._uow.reps.set_awaiting(self._rep.id, f"{AWAITING_CONTACT}:{change_id}")
        return Reply(_(ASK_CONTACT))

    async def _not_a_callback(self, change_id: str, rows: list[Change]) -> Reply:
        team_id = self._rep.team_id
        reminders = _created(rows, "reminder")
        reminder = await self._uow.reminders.get(team_id, reminders[0]) if reminders else None
        if reminder is None:
            return Reply(_(texts.UNKNOWN_BUTTON))
        if not reminder.status.is_open:
            return Reply(
                _("This callback is already {status}. Nothing was changed.").format(
                    status=status_label(reminder.status)
                )
            )
        await self._uow.reminders.delete(team_id, reminder.id)
        await self._audit(change_id, "delete", "reminder", reminder.id, audit_view(reminder), None)
        await self._stop_waiting({f"{AWAITING_TIME}:{reminder.id}"})
        if await self._targets(rows):
            return Reply(_("OK, not a callback: I removed the reminder. The rest stays saved."))
        # The reminder was all the message stored: keep the rep's words, as a note.
        note = await self._uow.activities.add(
            team_id=team_id,
            rep_id=self._rep.id,
            kind=ActivityKind.NOTE,
            occurred_at=rows[0].at,
            text=reminder.text,
            contact_id=reminder.contact_id,
            company_id=reminder.company_id,
        )
        await self._audit(change_id, "create", "activity", note.id, None, audit_view(note))
        return Reply(_("OK, not a callback: I removed the reminder and kept your words as a note."))

    async def _undo(self, change_id: str, rows: list[Change]) -> Reply:
        if _undone(rows):
            return Reply(_("That message was already undone. Nothing was changed."))
        if self._now - rows[0].at > UNDO_WINDOW:
            return Reply(
                _(
                    "That message is more than 24 hours old, so it can't be undone any more. "
                    "Nothing was changed."
                )
            )
        created = {(row.entity, row.entity_id) for row in rows if row.action == "create"}
        if not all(_undoable(row, created) for row in rows):
            return Reply(_("I can't undo that message. Nothing was changed."))
        if any(row.entity == "team" for row in rows) and not allowed(
            self._rep, Action.CONFIGURE_TEAM
        ):  # an admin's setting, and the rep is no longer the admin
            return Reply(refusal(self._rep, Action.CONFIGURE_TEAM))
        outcome = _UndoOutcome()
        handled: set[tuple[str, int]] = set()
        for row in reversed(rows):  # the latest first: what refers to a row goes before it
            key = (row.entity, row.entity_id)
            if row.action in ("delete", "ask") or key in handled:
                continue
            handled.add(key)
            if key in created:
                await self._remove(change_id, row.entity, row.entity_id, outcome)
            elif row.entity == "deal":
                await self._restore_deal(change_id, row, outcome)
            elif row.entity == "reminder":
                await self._restore_reminder(change_id, row, outcome)
            elif row.entity == "team":
                await self._restore_team(change_id, row, outcome)
            else:
                await self._restore_company(change_id, row, outcome)
        if not _undone(await self._uow.audit.for_change(self._rep.team_id, change_id)):
            # Nothing was left to revert: the undo is still recorded, so /undo moves on to an
            # older change instead of trying this one forever.
            await self._audit(change_id, "undo", "change", 0, None, {"undone": change_id})
        await self._stop_waiting(
            {f"{AWAITING_CONTACT}:{change_id}"}
            | {f"{AWAITING_TIME}:{reminder_id}" for reminder_id in outcome.removed_reminders}
        )
        return Reply(outcome.describe())

    async def _remove(
        self, change_id: str, entity: str, entity_id: int, outcome: _UndoOutcome
    ) -> None:
        """Delete a row the message created; a company or contact only if nothing uses it."""
        team_id, uow = self._rep.team_id, self._uow
        record: Activity | Reminder | Contact | Company | Deal | None
        if entity == "deal":
            record = await uow.deals.get(team_id, entity_id)
            removed = record is not None and await uow.deals.delete(team_id, entity_id)
        elif entity == "activity":
            record = await uow.activities.get(team_id, entity_id)
            removed = record is not None and await uow.activities.delete(team_id, entity_id)
        elif entity == "reminder":
            record = await uow.reminders.get(team_id, entity_id)
            removed = record is not None and await uow.reminders.delete(team_id, entity_id)
        elif entity == "contact":
            record = await uow.contacts.get(team_id, entity_id)
            removed = record is not None and await uow.contacts.delete_unused(team_id, entity_id)
        else:
            record = await uow.companies.get(team_id, entity_id)
            removed = record is not None and await uow.companies.delete_unused(team_id, entity_id)
        if record is None:
            return  # already gone (a callback removed with "Not a callback")
        if removed:
            await self._audit(change_id, "undo", entity, entity_id, audit_view(record), None)
            outcome.removed.append(_label(record))
            if isinstance(record, Reminder):
                outcome.removed_reminders.append(record.id)
        elif isinstance(record, Contact | Company):
            outcome.kept.append(_label(record))
        # An activity or reminder found but not deleted was just deleted by a concurrent Undo.

    async def _restore_deal(self, change_id: str, row: Change, outcome: _UndoOutcome) -> None:
        """Put a deal the message moved or priced back as it was, unless it changed since."""
        deal = await self._uow.deals.get(self._rep.team_id, row.entity_id)
        if deal is None or row.before is None or row.after is None:
            return
        if audit_view(deal) != dict(row.after):
            outcome.notes.append(
                _("I left the {name} deal as it is: it changed since.").format(name=deal.title)
            )
            return
        restored = await self._uow.deals.revert(
            self._rep.team_id, deal.id, deal_from_view(row.before)
        )
        if restored is not None:
            await self._audit(
                change_id, "undo", "deal", deal.id, audit_view(deal), audit_view(restored)
            )
            outcome.removed.append(_("the change to the {name} deal").format(name=deal.title))

    async def _restore_reminder(self, change_id: str, row: Change, outcome: _UndoOutcome) -> None:
        """Put back the time and status of a reminder a button marked done, cancelled or
        moved, unless it changed since."""
        reminder = await self._uow.reminders.get(self._rep.team_id, row.entity_id)
        before, after = row.before or {}, row.after or {}
        if reminder is None:
            return
        now = audit_view(reminder)
        if any(now.get(name) != after.get(name) for name in _REMINDER_STATE):
            outcome.notes.append(
                _("I left the callback {text} as it is: it changed since.").format(
                    text=quote(reminder.text)
                )
            )
            return
        if all(before.get(name) == after.get(name) for name in _REMINDER_STATE):
            return  # only its link to a logged call changed: that goes with the call
        restored = await self._uow.reminders.restore(
            self._rep.team_id,
            reminder.id,
            due_at=datetime.fromisoformat(str(before["due_at"])),
            status=ReminderStatus(before["status"]),
        )
        if restored is not None:
            await self._audit(change_id, "undo", "reminder", reminder.id, now, audit_view(restored))
            outcome.removed.append(
                _("the change to the callback {text}").format(text=quote(reminder.text))
            )

    async def _restore_team(self, change_id: str, row: Change, outcome: _UndoOutcome) -> None:
        """Put the team's digest settings back, unless they changed since."""
        team = await self._uow.teams.get(self._rep.team_id)
        before, after = dict(row.before or {}), dict(row.after or {})
        if team is None or row.entity_id != team.id:
            return
        now = {name: value for name, value in audit_view(team).items() if name in _TEAM_SETTINGS}
        if any(now.get(name) != after.get(name) for name in _TEAM_SETTINGS):
            outcome.notes.append(_("I left the digest settings as they are: they changed since."))
            return
        restored = await self._uow.teams.set_digest_settings(
            team.id,
            timezone=str(before["timezone"]),
            daily_digest_at=str(before["daily_digest_at"]),
            weekly_digest_at=str(before["weekly_digest_at"]),
            agenda_at=str(before["agenda_at"]),
            digests_enabled=bool(before["digests_enabled"]),
        )
        restored_view = {
            name: value for name, value in audit_view(restored).items() if name in _TEAM_SETTINGS
        }
        await self._audit(change_id, "undo", "team", team.id, now, restored_view)
        outcome.removed.append(_("the change to the digest settings"))

    async def _restore_company(self, change_id: str, row: Change, outcome: _UndoOutcome) -> None:
        """Put back the company of a known contact that the message filed somewhere."""
        team_id = self._rep.team_id
        contact = await self._uow.contacts.get(team_id, row.entity_id)
        if contact is None:
            return
        before = _as_id((row.before or {}).get("company_id"))
        after = _as_id((row.after or {}).get("company_id"))
        if contact.company_id != after or (
            before is not None and await self._uow.companies.get(team_id, before) is None
        ):
            outcome.notes.append(
                _("I left {name}'s company as it is: it changed after that message.").format(
                    name=contact.full_name
                )
            )
            return
        filed_under = await self._uow.companies.get(team_id, after) if after else None
        restored = await self._uow.contacts.relink_company(team_id, contact.id, before)
        await self._audit(
            change_id, "undo", "contact", contact.id, audit_view(contact), audit_view(restored)
        )
        if filed_under is not None:
            outcome.notes.append(
                _("{name} is no longer filed under {company}.").format(
                    name=contact.full_name, company=filed_under.name
                )
            )

    async def _stop_waiting(self, questions: set[str]) -> None:
        """Forget a question the rep was asked about something that is gone now."""
        if self._rep.awaiting in questions:
            await self._uow.reps.set_awaiting(self._rep.id, None)

    async def _audit(
        self,
        change_id: str,
        action: str,
        entity: str,
        entity_id: int,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        await ChangeLog(self._uow, self._rep, change_id).record(
            action, entity, entity_id, before, after
        )


def _undoable(row: Change, created: set[tuple[str, int]]) -> bool:
    """Whether Undo knows how to revert this audit row of a message."""
    if row.action == "ask":
        return True  # a question asked: nothing to revert
    if row.entity not in _ENTITIES:
        return False
    key = (row.entity, row.entity_id)
    if row.action == "create":
        return True
    if row.action == "delete":
        return key in created
    if row.action != "update":
        return False
    if key in created:
        return True  # a re-link of the message's own activity or reminder: it goes anyway
    before, after = row.before or {}, row.after or {}
    changed = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
    if row.entity == "reminder":  # done, cancelled, moved, or linked to the call logged
        return changed <= {*_REMINDER_STATE, "activity_id"} and all(
            name in before for name in _REMINDER_STATE
        )
    if row.entity == "team":
        return changed <= _TEAM_SETTINGS and before.keys() >= _TEAM_SETTINGS
    return row.entity == "deal" or (row.entity == "contact" and changed <= {"company_id"})
