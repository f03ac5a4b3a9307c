"""Labelled messages for training the capture models, from every source, in one shape.

A source line is the corpus format of ``tests/capture/README.md`` (seven expected fields), plus
optionally ``team`` (the records the team already has) and ``spans`` (the substrings that name
the contact and the company as typed). Where spans are missing they are found by aligning the
expected names with the words of the message, inflections and all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from handlers.capture.known import Known, KnownContact
from handlers.capture.lexicon import fold
from handlers.capture.morphology import dictionary_form
from handlers.capture.tokens import Token, tokenize
from handlers.likeness import word_likeness
from handlers.names import name_words

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).with_name("data")
CORPUS = ROOT / "tests" / "capture" / "corpus.jsonl"
HOLDOUT = ROOT / "tests" / "capture" / "holdout.jsonl"
"""Never read here: the held-out set measures, it does not teach."""

LATIN_COPY = "generated:latin-of:"
"""The source of a Latin-typed copy of a Bulgarian or Russian message, then the original's id
(``romanise.py``)."""

ALIGN_FLOOR = 75.0
"""How like an expected name's word a typed word must be to be taken for it ("Martą" for
Marta, "Орлову" for Орлов, "reid" for Reed)."""


@dataclass(frozen=True)
class Example:
    id: str
    source: str
    """"corpus", "holdout_v1", "written" or "generated:<family>"."""
    lang: str
    text: str
    now: str
    tz: str
    date_order: str
    expect: dict[str, Any]
    known: Known
    spans: dict[str, str | None] | None

    @property
    def family(self) -> str:
        """What the example may be grouped by when split: a generated shape, the message a
        Latin-typed copy was made from, else its id."""
        if self.source.startswith(LATIN_COPY):
            return self.source.removeprefix(LATIN_COPY)
        return self.source if self.source.startswith("generated:") else self.id


def known_of(team: dict[str, Any] | None) -> Known:
    if not team:
        return Known()
    contacts = tuple(
        KnownContact(item["name"], item.get("company")) for item in team.get("contacts", [])
    )
    return Known(contacts, tuple(team.get("companies", [])))


def read(path: Path, source: str) -> list[Example]:
    examples = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            examples.append(parse(json.loads(line), source))
    return examples


def parse(item: dict[str, Any], source: str) -> Example:
    return Example(
        id=item["id"],
        source=source,
        lang=item["lang"],
        text=" ".join(item["text"].split()),  # as the reader sees it
        now=item["now"],
        tz=item["tz"],
        date_order=item.get("date_order", "DMY"),
        expect=item["expect"],
        known=known_of(item.get("team")),
        spans=item.get("spans"),
    )


def written() -> list[Example]:
    """Everything but generated messages: the corpus, the first held-out set (retired into
    training when the second was written), and the messages helpers wrote for training."""
    return [
        *read(CORPUS, "corpus"),
        *read(DATA / "holdout_v1.jsonl", "holdout_v1"),
        *read(DATA / "written.jsonl", "written"),
    ]


# Token labels --------------------------------------------------------------------------------

Labels = list[str]
"""One of O, B-PER, I-PER, B-ORG, I-ORG per token."""


def labels(example: Example, tokens: list[Token]) -> Labels | None:
    """The tag of every token, or None when an expected name can't be placed in the text (a
    nickname the team's record explains, say): such a message teaches the tagger nothing."""
    tags = ["O"] * len(tokens)
    for role, field in (("PER", "contact"), ("ORG", "company")):
        expected = example.expect.get(field)
        if not expected:
            continue
        typed = (example.spans or {}).get(field) if example.spans is not None else None
        if example.spans is not None and typed is None:
            if _from_team(example, field):
                continue  # filled from the team's record, not named in the text
            return None
        found = (
            _place(tokens, example.text, typed) if typed else _align(tokens, expected, example.lang)
        )
        if found is None:
            if _from_team(example, field):
                continue
            return None
        start, end = found
        if any(tag != "O" for tag in tags[start:end]):
            return None  # the contact and the company can't share words
        tags[start] = f"B-{role}"
        for index in range(start + 1, end):
            tags[index] = f"I-{role}"
    return tags


def _from_team(example: Example, field: str) -> bool:
    expected = example.expect.get(field)
    if field == "company":
        named = {contact.company for contact in example.known.contacts}
        return expected in named or expected in example.known.companies
    return any(contact.name == expected for contact in example.known.contacts)


def _place(tokens: list[Token], text: str, typed: str) -> tuple[int, int] | None:
    """The tokens of ``typed``, a substring of ``text``."""
    at = text.find(typed)
    if at < 0:
        return None
    inside = [
        i for i, token in enumerate(tokens) if token.start < at + len(typed) and at < token.end
    ]
    return (inside[0], inside[-1] + 1) if inside else None


def _align(tokens: list[Token], expected: str, language: str) -> tuple[int, int] | None:
    """The run of word tokens that best spells ``expected``'s words, in order, a typed word
    counting for an expected one when it or its dictionary form is like it."""
    wanted = name_words(expected)
    if not wanted:
        return None
    best: tuple[float, int, int] | None = None
    for start, token in enumerate(tokens):
        if not token.is_word:
            continue
        matched, position, index = 0.0, 0, start
        while index < len(tokens) and position < len(wanted):
            words = name_words(tokens[index].text)
            if not words:
                if tokens[index].text in "-.&'" and index + 1 < len(tokens):
                    index += 1  # "Elektro - Bud", "Dr. Max": marks inside a name
                    continue
                break
            scores: list[float] = []
            for word in words:  # "Ana-Maria", "Brigid's": one token, several words
                if position + len(scores) >= len(wanted):
                    break
                scores.append(_likeness(word, wanted[position + len(scores)], language))
            if not scores or min(scores) < ALIGN_FLOOR:
                break
            matched += sum(scores)
            position += len(scores)
            index += 1
        if position and (best is None or matched > best[0]):
            best = (matched, start, index)
    if best is None or best[0] < ALIGN_FLOOR * min(len(wanted), 2):
        return None
    return best[1], best[2]


def _likeness(typed: str, wanted: str, language: str) -> float:
    direct = word_likeness(typed, wanted)
    if direct >= ALIGN_FLOOR or language not in ("pl", "ru", "ro"):
        return direct
    forms = dictionary_form([typed.capitalize()], language, person=True)
    forms += dictionary_form([typed.capitalize()], language, person=False)
    return max([direct, *(word_likeness(fold(form), wanted) for form in forms)])


def tokens_of(example: Example) -> list[Token]:
    return tokenize(example.text, fold(example.text))


def spread(examples: Iterable[Example]) -> Iterator[tuple[str, int]]:
    counts: dict[str, int] = {}
    for example in examples:
        counts[example.lang] = counts.get(example.lang, 0) + 1
    yield from sorted(counts.items())
