"""How long a full garbage collection stops a warmed-up bot process, before and after the
heap is settled (``bot.heap``).

Run from the repository root::

    python -m benchmarks.heap [--messages N]

Loads what ``crmbot run`` loads (the service with the chat libraries), answers ``--messages``
messages of the load harness's mix on a temporary SQLite database (so the lazily loaded
dictionaries and commands are in memory), and times a full collection (the best of three).
Then it settles the heap, answers as many messages again, and times a full collection once
more. Every update in flight waits for a full collection, so its length is a floor under the
bot's worst latencies.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import bot.service  # noqa: F401  (loaded for its memory: crmbot run holds it)
from benchmarks.load import Phrasebook, SimRep, seed_reps
from bot.heap import settle_heap
from bot.runtime import Runtime, open_runtime
from handlers.assistant import CoreConfig

REPS = 12


def full_collection_ms(tries: int = 3) -> float:
    took = []
    for _ in range(tries):
        started = time.perf_counter()
        gc.collect()
        took.append(time.perf_counter() - started)
    return min(took) * 1000


async def answer(runtime: Runtime, reps: Sequence[SimRep], book: Phrasebook, count: int) -> None:
    rng = random.Random(count)
    for number in range(count):
        rep = reps[number % len(reps)]
        kind, incoming = rep.next_message(rng, book, f"{count}-{number}")
        rep.learn(kind, await runtime.assistant.handle(incoming))


async def measure(messages: int) -> list[str]:
    book = Phrasebook.load()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'heap.db'}"
        async with open_runtime(url, CoreConfig(default_timezone="Europe/Bucharest")) as runtime:
            reps = seed_reps(url, REPS, book.languages)
            await answer(runtime, reps, book, messages)
            before = len(gc.get_objects()), full_collection_ms()
            settled_in = settle_heap() * 1000
            await answer(runtime, reps, book, messages)
            after = len(gc.get_objects()), full_collection_ms()
    return [
        f"after {messages:,} messages: {before[0]:,} objects tracked, "
        f"a full collection takes {before[1]:.1f} ms",
        f"settled in {settled_in:.0f} ms ({gc.get_freeze_count():,} objects frozen)",
        f"after {messages:,} more: {after[0]:,} objects tracked, "
        f"a full collection takes {after[1]:.1f} ms",
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=300)
    args = parser.parse_args(argv)
    for line in asyncio.run(measure(args.messages)):
        print(line)


if __name__ == "__main__":
    main()
