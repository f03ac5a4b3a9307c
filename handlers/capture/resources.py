"""The word lists shipped with the capture models: lemmas and first and last names.

Built by ``training/capture`` from simplemma's dictionaries and Faker's locales (never typed by
hand), written to ``model/words.json.gz`` beside the models and read with them.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MODEL_DIR = Path(__file__).with_name("model")
WORDS_FILE = "words.json.gz"


@dataclass(frozen=True)
class Words:
    lemmas: dict[str, dict[str, str]]
    """Per language, a folded word form -> its folded dictionary form ("sedinta" -> "sedinta",
    "встрече" -> "встреча"): every form of the words the training messages use."""
    first_names: dict[str, frozenset[str]]
    """Per language, folded first names."""
    last_names: dict[str, frozenset[str]]
    """Per language, folded last names."""
    any_first_name: frozenset[str]
    """Folded first names of every language: reps meet people of other countries."""
    world_first_name: frozenset[str]
    """Folded first names of further countries (Faker's other locales): Thibault, Yusuf."""
    ranks: dict[str, dict[str, int]]
    """Per language, a folded word -> its place among the language's most frequent words."""

    def lemma(self, folded: str, language: str) -> str:
        return self.lemmas.get(language, {}).get(folded, folded)

    def frequency(self, folded: str, language: str) -> str:
        """How common a word is: "top500", "top3k", "top20k", or "rare" (names mostly are)."""
        rank = self.ranks.get(language, {}).get(folded)
        if rank is None:
            return "rare"
        return "top500" if rank < 500 else "top3k" if rank < 3000 else "top20k"


def parse_words(data: dict[str, Any]) -> Words:
    """The lists as ``training/capture`` writes them: {"lemmas": {lang: {form: lemma}},
    "first_names": {lang: [name]}, "last_names": {lang: [name]}, "common": {lang: [word]},
    "world_first_names": [name]}."""
    first = {lang: frozenset(names) for lang, names in data["first_names"].items()}
    last = {lang: frozenset(names) for lang, names in data["last_names"].items()}
    lemmas = {lang: dict(table) for lang, table in data["lemmas"].items()}
    ranks = {
        lang: {word: rank for rank, word in enumerate(words)}
        for lang, words in data["common"].items()
    }
    world = frozenset(data["world_first_names"])
    return Words(lemmas, first, last, frozenset().union(*first.values()), world, ranks)


def load_words(directory: Path) -> Words:
    with gzip.open(directory / WORDS_FILE, "rt", encoding="utf-8") as file:
        return parse_words(json.load(file))
