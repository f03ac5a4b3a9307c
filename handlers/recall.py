"""``/history`` and ``/find``: what the team knows about someone, and where a word occurs.

``/history Sam`` finds the contact or company the rep means as a message does
(:mod:`handlers.matching`: case, accents, endings, typos); when the name fits several, the
reply has a button per candidate (``h:c:<contact id>``, ``h:o:<company id>``) and a press
shows that one. ``/find fishing`` searches the team's contacts and companies by folded name and
activity texts by folded text (case and accents: "sedinta" finds "ședință").

A rep reads the team's contacts, companies and deals, but only their own activities and
callbacks; managers and admins read the team's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from handlers import permissions, texts, timefmt
from handlers.contact_details import dialled_digits
from handlers.deals import money
from handlers.domain import ActivityKind, ActivityLine, Company, Contact, Rep
from handlers.i18n import _
from handlers.matching import contact_labels, find_company, find_contact
from handlers.messages import Button, Reply
from handlers.names import name_key, name_words, text_key
from handlers.ports import UnitOfWork
from handlers.reminder_card import quote, who
from handlers.terms import kind_label, stage_label

HISTORY_BUTTON = re.compile(r"h:(?P<kind>[co]):(?P<id>[1-9][0-9]{0,17})")
"""A candidate's button: ``h:c:<contact id>`` or ``h:o:<company id>`` (matched whole)."""
NOTES_SHOWN = 2
ACTIVITIES_SHOWN = 5
CONTACTS_SHOWN = 10
FIND_LIMIT = 10
"""Hits shown by /find, over all groups; each group's query is bounded by it too."""
MIN_NEEDLE = 2
"""Letters /find needs: one letter would match nearly everything."""
MIN_PHONE_SEARCH = 4
"""Digits /find needs to look through phone numbers: fewer would match most of them."""
MAX_NAME = 200
"""Names are stored up to 200 characters; a longer argument names nobody."""
_NOTE_LIMIT = 100
_ACTIVITY_LIMIT = 80
_SNIPPET = 80
_SNIPPET_BEFORE = 25


def _sees_team(rep: Rep) -> bool:
    return permissions.sees_team(rep)  # the one policy: handlers.permissions


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _day(moment: datetime, now: datetime, timezone: str) -> str:
    return timefmt.day_label(timefmt.local(moment, timezone), timefmt.local(now, timezone))


async def history(uow: UnitOfWork, rep: Rep, now: datetime, args: str) -> Reply:
    name = " ".join(args.split())
    if not name_words(name):
        return Reply(_(texts.HISTORY_USAGE))
    if len(name) > MAX_NAME:
        return Reply(_unknown(name))
    # The name as stored (folded) is the usual case: two indexed lookups, no fuzzy search.
    same_company = await uow.companies.find_by_name(rep.team_id, name)
    same_contact = await uow.contacts.find_by_name(rep.team_id, name)
    if same_company is not None and same_contact is None:
        return await _company_history(uow, rep, now, same_company)
    if same_contact is not None and same_company is None:
        return await _contact_history(uow, rep, now, same_contact)
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
        label = _("{name} (company)").format(name=company.name)
        buttons.append((Button(label, f"h:o:{company.id}"),))
    return Reply(_("Which {name} do you mean?").format(name=name), tuple(buttons))


def _unknown(name: str) -> str:
    return _(
        "I don't know anyone called {name} in your team's contacts or companies. "
        "Check the spelling, or /find a part of the name."
    ).format(name=quote(name, 60))


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
    return Reply(_(texts.UNKNOWN_BUTTON))


async def _contact_history(uow: UnitOfWork, rep: Rep, now: datetime, contact: Contact) -> Reply:
    company = (
        await uow.companies.get(rep.team_id, contact.company_id) if contact.company_id else None
    )
    lines = [f"👤 {contact.full_name}" + (f", {company.name}" if company else "")]
    # What a rep needs before dialling, right under the name (the phone first: the call).
    details = " · ".join(part for part in (contact.job_title, _reach(contact)) if part)
    if details:
        lines.append(details)
    lines += await _story(uow, rep, now, contact_id=contact.id, company_id=None, company=company)
    return Reply("\n".join(lines))


def _reach(contact: Contact) -> str:
    """How to reach the contact: "📞 +40 721 000 111 · ✉️ sam@northwind.example"."""
    ways = (
        f"📞 {contact.phone}" if contact.phone else "",
        f"✉️ {contact.email}" if contact.email else "",
    )
    return " · ".join(way for way in ways if way)


async def _company_history(uow: UnitOfWork, rep: Rep, now: datetime, company: Company) -> Reply:
    people = await uow.recall.contacts_at(rep.team_id, company.id, CONTACTS_SHOWN + 1)
    names = ", ".join(contact.full_name for contact in people[:CONTACTS_SHOWN])
    if len(people) > CONTACTS_SHOWN:
        names = _("{names} and more").format(names=names)
    contacts = _("Contacts: {names}.").format(names=names) if people else _("No contacts yet.")
    lines = [f"🏢 {company.name}", contacts]
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
    recent = await uow.recall.activities_about(
        rep.team_id, contact_id=contact_id, company_id=company_id, rep_id=whose,
        kind=None, limit=ACTIVITIES_SHOWN,
    )  # fmt: skip
    notes = [activity for activity in recent if activity.kind is ActivityKind.NOTE]
    if len(notes) < NOTES_SHOWN and len(recent) == ACTIVITIES_SHOWN:
        # Older notes may lie beyond the last activities: ask for them (else it saves a query).
        notes = await uow.recall.activities_about(
            rep.team_id, contact_id=contact_id, company_id=company_id, rep_id=whose,
            kind=ActivityKind.NOTE, limit=NOTES_SHOWN,
        )  # fmt: skip
    notes = notes[:NOTES_SHOWN]
    callback = await uow.recall.next_callback(
        rep.team_id, contact_id=contact_id, company_id=company_id, rep_id=whose
    )
    deal = await uow.deals.open_for_company(rep.team_id, company.id) if company else None

    lines = []
    if notes:
        lines.append(_("Notes:"))
        lines += [
            f"• {_day(note.occurred_at, now, rep.timezone)}: {quote(note.text, _NOTE_LIMIT)}"
            for note in notes
        ]
    if deal is not None:
        price = money(deal.amount, deal.currency)
        stage = stage_label(deal.stage)
        lines.append(_("Deal: {stage}.").format(stage=f"{stage}, {price}" if price else stage))
    else:
        lines.append(_("No open deal."))
    if recent:
        lines.append(_("Last activities:"))
        lines += [
            f"• {_day(activity.occurred_at, now, rep.timezone)}, "
            f"{kind_label(activity.kind)}: {_short(activity.text, _ACTIVITY_LIMIT)}"
            for activity in recent
        ]
    else:
        lines.append(_("No activities yet."))
    if callback is not None:
        when = timefmt.describe(callback.due_at, now, rep.timezone)
        overdue = " " + _("(overdue)") if callback.due_at < now else ""
        lines.append(
            _("Next callback: {when}: {text}").format(
                when=when + overdue, text=_short(callback.text, _ACTIVITY_LIMIT)
            )
        )
    else:
        lines.append(_("No callback planned."))
    return lines


async def find(uow: UnitOfWork, rep: Rep, now: datetime, args: str) -> Reply:
    typed = " ".join(args.split())
    needle = name_key(typed)
    if len(needle.replace(" ", "")) < MIN_NEEDLE or len(typed) > MAX_NAME:
        return Reply(_(texts.FIND_USAGE))
    contacts = await uow.recall.find_contacts(rep.team_id, needle, FIND_LIMIT)
    by_details = await _by_details(uow, rep.team_id, typed, {c.id for c in contacts})
    contacts += by_details
    companies = await uow.recall.find_companies(rep.team_id, needle, FIND_LIMIT)
    # Texts are searched folded, as names are: "sedinta" finds "Ședință", "zolw" "żółw".
    needles = [text_key(typed)]
    whose = None if _sees_team(rep) else rep.id
    activities = await uow.recall.find_activities(rep.team_id, whose, needles, FIND_LIMIT)

    shown = _share([len(contacts), len(companies), len(activities)], FIND_LIMIT)
    if not any(shown):
        return Reply(_("Nothing found for {text}.").format(text=quote(typed, 60)))
    lines = [_("Found for {text}:").format(text=quote(typed, 60))]
    if shown[0]:
        lines.append(_("Contacts:"))
        shown_contacts = contacts[: shown[0]]
        labels = await contact_labels(uow, rep.team_id, shown_contacts)
        found_by_details = {contact.id for contact in by_details}
        lines += [
            f"• {label}" + (f": {_reach(contact)}" if contact.id in found_by_details else "")
            for contact, label in zip(shown_contacts, labels, strict=True)
        ]
    if shown[1]:
        lines.append(_("Companies:"))
        for company in companies[: shown[1]]:
            deal = await uow.deals.open_for_company(rep.team_id, company.id)
            if deal is None:
                lines.append(f"• {company.name}")
                continue
            price = money(deal.amount, deal.currency)
            stage = stage_label(deal.stage)
            at = _("deal at {stage}").format(stage=stage)
            lines.append(f"• {company.name}: {at}" + (f", {price}" if price else ""))
    if shown[2]:
        lines.append(_("Activities:"))
        lines += [_hit(line, needles, now, rep.timezone) for line in activities[: shown[2]]]
    if sum(shown) < len(contacts) + len(companies) + len(activities):
        lines.append(
            _("Showing the first {count}: add a word to narrow it down.").format(count=FIND_LIMIT)
        )
    return Reply("\n".join(lines))


async def _by_details(uow: UnitOfWork, team_id: int, typed: str, seen: set[int]) -> list[Contact]:
    """Contacts found by their e-mail ("@northwind", "sam@") or phone digits ("0721 000",
    "721-000-111"), besides those ``seen`` by name. Only a word with an @, or one written as
    a phone number is, is looked up there: "fishing" is not a phone number."""
    email = typed if "@" in typed and " " not in typed else None
    digits = dialled_digits(typed)
    if digits is not None and len(digits) < MIN_PHONE_SEARCH:
        digits = None
    if email is None and digits is None:
        return []
    found = await uow.recall.find_contacts_by_details(
        team_id, email=email, phone_digits=digits, limit=FIND_LIMIT
    )
    return [contact for contact in found if contact.id not in seen]


def _share(sizes: Sequence[int], limit: int) -> list[int]:
    """How many of each group to show, ``limit`` in all, taking turns so no group starves."""
    shown = [0] * len(sizes)
    while sum(shown) < limit and any(n < size for n, size in zip(shown, sizes, strict=True)):
        for i, size in enumerate(sizes):
            if shown[i] < size and sum(shown) < limit:
                shown[i] += 1
    return shown


def _folded_find(text: str, needles: Sequence[str]) -> int:
    """Where in ``text`` the first of the (folded) needles starts, 0 if none is found.

    Folding can change a text's length ("ß" is "ss", accents go), so each character is folded
    on its own and the folded positions mapped back to the original ones.
    """
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        piece = text_key(char) or (" " if char.isspace() else "")
        folded.append(piece)
        origin += [index] * len(piece)
    haystack = "".join(folded)
    found = [i for needle in needles if (i := haystack.find(needle)) >= 0]
    return origin[min(found)] if found else 0


def _hit(line: ActivityLine, needles: Sequence[str], now: datetime, timezone: str) -> str:
    activity = line.activity
    text = " ".join(activity.text.split())
    at = _folded_find(text, needles)
    start = max(0, at - _SNIPPET_BEFORE)
    snippet = text[start : start + _SNIPPET]
    snippet = ("…" if start else "") + snippet + ("…" if start + _SNIPPET < len(text) else "")
    subject = who(line.contact_name, line.company_name)
    kind = kind_label(activity.kind)
    day = _day(activity.occurred_at, now, timezone)
    return f"• {day}, {kind}" + (f" ({subject})" if subject else "") + f": {snippet}"
