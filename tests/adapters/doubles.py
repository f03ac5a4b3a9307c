"""Test doubles shared by the adapter tests (Telegram and Slack)."""

from __future__ import annotations

import socket
from typing import Any

from handlers.messages import Incoming, Reply
from reminders.ratelimit import SendLimiter


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class BookingLimiter(SendLimiter):
    """The real limiter, recording each booked slot; its sleeps are recorded, not slept."""

    def __init__(self) -> None:
        super().__init__(sleep=self._sleep)
        self.booked: list[tuple[str, str]] = []
        self.slept: list[float] = []

    async def wait(self, platform: str, chat_id: str) -> None:
        self.booked.append((platform, chat_id))
        await super().wait(platform, chat_id)

    async def _sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


class SpyCore:
    """The real core, with every Incoming it was given kept for the test to read."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.seen: list[Incoming] = []

    async def handle(self, incoming: Incoming) -> Reply | None:
        self.seen.append(incoming)
        reply: Reply | None = await self.inner.handle(incoming)
        return reply
