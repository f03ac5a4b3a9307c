"""Bulgarian and Russian typed in Latin letters ("shte mu zvanna v petak", "perezvonyu v
sredu"), as reps do on a phone without a Cyrillic keyboard.

Rather than a second lexicon typed by hand, each Cyrillic lexicon gets a Latin twin: every
pattern and word is rewritten letter by letter into the spellings reps use for it, so "петък"
also reads "petak", "petuk" and "petyk", and the twin never falls behind its lexicon.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from functools import cache
from typing import Any

from handlers.capture.lexicon import Lexicon

_COMMON = {
    "а": ("a",), "б": ("b",), "в": ("v", "w"), "г": ("g",), "д": ("d",), "е": ("e",),
    "ж": ("zh", "j", "z"), "з": ("z",), "и": ("i",), "й": ("y", "i", "j"), "к": ("k",),
    "л": ("l",), "м": ("m",), "н": ("n",), "о": ("o",), "п": ("p",), "р": ("r",),
    "с": ("s",), "т": ("t",), "у": ("u",), "ф": ("f",), "х": ("h", "kh", "x"),
    "ц": ("ts", "c", "tz"), "ч": ("ch",), "ш": ("sh",), "ю": ("yu", "iu", "ju"),
    "я": ("ya", "ia", "ja", "q"),
}  # fmt: skip
_SPELLINGS = {
    "bg": {**_COMMON, "щ": ("sht", "st"), "ъ": ("a", "u", "y"), "ь": ("y", "i")},
    "ru": {
        **_COMMON,
        "е": ("e", "ye"),
        "щ": ("sch", "shch", "sh"),
        "ъ": ("", "'"),
        "ы": ("y", "i"),
        "ь": ("", "'", "j"),
        "э": ("e",),
    },
}
ROMANISED = tuple(_SPELLINGS)
"""The languages whose reps may type them in Latin letters."""


def spellings(code: str) -> dict[str, tuple[str, ...]]:
    """How reps spell each Cyrillic letter of ``code`` in Latin letters, likeliest first."""
    return dict(_SPELLINGS[code])


def _letter(char: str, spellings: dict[str, tuple[str, ...]]) -> str:
    options = spellings.get(char)
    if options is None:
        return char
    escaped = [re.escape(option) for option in options]
    if len(escaped) == 1 and len(options[0]) == 1:
        return escaped[0]
    return f"(?:{'|'.join(escaped)})"


def _pattern(source: str, spellings: dict[str, tuple[str, ...]]) -> str:
    """``source`` with each Cyrillic letter replaced by its Latin spellings. Escapes stay as
    they are; in a character class a letter keeps only its one-letter spellings."""
    out: list[str] = []
    index, in_class = 0, False
    while index < len(source):
        char = source[index]
        if char == "\\" and index + 1 < len(source):
            out.append(source[index : index + 2])
            index += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        if in_class and char in spellings:
            out.append("".join(option for option in spellings[char] if len(option) == 1))
        elif in_class:
            out.append(char)
        else:
            out.append(_letter(char, spellings))
        index += 1
    return "".join(out)


def _word(text: str, spellings: dict[str, tuple[str, ...]]) -> str:
    """A plain word in its likeliest Latin spelling."""
    return "".join(spellings[char][0] if char in spellings else char for char in text)


def _twin_value(value: Any, spellings: dict[str, tuple[str, ...]]) -> Any:
    """A lexicon field in Latin letters: patterns with every spelling, plain words (stop
    words, number words) in the likeliest one."""
    if isinstance(value, str):
        return _pattern(value, spellings)
    if isinstance(value, frozenset):
        return frozenset(_word(word, spellings) for word in value)
    if isinstance(value, dict):
        if all(isinstance(number, int) for number in value.values()):  # "пет" -> 5
            return {_word(key, spellings): number for key, number in value.items()}
        return {key: _pattern(source, spellings) for key, source in value.items()}
    if isinstance(value, tuple):
        return tuple(
            (_pattern(item[0], spellings), item[1])
            if isinstance(item, tuple)
            else _pattern(item, spellings)
            for item in value
        )
    return value


@cache
def latin_twin(lexicon: Lexicon) -> Lexicon:
    """``lexicon`` as its language reads when typed in Latin letters."""
    spellings = _SPELLINGS[lexicon.code]
    changes = {
        item.name: _twin_value(getattr(lexicon, item.name), spellings)
        for item in dataclasses.fields(lexicon)
        if item.name != "code"
    }
    return dataclasses.replace(lexicon, **changes)


_TO_CYRILLIC = {
    "shch": "щ", "sch": "щ", "sh": "ш", "ch": "ч", "zh": "ж", "kh": "х", "ts": "ц", "tz": "ц",
    "ya": "я", "ja": "я", "yu": "ю", "ju": "ю", "yo": "ё",
    "a": "а", "b": "б", "v": "в", "w": "в", "g": "г", "d": "д", "e": "е", "z": "з", "i": "и",
    "j": "й", "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "r": "р", "s": "с",
    "t": "т", "u": "у", "f": "ф", "h": "х", "c": "ц", "q": "я", "'": "ь",
}  # fmt: skip
_LONGEST = max(map(len, _TO_CYRILLIC))
_VOWELS = set("aeiouy")


def _cyrillic(word: str, language: str) -> tuple[str, list[int]]:
    """A Latin-typed Bulgarian or Russian word in Cyrillic, and for each Cyrillic letter
    where its Latin spelling ends in ``word``."""
    russian = language == "ru"
    lowered, letters, ends, index = word.lower(), [], [], 0
    while index < len(lowered):
        for size in range(min(_LONGEST, len(lowered) - index), 0, -1):
            chunk = lowered[index : index + size]
            after_consonant = index > 0 and lowered[index - 1] not in _VOWELS
            if chunk == "y":  # after a vowel a й ("Andrey"); after a consonant ы, or ъ
                letter = ("ы" if russian else "ъ") if after_consonant else "й"
            elif chunk in ("ya", "yu", "yo") and after_consonant and russian:
                letter = "ь" + _TO_CYRILLIC[chunk]  # "Tatyana" is Татьяна
            else:
                letter = _TO_CYRILLIC.get(chunk, chunk if size == 1 else "")
            if letter:
                break
        index += size
        letters.append(letter)
        ends += [index] * len(letter)
    return "".join(letters), ends


def latin_to_cyrillic(word: str, language: str) -> str:
    """A Latin-typed Bulgarian or Russian word in its likeliest Cyrillic spelling ("iz" ->
    "из")."""
    return _cyrillic(word, language)[0]


def _latin_again(typed: str, cyrillic: str, ends: list[int], form: str) -> str:
    """``form`` of the Cyrillic word spelt as the rep spelt ``typed``: what the two share
    keeps the rep's letters, the rest is spelt the likeliest way ("Olegom" -> "Oleg")."""
    form = form.lower()
    shared = 0
    while shared < min(len(cyrillic), len(form)) and cyrillic[shared] == form[shared]:
        shared += 1
    kept = typed[: ends[shared - 1]] if shared else ""
    return kept + _word(form[shared:], _SPELLINGS["ru"])


def through_cyrillic(words: list[str], forms: Callable[[list[str]], list[str]]) -> list[str]:
    """``forms`` (a Russian dictionary's, word for word) applied to Latin-typed words."""
    spelt = [_cyrillic(word, "ru") for word in words]
    cyrillic = [text[:1].upper() + text[1:] if word[:1].isupper() else text
                for word, (text, _) in zip(words, spelt, strict=True)]  # fmt: skip
    found = forms(cyrillic)
    if len(found) != len(words):
        return words
    return [
        word if form.lower() == text else _latin_again(word, text, ends, form)
        for word, (text, ends), form in zip(words, spelt, found, strict=True)
    ]
