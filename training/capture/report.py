"""Accuracy of a build's models on labelled examples: per field, per language, all fields."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from handlers.capture.models import Models
from tests.capture.evaluate import FIELDS, Case, Score, engine_reader, score
from training.capture.examples import Example

LANGUAGES = ("en", "ro", "pl", "bg", "es", "ru")


def case_of(example: Example) -> Case:
    now = datetime.fromisoformat(example.now).replace(tzinfo=ZoneInfo(example.tz))
    return Case(
        example.id, example.lang, example.text, now, example.tz, example.date_order,
        example.expect, example.known,
    )  # fmt: skip


def table(result: Score) -> str:
    languages = [lang for lang in LANGUAGES if result.total.get(lang)]
    lines = ["| field | " + " | ".join(languages) + " | all |"]
    lines.append("|---|" + "---:|" * (len(languages) + 1))
    for field in FIELDS:
        cells = [f"{result.accuracy(field, lang):.0%}" for lang in languages]
        lines.append(f"| {field} | " + " | ".join(cells) + f" | {result.accuracy(field):.1%} |")
    cells = [f"{result.all_right(lang):.0%}" for lang in languages]
    lines.append("| all fields | " + " | ".join(cells) + f" | {result.all_right():.1%} |")
    return "\n".join(lines)


def report(examples: Sequence[Example], models: Models, *, groups: bool = True) -> Score:
    """Print the scores of ``examples``, whole and by source."""
    cases = [case_of(example) for example in examples]
    result = score(cases, lambda case: engine_reader(case, models))
    print(f"{len(cases)} messages\n{table(result)}\n")
    if groups:
        sources = sorted({example.source.split(":")[0] for example in examples})
        for source in sources:
            part = [c for c, e in zip(cases, examples, strict=True) if e.source.startswith(source)]
            if len(sources) > 1 and part:
                sub = score(part, lambda case: engine_reader(case, models))
                print(f"{source}: {len(part)} messages, all fields right {sub.all_right():.1%}")
    return result


def cross_validate(
    examples: Sequence[Example],
    folds: int,
    split: Callable[[Sequence[Example], int], tuple[list[Example], list[Example]]],
    train: Callable[[Sequence[Example], Path, Callable[[str], None]], Models],
    log: Callable[[str], None],
    misses: TextIO | None = None,
) -> None:
    """Train on four fifths and score the fifth, ``folds`` times; print the pooled scores of
    the hand-written messages and of the generated ones apart (generated ones flatter)."""
    written_cases: list[Case] = []
    written_readings: list[dict[str, Any]] = []
    generated_cases: list[Case] = []
    generated_readings: list[dict[str, Any]] = []
    for fold in range(folds):
        train_part, dev_part = split(examples, fold)
        with tempfile.TemporaryDirectory() as folder:
            models = train(train_part, Path(folder), log)
            for example in dev_part:
                case = case_of(example)
                reading = engine_reader(case, models)
                if example.source.startswith("generated"):
                    generated_cases.append(case)
                    generated_readings.append(reading)
                else:
                    written_cases.append(case)
                    written_readings.append(reading)
    for title, cases, readings in (
        ("hand-written", written_cases, written_readings),
        ("generated", generated_cases, generated_readings),
    ):
        answers = {case.id: reading for case, reading in zip(cases, readings, strict=True)}
        result = score(cases, partial(_answer, answers))
        print(f"{title}: {len(cases)} messages, {folds} fold(s)\n{table(result)}\n")
        if misses is not None:
            for case, field, expected, got in result.misses:
                misses.write(f"{title}\t{case.id}\t{field}\t{expected!r}\t{got!r}\t{case.text}\n")


def _answer(answers: dict[str, dict[str, Any]], case: Case) -> dict[str, Any]:
    return answers[case.id]
