"""Erasing a contact's personal data on request (GDPR), in chat (``/forget``) and on the CLI.

What goes: the contact's name (it becomes "Erased contact #12" and is no longer found by its
letters), their e-mail, phone and job title, the texts of the activities and callbacks about
them or naming them (they become "(erased)"), files kept with those activities, and the same
name, details and texts in the audit log's snapshots. What stays: each activity's kind, rep
and time, and each callback's time, so the digests' counts do not change; deals and
companies (a company is not a person).

The erasure itself is audited (action ``erase``) with counts only, never the erased data. It
cannot be undone: that is the point.

In chat only an admin may erase (:mod:`handlers.permissions`); ``/forget Sam Reed`` asks for
confirmation with a button per contact the name fits (``fg:<contact id>``) and Cancel
(``fg:no``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from handlers import texts
from handlers.audit import ChangeLog, new_change_id
from handlers.contact_details import FIELDS as CONTACT_DETAILS
from handlers.domain import Contact, Rep
from handlers.i18n import _, ngettext
from handlers.matching import contact_labels, find_contact
from handlers.messages import Button, Reply
from handlers.names import name_words
from handlers.permissions import Action, allowed, refusal
from handlers.ports import Erasure, UnitOfWork

FORGET_BUTTON = re.compile(r"fg:(?P<choice>no|[1-9]\d{0,17})")
"""The confirmation buttons of ``/forget``; use ``fullmatch``."""
REDACTED = "(erased)"
"""What an erased text becomes (stored data, so one fixed form in every language)."""
MAX_NAME = 200


def placeholder(contact_id: int) -> str:
    """What an erased contact's name becomes: stored, so not translated."""
    return f"Erased contact #{contact_id}"


def company_placeholder(company_id: int) -> str:
    """What a company named after an erased person becomes ("Sam Reed's", "Sam Reed Consulting":
    capture reads some names as companies, and a sole trader's company is personal data)."""
    return f"Erased company #{company_id}"


def is_erased(contact: Contact) -> bool:
    return contact.full_name == placeholder(contact.id)


def names_them(text: str, name: str) -> bool:
    """Whether ``text`` names the person as a whole word, in any letter case ("sam reed"
    names Sam Reed; "Samsung" does not name Sam)."""
    pattern = r"(?<!\w)" + r"\s+".join(map(re.escape, name.split())) + r"(?!\w)"
    return bool(name.split()) and re.search(pattern, text, re.IGNORECASE) is not None


def scrub_snapshot(
    entity: str, action: str, snapshot: Mapping[str, Any] | None, entity_id: int
) -> dict[str, Any] | None:
    """An audit snapshot (of row ``entity_id``) without the erased person's data.

    The repositories call this on the snapshots of the contact, of the companies named after
    them and their deals, of the activities and callbacks about them, and on the questions
    ("Which Sam?") asked in the same changes.
    """
    if snapshot is None:
        return None
    scrubbed = dict(snapshot)
    if entity == "contact" and action == "ask":
        if "name" in scrubbed:
            scrubbed["name"] = REDACTED  # the name the rep typed
    elif entity == "contact":
        if "full_name" in scrubbed:
            scrubbed["full_name"] = placeholder(entity_id)
        for detail in CONTACT_DETAILS:
            if scrubbed.get(detail) is not None:
                scrubbed[detail] = REDACTED
    elif entity == "company":
        if "name" in scrubbed:
            scrubbed["name"] = company_placeholder(entity_id)
    elif entity == "deal":
        if "title" in scrubbed:
            company_id = scrubbed.get("company_id")
            scrubbed["title"] = company_placeholder(company_id) if company_id else REDACTED
    elif "text" in scrubbed:
        scrubbed["text"] = REDACTED
    for key in ("text_key", "name_key"):
        scrubbed.pop(key, None)
    return scrubbed


async def erase(
    uow: UnitOfWork, team_id: int, contact: Contact, actor: Rep | None, via: str
) -> Erasure | None:
    """Erase the contact and audit it (``actor`` None: from the command line)."""
    erasure = await uow.privacy.erase_contact(
        team_id, contact.id, placeholder=placeholder(contact.id), redacted=REDACTED
    )
    if erasure is None:
        return None
    counts = {
        "activities": erasure.activities,
        "reminders": erasure.reminders,
        "audit_rows": erasure.audit_rows,
        "companies": erasure.companies,
        "via": via,
    }
    if actor is not None:
        await ChangeLog(uow, actor).record("erase", "contact", contact.id, None, counts)
    else:
        await uow.audit.record(
            team_id=team_id, rep_id=None, change_id=new_change_id(), action="erase",
            entity="contact", entity_id=contact.id, before=None, after=counts,
        )  # fmt: skip
    return erasure


def describe(contact_id: int, erasure: Erasure) -> str:
    activities = ngettext("{count} activity", "{count} activities", erasure.activities)
    reminders = ngettext("{count} callback", "{count} callbacks", erasure.reminders)
    text = _(
        "Erased: the contact is now “{placeholder}”. {activities} and {reminders} keep their "
        "dates and kinds (so the digests still count them), without their texts."
    ).format(
        placeholder=placeholder(contact_id),
        activities=activities.format(count=erasure.activities),
        reminders=reminders.format(count=erasure.reminders),
    )
    if erasure.companies:
        text += " " + ngettext(
            "A company named after them got a placeholder name too.",
            "{count} companies named after them got placeholder names too.",
            erasure.companies,
        ).format(count=erasure.companies)
    return text


async def forget_command(uow: UnitOfWork, rep: Rep, args: str) -> Reply:
    """``/forget Sam Reed``: ask an admin to confirm which contact to erase."""
    if not allowed(rep, Action.FORGET_CONTACT):
        return Reply(refusal(rep, Action.FORGET_CONTACT))
    name = " ".join(args.split())
    if not name_words(name):
        return Reply(
            _(
                "Whose personal data should I erase? Type the contact after the command: "
                "/forget Sam Reed."
            )
        )
    match = await find_contact(uow, rep.team_id, name) if len(name) <= MAX_NAME else None
    found: list[Contact] = []
    if match is not None:
        found = [match.contact] if match.contact is not None else list(match.choices)
    found = [contact for contact in found if not is_erased(contact)]
    if not found:
        return Reply(
            _("I don't know anyone called “{name}” in your team's contacts. Nothing was changed.")
            .format(name=name[:60])
        )  # fmt: skip
    labels = await contact_labels(uow, rep.team_id, found)
    rows = [
        (Button(_("Erase {label}").format(label=label), f"fg:{contact.id}"),)
        for contact, label in zip(found, labels, strict=True)
    ]
    rows.append((Button(_("Cancel"), "fg:no"),))
    who = labels[0] if len(found) == 1 else _("which of them")
    return Reply(
        _(
            "Erase {who} for good? Their name, and the texts of the notes, activities and "
            "callbacks about them, are removed; the activities stay as counts for the digests. "
            "This cannot be undone."
        ).format(who=who),
        tuple(rows),
    )


async def forget_press(uow: UnitOfWork, rep: Rep, choice: str) -> Reply:
    """A press on a ``/forget`` confirmation (``choice``: a contact id, or ``no``)."""
    if not allowed(rep, Action.FORGET_CONTACT):  # e.g. a rep pressing an admin's card
        return Reply(refusal(rep, Action.FORGET_CONTACT))
    if choice == "no":
        return Reply(_("OK, nothing was erased."))
    contact = await uow.contacts.get(rep.team_id, int(choice))
    if contact is None:  # gone, made up, or another team's
        return Reply(_(texts.UNKNOWN_BUTTON))
    if is_erased(contact):
        return Reply(_("That contact is already erased. Nothing was changed."))
    erasure = await erase(uow, rep.team_id, contact, rep, via="chat")
    if erasure is None:
        return Reply(_(texts.UNKNOWN_BUTTON))
    return Reply(describe(contact.id, erasure))
