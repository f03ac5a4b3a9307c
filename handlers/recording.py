"""Turning a reading of a message into stored records, and saying what was stored."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from handlers import texts, timefmt
from handlers.audit import ChangeLog
from handlers.capture import Capture
from handlers.corrections import AS_COMPANY, AS_PERSON, ask_which, audit_view, card_buttons
from handlers.deals import record_deal_news
from handlers.domain import ActivityKind, Company, Contact, Deal, Rep, Stage
from handlers.i18n import _
from handlers.matching import find_company, find_contact
from handlers.messages import Reply
from handlers.permissions import Action, Subject, allowed
from handlers.ports import UnitOfWork
from handlers.terms import kind_label, stage_label


class CaptureRecorder:
    """Writes what one message says into one unit of work, auditing each row it creates."""

    def __init__(self, uow: UnitOfWork, rep: Rep, now: datetime) -> None:
        self._uow = uow
        self._rep = rep
        self._now = now
        self._changes = ChangeLog(uow, rep)
        self.change_id = self._changes.change_id
        self.scheduled: list[datetime] = []
        """Due times of the reminders this message set."""
        self._new: set[str] = set()
        """"contact", "company": the records this message added (not matched to known ones)."""

    async def _created(self, entity: str, record: Any) -> None:
        await self._changes.created(entity, record)

    async def _company(self, name: str) -> Company:
        found = await find_company(self._uow, self._rep.team_id, name)
        if found is not None:
            return found
        company = await self._uow.companies.add(self._rep.team_id, name)
        await self._created("company", company)
        self._new.add("company")
        return company

    async def _contact(
        self, full_name: str, company: Company | None
    ) -> tuple[Contact | None, tuple[Contact, ...]]:
        """The contact the name means (known or new), or none yet and the ones it could mean."""
        match = await find_contact(self._uow, self._rep.team_id, full_name, company)
        if match.choices:
            return None, match.choices
        found = match.contact
        if found is not None and found.company_id is None and company is not None:
            # First time we hear where they work: file them there from now on.
            updated = await self._uow.contacts.relink_company(
                self._rep.team_id, found.id, company.id
            )
            if updated is None:  # gone since it was matched (a concurrent Undo)
                return None, ()
            await self._changes.updated("contact", found, updated)
            return updated, ()
        if found is not None:
            return found, ()
        contact = await self._uow.contacts.add(
            self._rep.team_id, full_name, company.id if company else None
        )
        await self._created("contact", contact)
        self._new.add("contact")
        return contact, ()

    async def record(
        self,
        text: str,
        capture: Capture,
        *,
        contact: Contact | None = None,
        examples_when_empty: bool = True,
    ) -> Reply:
        """Store what ``capture`` read in ``text``; ``contact``, if given, is whom it was with
        (chosen on a button) instead of the name read. When the name read fits several known
        contacts equally well, the records are stored without one and the card asks which."""
        capture = _storable(capture)
        company = await self._company(capture.company) if capture.company else None
        choices: tuple[Contact, ...] = ()
        if contact is None and capture.contact:
            contact, choices = await self._contact(capture.contact, company)
        company_id = company.id if company else contact.company_id if contact else None
        if company is None and company_id is not None:
            # The contact is known to work somewhere: say where, and file it there.
            company = await self._uow.companies.get(self._rep.team_id, company_id)

        kind = capture.kind  # the reading says "note" for words with nothing else to file
        if kind is not None:
            activity = await self._uow.activities.add(
                team_id=self._rep.team_id,
                rep_id=self._rep.id,
                kind=kind,
                occurred_at=self._now,
                text=text,
                contact_id=contact.id if contact else None,
                company_id=company_id,
            )
            await self._created("activity", activity)

        due_at = None
        reminder_id: int | None = None
        if capture.follow_up_at is not None:
            due_at = capture.follow_up_at.astimezone(UTC)
            reminder = await self._uow.reminders.add(
                team_id=self._rep.team_id,
                rep_id=self._rep.id,
                due_at=due_at,
                text=capture.follow_up_text or text,
                contact_id=contact.id if contact else None,
                company_id=company_id,
            )
            await self._created("reminder", reminder)
            self.scheduled.append(due_at)
            reminder_id = reminder.id

        text = self._confirmation(kind, contact, company, due_at, capture, examples_when_empty)
        if company is not None and await self._may_change_deal(company, capture):
            news = await record_deal_news(
                self._uow, self._rep, company, capture.stage, capture.amount, capture.currency,
                self._now, self._deal_changed,
            )  # fmt: skip
            if news is not None and (line := news.describe(company, _stage_label)):
                text = f"{text}\n{line}" if text else line
        elif company is not None:
            line = _(
                "The deal with {company} is another rep's, so I left it as it is: its owner "
                "or a manager can move it."
            ).format(company=company.name)
            text = f"{text}\n{line}" if text else line
        elif capture.stage is not None:
            text = (text + "\n" if text else "") + _(texts.STAGE_WITHOUT_COMPANY)
        doubt = _doubt(capture, contact, company, self._new)
        buttons = card_buttons(
            self.change_id, reminder_id, has_contact=contact is not None, doubt=doubt
        )
        if choices and capture.contact:
            question = await ask_which(
                self._uow, self._rep, self.change_id, capture.contact, choices
            )
            text = f"{text}\n{question.text}" if text else question.text
            buttons = question.buttons + buttons
        return Reply(text, buttons)

    async def _may_change_deal(self, company: Company, capture: Capture) -> bool:
        """Whether the message may move or price the company's open deal: its owner's, or a
        manager's (handlers.permissions); news about a deal that is not there yet opens one."""
        if capture.stage is None and capture.amount is None:
            return True  # no deal news: nothing to check
        deal = await self._uow.deals.open_for_company(self._rep.team_id, company.id)
        return deal is None or allowed(
            self._rep, Action.CHANGE_DEAL, Subject(deal.team_id, deal.owner_rep_id)
        )

    async def _deal_changed(self, action: str, before: Deal | None, after: Deal) -> None:
        await self._changes.record(
            action,
            "deal",
            after.id,
            audit_view(before) if before is not None else None,
            audit_view(after),
        )

    def _confirmation(
        self,
        kind: ActivityKind | None,
        contact: Contact | None,
        company: Company | None,
        due_at: datetime | None,
        capture: Capture,
        examples_when_empty: bool,
    ) -> str:
        who = _who(contact, company)
        lines = []
        if kind is not None:
            label = kind_label(kind)
            if who:
                lines.append(_("✓ {kind} with {who} saved.").format(kind=label, who=who))
            else:
                lines.append(_("✓ {kind} saved.").format(kind=label))
            if capture.is_empty and examples_when_empty:
                lines.append(
                    _("I found no person, company or follow-up time in it; /help shows examples.")
                )
        if due_at is not None:
            when = timefmt.describe(due_at, self._now, self._rep.timezone)
            if who and kind is None:
                lines.append(_("⏰ Callback {who}: {when}.").format(who=who, when=when))
            else:
                lines.append(_("⏰ Callback: {when}.").format(when=when))
            if due_at <= self._now:
                lines.append(_("That time has already passed, so it shows as overdue in /today."))
        return "\n".join(lines)


def _doubt(
    capture: Capture, contact: Contact | None, company: Company | None, new: set[str]
) -> tuple[str, str] | None:
    """The one-tap re-filing to offer when the reader was unsure a name is a person or a
    company, and the message added that record (a known one was not a guess)."""
    if len(capture.alternatives) < 2:
        return None
    other = capture.alternatives[1]
    if other.company and contact is not None and "contact" in new and company is None:
        return AS_COMPANY, contact.full_name
    if other.contact and company is not None and "company" in new and contact is None:
        return AS_PERSON, company.name
    return None


MAX_STORED_NAME = 200
"""Names are stored in 200 characters (``storage.models``); a longer "name" is a misreading
(a pasted text, a run of letters): it is not stored as one, the words stay in the activity."""


def _storable(capture: Capture) -> Capture:
    contact, company = capture.contact, capture.company
    if contact is not None and len(contact) > MAX_STORED_NAME:
        contact = None
    if company is not None and len(company) > MAX_STORED_NAME:
        company = None
    if (contact, company) == (capture.contact, capture.company):
        return capture
    return dataclasses.replace(capture, contact=contact, company=company)


def _stage_label(stage: Stage) -> str:
    return stage_label(stage, lowercase=True)


def _who(contact: Contact | None, company: Company | None) -> str:
    if contact and company:
        return f"{contact.full_name} ({company.name})"
    if contact:
        return contact.full_name
    return company.name if company else ""
