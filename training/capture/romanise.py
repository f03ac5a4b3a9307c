"""Latin-typed copies of hand-written Bulgarian and Russian messages.

Reps without a Cyrillic keyboard write "shte mu zvanna v petak"; the helpers wrote a few such
messages, far fewer than the reader needs to learn their names and kinds. A share of the
Cyrillic messages is copied letter by letter into Latin letters, with each message's own
choice among the spellings reps use ("я" as ya, ia or q), and the expected names spelt the
same way. A copy is split with its original (same family), so it never measures what its
original taught.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from handlers.capture.known import Known, KnownContact
from handlers.capture.morphology import cyrillic
from handlers.capture.romanised import ROMANISED, spellings
from training.capture.examples import LATIN_COPY, Example

SHARE = 3
"""One Cyrillic message in this many gets a Latin-typed copy (chosen by a hash, so stable)."""

_FAVOURED = 4
"""Extra chances of a letter's likeliest spelling over each of the others."""


def _number(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


def _speller(example: Example) -> dict[str, str]:
    """The one Latin spelling of each letter this message uses: the likeliest most often
    (five chances in ``4 + len(options)``), another now and then."""
    chosen = {}
    for letter, options in spellings(example.lang).items():
        pick = _number(f"{example.id}:{letter}") % (len(options) + _FAVOURED)
        chosen[letter] = options[max(0, pick - _FAVOURED)]
    chosen["ё"] = chosen["е"]
    return chosen


def _spell(text: str, speller: dict[str, str]) -> str:
    out = []
    for char in text:
        latin = speller.get(char.lower())
        if latin is None:
            out.append(char)
        else:
            out.append(latin[:1].upper() + latin[1:] if char.isupper() else latin)
    return "".join(out)


def _spelt(value: Any, speller: dict[str, str]) -> Any:
    return _spell(value, speller) if isinstance(value, str) else value


def _known(known: Known, speller: dict[str, str]) -> Known:
    contacts = tuple(
        KnownContact(_spell(c.name, speller), _spelt(c.company, speller)) for c in known.contacts
    )
    return Known(contacts, tuple(_spell(name, speller) for name in known.companies))


def copy(example: Example) -> Example:
    """``example`` as typed in Latin letters."""
    speller = _speller(example)
    expect = dict(example.expect)
    for field in ("contact", "company"):
        expect[field] = _spelt(expect[field], speller)
    spans = (
        {field: _spelt(value, speller) for field, value in example.spans.items()}
        if example.spans
        else example.spans
    )
    return replace(
        example,
        id=f"{example.id}-latn",
        source=f"{LATIN_COPY}{example.id}",
        text=_spell(example.text, speller),
        expect=expect,
        known=_known(example.known, speller),
        spans=spans,
    )


def romanised(examples: Iterable[Example]) -> list[Example]:
    """Latin-typed copies of one in :data:`SHARE` of the Cyrillic hand-written messages."""
    return [
        copy(example)
        for example in examples
        if example.lang in ROMANISED and cyrillic(example.text) and _number(example.id) % SHARE == 0
    ]
