"""Which of the team's contacts or companies a rep means, forgiving the way reps type names.

"Call Sam" means Sam Reed when he is the team's only Sam; "called sam reid" means Sam Reed;
"Nortwind" is Northwind; an ending the engine left on ("Biedronki", "Орлову") is the same name.
Storage hands over a bounded set of candidates, the names sharing the first letters of a word
with what was typed (:func:`handlers.names.name_prefixes`, one indexed lookup, whatever the size
of the team's address book); this module scores them with rapidfuzz and decides: one clear
match, several that fit equally well (the rep is asked which), or none (a new record).

Names are compared word by word, folded (case, accents, ё/е, ł/l): a contact matches when every
word typed stands for a word of the name, so a first name alone finds the full name. A company
matches as a whole name: "Northwind" is not "Northwind Logistics".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import Prefix

from handlers.domain import Company, Contact
from handlers.names import name_key, name_words
from handlers.ports import UnitOfWork
from handlers.reminder_card import who

WORD_FLOOR = 70.0
"""Every typed word must be at least this like the word of the name it stands for: one wrong
letter in a four-letter word ("Reid" for "Reed", 75) passes; one in a three-letter name does not
("Pam" for "Sam", 67): short first names one letter apart are different people."""
CONTACT_MATCH = 80.0
"""The average word likeness at which a typed full name is taken for a known contact ("Sam
Reid" for Sam Reed is 87.5; "Ana Popescu" for Anna Popescu 93)."""
SINGLE_WORD_MATCH = 90.0
"""A lone word ("Sam") says less than a full name, so it must be the name or an inflection
of it: "Ana" does not find Anna (86); "Борису" finds Борис."""
COMPANY_MATCH = 85.0
"""A company name is one word more often than not, so a typo must leave most of it intact:
"Nortwind" (94) and "Biedronki" (90) are found, "Acne" is not Acme (75)."""
INFLECTED = 90.0
"""The likeness of two words that share a stem and differ in a case ending (Slavic endings are
one to three letters): "Orlenem" is Orlen, "Ромашкой" is Ромашка, whatever ratio says."""
MIN_STEM = 5
"""Letters two words must share from the start to be taken for inflections of one word; four
would make "Hart" and "Harter" one name."""
MAX_ENDING = 3
"""Letters after the shared stem that count as an ending ("Nowak" / "Nowakiem")."""
AMBIGUITY_MARGIN = 5.0
"""Candidates scoring within this of the best fit as well as it: the rep is asked which."""
CANDIDATE_LIMIT = 500
"""How many candidates storage returns at most, those sharing the most word prefixes first.
A typo in the first letters of one word leaves a candidate one shared prefix, tied with every
namesake of the other word; 500 keeps it in for all but the most common first names, and
scoring 500 takes about 4 ms."""
MAX_CHOICES = 5
"""Contacts offered as buttons when the name fits several; more would not fit a phone screen."""


def word_likeness(typed: str, known: str) -> float:
    """How alike two folded words are, 0 to 100, an inflection counting as nearly the same."""
    if typed == known:
        return 100.0
    score = fuzz.ratio(typed, known)
    stem = Prefix.similarity(typed, known)
    if stem >= MIN_STEM and max(len(typed), len(known)) - stem <= MAX_ENDING:
        score = max(score, INFLECTED)
    return score


def _paired(typed: list[str], known: list[str]) -> list[float] | None:
    """The likeness of each typed word to the word of the name it stands for, pairing the most
    alike first (each word used once); None if the name has too few words for what was typed."""
    if not typed or len(typed) > len(known):
        return None
    options = sorted(
        (
            (word_likeness(word, other), i, j)
            for i, word in enumerate(typed)
            for j, other in enumerate(known)
        ),
        key=lambda option: (-option[0], abs(option[1] - option[2]), option[1], option[2]),
    )
    taken_typed: set[int] = set()
    taken_known: set[int] = set()
    scores = []
    for score, i, j in options:
        if i in taken_typed or j in taken_known:
            continue
        taken_typed.add(i)
        taken_known.add(j)
        scores.append(score)
    return scores


def contact_score(typed: str, known: str) -> float:
    """How well a typed name fits a contact's full name, 0 (not them) to 100."""
    words = name_words(typed)
    scores = _paired(words, name_words(known))
    if scores is None or min(scores) < WORD_FLOOR:
        return 0.0
    score = sum(scores) / len(scores)
    return score if score >= (SINGLE_WORD_MATCH if len(words) == 1 else CONTACT_MATCH) else 0.0


def company_score(typed: str, known: str) -> float:
    """How well a typed company name fits a known one, 0 (another company) to 100."""
    words, other = name_words(typed), name_words(known)
    score = fuzz.ratio("".join(words), "".join(other))  # "PiedPiper" is Pied Piper
    if len(words) == len(other) and (scores := _paired(words, other)) and min(scores) >= WORD_FLOOR:
        score = max(score, sum(scores) / len(scores))
    return score if score >= COMPANY_MATCH else 0.0


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
    return best[1] if best else None


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
