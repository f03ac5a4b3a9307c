"""Send pacing: per-chat and platform-wide rates, and pauses after a 429."""

from __future__ import annotations

import itertools
import random

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


def test_a_chat_with_two_messages_holds_back_no_other_chat(fake_time: FakeTime) -> None:
    # Thirty reps with two reminders each, all due together (issue 11): every rep's second
    # reminder waits a second for its chat, and the other chats' first ones go out meanwhile.
    limiter = SendLimiter(PLATFORM_LIMITS, monotonic=fake_time)

    delays = {
        (rep, turn): limiter.reserve("telegram", f"rep-{rep}")
        for rep in range(30)
        for turn in (1, 2)
    }

    assert sorted(delays.values()) == pytest.approx([n / 30 for n in range(60)])
    assert all(delays[rep, 2] - delays[rep, 1] >= 1.0 - 1e-9 for rep in range(30))


def test_a_busy_chat_does_not_delay_a_quiet_one(fake_time: FakeTime) -> None:
    limiter = SendLimiter(PLATFORM_LIMITS, monotonic=fake_time)
    busy = [limiter.reserve("telegram", "busy") for _ in range(5)]

    quiet = limiter.reserve("telegram", "quiet")

    assert busy == pytest.approx([0.0, 1.0, 2.0, 3.0, 4.0])
    assert quiet == pytest.approx(1 / 30)  # the first platform slot after the busy chat's first


def _earliest_slot(booked: list[float], earliest: float, interval: float) -> float:
    """The reference: the smallest candidate time that clashes with no booked slot."""
    candidates = [earliest] + [slot + interval for slot in booked if slot + interval > earliest]
    return min(
        candidate
        for candidate in candidates
        if all(abs(candidate - slot) >= interval - 1e-9 for slot in booked)
    )


@pytest.mark.parametrize("seed", range(20))
def test_each_message_gets_the_earliest_slot_both_limits_allow(
    fake_time: FakeTime, seed: int
) -> None:
    rate, per_chat = 10.0, 2.0
    limiter = SendLimiter(
        {"telegram": RateLimits(per_second=rate, per_chat_per_second=per_chat)},
        monotonic=fake_time,
    )
    chance = random.Random(seed)
    booked: list[float] = []
    chat_last: dict[str, float] = {}
    for _ in range(200):
        fake_time.now += chance.choice([0.0, 0.0, 0.0, 0.01, 0.05, 0.3])
        chat = f"chat-{chance.randrange(8)}"
        slot = fake_time.now + limiter.reserve("telegram", chat)

        earliest = fake_time.now
        if chat in chat_last:  # one chat's messages keep their order, 1 / per_chat apart
            earliest = max(earliest, chat_last[chat] + 1 / per_chat)
        assert slot == pytest.approx(_earliest_slot(booked, earliest, 1 / rate))
        booked.append(slot)
        chat_last[chat] = slot
