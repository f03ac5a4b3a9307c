"""Send pacing: per-chat and platform-wide rates, and pauses after a 429."""

from __future__ import annotations

import itertools

import pytest

from reminders.ratelimit import PLATFORM_LIMITS, RateLimits, SendLimiter


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


def test_one_chat_gets_one_message_a_second(fake_time: FakeTime) -> None:
    limiter = SendLimiter(PLATFORM_LIMITS, monotonic=fake_time)

    delays = [limiter.reserve("telegram", "chat-1") for _ in range(3)]

    assert delays == pytest.approx([0.0, 1.0, 2.0])


def test_many_chats_share_the_platform_rate(fake_time: FakeTime) -> None:
    limiter = SendLimiter(
        {"telegram": RateLimits(per_second=30.0, per_chat_per_second=1.0)}, monotonic=fake_time
    )

    delays = [limiter.reserve("telegram", f"chat-{n}") for n in range(90)]

    # 90 messages at 30/s take three seconds, evenly spaced, whatever the chats.
    assert delays[-1] == pytest.approx(89 / 30)
    assert all(b > a for a, b in itertools.pairwise(delays))


def test_time_passing_frees_slots(fake_time: FakeTime) -> None:
    limiter = SendLimiter(PLATFORM_LIMITS, monotonic=fake_time)
    limiter.reserve("slack", "C1")
    fake_time.now += 5

    assert limiter.reserve("slack", "C1") == 0.0


def test_a_429_pauses_the_whole_platform(fake_time: FakeTime) -> None:
    limiter = SendLimiter(PLATFORM_LIMITS, monotonic=fake_time)

    limiter.pause("telegram", 12.0)

    assert limiter.reserve("telegram", "another-chat") == pytest.approx(12.0)
    assert limiter.reserve("slack", "C1") == 0.0  # other platforms are not affected


def test_unknown_platforms_are_not_limited(fake_time: FakeTime) -> None:
    limiter = SendLimiter(PLATFORM_LIMITS, monotonic=fake_time)
    assert [limiter.reserve("console", "ana") for _ in range(5)] == [0.0] * 5


async def test_wait_sleeps_for_the_reserved_slot(fake_time: FakeTime) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    limiter = SendLimiter(PLATFORM_LIMITS, monotonic=fake_time, sleep=sleep)
    await limiter.wait("telegram", "chat-1")
    await limiter.wait("telegram", "chat-1")

    assert slept == pytest.approx([1.0])
