"""How alike a typed name is to a known one, forgiving the way reps type names.

Names are compared word by word, folded (case, accents, ё/е, ł/l): a contact matches when every
word typed stands for a word of the name, so a first name alone finds the full name. A company
matches as a whole name ("Northwind" is not "Northwind Logistics" by spelling), or as a short
name: its own leading or distinctive words ("Kestrel" for the team's only Kestrel Energy), which
:func:`short_name_of` decides against all of a team's companies at once.

Pure functions: :mod:`handlers.matching` applies them to storage's candidates, the capture reader
to the team's names it is handed.
"""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import fuzz
from rapidfuzz.distance import Prefix

from handlers.names import name_words

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


SHORT_NAME_FLOOR = 90.0
"""Each word of a short name must be the company's word or an inflection of it ("Kestrelu")."""


def short_name_of(typed: str, known: Iterable[str]) -> str | None:
    """The one known company ``typed`` is a short name of: every typed word is a word of its
    name, in order, and of no other known company's. None when none is, or several are."""
    words = name_words(typed)
    if not words:
        return None
    found = [name for name in known if _words_within(words, name_words(name))]
    return found[0] if len(found) == 1 else None


def _words_within(typed: list[str], known: list[str]) -> bool:
    if len(typed) >= len(known):
        return False
    position = 0
    for word in typed:
        while position < len(known) and word_likeness(word, known[position]) < SHORT_NAME_FLOOR:
            position += 1
        if position == len(known):
            return False
        position += 1
    return True
