"""The trained capture models, loaded once per process from ``model/``, on first use.

Four CRF models built by ``training/capture`` with python-crfsuite: the sequence tagger of
names (each token O, B-PER, I-PER, B-ORG or I-ORG) and three classifiers of the whole message
(the kind of activity, the stage move, whether a time is a promised callback). A classifier is
a CRF over a sequence of one item, which is a logistic regression: crfsuite trains and runs
both in C, and gives each answer a probability.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import pycrfsuite

from handlers.capture.detect import candidates, language_features
from handlers.capture.resources import MODEL_DIR, Words, load_words

TAGGER = "tagger.crfsuite"
KIND = "kind.crfsuite"
STAGE = "stage.crfsuite"
FOLLOW_UP = "follow_up.crfsuite"
LANGUAGE = "language.crfsuite"
PREFERRED_FLOOR = 0.2
"""The rep's own language is kept unless the message is at most this likely to be in it."""
TAG_LABELS = ("O", "B-PER", "I-PER", "B-ORG", "I-ORG")


@dataclass(frozen=True, slots=True)
class Tagged:
    labels: tuple[str, ...]
    marginals: tuple[dict[str, float], ...]
    """Per token, each label's probability."""


@dataclass(frozen=True, slots=True)
class Decision:
    label: str
    probability: float
    ranking: tuple[tuple[str, float], ...]
    """Every label with its probability, likeliest first."""


class Models:
    """The models and word lists of one directory: the shipped ones, or a build's."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._open: dict[str, Any] = {}

    @cached_property
    def words(self) -> Words:
        return load_words(self.directory)

    def _model(self, name: str) -> Any:
        if name not in self._open:
            tagger = pycrfsuite.Tagger()
            tagger.open(str(self.directory / name))
            self._open[name] = tagger
        return self._open[name]

    def tag(self, features: Sequence[list[str]]) -> Tagged:
        if not features:
            return Tagged((), ())
        tagger = self._model(TAGGER)
        labels = tuple(tagger.tag(list(features)))
        marginals = tuple(
            {label: tagger.marginal(label, index) for label in TAG_LABELS}
            for index in range(len(features))
        )
        return Tagged(labels, marginals)

    def classify(self, model: str, features: list[str]) -> Decision:
        tagger = self._model(model)
        tagger.set([features])
        ranking = sorted(
            ((label, tagger.marginal(label, 0)) for label in tagger.labels()),
            key=lambda item: -item[1],
        )
        label, probability = ranking[0]
        return Decision(label, probability, tuple(ranking))

    def language(self, text: str, folded: str, preferred: str | None) -> str:
        """The language of ``text``: the rep's own, unless the message is clearly another."""
        decision = self.classify(LANGUAGE, language_features(text, folded))
        # The alphabet is certain where the model is not: Cyrillic letters mean Russian or
        # Bulgarian; Latin ones may be any of the six (Bulgarian and Russian typed without a
        # Cyrillic keyboard).
        possible = candidates(text, preferred)
        ranking = [(code, chance) for code, chance in decision.ranking if code in possible]
        total = sum(chance for _, chance in ranking) or 1.0
        chances = {code: chance / total for code, chance in ranking}
        if preferred is not None and chances.get(preferred, 0.0) >= PREFERRED_FLOOR:
            return preferred
        return ranking[0][0] if ranking else decision.label


@cache
def shipped() -> Models:
    """The models in the package, shared by every reading in this process."""
    return Models(MODEL_DIR)
