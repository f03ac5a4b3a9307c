"""Build the capture models from the labelled messages in the repository.

    python -m training.capture.build            # write handlers/capture/model/
    python -m training.capture.build --dev      # train on 80%, report on the other 20%
    python -m training.capture.build --dev --folds 5   # each fifth in turn, scores pooled

Deterministic: the same files give the same models, byte for byte. Never reads the held-out set
(``tests/capture/holdout.jsonl``): it measures the models, so it must not teach them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pycrfsuite

from handlers.capture.analysis import Analysis, analyse
from handlers.capture.detect import language_features
from handlers.capture.engine import CHAT, NONE, PROMISE
from handlers.capture.lexicon import fold
from handlers.capture.models import FOLLOW_UP, KIND, LANGUAGE, STAGE, TAGGER, Models
from handlers.capture.resources import MODEL_DIR, WORDS_FILE, load_words
from training.capture import words as word_lists
from training.capture.examples import Example, labels, written
from training.capture.generate import generated
from training.capture.romanise import romanised

TAGGER_PARAMS = {
    "c1": 0.05,
    "c2": 0.02,
    "max_iterations": 200,
    "feature.possible_transitions": True,
}
CLASSIFIER_PARAMS = {"c1": 0.02, "c2": 0.02, "max_iterations": 200}
DEV_SHARE = 5
"""One family in this many goes to the dev split of ``--dev`` (by a hash, so it is stable)."""


@dataclass
class Sets:
    tagger: list[tuple[list[list[str]], list[str]]]
    kind: list[tuple[list[str], str]]
    stage: list[tuple[list[str], str]]
    follow_up: list[tuple[list[str], str]]


def _names(tags: Sequence[str]) -> list[tuple[int, str]]:
    return [(index, tag[2:]) for index, tag in enumerate(tags) if tag != "O"]


def _local_now(example: Example) -> datetime:
    return datetime.fromisoformat(example.now).replace(tzinfo=ZoneInfo(example.tz))


def _kind_label(example: Example) -> str:
    """The kind, "none" for a message with other news only, "chat" for one with nothing."""
    if example.expect["kind"]:
        return str(example.expect["kind"])
    return NONE if any(example.expect.values()) else CHAT


CUT_SHARE = 3
"""One message in this many also teaches the tagger cut right after its last name: reps often
end on the name ("...sent the quote to Acme"), the training messages seldom do (one in ten)."""


def _ending_on_a_name(
    example: Example, analysis: Analysis, tags: list[str], models: Models
) -> tuple[list[list[str]], list[str]] | None:
    named = [index for index, tag in enumerate(tags) if tag != "O"]
    if not named or named[-1] == len(tags) - 1 or _family_hash(example.id) % CUT_SHARE:
        return None
    cut = analyse(
        analysis.text[: analysis.tokens[named[-1]].end], models, example.lang, example.known
    )
    if len(cut.tokens) != named[-1] + 1:
        return None  # the cut text tokenises differently: leave it out
    return cut.token_features(), tags[: named[-1] + 1]


def featurize(examples: Sequence[Example], models: Models) -> Sets:
    sets = Sets([], [], [], [])
    for example in examples:
        analysis: Analysis = analyse(example.text, models, example.lang, example.known)
        tags = labels(example, analysis.tokens)
        if tags is not None:
            sets.tagger.append((analysis.token_features(), tags))
            if (cut := _ending_on_a_name(example, analysis, tags, models)) is not None:
                sets.tagger.append(cut)
        names = _names(tags) if tags is not None else []
        message = analysis.message_features(names)
        sets.kind.append((message, _kind_label(example)))
        sets.stage.append((message, example.expect["stage"] or NONE))
        found = analysis.time(_local_now(example), 9, example.date_order)
        if found is not None:
            promised = PROMISE if example.expect["follow_up_at"] else "no"
            sets.follow_up.append((analysis.follow_up_features(names, found), promised))
    return sets


def _train(path: Path, items: Sequence[tuple[Any, Any]], params: dict[str, Any], seq: bool) -> None:
    trainer = pycrfsuite.Trainer(verbose=False)
    for xseq, yseq in items:
        trainer.append(xseq, yseq) if seq else trainer.append([xseq], [yseq])
    trainer.set_params(params)
    trainer.train(str(path))


def train(examples: Sequence[Example], directory: Path, log: Callable[[str], None]) -> Models:
    """Word lists and the four models for ``examples``, written to ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    lists = word_lists.build((example.lang, example.text) for example in examples)
    word_lists.write(lists, directory / WORDS_FILE)
    log(f"word lists: {time.perf_counter() - started:.1f} s")
    models = Models(directory)
    language = [(language_features(e.text, fold(e.text)), e.lang) for e in examples]
    _train(directory / LANGUAGE, language, CLASSIFIER_PARAMS, seq=False)
    sets = featurize(examples, models)
    log(
        f"features: {len(sets.tagger)} tagged, {len(sets.kind)} classified, "
        f"{len(sets.follow_up)} times ({time.perf_counter() - started:.1f} s)"
    )
    _train(directory / TAGGER, sets.tagger, TAGGER_PARAMS, seq=True)
    _train(directory / KIND, sets.kind, CLASSIFIER_PARAMS, seq=False)
    _train(directory / STAGE, sets.stage, CLASSIFIER_PARAMS, seq=False)
    _train(directory / FOLLOW_UP, sets.follow_up, CLASSIFIER_PARAMS, seq=False)
    log(f"trained: {time.perf_counter() - started:.1f} s")
    return Models(directory)


def _family_hash(family: str) -> int:
    return int(hashlib.sha256(family.encode()).hexdigest()[:8], 16)


def split(examples: Sequence[Example], fold: int = 0) -> tuple[list[Example], list[Example]]:
    """Train and dev, by family: a generated shape is never on both sides."""
    train_part: list[Example] = []
    dev_part: list[Example] = []
    for example in examples:
        held = _family_hash(example.family) % DEV_SHARE == fold
        (dev_part if held else train_part).append(example)
    return train_part, dev_part


def sources_digest(examples: Sequence[Example]) -> str:
    digest = hashlib.sha256()
    for example in examples:
        digest.update(
            json.dumps([example.id, example.text, example.expect], sort_keys=True).encode()
        )
    return digest.hexdigest()[:16]


def all_examples() -> list[Example]:
    hand_written = written()
    return [*hand_written, *generated(), *romanised(hand_written)]


def manifest(examples: Sequence[Example]) -> dict[str, Any]:
    return {
        "examples": len(examples),
        "by_source": dict(sorted(Counter(e.source.split(":")[0] for e in examples).items())),
        "by_language": dict(sorted(Counter(e.lang for e in examples).items())),
        "sources_digest": sources_digest(examples),
        "tagger": TAGGER_PARAMS,
        "classifiers": CLASSIFIER_PARAMS,
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", action="store_true", help="cross-validate instead of building")
    parser.add_argument("--folds", type=int, default=1, help="with --dev: folds to run (1-5)")
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument("--misses", type=Path, help="with --dev: write every miss here (TSV)")
    parser.add_argument("--tagger-c1", type=float, help="the tagger's L1 penalty, to compare")
    parser.add_argument("--tagger-c2", type=float, help="the tagger's L2 penalty, to compare")
    args = parser.parse_args(argv)

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    if args.tagger_c1 is not None:
        TAGGER_PARAMS["c1"] = args.tagger_c1
    if args.tagger_c2 is not None:
        TAGGER_PARAMS["c2"] = args.tagger_c2
    examples = all_examples()
    log(f"{len(examples)} examples: {manifest(examples)['by_source']}")
    if args.dev:
        from training.capture.report import cross_validate

        with args.misses.open("w", encoding="utf-8") if args.misses else nullcontext() as out:
            cross_validate(examples, args.folds, split, train, log, out)
        return
    models = train(examples, args.out, log)
    (args.out / "manifest.json").write_text(
        json.dumps(manifest(examples), indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    assert load_words(models.directory)
    log(f"models written to {args.out}")


if __name__ == "__main__":
    main()
