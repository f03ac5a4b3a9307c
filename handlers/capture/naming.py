"""A name as the CRM files it: in its dictionary form, without titles or legal forms, and
capitalised the way its owner writes it ("pkp cargo" is PKP Cargo, "tom o'reilly" Tom
O'Reilly, "mcdonald" McDonald), whatever case the rep typed it in."""

from __future__ import annotations

import re

from handlers.capture.features import LEGAL_FORMS
from handlers.capture.morphology import company_form, dictionary_form

_VOWELS = set("aeiouyăâîąęóаеиоуыэюяёъ")
_LOWER_PARTICLES = frozenset(
    "de del la las los y e i и da di du van von der of the and & și si z w".split()
)
"""Small words inside a name that stay lowercase ("Banco de Bogotá", "Piekarnia z Kłosem")."""
_ACRONYM_LETTERS = 4
_TITLES = re.compile(
    r"^(?:mr|mrs|ms|miss|dr|mister|sr|sra|srta|don|dona|doña|dna|dl|domnul(?:ui)?|doamn(?:a|ei)"
    r"|d-?l|d-?na|pan(?:a|u|em)?|pani(?:ą)?|г-н(?:а|у|ом)?|г-ж(?:а|е|у|ой)?|инж|господин(?:а|у|ом)?"
    r"|госпож(?:а|е|у|ой)|ing|engr|prof|lic)\.?$",
    re.IGNORECASE,
)


def _styled_word(word: str) -> str:
    """A lowercase word capitalised as a name is: "o'reilly" O'Reilly, "mcdonald" McDonald,
    "elektro-bud" Elektro-Bud, and a short word without vowels as letters ("pkp" PKP)."""
    letters = [char for char in word if char.isalpha()]
    if 1 < len(letters) <= _ACRONYM_LETTERS and not _VOWELS & set(letters):
        return word.upper()
    parts = re.split(r"(['’\-])", word)
    result = "".join(part[:1].upper() + part[1:] for part in parts)
    if word.startswith("mc") and len(word) > 3:
        result = "Mc" + result[2:3].upper() + result[3:]
    return result


def _style(words: list[str], *, person: bool) -> list[str]:
    """Lowercase words capitalised; words with capitals of their own kept ("eMAG", "FEMSA"),
    but for a person's name only deliberate inner capitals are theirs ("McKay", not the
    "O'reilly" of a rep's thumb or a shouted "REED")."""
    styled = []
    for index, word in enumerate(words):
        lowered = word.lower()
        if index > 0 and lowered in _LOWER_PARTICLES:
            styled.append(lowered)
        elif word.islower():
            styled.append(_styled_word(word))
        elif person and (word.isupper() or not any(char.isupper() for char in word[1:])):
            styled.append(_styled_word(lowered))
        else:
            styled.append(word)
    return styled


def person(words: list[str], language: str) -> str:
    """The contact's name: "z Martą Nowicką" -> Marta Nowicka, "dr. priya natarajan" -> Priya
    Natarajan."""
    while words and _TITLES.match(words[0]):
        words = words[1:]
    if words:
        words = [*words[:-1], _POSSESSIVE.sub("", words[-1])]  # "ana's son": Ana
    if not words:
        return ""
    # The dictionaries know names by their capital: "markiem" is a marten, "Markiem" Marek.
    typed = [word[:1].upper() + word[1:] if word.islower() else word for word in words]
    return " ".join(_style(dictionary_form(typed, language, person=True), person=True))


def company(words: list[str], language: str, *, governed: bool = False) -> str:
    """The company's name: "z Orlenem" -> Orlen, "harbor foods ltd" -> Harbor Foods.
    ``governed``: a preposition before the name put it in another case ("из Пятёрочки")."""
    cleaned = " ".join(LEGAL_FORMS.sub(" ", " ".join(words)).split()).strip(' ,.-«»"“”„')
    cleaned = _POSSESSIVE.sub("", cleaned)  # "Prairie Steel's open house"
    if not cleaned:
        return ""
    parts = cleaned.split()
    if governed:
        parts = company_form(parts, language)
    return " ".join(_style(parts, person=False))


_POSSESSIVE = re.compile(r"['’]s$")
CASE_PREPOSITIONS = {
    "ru": frozenset("из от у в во с со для к ко по при о об на за до после про через".split()),
    "pl": frozenset("z ze do w we od dla u o przy na po za".split()),
}
"""Words after which a name is in another case than the nominative."""


def governed(previous: str | None, language: str) -> bool:
    """Whether ``previous`` (the folded word before a name) puts it in an oblique case."""
    return previous is not None and previous in CASE_PREPOSITIONS.get(language, frozenset())
