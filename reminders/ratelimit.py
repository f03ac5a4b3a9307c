"""Outgoing message pacing: a platform-wide rate and a per-chat rate, plus 429 pauses.

Each send reserves the earliest slot that respects both its chat's rate and the platform's
overall rate, then sleeps until that slot. Reservations are made in arrival order without
holding a lock across the sleep, so one slow chat never blocks the others.

The platform's rate is kept as the set of slots already booked (at least ``1 / per_second``
apart), not as one "next free" pointer: a chat's second message, booked a second ahead by the
per-chat rate, takes a slot there and leaves the platform's slots before it to other chats.
Within one chat messages keep their order.
"""

from __future__ import annotations

import asyncio
import bisect
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RateLimits:
    per_second: float | None
    """Messages per second across all chats of the platform (None: no overall limit)."""
    per_chat_per_second: float
    """Messages per second into one chat."""


# Telegram: about 30 messages/s overall and 1/s per chat; Slack: about 1/s per channel.
PLATFORM_LIMITS = {
    "telegram": RateLimits(per_second=30.0, per_chat_per_second=1.0),
    "slack": RateLimits(per_second=None, per_chat_per_second=1.0),
}
UNLIMITED = RateLimits(per_second=None, per_chat_per_second=float("inf"))

_IDLE_CHAT_SLOTS = 10_000
"""Forget per-chat slots in the past once this many chats are tracked (bounded memory)."""

_TOLERANCE = 1e-9
"""Seconds of float rounding ignored when checking that two slots are an interval apart."""


def _run_end(run: list[float]) -> float:
    return run[1]


class SendLimiter:
    def __init__(
        self,
        limits: dict[str, RateLimits] | None = None,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._limits = PLATFORM_LIMITS if limits is None else limits
        self._monotonic = monotonic
        self._sleep = sleep
        self._platform_booked: dict[str, list[list[float]]] = {}
        """Per platform, the booked send times still ahead or just past, as sorted runs
        ``[first, last]`` with no free slot inside a run."""
        self._platform_paused: dict[str, float] = {}
        self._chat_next: dict[tuple[str, str], float] = {}

    def reserve(self, platform: str, chat_id: str) -> float:
        """Book the earliest slot for a message to this chat; returns seconds to wait for it."""
        limits = self._limits.get(platform, UNLIMITED)
        now = self._monotonic()
        chat = (platform, chat_id)
        earliest = max(
            now, self._chat_next.get(chat, now), self._platform_paused.get(platform, now)
        )
        if limits.per_second is None:
            slot = earliest
        else:
            slot = self._book_platform_slot(platform, earliest, now, 1.0 / limits.per_second)
        if limits.per_chat_per_second != float("inf"):
            self._chat_next[chat] = slot + 1.0 / limits.per_chat_per_second
        if len(self._chat_next) > _IDLE_CHAT_SLOTS:
            self._chat_next = {key: at for key, at in self._chat_next.items() if at > now}
        return slot - now

    def _book_platform_slot(
        self, platform: str, earliest: float, now: float, interval: float
    ) -> float:
        """Take the first time at or after ``earliest`` that is ``interval`` away from every
        slot already booked on the platform, and book it."""
        runs = self._platform_booked.setdefault(platform, [])
        # Runs that ended more than one interval ago constrain nothing any more.
        del runs[: bisect.bisect_right(runs, now - interval, key=_run_end)]
        slot = earliest
        # A run blocks (start - interval, end + interval); walk the runs that could clash, in
        # order, until the slot fits in the gap before the next one.
        index = bisect.bisect_right(runs, slot - interval + _TOLERANCE, key=_run_end)
        while index < len(runs) and runs[index][0] < slot + interval - _TOLERANCE:
            slot = max(slot, runs[index][1] + interval)
            index += 1
        # Join the run before and the run after when no slot could fit between them, so
        # a full stretch of the schedule is one run to step over, not one slot per message.
        joins_before = index > 0 and slot - runs[index - 1][1] < 2 * interval - _TOLERANCE
        joins_after = index < len(runs) and runs[index][0] - slot < 2 * interval - _TOLERANCE
        if joins_before and joins_after:
            runs[index - 1][1] = runs[index][1]
            del runs[index]
        elif joins_before:
            runs[index - 1][1] = slot
        elif joins_after:
            runs[index][0] = slot
        else:
            runs.insert(index, [slot, slot])
        return slot

    async def wait(self, platform: str, chat_id: str) -> None:
        delay = self.reserve(platform, chat_id)
        if delay > 0:
            await self._sleep(delay)

    def pause(self, platform: str, seconds: float) -> None:
        """The platform said 429 with Retry-After: send nothing more to it until then."""
        until = self._monotonic() + seconds
        self._platform_paused[platform] = max(self._platform_paused.get(platform, 0.0), until)
