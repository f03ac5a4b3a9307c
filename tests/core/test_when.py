"""Follow-up times follow the capture rules of docs/design.md, in the rep's zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from handlers.capture import read_message

ZONE = "Europe/Bucharest"
# Monday 23 November 2026, 10:00 in Bucharest.
MONDAY_10 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def follow_up(text: str, now: datetime = MONDAY_10, **options: object) -> str | None:
    capture = read_message(text, now=now, timezone=ZONE, **options)  # type: ignore[arg-type]
    return capture.follow_up_at.strftime("%Y-%m-%d %H:%M %z") if capture.follow_up_at else None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("call back tomorrow at 10", "2026-11-24 10:00 +0200"),
        ("call back tomorrow", "2026-11-24 09:00 +0200"),  # a day alone: the default hour
        ("follow up Friday", "2026-11-27 09:00 +0200"),
        ("follow up on monday", "2026-11-30 09:00 +0200"),  # strictly after today
        ("call back Tue 3pm", "2026-11-24 15:00 +0200"),
        ("remind me at 15:30", "2026-11-23 15:30 +0200"),  # later today
        ("remind me at 9", "2026-11-24 09:00 +0200"),  # 9:00 has passed: tomorrow
        ("call back in 2 hours", "2026-11-23 12:00 +0200"),  # elapsed time keeps the minutes
        ("remind me to call Sam in 1 minute", "2026-11-23 10:01 +0200"),
        ("follow up in 3 days", "2026-11-26 09:00 +0200"),
        ("follow up in a week", "2026-11-30 09:00 +0200"),
        ("call back next week", "2026-11-30 09:00 +0200"),
        ("call back the day after tomorrow at 11", "2026-11-25 11:00 +0200"),
        ("follow up Dec 2", "2026-12-02 09:00 +0200"),
        ("follow up on 2 December at noon", "2026-12-02 12:00 +0200"),
        ("follow up on Jan 5", "2027-01-05 09:00 +0200"),  # a past month means next year
        ("call back 12/03", "2027-03-12 09:00 +0200"),  # day first for most teams
    ],
)
def test_follow_up_times(text: str, expected: str) -> None:
    assert follow_up(text) == expected


def test_numeric_dates_follow_the_team_locale() -> None:
    assert follow_up("call back 12/03", date_order="MDY") == "2026-12-03 09:00 +0200"


def test_the_team_default_hour_applies_to_a_bare_day() -> None:
    assert follow_up("call back tomorrow", default_hour=14) == "2026-11-24 14:00 +0200"


def test_a_date_stated_as_a_fact_is_not_a_follow_up() -> None:
    assert follow_up("Her birthday is on 5 May, she loves golf") is None
    assert follow_up("Met Ana at Acme on Friday") is None


def test_times_are_read_in_the_reps_own_zone() -> None:
    capture = read_message("call back tomorrow at 10", now=MONDAY_10, timezone="America/New_York")
    assert capture.follow_up_at is not None
    assert capture.follow_up_at.astimezone(UTC) == datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def test_elapsed_time_across_a_dst_change_is_real_time() -> None:
    # 02:30 local on the night clocks go back (Bucharest, 25 Oct 2026 04:00 -> 03:00).
    before_change = datetime(2026, 10, 24, 23, 30, tzinfo=UTC)
    capture = read_message("call back in 2 hours", now=before_change, timezone=ZONE)
    assert capture.follow_up_at is not None
    assert capture.follow_up_at.astimezone(UTC) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def test_quantities_and_amounts_never_become_dates() -> None:
    assert follow_up("Northwind wants 12 licences, order 4000, call back Friday") == (
        "2026-11-27 09:00 +0200"
    )
    assert follow_up("Northwind ordered 4000 units") is None
