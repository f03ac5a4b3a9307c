"""The heap is settled after start-up: garbage collected first, the living frozen."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Iterator

import pytest

from bot.heap import HeapSettler, settle_heap


@pytest.fixture(autouse=True)
def unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()  # the other tests' heap as it was


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def cycle() -> tuple[weakref.ref[Node], Node]:
    first, second = Node(), Node()
    first.other, second.other = second, first
    return weakref.ref(first), second


def test_settling_frees_cyclic_garbage_before_it_freezes_what_lives() -> None:
    gone = cycle()[0]  # unreachable, but only a collection can free a cycle
    kept, holder = cycle()
    frozen_before = gc.get_freeze_count()

    settle_heap()

    assert gone() is None  # frozen garbage would stay for the life of the process
    assert kept() is not None
    assert gc.get_freeze_count() > frozen_before
    assert all(tracked is not holder for tracked in gc.get_objects())  # out of later walks


async def test_the_settler_runs_at_each_delay_and_not_after_stop() -> None:
    runs: list[float] = []
    loop = asyncio.get_running_loop()
    settler = HeapSettler((0.01, 0.05, 5.0), settle=lambda: runs.append(loop.time()) or 0.0)
    started = loop.time()

    settler.start()
    await asyncio.sleep(0.2)
    settler.stop()

    assert len(runs) == 2
    assert runs[0] - started >= 0.01
    assert runs[1] - started >= 0.05
