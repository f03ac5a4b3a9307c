"""Folding names for matching: "Northwind", "NORTHWIND " and "Nórthwind" are one company.

Storage keeps, for every contact and company, the :func:`name_prefixes` of its name in an
indexed table, so the few names that could be meant by what a rep typed are found with one
indexed lookup, however large the team's address book (:mod:`handlers.matching` scores them).
"""

from __future__ import annotations

import re
import unicodedata

PREFIX_LENGTHS = (2, 3)
"""The first letters of each word that find a name again, two and three of them. Three keep
the candidates few (those sharing them rank first); two still find a name with a typo in the
third letter ("Reid" for Reed), however common the other word ("Sam") is in the team."""

_WORDS = re.compile(r"[^\W_]+")
_LETTERS = str.maketrans({"ł": "l", "đ": "d", "ø": "o", "æ": "ae", "œ": "oe", "ı": "i"})
"""Letters with no accent to drop that reps still type without one ("Lodz" for "Łódź")."""


def name_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    without_marks = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(without_marks.split())


def name_words(name: str) -> list[str]:
    """The words of a name, folded for matching: as :func:`name_key` folds it, and "ł" as "l"
    ("O'Brien" is o, brien; "Łódź" is lodz)."""
    return _WORDS.findall(name_key(name).translate(_LETTERS))


def text_key(text: str) -> str:
    """Free text folded for searching, as :func:`name_words` folds names: case, accents,
    "ł" and the like, and spacing ("Ședință" is "sedinta", "Żółw" is "zolw")."""
    return name_key(text).translate(_LETTERS)


def name_prefixes(name: str) -> set[str]:
    """What a name is found again by: the first two and three letters of each word (a shorter
    word whole)."""
    return {word[:length] for word in name_words(name) for length in PREFIX_LENGTHS}
