"""Follow-up times in a rep's words, read in the rep's time zone.

Rules (DESIGN.md, "Capture semantics"): a weekday is the next such day strictly after
today; a day without a clock time gets the team's default hour; "in 2 hours" keeps the
exact clock time; an explicit time wins. Only English is read here for now.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

_WEEKDAYS = {
    "monday": 0, "mon": 0,
    "tuesday": 1, "tue": 1, "tues": 1,
    "wednesday": 2, "wed": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3,
    "friday": 4, "fri": 4,
    "saturday": 5, "sat": 5,
    "sunday": 6, "sun": 6,
}  # fmt: skip

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3,
    "april": 4, "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7,
    "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9, "october": 10,
    "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip

_UNITS = {
    "minute": timedelta(minutes=1), "min": timedelta(minutes=1), "mins": timedelta(minutes=1),
    "minutes": timedelta(minutes=1), "hour": timedelta(hours=1), "hours": timedelta(hours=1),
    "hr": timedelta(hours=1), "hrs": timedelta(hours=1), "h": timedelta(hours=1),
    "day": timedelta(days=1), "days": timedelta(days=1),
    "week": timedelta(weeks=1), "weeks": timedelta(weeks=1),
}  # fmt: skip

_WORD_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}

_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WEEKDAY_NAMES = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
_UNIT_NAMES = "|".join(sorted(_UNITS, key=len, reverse=True))

_RELATIVE = re.compile(
    rf"\bin\s+(?P<count>\d{{1,3}}|a|an|one|two|three|four|five)\s*(?P<unit>{_UNIT_NAMES})\b"
)
_DAY_AFTER_TOMORROW = re.compile(r"\bday\s+after\s+tomorrow\b")
_TOMORROW = re.compile(r"\b(?:tomorrow|tmrw|tmr|tomorow)\b")
_TODAY = re.compile(r"\b(?:today|tonight|this\s+(?:afternoon|evening|morning))\b")
_NEXT_WEEK = re.compile(r"\bnext\s+week\b")
_WEEKDAY = re.compile(rf"\b(?:next\s+|on\s+|this\s+)?(?P<day>{_WEEKDAY_NAMES})\b\.?")
_DAY_MONTH = re.compile(
    rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>{_MONTH_NAMES})\b\.?"
)
_MONTH_DAY = re.compile(rf"\b(?P<month>{_MONTH_NAMES})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b")
_NUMERIC_DATE = re.compile(r"\b(?P<a>\d{1,2})[./](?P<b>\d{1,2})(?:[./](?P<year>\d{2,4}))?\b")
_CLOCK = re.compile(
    r"(?:\bat\s+|@\s*)(?P<h1>\d{1,2})(?::(?P<m1>\d{2}))?\s*(?P<ap1>am|pm|a\.m\.|p\.m\.)?(?!\d)"
    r"|\b(?P<h2>\d{1,2}):(?P<m2>\d{2})\s*(?P<ap2>am|pm)?\b"
    r"|\b(?P<h3>\d{1,2})\s*(?P<ap3>am|pm|a\.m\.|p\.m\.)"
    r"|\b(?P<noon>noon|midday)\b"
)


@dataclass(frozen=True, slots=True)
class FoundTime:
    at: datetime
    """Local (rep's zone) aware datetime."""
    span: tuple[int, int]
    """Where in the (lowercased) text the expression stood, for the caller to cut it out."""


def _clock_time(text: str) -> tuple[time, tuple[int, int]] | None:
    for match in _CLOCK.finditer(text):
        if match.group("noon"):
            return time(12, 0), match.span()
        hour_text = match.group("h1") or match.group("h2") or match.group("h3")
        minute_text = match.group("m1") or match.group("m2")
        meridiem = match.group("ap1") or match.group("ap2") or match.group("ap3") or ""
        hour, minute = int(hour_text), int(minute_text or 0)
        if meridiem.startswith("p") and hour < 12:
            hour += 12
        elif meridiem.startswith("a") and hour == 12:
            hour = 0
        elif not meridiem and match.group("h1") and 1 <= hour <= 7:
            # "at 3" in a business message means the afternoon, not 3 in the morning.
            hour += 12
        if hour <= 23 and minute <= 59:
            return time(hour, minute), match.span()
    return None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _upcoming(today: date, month: int, day: int, year: int | None = None) -> date | None:
    """A date without a year is the next one on or after today."""
    if year is not None:
        return _safe_date(year, month, day)
    candidate = _safe_date(today.year, month, day)
    if candidate is not None and candidate < today:
        candidate = _safe_date(today.year + 1, month, day)
    return candidate


def _day(text: str, today: date, date_order: str) -> tuple[date, tuple[int, int]] | None:
    if match := _DAY_AFTER_TOMORROW.search(text):
        return today + timedelta(days=2), match.span()
    if match := _TOMORROW.search(text):
        return today + timedelta(days=1), match.span()
    if match := _TODAY.search(text):
        return today, match.span()
    if match := _NEXT_WEEK.search(text):
        return today + timedelta(weeks=1), match.span()
    for pattern in (_DAY_MONTH, _MONTH_DAY):
        if match := pattern.search(text):
            found = _upcoming(today, _MONTHS[match.group("month")], int(match.group("day")))
            if found is not None:
                return found, match.span()
    if match := _NUMERIC_DATE.search(text):
        first, second = int(match.group("a")), int(match.group("b"))
        day, month = (second, first) if date_order == "MDY" else (first, second)
        year_text = match.group("year")
        year = None
        if year_text:
            year = int(year_text) + (2000 if len(year_text) == 2 else 0)
        found = _upcoming(today, month, day, year)
        if found is not None:
            return found, match.span()
    if match := _WEEKDAY.search(text):
        ahead = (_WEEKDAYS[match.group("day")] - today.weekday() - 1) % 7 + 1
        return today + timedelta(days=ahead), match.span()
    return None


def find_time(text: str, now: datetime, default_hour: int, date_order: str) -> FoundTime | None:
    """The first follow-up time in ``text`` (lowercase), relative to ``now`` (local, aware)."""
    if match := _RELATIVE.search(text):
        count_text, unit = match.group("count"), match.group("unit")
        count = int(count_text) if count_text.isdigit() else _WORD_NUMBERS[count_text]
        delta = _UNITS[unit] * count
        if delta < timedelta(days=1):
            # Hours and minutes are elapsed time: add them in UTC so a DST change between
            # now and then does not shift the answer by an hour.
            at = (now.astimezone(UTC) + delta).astimezone(now.tzinfo)
            return FoundTime(at.replace(microsecond=0), match.span())
        at = now + delta  # days and weeks are calendar time: same wall clock, later day
        clock = _clock_time(text)
        return FoundTime(_at(at, clock[0] if clock else time(default_hour, 0)), match.span())

    day = _day(text, now.date(), date_order)
    clock = _clock_time(text)
    if day is None and clock is None:
        return None
    if day is None:
        assert clock is not None
        # A clock time alone is the next time the clock shows it.
        at = _at(now, clock[0])
        if at <= now:
            at = _at(now + timedelta(days=1), clock[0])
        return FoundTime(at, clock[1])
    chosen_time = clock[0] if clock is not None else time(default_hour, 0)
    start, end = day[1]
    if clock is not None:
        start, end = min(start, clock[1][0]), max(end, clock[1][1])
    at = datetime.combine(day[0], chosen_time, tzinfo=now.tzinfo)
    return FoundTime(at, (start, end))


def _at(moment: datetime, clock: time) -> datetime:
    return moment.replace(hour=clock.hour, minute=clock.minute, second=0, microsecond=0)
