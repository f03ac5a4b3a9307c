"""Which of the team's contacts or companies a rep means, forgiving the way reps type names.

"Call Sam" means Sam Reed when he is the team's only Sam; "called sam reid" means Sam Reed;
"Nortwind" is Northwind; an ending the engine left on ("Biedronki", "Орлову") is the same name.
Storage hands over a bounded set of candidates, the names sharing the first letters of a word
with what was typed (:func:`handlers.names.name_prefixes`, one indexed lookup, whatever the size
of the team's address book); this module scores them with rapidfuzz and decides: one clear
match, several that fit equally well (the rep is asked which), or none (a new record).

How alike two names are is :mod:`handlers.likeness`'s to say.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from handlers.domain import Company, Contact
from handlers.likeness import AMBIGUITY_MARGIN, company_score, contact_score, short_name_of
from handlers.names import name_key
from handlers.ports import UnitOfWork
from handlers.reminder_card import who

CANDIDATE_LIMIT = 500
"""How many candidates storage returns at most, those sharing the most word prefixes first.
A typo in the first letters of one word leaves a candidate one shared prefix, tied with every
namesake of the other word; 500 keeps it in for all but the most common first names, and
scoring 500 takes about 4 ms."""
MAX_CHOICES = 5
"""Contacts offered as buttons when the name fits several; more would not fit a phone screen."""


async def find_company(uow: UnitOfWork, team_id: int, name: str) -> Company | None:
    """The team's company a typed name means, if any: the same name folded, else the best
    close spelling."""
    exact = await uow.companies.find_by_name(team_id, name)
    if exact is not None:
        return exact
    candidates = await uow.companies.similar(team_id, name, CANDIDATE_LIMIT)
    scored = [(company_score(name, company.name), company) for company in candidates]
    # Of equally good spellings, the oldest record: the one the team has used longest.
    best = max(
        (item for item in scored if item[0] > 0),
        key=lambda item: (item[0], -item[1].id),
        default=None,
    )
    if best is not None:
        return best[1]
    # "Kestrel" for the team's only Kestrel Energy: a short name no other company shares.
    short = short_name_of(name, [company.name for company in candidates])
    return next((company for company in candidates if company.name == short), None)


@dataclass(frozen=True, slots=True)
class ContactMatch:
    contact: Contact | None = None
    """The contact meant, when the name clearly means one."""
    choices: tuple[Contact, ...] = ()
    """Two or more contacts the name fits equally well, best first: the rep says which."""


async def find_contact(
    uow: UnitOfWork, team_id: int, name: str, company: Company | None = None
) -> ContactMatch:
    """The team's contact a typed name means; ``company`` is where the message says they work.

    The same name folded is that contact, wherever they work. A close name is only taken for a
    contact the company does not contradict (filed there, or nowhere yet); of several equally
    close, those filed at the company win.
    """
    exact = await uow.contacts.find_by_name(team_id, name)
    if exact is not None:
        return ContactMatch(exact)
    candidates = await uow.contacts.similar(team_id, name, CANDIDATE_LIMIT)
    scored = [
        (score, contact)
        for contact in candidates
        if (score := contact_score(name, contact.full_name)) > 0
        and (company is None or contact.company_id in (None, company.id))
    ]
    if not scored:
        return ContactMatch()
    best = max(score for score, _ in scored)
    close = [(score, contact) for score, contact in scored if best - score <= AMBIGUITY_MARGIN]
    if company is not None and any(c.company_id == company.id for _, c in close):
        close = [(score, c) for score, c in close if c.company_id == company.id]
    if len(close) == 1:
        return ContactMatch(close[0][1])
    close.sort(key=lambda item: (-item[0], name_key(item[1].full_name), item[1].id))
    return ContactMatch(choices=tuple(contact for _, contact in close[:MAX_CHOICES]))


async def contact_labels(uow: UnitOfWork, team_id: int, contacts: Sequence[Contact]) -> list[str]:
    """How contacts are shown on buttons: "Sam Reed (Northwind)"."""
    names: dict[int, str] = {}
    for contact in contacts:
        if contact.company_id is not None and contact.company_id not in names:
            company = await uow.companies.get(team_id, contact.company_id)
            if company is not None:
                names[company.id] = company.name
    return [who(c.full_name, names.get(c.company_id or 0)) for c in contacts]
