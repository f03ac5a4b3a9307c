"""A team's own words for activity kinds and stages, read in any language's message."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TypeVar

from handlers.capture.lexicon import fold, whole_words
from handlers.domain import ActivityKind, Stage

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """A team's own words for activity kinds and stages (its labels and synonyms: "KP" and
    "Angebot" for offer, "visit" for meeting), understood in any language's message."""

    kinds: tuple[tuple[ActivityKind, tuple[str, ...]], ...] = ()
    stages: tuple[tuple[Stage, tuple[str, ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class TeamWords:
    """The vocabulary as patterns over folded text."""

    kinds: tuple[tuple[ActivityKind, re.Pattern[str]], ...]
    stages: tuple[tuple[Stage, re.Pattern[str]], ...]

    def cues(self) -> tuple[tuple[str, re.Pattern[str]], ...]:
        """The cue classes the team's words stand for, named as the lexicon's are: to the
        tagger "sent the KP to Acme" then reads like "sent the offer to Acme"."""
        return (
            *((f"kind_{kind.value}", pattern) for kind, pattern in self.kinds),
            *((f"stage_{stage.value}", pattern) for stage, pattern in self.stages),
        )


def _phrases(words: tuple[str, ...]) -> re.Pattern[str] | None:
    folded = sorted({" ".join(fold(word).split()) for word in words} - {""}, key=len, reverse=True)
    if not folded:
        return None
    return re.compile(whole_words("|".join(re.escape(word) for word in folded)))


@cache
def team_words(vocabulary: Vocabulary) -> TeamWords:
    kinds = tuple(
        (kind, pattern) for kind, words in vocabulary.kinds if (pattern := _phrases(words))
    )
    stages = tuple(
        (stage, pattern) for stage, words in vocabulary.stages if (pattern := _phrases(words))
    )
    return TeamWords(kinds, stages)


def first_said(folded: str, patterns: tuple[tuple[T, re.Pattern[str]], ...]) -> T | None:
    """The team's own word that comes first in the message, if any: the team said what it
    means, so it wins over what a model learned from other teams."""
    found = [
        (match.start(), value) for value, pattern in patterns if (match := pattern.search(folded))
    ]
    return min(found, key=lambda item: item[0])[1] if found else None
