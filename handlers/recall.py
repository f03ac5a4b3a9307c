"""``/history`` and ``/find``: what the team knows about someone, and where a word occurs.

``/history Sam`` finds the contact or company the rep means as a message does
(:mod:`handlers.matching`: case, accents, endings, typos); when the name fits several, the
reply has a button per candidate (``h:c:<contact id>``, ``h:o:<company id>``) and a press
shows that one. ``/find fishing`` searches the team's contacts and companies by folded name and
activity texts by lower-cased text (:mod:`storage.recall` says why not folded there).

A rep reads the team's contacts, companies and deals, but only their own activities and
callbacks; managers and admins read the team's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from handlers import texts, timefmt
from handlers.deals import money
from handlers.domain import ActivityKind, ActivityLine, Company, Contact, Rep, Role
from handlers.matching import contact_labels, find_company, find_contact
from handlers.messages import Button, Reply
from handlers.names import name_key, name_words
from handlers.ports import UnitOfWork
from handlers.reminder_card import quote, who

HISTORY_BUTTON = re.compile(r"h:(?P<kind>[co]):(?P<id>[1-9][0-9]{0,17})")
"""A candidate's button: ``h:c:<contact id>`` or ``h:o:<company id>`` (matched whole)."""
NOTES_SHOWN = 2
ACTIVITIES_SHOWN = 5
CONTACTS_SHOWN = 10
FIND_LIMIT = 10
"""Hits shown by /find, over all groups; each group's query is bounded by it too."""
MIN_NEEDLE = 2
"""Letters /find needs: one letter would match nearly everything."""
MAX_NAME = 200
"""Names are stored up to 200 characters; a longer argument names nobody."""
_NOTE_LIMIT = 100
_ACTIVITY_LIMIT = 80
_SNIPPET = 80
_SNIPPET_BEFORE = 25


def _sees_team(rep: Rep) -> bool:
    return rep.role in (Role.MANAGER, Role.ADMIN)


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _day(moment: datetime, now: datetime, timezone: str) -> str:
    return timefmt.day_label(timefmt.local(moment, timezone), timefmt.local(now, timezone))


async def history(uow: UnitOfWork, rep: Rep, now: datetime, args: str) -> Reply:
    name = " ".join(args.split())
    if not name_words(name):
        return Reply(texts.HISTORY_USAGE)
    if len(name) > MAX_NAME:
        return Reply(_unknown(name))
    company = await find_company(uow, rep.team_id, name)
    match = await find_contact(uow, rep.team_id, name)
    key = name_key(name)
    exact_company = company is not None and name_key(company.name) == key
    exact_contact = match.contact is not None and name_key(match.contact.full_name) == key
    if company is not None and exact_company and not exact_contact:
        return await _company_history(uow, rep, now, company)
    if match.contact is not None and exact_contact and not exact_company:
        return await _contact_history(uow, rep, now, match.contact)
    contacts = [match.contact] if match.contact is not None else list(match.choices)
    if company is None and len(contacts) == 1:
        return await _contact_history(uow, rep, now, contacts[0])
    if company is not None and not contacts:
        return await _company_history(uow, rep, now, company)
    if not contacts:
        return Reply(_unknown(name))
    labels = await contact_labels(uow, rep.team_id, contacts)
    buttons = [
        (Button(label, f"h:c:{contact.id}"),)
        for contact, label in zip(contacts, labels, strict=True)
    ]
    if company is not None:
        buttons.append((Button(f"{company.name} (company)", f"h:o:{company.id}"),))
    return Reply(f"Which {name} do you mean?", tuple(buttons))


def _unknown(name: str) -> str:
    return (
        f"I don't know anyone called {quote(name, 60)} in your team's contacts or companies. "
        "Check the spelling, or /find a part of the name."
    )


async def press(uow: UnitOfWork, rep: Rep, now: datetime, payload: str) -> Reply | None:
    """A press on a candidate's button; None when the payload is not one. Another team's id,
    or a record gone since, is a stale button."""
    match = HISTORY_BUTTON.fullmatch(payload)
    if match is None:
        return None
    record_id = int(match["id"])
    if match["kind"] == "c":
        contact = await uow.contacts.get(rep.team_id, record_id)
        if contact is not None:
            return await _contact_history(uow, rep, now, contact)
    else:
        company = await uow.companies.get(rep.team_id, record_id)
        if company is not None:
            return await _company_history(uow, rep, now, company)
    return Reply(texts.UNKNOWN_BUTTON)


async def _contact_history(uow: UnitOfWork, rep: Rep, now: datetime, contact: Contact) -> Reply:
    company = (
        await uow.companies.get(rep.team_id, contact.company_id) if contact.company_id else None
    )
    lines = [f"👤 {contact.full_name}" + (f", {company.name}" if company else "")]
    lines += await _story(uow, rep, now, contact_id=contact.id, company_id=None, company=company)
    return Reply("\n".join(lines))


async def _company_history(uow: UnitOfWork, rep: Rep, now: datetime, company: Company) -> Reply:
    people = await uow.recall.contacts_at(rep.team_id, company.id, CONTACTS_SHOWN + 1)
    names = ", ".join(contact.full_name for contact in people[:CONTACTS_SHOWN])
    if len(people) > CONTACTS_SHOWN:
        names += " and more"
    lines = [f"🏢 {company.name}", f"Contacts: {names}." if people else "No contacts yet."]
    lines += await _story(uow, rep, now, contact_id=None, company_id=company.id, company=company)
    return Reply("\n".join(lines))


async def _story(
    uow: UnitOfWork,
    rep: Rep,
    now: datetime,
    *,
    contact_id: int | None,
    company_id: int | None,
    company: Company | None,
) -> list[str]:
    """Notes, the open deal, the last activities and the next callback of a contact or company."""
    whose = None if _sees_team(rep) else rep.id
    notes = await uow.recall.activities_about(
        rep.team_id, contact_id=contact_id, company_id=company_id, rep_id=whose,
        kind=ActivityKind.NOTE, limit=NOTES_SHOWN,
    )  # fmt: skip
    recent = await uow.recall.activities_about(
        rep.team_id, contact_id=contact_id, company_id=company_id, rep_id=whose,
        kind=None, limit=ACTIVITIES_SHOWN,
    )  # fmt: skip
    callback = await uow.recall.next_callback(
        rep.team_id, contact_id=contact_id, company_id=company_id, rep_id=whose
    )
    deal = await uow.deals.open_for_company(rep.team_id, company.id) if company else None

    lines = []
    if notes:
        lines.append("Notes:")
        lines += [
            f"• {_day(note.occurred_at, now, rep.timezone)}: {quote(note.text, _NOTE_LIMIT)}"
            for note in notes
        ]
    if deal is not None:
        price = money(deal.amount, deal.currency)
        stage = texts.STAGE_LABELS[deal.stage]
        lines.append(f"Deal: {stage}" + (f", {price}" if price else "") + ".")
    else:
        lines.append("No open deal.")
    if recent:
        lines.append("Last activities:")
        lines += [
            f"• {_day(activity.occurred_at, now, rep.timezone)}, "
            f"{texts.KIND_LABELS[activity.kind]}: {_short(activity.text, _ACTIVITY_LIMIT)}"
            for activity in recent
        ]
    else:
        lines.append("No activities yet.")
    if callback is not None:
        when = timefmt.describe(callback.due_at, now, rep.timezone)
        overdue = " (overdue)" if callback.due_at < now else ""
        lines.append(f"Next callback: {when}{overdue}: {_short(callback.text, _ACTIVITY_LIMIT)}")
    else:
        lines.append("No callback planned.")
    return lines


async def find(uow: UnitOfWork, rep: Rep, now: datetime, args: str) -> Reply:
    typed = " ".join(args.split())
    needle = name_key(typed)
    if len(needle.replace(" ", "")) < MIN_NEEDLE or len(typed) > MAX_NAME:
        return Reply(texts.FIND_USAGE)
    contacts = await uow.recall.find_contacts(rep.team_id, needle, FIND_LIMIT)
    companies = await uow.recall.find_companies(rep.team_id, needle, FIND_LIMIT)
    # Texts keep their accents: the folded needle finds "cafe" for "Café", the typed one
    # "café" for "café" ("cafe" does not find "café": see storage.recall).
    needles = sorted({typed.lower(), needle})
    whose = None if _sees_team(rep) else rep.id
    activities = await uow.recall.find_activities(rep.team_id, whose, needles, FIND_LIMIT)

    shown = _share([len(contacts), len(companies), len(activities)], FIND_LIMIT)
    if not any(shown):
        return Reply(f"Nothing found for {quote(typed, 60)}.")
    lines = [f"Found for {quote(typed, 60)}:"]
    if shown[0]:
        lines.append("Contacts:")
        labels = await contact_labels(uow, rep.team_id, contacts[: shown[0]])
        lines += [f"• {label}" for label in labels]
    if shown[1]:
        lines.append("Companies:")
        for company in companies[: shown[1]]:
            deal = await uow.deals.open_for_company(rep.team_id, company.id)
            if deal is None:
                lines.append(f"• {company.name}")
                continue
            price = money(deal.amount, deal.currency)
            stage = texts.STAGE_LABELS[deal.stage]
            lines.append(f"• {company.name}: deal at {stage}" + (f", {price}" if price else ""))
    if shown[2]:
        lines.append("Activities:")
        lines += [_hit(line, needles, now, rep.timezone) for line in activities[: shown[2]]]
    if sum(shown) < len(contacts) + len(companies) + len(activities):
        lines.append(f"Showing the first {FIND_LIMIT}: add a word to narrow it down.")
    return Reply("\n".join(lines))


def _share(sizes: Sequence[int], limit: int) -> list[int]:
    """How many of each group to show, ``limit`` in all, taking turns so no group starves."""
    shown = [0] * len(sizes)
    while sum(shown) < limit and any(n < size for n, size in zip(shown, sizes, strict=True)):
        for i, size in enumerate(sizes):
            if shown[i] < size and sum(shown) < limit:
                shown[i] += 1
    return shown


def _hit(line: ActivityLine, needles: Sequence[str], now: datetime, timezone: str) -> str:
    activity = line.activity
    text = " ".join(activity.text.split())
    lowered = text.lower()
    at = min((i for needle in needles if (i := lowered.find(needle)) >= 0), default=0)
    start = max(0, at - _SNIPPET_BEFORE)
    snippet = text[start : start + _SNIPPET]
    snippet = ("…" if start else "") + snippet + ("…" if start + _SNIPPET < len(text) else "")
    subject = who(line.contact_name, line.company_name)
    kind = texts.KIND_LABELS[activity.kind]
    day = _day(activity.occurred_at, now, timezone)
    return f"• {day}, {kind}" + (f" ({subject})" if subject else "") + f": {snippet}"
