"""The names the tagger found: runs of B-/I- tags turned into spans, with how sure it was."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from handlers.capture.models import Tagged
from handlers.capture.tokens import Token

SURE_ENOUGH = 0.5
"""The first name of its role at least this sure is the one meant; below it, the surest."""


@dataclass(frozen=True, slots=True)
class NameSpan:
    role: str
    """"PER" or "ORG"."""
    indexes: tuple[int, ...]
    """The tokens of the name, in order."""
    words: list[str]
    """The tokens' text as typed."""
    confidence: float
    """The tagger's probability of the span's tags, averaged over its tokens."""
    previous: str | None = None
    """The folded word before the name, if any ("z", "из": it may say the name's case)."""
    opens: bool = False
    """The name opens the message or a clause ("Жданова из ЭкоПака прислала...", "..., Renata
    Kubiak, ..."): there it is most likely the subject, in the nominative."""


_INSIDE_A_NAME = frozenset(".&-'’")
"""Marks a name can hold ("Dr. Max", "Pemberton & Sons", "Elektro-Bud"); any other mark ends it."""
_ABBREVIATION = 3
"""A dot ends a name unless the word before it is this short ("St. Brigid's", not "Pediatrics.")."""


def spans_of(tokens: Sequence[Token], tagged: Tagged) -> list[NameSpan]:
    runs: list[tuple[str, list[int]]] = []
    for index, label in enumerate(tagged.labels):
        if label == "O" or not tokens[index].is_word:
            continue  # a name is made of words; the marks between them are checked below
        prefix, _, role = label.partition("-")
        last = runs[-1] if runs else None
        if (
            prefix == "I"
            and last is not None
            and last[0] == role
            and _joined(tokens, last[1], index)
        ):
            last[1].extend(range(last[1][-1] + 1, index + 1))
        else:
            runs.append((role, [index]))
    spans = []
    for role, indexes in runs:
        words = _words(tokens, indexes)
        if not words:
            continue
        probability = sum(tagged.marginals[i][tagged.labels[i]] for i in indexes) / len(indexes)
        before = next(
            (tokens[i].folded for i in range(indexes[0] - 1, -1, -1) if tokens[i].is_word), None
        )
        opens = indexes[0] == 0 or not tokens[indexes[0] - 1].is_word
        spans.append(NameSpan(role, tuple(indexes), words, probability, before, opens))
    return spans


def _ends_a_name(tokens: Sequence[Token], index: int) -> bool:
    token = tokens[index]
    if token.is_word:
        return False
    if token.text not in _INSIDE_A_NAME:
        return True
    if token.text == ".":
        before = tokens[index - 1] if index else None
        return before is None or len(before.text) > _ABBREVIATION
    return False


def _joined(tokens: Sequence[Token], run: list[int], index: int) -> bool:
    """Whether only marks a name can hold stand between the run and ``index``."""
    between = range(run[-1] + 1, index)
    return all(tokens[i].text in _INSIDE_A_NAME and not _ends_a_name(tokens, i) for i in between)


def _words(tokens: Sequence[Token], indexes: list[int]) -> list[str]:
    """The words of a name; marks inside it stick to their word ("Dr. Max", "St. Brigid's"),
    an ampersand stands on its own ("Pemberton & Sons")."""
    words: list[str] = []
    previous_end = -1
    for index in indexes:
        token = tokens[index]
        if token.text == "&":
            words.append("&")
        elif words and token.start == previous_end:
            words[-1] += token.text
        elif token.is_word or words:
            words.append(token.text)
        previous_end = token.end
    return [word for word in words if word == "&" or any(char.isalnum() for char in word)]


def best_spans(spans: Sequence[NameSpan]) -> tuple[NameSpan | None, NameSpan | None]:
    """The contact's span and the company's."""
    return _best(spans, "PER"), _best(spans, "ORG")


def _best(spans: Sequence[NameSpan], role: str) -> NameSpan | None:
    mine = [span for span in spans if span.role == role]
    if not mine:
        return None
    sure = [span for span in mine if span.confidence >= SURE_ENOUGH]
    return sure[0] if sure else max(mine, key=lambda span: span.confidence)
