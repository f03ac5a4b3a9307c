"""Capture accuracy and latency: the engine against plain ``dateparser.search_dates``.

    python -m benchmarks.capture [--corpus tests/capture/corpus.jsonl] [--repeat 5]

Prints accuracy per field and per language on the hand-written corpus and on the held-out
set (tests/capture/holdout.jsonl: written apart from the engine, never used to tune it, so
its figures are the honest ones for messages nobody has seen), and latency per
message (p50/p99 once warm, and the first message in a fresh process) for the engine and
for the naive approach: the first date ``dateparser.search_dates`` finds is the follow-up
(it reads nothing else, so its other fields are not scored).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.capture.evaluate import CORPUS, FIELDS, Case, engine_reader, load, score

HOLDOUT = CORPUS.with_name("holdout.jsonl")


def naive_reader(case: Case) -> dict[str, Any]:
    from dateparser.search import search_dates

    base = case.now.replace(tzinfo=None)
    found = search_dates(
        case.text,
        languages=[case.lang],
        settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "future"},
    )
    at = found[0][1] if found else None
    return {"follow_up_at": at.strftime("%Y-%m-%dT%H:%M") if at else None}


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def latencies(cases: list[Case], reader: Callable[[Case], Any], repeat: int) -> list[float]:
    for case in cases:  # warm up: dictionaries, regex caches
        reader(case)
    timings = []
    for _ in range(repeat):
        for case in cases:
            started = time.perf_counter()
            reader(case)
            timings.append((time.perf_counter() - started) * 1000)
    return timings


_COLD = """
import time, datetime, zoneinfo
started = time.perf_counter()
{imports}
now = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Bucharest"))
{call}
print((time.perf_counter() - started) * 1000)
"""


def first_message_ms(imports: str, call: str) -> float:
    """Import and read one message in a fresh interpreter: what a restarted bot pays."""
    script = _COLD.format(imports=imports, call=call)
    output = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    return float(output.strip().splitlines()[-1])


def _accuracy_table(title: str, cases: list[Case]) -> None:
    languages = sorted({case.lang for case in cases})
    engine, naive = score(cases), score(cases, naive_reader)
    print(f"{title}: {len(cases)} messages ({', '.join(languages)})\n")
    print("| field | " + " | ".join(languages) + " | all | naive (dateparser) |")
    print("|---|" + "---:|" * (len(languages) + 2))
    for field in FIELDS:
        cells = [f"{engine.accuracy(field, lang):.0%}" for lang in languages]
        baseline = f"{naive.accuracy(field):.0%}" if field == "follow_up_at" else "n/a"
        print(
            f"| {field} | " + " | ".join(cells) + f" | {engine.accuracy(field):.1%} | {baseline} |"
        )
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--repeat", type=int, default=5, help="timed passes over the corpus")
    args = parser.parse_args()
    cases = load(args.corpus)
    _accuracy_table(f"Corpus {args.corpus.name}", cases)
    if HOLDOUT.exists() and args.corpus.resolve() != HOLDOUT.resolve():
        _accuracy_table(f"Held-out {HOLDOUT.name}", load(HOLDOUT))

    engine_times = latencies(cases, engine_reader, args.repeat)
    naive_times = latencies(cases, naive_reader, 1)
    engine_cold = first_message_ms(
        "from handlers.capture import read_message",
        'read_message("Звонил Борису Орлову, перезвонить завтра в 11", now=now, '
        'timezone="Europe/Moscow")',
    )
    naive_cold = first_message_ms(
        "from dateparser.search import search_dates",
        'search_dates("call back tomorrow at 10", languages=["en"])',
    )
    print("\n| latency per message | p50 | p99 | first message after start |")
    print("|---|---:|---:|---:|")
    for name, times, cold in (
        ("engine", engine_times, engine_cold),
        ("naive dateparser.search_dates", naive_times, naive_cold),
    ):
        print(
            f"| {name} | {statistics.median(times):.2f} ms | {_percentile(times, 0.99):.2f} ms"
            f" | {cold:.0f} ms |"
        )


if __name__ == "__main__":
    main()
