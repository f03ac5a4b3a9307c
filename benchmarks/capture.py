"""Capture accuracy, latency and memory: the engine against plain ``dateparser.search_dates``.

    python -m benchmarks.capture [--repeat 5] [--misses]

Prints, in one run, accuracy per field, per language and with all seven fields right for the
corpus (tests/capture/corpus.jsonl: part of the models' training data, so it flatters them)
and for the held-out set (tests/capture/holdout.jsonl: written by people who saw neither the
engine nor its training data, never trained or tuned on: the honest figure), with the naive
baseline beside them (the first date ``dateparser.search_dates`` finds is the follow-up; it
reads nothing else, so only that field is scored). Then latency per message (p50/p99 warm, the
first message in a fresh process) and the resident memory the models and word lists add.
``--misses`` lists the held-out failures: reading them is tuning to them, so don't, unless
you say so where the figures are reported.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from tests.capture.evaluate import CORPUS, FIELDS, Case, Score, engine_reader, load, score

HOLDOUT = CORPUS.with_name("holdout.jsonl")
LANGUAGES = ("en", "ro", "pl", "bg", "es", "ru")


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
    for case in cases:  # warm up: models, dictionaries, regex caches
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

_MEMORY = """
def rss():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20
import datetime, zoneinfo
import handlers.assistant, handlers.capture
before = rss()
from handlers.capture import read_message
now = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Bucharest"))
for text, zone in [("Звонил Борису Орлову, перезвонить завтра в 11", "Europe/Moscow"),
                   ("z Martą Nowicką z Orlenu, zadzwonić jutro", "Europe/Warsaw")]:
    read_message(text, now=now, timezone=zone)
print(rss() - before)
"""


def first_message_ms(imports: str, call: str) -> float:
    """Import and read one message in a fresh interpreter: what a restarted bot pays."""
    script = _COLD.format(imports=imports, call=call)
    output = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    return float(output.strip().splitlines()[-1])


def model_memory_mb() -> float:
    """What reading the first messages adds to a process that has the bot's code imported:
    the models, the word lists and the morphology dictionaries they open."""
    output = subprocess.run(
        [sys.executable, "-c", _MEMORY], capture_output=True, text=True, check=True
    ).stdout
    return float(output.strip().splitlines()[-1])


def _accuracy_table(title: str, engine: Score, naive: Score) -> None:
    languages = [lang for lang in LANGUAGES if engine.total.get(lang)]
    count = sum(engine.total.values())
    print(f"{title}: {count} messages\n")
    print("| field | " + " | ".join(languages) + " | all | naive `dateparser` |")
    print("|---|" + "---:|" * (len(languages) + 2))
    for field in FIELDS:
        cells = [f"{engine.accuracy(field, lang):.0%}" for lang in languages]
        baseline = f"{naive.accuracy(field):.1%}" if field == "follow_up_at" else "n/a"
        print(
            f"| {field} | " + " | ".join(cells) + f" | {engine.accuracy(field):.1%} | {baseline} |"
        )
    cells = [f"{engine.all_right(lang):.0%}" for lang in languages]
    print("| all fields | " + " | ".join(cells) + f" | {engine.all_right():.1%} | n/a |\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed passes over the corpus")
    parser.add_argument("--misses", action="store_true", help="list the held-out failures")
    args = parser.parse_args()
    corpus, holdout = load(CORPUS), load(HOLDOUT)
    for title, cases in (("Corpus (trained on)", corpus), ("Held-out (never trained on)", holdout)):
        engine = score(cases)
        _accuracy_table(title, engine, score(cases, naive_reader))
        if args.misses and cases is holdout:
            for case, field, expected, got in engine.misses:
                print(f"  {case.id} {field}: expected {expected!r}, read {got!r}  ({case.text})")

    engine_times = latencies(corpus + holdout, engine_reader, args.repeat)
    naive_times = latencies(corpus, naive_reader, 1)
    engine_cold = first_message_ms(
        "from handlers.capture import read_message",
        'read_message("Звонил Борису Орлову, перезвонить завтра в 11", now=now, '
        'timezone="Europe/Moscow")',
    )
    naive_cold = first_message_ms(
        "from dateparser.search import search_dates",
        'search_dates("call back tomorrow at 10", languages=["en"])',
    )
    print("| latency per message | p50 | p99 | first message after start |")
    print("|---|---:|---:|---:|")
    for name, times, cold in (
        ("engine", engine_times, engine_cold),
        ("naive `dateparser.search_dates`", naive_times, naive_cold),
    ):
        print(
            f"| {name} | {statistics.median(times):.2f} ms | {_percentile(times, 0.99):.2f} ms"
            f" | {cold:.0f} ms |"
        )
    print(f"\nmodels, word lists and dictionaries in memory: {model_memory_mb():.0f} MB")


if __name__ == "__main__":
    main()
