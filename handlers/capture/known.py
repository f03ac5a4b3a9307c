"""The team's own contacts and companies, as the reader of one message is handed them.

They do two things. As features they tell the tagger that "brightline" in "spoke w brightline
again" is the team's company, not a new person. After tagging they turn what was typed into the
record meant: "kestrel" is Kestrel Energy, "sam" is Sam Reed (and so Northwind), and a known
person is never filed as a company.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, cached_property

from handlers.capture.languages import LEXICONS
from handlers.capture.lexicon import fold
from handlers.likeness import company_score, contact_score, short_name_of, word_likeness
from handlers.names import name_key, name_words

_FEATURE_LIKENESS = 88.0
"""A token this like a word of a known name is flagged as (an inflection of) that word."""
_MIN_LETTERS = 3
"""Shorter tokens ("al", "de") are never flagged: they are in too many names."""
_SHORT_FORM = 3
"""Letters a short first name shares with the name it stands for ("Tom" in Tomasz)."""


@dataclass(frozen=True, slots=True)
class KnownContact:
    name: str
    company: str | None = None


@dataclass(frozen=True)
class Known:
    """The names of a team's records that could be meant by one message."""

    contacts: tuple[KnownContact, ...] = ()
    companies: tuple[str, ...] = ()
    _cache: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def _words(self) -> dict[str, set[str]]:
        """Folded word -> "per" and/or "org": which kind of known name has it."""
        found: dict[str, set[str]] = {}
        for contact in self.contacts:
            for word in name_words(contact.name):
                found.setdefault(word, set()).add("per")
        for company in self.companies:
            for word in name_words(company):
                found.setdefault(word, set()).add("org")
        return found

    def flags(self, folded: str) -> tuple[str, ...]:
        """Tagger features of a token: ``known_per``, ``known_org`` (the word of a known name,
        or an inflection or typo of one)."""
        if len(folded) < _MIN_LETTERS or not self._words:
            return ()
        if folded in self._cache:
            return self._cache[folded]
        kinds = set(self._words.get(folded, ()))
        if not kinds:
            for word, owners in self._words.items():
                if len(word) >= _MIN_LETTERS and word_likeness(folded, word) >= _FEATURE_LIKENESS:
                    kinds |= owners
        flags = tuple(sorted(f"known_{kind}" for kind in kinds))
        self._cache[folded] = flags
        return flags

    def contact(self, typed: str, company: str | None = None) -> KnownContact | None:
        """The one known contact ``typed`` means, if exactly one fits best. A close name said
        with a company is only a contact known to work there ("Sam from Pied Piper" is not
        Northwind's Sam Reed): the recorder, which knows where everyone works, decides the
        rest."""
        key = name_key(typed)
        exact = [contact for contact in self.contacts if name_key(contact.name) == key]
        if exact:
            return exact[0]
        scored = [
            (contact_score(typed, c.name), c)
            for c in self.contacts
            if company is None
            or (c.company is not None and name_key(c.company) == name_key(company))
        ]
        scored = [(score, contact) for score, contact in scored if score > 0]
        if not scored:
            return self._by_short_first_name(typed, company)
        best = max(score for score, _ in scored)
        top = [contact for score, contact in scored if score == best]
        return top[0] if len(top) == 1 else None

    def _by_short_first_name(self, typed: str, company: str | None) -> KnownContact | None:
        """The one known contact whose first name ``typed`` is a short form of: its first
        letters, as "Sam" of Samantha, "Tomek" of Tomasz, "Деси" of Десислава (a form that
        shares none, as Kasia of Katarzyna, needs a list no one keeps)."""
        words = name_words(typed)
        if len(words) != 1 or len(words[0]) < _SHORT_FORM:
            return None
        short = words[0]
        fits = []
        for contact in self.contacts:
            first = name_words(contact.name)[:1]
            same_place = company is None or (
                contact.company is not None and name_key(contact.company) == name_key(company)
            )
            if (
                same_place
                and first
                and len(first[0]) >= len(short)
                and first[0] != short
                and first[0][:_SHORT_FORM] == short[:_SHORT_FORM]
            ):
                fits.append(contact)
        return fits[0] if len(fits) == 1 else None

    def company(self, typed: str) -> str | None:
        """The known company ``typed`` names: the same name, a close spelling, or a short name
        of exactly one ("kestrel" for Kestrel Energy)."""
        key = name_key(typed)
        for company in self.companies:
            if name_key(company) == key:
                return company
        scored = [(company_score(typed, company), company) for company in self.companies]
        best = max(scored, default=(0.0, ""))
        if best[0] > 0:
            return best[1]
        return short_name_of(typed, self.companies)

    def is_contact_only(self, typed: str) -> bool:
        """Whether ``typed`` names a known person and no known company."""
        return self.contact(typed) is not None and self.company(typed) is None

    def is_company_only(self, typed: str) -> bool:
        """Whether ``typed`` names a known company and no known person."""
        return self.company(typed) is not None and self.contact(typed) is None


NOBODY = Known()


MENTION_LIMIT = 50
"""How many of the team's contacts, and of its companies, a message is read against at most:
those sharing the most word beginnings with it (the storage index ranks them)."""
_MIN_MENTION = 3


def mentions(text: str) -> str:
    """The words of ``text`` that could be part of a name, for finding the team's records it
    may mean: no short words, numbers or words every language's reps use around names."""
    common = _common_words()
    kept = [
        word
        for word in _WORD.findall(text)
        if len(word) >= _MIN_MENTION and not word.isdigit() and fold(word) not in common
    ]
    return " ".join(dict.fromkeys(kept))


_WORD = re.compile(r"[^\W\d_][\w'’-]*")


@cache
def _common_words() -> frozenset[str]:
    return frozenset().union(*(lexicon.stopwords for lexicon in LEXICONS.values()))
