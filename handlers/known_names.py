"""The team's records a message could mean, fetched for the capture reader to see."""

from __future__ import annotations

from handlers.capture.known import MENTION_LIMIT, Known, KnownContact, mentions
from handlers.ports import UnitOfWork


async def known_names(uow: UnitOfWork, team_id: int, text: str) -> Known:
    """The contacts and companies sharing word beginnings with ``text`` (two indexed lookups,
    whatever the size of the team's address book)."""
    words = mentions(text)
    if not words:
        return Known()
    contacts = await uow.contacts.similar(team_id, words, MENTION_LIMIT)
    companies = await uow.companies.similar(team_id, words, MENTION_LIMIT)
    return Known(
        tuple(KnownContact(contact.full_name) for contact in contacts),
        tuple(company.name for company in companies),
    )
