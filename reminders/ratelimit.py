"""Outgoing message pacing: a platform-wide rate and a per-chat rate, plus 429 pauses.

Each send reserves the earliest slot that respects both its chat's rate and the platform's
overall rate, then sleeps until that slot. Reservations are made in arrival order without
holding a lock across the sleep, so one slow chat never blocks the others.
"""

from __future__ import annotations

import asyncio
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
        self._platform_next: dict[str, float] = {}
        self._chat_next: dict[tuple[str, str], float] = {}

    def reserve(self, platform: str, chat_id: str) -> float:
        """Book the next slot for a message to this chat; returns seconds to wait for it."""
        limits = self._limits.get(platform, UNLIMITED)
        now = self._monotonic()
        chat = (platform, chat_id)
        slot = max(now, self._chat_next.get(chat, now), self._platform_next.get(platform, now))
        if limits.per_chat_per_second != float("inf"):
            self._chat_next[chat] = slot + 1.0 / limits.per_chat_per_second
        if limits.per_second is not None:
            self._platform_next[platform] = slot + 1.0 / limits.per_second
        if len(self._chat_next) > _IDLE_CHAT_SLOTS:
            self._chat_next = {key: at for key, at in self._chat_next.items() if at > now}
        return slot - now

    async def wait(self, platform: str, chat_id: str) -> None:
        delay = self.reserve(platform, chat_id)
        if delay > 0:
            await self._sleep(delay)

    def pause(self, platform: str, seconds: float) -> None:
        """The platform said 429 with Retry-After: send nothing more to it until then."""
        until = self._monotonic() + seconds
        self._platform_next[platform] = max(self._platform_next.get(platform, 0.0), until)
