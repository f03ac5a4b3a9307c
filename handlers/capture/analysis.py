"""One message taken apart the way every capture model sees it, in training and in reading.

:func:`analyse` finds the language, the tokens, the lexicon's cues, money and the time; the
feature functions turn that into what the tagger and the classifiers read. ``training/capture``
calls the same functions on labelled messages, so a feature can never mean one thing in
training and another in the bot.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache, cached_property
from typing import Any

from handlers.capture import features
from handlers.capture.amounts import Amount, find_amount, taken_by_numbers
from handlers.capture.detect import lexicon_for, romanised
from handlers.capture.known import Known
from handlers.capture.lexicon import Lexicon, fold, whole_words
from handlers.capture.models import Models
from handlers.capture.resources import Words
from handlers.capture.tokens import Span, Token, covering, tokenize
from handlers.capture.vocabulary import Vocabulary, team_words
from handlers.capture.when import FoundTime, find_time

_TIME_WINDOW_BEFORE = 4
_TIME_WINDOW_AFTER = 2
"""Tokens around a time that tell a promise ("call back", "next call on") from a fact
("birthday on", "on holiday until")."""


@cache
def _intent(lexicon: Lexicon) -> re.Pattern[str]:
    return re.compile(whole_words(lexicon.intent))


@cache
def _phrases(lexicon: Lexicon, field: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    table: dict[Any, str] = lexicon.kinds if field == "kinds" else lexicon.stages
    return tuple((key.value, re.compile(whole_words(source))) for key, source in table.items())


@dataclass(frozen=True)
class Analysis:
    text: str
    folded: str
    language: str
    lexicon: Lexicon
    tokens: list[Token]
    cues: features.Cues
    words: Words
    known: Known
    amount: Amount | None
    numbers: list[Span]
    """Spans of amounts and quantities: never dates, never names."""

    @cached_property
    def promises(self) -> list[re.Match[str]]:
        """Every promise to get back in touch the lexicon knows ("call back", "revin")."""
        return [
            match
            for match in _intent(self.lexicon).finditer(self.folded)
            if not any(match.start() < end and start < match.end() for start, end in self.numbers)
        ]

    @property
    def intent(self) -> re.Match[str] | None:
        """The first promise."""
        return self.promises[0] if self.promises else None

    def is_personal_name(self, index: int) -> bool:
        """Whether a list of names knows the token: the language's first names and surnames,
        or another language's first names."""
        folded = self.tokens[index].folded
        return bool(features.name_lists(folded, self.language, self.words, self.romanised))

    @property
    def romanised(self) -> bool:
        """Bulgarian or Russian typed in Latin letters."""
        return romanised(self.language, self.text)

    @property
    def opens_as_note(self) -> bool:
        """ "note: ...", "notatka - ...": the rep says it is a note."""
        return features.is_note_opening(self.folded)

    def lexicon_says(self, field: str) -> str | None:
        """The value of the first of the lexicon's phrases for ``field`` ("kinds" or
        "stages") in the message, outside a promise ("call" in "call back" is no call)."""
        promises = [m.span() for m in _intent(self.lexicon).finditer(self.folded)]
        found = [
            (match.start(), value)
            for value, pattern in _phrases(self.lexicon, field)
            for match in pattern.finditer(self.folded)
            if not any(match.start() < end and start < match.end() for start, end in promises)
        ]
        return min(found)[1] if found else None

    def time(self, now: datetime, default_hour: int, date_order: str) -> FoundTime | None:
        """The time the message names, after its promise if it makes one (``now`` local)."""
        return find_time(
            self.folded, self.lexicon, now, default_hour, date_order,
            anchors=[match.start() for match in self.promises], taken=self.numbers,
        )  # fmt: skip

    def token_features(self) -> list[list[str]]:
        return features.token_features(
            self.tokens,
            self.language,
            self.cues,
            self.words,
            self.known,
            features.is_note_opening(self.folded),
            self.romanised,
        )

    def message_features(self, names: Iterable[tuple[int, str]]) -> list[str]:
        extra = []
        if self.amount is not None:
            extra.append("amount")
        if self.intent is not None:
            extra.append("intent")
        if self.opens_as_note:
            extra.append("note_opening")
        return features.message_features(
            self.tokens, self.language, self.cues, self.words, names, extra
        )

    def _word_or_role(self, index: int, roles: dict[int, str]) -> str:
        """A token's lemma, or its role if it is part of a name: "Ana" teaches nothing."""
        if index in roles:
            return f"<{roles[index]}>"
        return self.words.lemma(self.tokens[index].folded, self.language)

    def follow_up_features(self, names: Iterable[tuple[int, str]], found: FoundTime) -> list[str]:
        """What tells a promised callback from a date stated as a fact."""
        names = list(names)
        roles = dict(names)
        extra = ["time"]
        inside = covering(self.tokens, found.span)
        if inside:
            first, last = inside[0], inside[-1]
            before = range(max(0, first - _TIME_WINDOW_BEFORE), first)
            after = range(last + 1, min(len(self.tokens), last + 1 + _TIME_WINDOW_AFTER))
            extra += [f"tb={self._word_or_role(i, roles)}" for i in before]
            extra += [f"ta={self._word_or_role(i, roles)}" for i in after]
            if first == 0:
                extra.append("time_opens")
        if self.intent is None:
            extra.append("no_intent")
        if self.intent is not None:
            distance = abs(self.intent.start() - found.span[0])
            extra.append("intent_before" if self.intent.start() < found.span[0] else "intent_after")
            extra.append(f"intent_gap={min(distance // 10, 4)}")
        return [*self.message_features(names), *extra]


def analyse(
    text: str,
    models: Models,
    language: str | None = None,
    known: Known | None = None,
    vocabulary: Vocabulary | None = None,
) -> Analysis:
    """``text`` with its blanks evened out, as every model reads it; ``language`` the rep's,
    ``vocabulary`` the team's own words for kinds and stages."""
    text = " ".join(text.split())
    folded = fold(text)
    code = models.language(text, folded, language)
    lexicon = lexicon_for(code, text)
    tokens = tokenize(text, folded)
    amount = find_amount(folded)
    return Analysis(
        text=text,
        folded=folded,
        language=code,
        lexicon=lexicon,
        tokens=tokens,
        cues=features.cues(
            folded, tokens, lexicon, team_words(vocabulary).cues() if vocabulary else ()
        ),
        words=models.words,
        known=known or Known(),
        amount=amount,
        numbers=taken_by_numbers(folded, lexicon, amount),
    )
