"""When digests fall due and what they cover: each team on its own wall clock, DST included."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from handlers.digest import (
    ScheduleError,
    agenda_window,
    clock_time,
    due_period,
    latest_slot,
    next_slot,
    period_ending,
    week_before,
    weekly_time,
)
from handlers.digest_data import DigestKind, DigestSchedule, Period
from storage.database import create_engine
from storage.digests import SqlDigestSource
from storage.migrate import upgrade
from tests.digests.conftest import BUCHAREST, LONG_AGO, NEW_YORK, local

DAY, WEEK = DigestKind.DAY, DigestKind.WEEK
GRACE = timedelta(hours=6)


def team(zone: str, **settings: object) -> DigestSchedule:
    values: dict[str, object] = {
        "team_id": 1,
        "team_name": "Acme",
        "timezone": zone,
        "daily_at": "18:00",
        "weekly_at": "MON 08:00",
        "agenda_at": "08:30",
        "enabled": True,
        "created_at": LONG_AGO,
    }
    values.update(settings)
    return DigestSchedule(**values)  # type: ignore[arg-type]


def utc(day: int, clock: str) -> datetime:
    return local(day, clock, "UTC")


def test_teams_in_bucharest_and_new_york_get_the_daily_digest_at_their_own_1800() -> None:
    bucharest, new_york = team(BUCHAREST), team(NEW_YORK)
    morning = utc(23, "08:00")  # Monday

    assert next_slot(bucharest, DAY, morning) == utc(23, "16:00")  # 18:00 at UTC+2
    assert next_slot(new_york, DAY, morning) == utc(23, "23:00")  # 18:00 at UTC-5

    at_1800_bucharest = utc(23, "16:00") + timedelta(seconds=30)
    assert due_period(bucharest, DAY, at_1800_bucharest, GRACE) == Period(
        local(20, "18:00"), local(23, "18:00")
    )
    assert due_period(new_york, DAY, at_1800_bucharest, GRACE) is None  # Friday's is old news

    at_1800_new_york = utc(23, "23:00") + timedelta(seconds=30)
    assert due_period(new_york, DAY, at_1800_new_york, GRACE) == Period(
        local(20, "18:00", NEW_YORK), local(23, "18:00", NEW_YORK)
    )
    assert due_period(bucharest, DAY, at_1800_new_york, GRACE) is None  # 7 h past its time


def test_a_minute_before_its_time_nothing_is_due() -> None:
    bucharest = team(BUCHAREST)

    assert due_period(bucharest, DAY, local(23, "17:59"), GRACE) is None
    assert due_period(bucharest, DAY, local(23, "18:00"), GRACE) is not None


def test_the_daily_digest_skips_the_weekend_and_mondays_covers_it() -> None:
    bucharest = team(BUCHAREST)

    assert latest_slot(bucharest, DAY, local(22, "12:00")) == local(20, "18:00")  # Sunday
    assert next_slot(bucharest, DAY, local(20, "19:00")) == local(23, "18:00")
    assert period_ending(bucharest, DAY, local(23, "18:00")) == Period(
        local(20, "18:00"), local(23, "18:00")
    )
    assert period_ending(bucharest, DAY, local(24, "18:00")) == Period(
        local(23, "18:00"), local(24, "18:00")
    )
    # A preview in between covers the day so far.
    assert period_ending(bucharest, DAY, local(24, "11:15")) == Period(
        local(23, "18:00"), local(24, "11:15")
    )


def test_the_weekly_digest_covers_the_seven_days_to_its_time() -> None:
    bucharest = team(BUCHAREST)
    period = period_ending(bucharest, WEEK, local(23, "08:00"))

    assert period == Period(local(16, "08:00"), local(23, "08:00"))
    assert week_before(period, BUCHAREST) == Period(local(9, "08:00"), local(16, "08:00"))
    assert next_slot(bucharest, WEEK, local(23, "08:00")) == local(30, "08:00")

    friday = team(BUCHAREST, weekly_at="fri 17:30")
    assert latest_slot(friday, WEEK, local(23, "08:00")) == local(20, "17:30")


def test_digests_keep_their_wall_clock_time_across_a_dst_change() -> None:
    # Bucharest leaves summer time on Sunday 25 October 2026 (UTC+3 -> UTC+2).
    bucharest = team(BUCHAREST)
    monday = period_ending(bucharest, DAY, local(26, "18:00", month=10))

    assert monday.start == datetime(2026, 10, 23, 15, 0, tzinfo=UTC)  # Fri 18:00 at UTC+3
    assert monday.end == datetime(2026, 10, 26, 16, 0, tzinfo=UTC)  # Mon 18:00 at UTC+2
    week = period_ending(bucharest, WEEK, local(26, "08:00", month=10))
    before = week_before(week, BUCHAREST)
    assert before.start.astimezone(week.start.tzinfo).strftime("%a %d %H:%M") == "Mon 12 08:00"
    assert before.end == week.start
    # The week that holds the change is an hour longer than seven days, as the clocks say.
    assert week.end.astimezone(UTC) - week.start.astimezone(UTC) == timedelta(days=7, hours=1)


def test_a_digest_long_past_its_time_is_skipped_and_a_new_team_waits_for_its_first() -> None:
    bucharest = team(BUCHAREST)

    assert due_period(bucharest, DAY, local(23, "23:59"), GRACE) is not None
    assert due_period(bucharest, DAY, local(24, "00:01"), GRACE) is None
    assert due_period(bucharest, WEEK, local(24, "07:59"), timedelta(hours=24)) is not None

    created_tonight = team(BUCHAREST, created_at=local(23, "19:00"))
    assert due_period(created_tonight, DAY, local(23, "19:01"), GRACE) is None
    assert due_period(created_tonight, DAY, local(24, "18:00"), GRACE) is not None

    assert due_period(team(BUCHAREST, enabled=False), DAY, local(23, "18:00"), GRACE) is None


def test_the_morning_agenda_is_due_at_0830_on_each_reps_wall_clock() -> None:
    grace = timedelta(hours=3)

    assert agenda_window(BUCHAREST, "08:30", local(23, "08:29"), grace) is None
    window = agenda_window(BUCHAREST, "08:30", local(23, "08:30"), grace)
    assert window is not None
    assert window.slot == local(23, "08:30")
    assert window.day == Period(local(23, "00:00"), local(24, "00:00"))
    assert not window.due_today_only
    assert agenda_window(BUCHAREST, "08:30", local(23, "11:31"), grace) is None
    assert agenda_window(NEW_YORK, "08:30", local(23, "08:30"), grace) is None  # 01:30 there

    saturday = agenda_window(BUCHAREST, "08:30", local(21, "09:00"), grace)
    assert saturday is not None
    assert saturday.due_today_only


@pytest.mark.parametrize("text", ["25:00", "8", "18h", ""])
def test_a_clock_time_must_read_like_1800(text: str) -> None:
    with pytest.raises(ScheduleError):
        clock_time(text)


def test_a_weekly_time_needs_a_weekday() -> None:
    assert weekly_time("Tue 9:05") == (1, clock_time("09:05"))
    with pytest.raises(ScheduleError):
        weekly_time("08:00")


async def test_teams_that_existed_before_digests_get_the_default_schedule(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0003")
    with sqlite3.connect(tmp_path / "old.db") as connection:
        connection.execute(
            "INSERT INTO teams (name, default_hour, date_order, created_at) "
            "VALUES ('Acme', 9, 'DMY', '2026-01-05 00:00:00.000000')"
        )
    upgrade(url)
    engine = create_engine(url)
    try:
        (schedule,) = await SqlDigestSource(engine).schedules()
    finally:
        await engine.dispose()

    assert schedule == team("UTC", team_name="Acme")
