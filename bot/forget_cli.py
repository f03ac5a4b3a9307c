"""``crmbot forget contact NAME --team TEAM``: erase a contact's personal data from a shell.

The erasure is the chat's (:mod:`handlers.privacy`): one transaction, audited with counts
only and no rep (it came from the command line).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from handlers.clock import SystemClock
from handlers.domain import Contact, Team
from handlers.matching import contact_labels
from handlers.names import name_key
from handlers.ports import Erasure
from handlers.privacy import erase, is_erased
from storage.unit_of_work import SqlUnitOfWorkFactory

SUGGESTED = 5


class ForgetError(Exception):
    """No such contact, or several: the message says what to type instead."""


async def find_contact(engine: AsyncEngine, team: Team, name: str) -> tuple[Contact, str]:
    """The team's one contact called ``name`` (ignoring case and accents), or ``#12`` by id;
    with the label the chat shows ("Sam Reed (Northwind)")."""
    async with SqlUnitOfWorkFactory(engine, SystemClock())() as uow:
        typed = " ".join(name.split())
        if typed.removeprefix("#").isdigit():
            contact = await uow.contacts.get(team.id, int(typed.removeprefix("#")))
            found = [contact] if contact is not None else []
        else:
            key = name_key(typed)
            candidates = await uow.recall.find_contacts(team.id, key, 50) if key else []
            found = [contact for contact in candidates if name_key(contact.full_name) == key]
        found = [contact for contact in found if not is_erased(contact)]
        if len(found) == 1:
            (label,) = await contact_labels(uow, team.id, found)
            return found[0], label
        if found:
            labels = await contact_labels(uow, team.id, found)
            listed = "; ".join(
                f"#{contact.id} {label}" for contact, label in zip(found, labels, strict=True)
            )
            raise ForgetError(
                f"{len(found)} contacts of {team.name} are called {typed!r}: {listed}. "
                "Name one by its number, e.g. '#12'."
            )
        similar = await uow.contacts.similar(team.id, typed, SUGGESTED) if typed else []
        hint = ", ".join(repr(c.full_name) for c in similar if not is_erased(c))
        raise ForgetError(
            f"{team.name} has no contact called {typed!r}."
            + (f" Similar names: {hint}." if hint else "")
        )


async def erase_contact(engine: AsyncEngine, team: Team, contact: Contact) -> Erasure:
    async with SqlUnitOfWorkFactory(engine, SystemClock())() as uow:
        erasure = await erase(uow, team.id, contact, None, via="cli")
        if erasure is None:
            raise ForgetError(f"contact #{contact.id} is gone already; nothing was erased.")
        await uow.commit()
    return erasure
