"""Keep full garbage collections short in a long-running bot process.

A full collection walks every container object the process holds, and a process that has
answered its first messages holds about 170,000 of them (mappers, grammars, the chat
libraries, translations) that live as long as it does. Walking them took 40-80 ms on the
2-core machine of docs/figures.md, and every update in flight waited for it. Moving
them into the permanent generation (``gc.freeze``) after start-up takes them out of later
walks: under 0.1 ms afterwards (``python -m benchmarks.heap``).

The heap is settled twice, not at start-up: the first messages still load what they use
lazily (a language's dictionaries, a command's module), and collecting at start-up would
delay the first answer.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Callable, Sequence

log = logging.getLogger(__name__)

SETTLE_AFTER: tuple[float, ...] = (60.0, 900.0)
"""Seconds after start-up: once the first messages are answered, and once more when a team
has likely used its languages and commands."""


def settle_heap() -> float:
    """Collect what is garbage now, then exempt everything still alive from later full
    collections. Returns the seconds it took (one full collection).

    What is alive now and later becomes garbage in a reference cycle is never freed: the
    updates in flight at that moment, once per settle. Hence a fixed pair of
    settles, not a periodic one."""
    started = time.perf_counter()
    gc.collect()  # first, so that no garbage is frozen for good
    gc.freeze()
    return time.perf_counter() - started


class HeapSettler:
    """Settles the heap at fixed delays after :meth:`start`, until :meth:`stop`."""

    def __init__(
        self,
        delays: Sequence[float] = SETTLE_AFTER,
        settle: Callable[[], float] = settle_heap,
    ) -> None:
        self._delays = tuple(delays)
        self._settle = settle
        self._pending: list[asyncio.TimerHandle] = []

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._pending = [loop.call_later(delay, self._run) for delay in self._delays]

    def stop(self) -> None:
        for handle in self._pending:
            handle.cancel()
        self._pending = []

    def _run(self) -> None:
        took = self._settle()
        log.info("heap settled in %.0f ms; %d objects exempt from full collections",
                 took * 1000, gc.get_freeze_count())  # fmt: skip
