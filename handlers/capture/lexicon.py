"""What a language's reps write, as data the capture engine reads.

Every pattern is a regular-expression alternation written in *folded* form: lowercase, and
for Latin letters without diacritics (``revin maine la 10`` matches "revin mâine la 10").
Cyrillic is kept as it is but for ё, written е. :func:`fold` does the same to the message,
one character for one character, so a match's span points at the original text.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cache

from handlers.domain import ActivityKind, Stage

_SPECIAL_FOLDS = {"ł": "l", "đ": "d", "ø": "o", "ß": "s", "ё": "е", "’": "'", "‘": "'"}


@cache
def _fold_char(char: str) -> str:
    if char in _SPECIAL_FOLDS:
        return _SPECIAL_FOLDS[char]
    if ord(char) < 0x0400:  # Latin and friends: drop the marks, keep the letter
        decomposed = unicodedata.normalize("NFKD", char)
        base = "".join(c for c in decomposed if not unicodedata.combining(c))
        if len(base) == 1:
            return base
    return char


def fold(text: str) -> str:
    """Lowercase without diacritics, the same length as ``text``."""
    return "".join(_fold_char(char) for char in text.lower())


@dataclass(frozen=True, eq=False)  # identity: lexicons are module-level singletons
class Lexicon:
    code: str
    kinds: dict[ActivityKind, str]
    """Words that say what happened (past tense: "called", not "call back")."""
    intent: str
    """A promise to get back to someone: without it, a date is a fact, not a follow-up."""
    stages: dict[Stage, str]
    person_cues: str
    """Words a person's name follows ("with", "met", "z", "с", "cu", "con")."""
    company_cues: str
    """Words a company's name follows ("from", "at", "de la", "из", "z", "от")."""
    titles: str
    """Courtesy titles skipped before a name (Mr, domnul, pan, г-н, Sr.)."""
    stopwords: frozenset[str]
    """Words that end a name: pronouns, prepositions, verbs a name is often followed by."""
    today: str
    tomorrow: str
    day_after_tomorrow: str
    weekdays: tuple[str, str, str, str, str, str, str]
    months: tuple[str, ...]
    relative: str
    """What comes before "2 hours": "in", "peste", "za", "через", "след", "en"."""
    numbers: dict[str, int]
    units: dict[str, str]
    """Regex per unit: ``minute``, ``hour``, ``day``, ``week``, ``month``."""
    next_week: str
    clock_markers: str
    """What comes before a clock time: "at", "la", "o", "в", "a las"."""
    hour_suffix: str
    """What may follow an hour: "h", "ч", "часа", "godz"."""
    quantity_units: str
    """Nouns after a number that make it a quantity, never a date or an amount."""
    hour_words: dict[str, int] = field(default_factory=dict)
    """Hours said in words where reps say them so ("diez", "jedenastej", "одиннадцатого")."""
    minutes_before_hour: tuple[tuple[str, int], ...] = ()
    """Words before an hour and the minutes they add to it: ("half past", 30) in English;
    ("wpol do", -30) in Polish, where "wpół do jedenastej" is 10:30."""
    minutes_after_hour: tuple[tuple[str, int], ...] = ()
    """Words after an hour and the minutes they add: ("y media", 30), ("menos cuarto", -15)."""
    minutes_joiner: str = r"(?!x)x"
    """The word between an hour and its minutes said apart: "в 9 и 45", "a las 9 y 20"."""
    day_then_hour: bool = False
    """Whether a bare number right after a day is its hour ("fri 2", "tmrw 11"), not a date."""
    day_words: dict[str, int] = field(default_factory=dict)
    """Days of the month said in words before the month: "тридцатого декабря", "трети
    февруари", "dwudziestego ósmego stycznia" (see :func:`ordinal_days`)."""
    day_of_month: tuple[str, ...] = ()
    """A day of the month said without the month, each with a group ``day``: "the 14th"."""
    morning: str = r"(?!x)x"
    afternoon: str = r"(?!x)x"
    evening: str = r"(?!x)x"
    hints: str = r"(?!x)x"
    """Frequent short words of the language, to tell it from the others."""


def ordinal_days(
    ones: tuple[str, ...], teens: tuple[str, ...], tens: dict[int, tuple[str, str]]
) -> dict[str, int]:
    """Folded day words 1-31 from the words for 1-9 and 10-19, and per ten (20, 30) the word
    alone and how it opens a compound: ``{20: ("двадцатого", "двадцать ")}``."""
    days = {word: number for number, word in enumerate((*ones, *teens), start=1)}
    for ten, (alone, opening) in tens.items():
        days[alone] = ten
        for number, one in enumerate(ones, start=1):
            if ten + number <= 31:
                days[opening + one] = ten + number
    return days


def whole_words(source: str) -> str:
    """An alternation's source, changed to match whole words only."""
    return rf"(?<!\w)(?:{source})(?!\w)"
