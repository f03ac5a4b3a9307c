"""A name as the CRM files it: in its dictionary form, without titles or legal forms, and
capitalised the way its owner writes it ("pkp cargo" is PKP Cargo, "tom o'reilly" Tom
O'Reilly, "mcdonald" McDonald), whatever case the rep typed it in."""

from __future__ import annotations

import re

from handlers.capture.company_case import company_form
from handlers.capture.features import LEGAL_FORMS
from handlers.capture.morphology import dictionary_form
from handlers.capture.romanised import latin_to_cyrillic, through_cyrillic

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


def _style(words: list[str], *, person: bool, typed_case: bool = False) -> list[str]:
    """Lowercase words capitalised; words with capitals of their own kept ("eMAG", "FEMSA"),
    but for a person's name only deliberate inner capitals are theirs ("McKay", not the
    "O'reilly" of a rep's thumb or a shouted "REED"). ``typed_case``: the rep wrote the name
    with capitals where they wanted them ("Полярная звезда"), so lowercase words stay."""
    styled = []
    for index, word in enumerate(words):
        lowered = word.lower()
        if index > 0 and lowered in _LOWER_PARTICLES:
            styled.append(lowered)
        elif word.islower() and typed_case and index > 0:
            styled.append(word)
        elif word.islower():
            styled.append(_styled_word(word))
        elif person and (word.isupper() or not any(char.isupper() for char in word[1:])):
            styled.append(_styled_word(lowered))
        else:
            styled.append(word)
    return styled


def person(
    words: list[str],
    language: str,
    *,
    opens: bool = False,
    first_names: frozenset[str] = frozenset(),
    romanised: bool = False,
) -> str:
    """The contact's name: "z Martą Nowicką" -> Marta Nowicka, "dr. priya natarajan" -> Priya
    Natarajan. ``romanised``: Russian typed in Latin letters ("s Olegom" -> Oleg)."""
    while words and _TITLES.match(words[0]):
        words = words[1:]
    if words:
        words = [*words[:-1], _POSSESSIVE.sub("", words[-1])]  # "ana's son": Ana
    if not words:
        return ""
    # The dictionaries know names by their capital: "markiem" is a marten, "Markiem" Marek.
    typed = [word[:1].upper() + word[1:] if word.islower() else word for word in words]

    def forms_of(words: list[str]) -> list[str]:
        return dictionary_form(words, language, person=True, opens=opens, first_names=first_names)

    forms = through_cyrillic(typed, forms_of) if romanised else forms_of(typed)
    return " ".join(_style(forms, person=True))


def company(
    words: list[str],
    language: str,
    *,
    previous: str | None = None,
    opens: bool = False,
    romanised: bool = False,
) -> str:
    """The company's name: "z Orlenem" -> Orlen, "harbor foods ltd" -> Harbor Foods.
    ``previous`` is the folded word before the name, which may put it in another case;
    ``opens``: the name opens the message or a sentence, where a capital may be the keyboard's."""
    cleaned = " ".join(LEGAL_FORMS.sub(" ", " ".join(words)).split()).strip(' ,.-«»"“”„')
    cleaned = _POSSESSIVE.sub("", cleaned)  # "Prairie Steel's open house"
    if not cleaned:
        return ""
    parts = cleaned.split()
    # A capital mid-sentence is the rep's choice; at the start of a sentence it may be the
    # keyboard's ("Harbor foods called": Harbor Foods).
    typed_case = not opens and any(not word.islower() for word in parts)
    if romanised:
        before = latin_to_cyrillic(previous, language) if previous else None
        parts = through_cyrillic(parts, lambda cyrillic: company_form(cyrillic, language, before))
    else:
        parts = company_form(parts, language, previous)
    return " ".join(_style(parts, person=False, typed_case=typed_case))


_POSSESSIVE = re.compile(r"['’]s$")
