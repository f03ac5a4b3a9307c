"""Words and marks of a message, each with where it stands, as the models read them."""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*|\S")
"""A word with inner apostrophes and hyphens ("O'Reilly", "i-am", "e-mail", "Elektro-Bud"),
or any other single mark ("@", "/", "(", an emoji)."""


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    """As the rep typed it."""
    folded: str
    """Lowercase without diacritics (:func:`handlers.capture.lexicon.fold`)."""
    start: int
    end: int

    @property
    def is_word(self) -> bool:
        return self.text[:1].isalnum()


def tokenize(text: str, folded: str) -> list[Token]:
    """The tokens of ``text``; ``folded`` is its fold, character for character."""
    return [
        Token(match.group(), folded[match.start() : match.end()], match.start(), match.end())
        for match in _TOKEN.finditer(text)
    ]


Span = tuple[int, int]


def covering(tokens: list[Token], span: Span) -> list[int]:
    """The indexes of the tokens that overlap ``span`` (character offsets)."""
    start, end = span
    return [i for i, token in enumerate(tokens) if token.start < end and start < token.end]
