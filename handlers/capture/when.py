"""Follow-up times in a rep's words, read in the rep's time zone, in any lexicon's language.

Rules (docs/design.md, "Capture"): a weekday is the next such day strictly after
today; a day without a clock time gets the team's default hour; "in 2 hours" keeps the exact
clock time; an explicit time wins; a bare hour from 1 to 7 means the afternoon. A date with
no year is the next such date. Spans already taken (amounts, quantities) are never read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from handlers.capture.lexicon import Lexicon, whole_words

Span = tuple[int, int]

_PERIOD_HOURS = {"morning": 9, "afternoon": 15, "evening": 19}
_UNIT_DELTAS = {
    "minute": timedelta(minutes=1),
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(weeks=1),
}
_CLAUSE_END = re.compile(r"[.;!?\n]|,\s")


@dataclass(frozen=True, slots=True)
class FoundTime:
    at: datetime
    """Local (rep's zone) aware datetime."""
    span: Span


@dataclass(frozen=True, slots=True)
class _Match:
    kind: str
    span: Span
    groups: dict[str, str | None]


@dataclass(frozen=True)
class _Grammar:
    """The compiled time patterns of one lexicon."""

    relative: re.Pattern[str]
    day_after_tomorrow: re.Pattern[str]
    tomorrow: re.Pattern[str]
    today: re.Pattern[str]
    next_week: re.Pattern[str]
    day_month: re.Pattern[str]
    month_day: re.Pattern[str] | None
    numeric: re.Pattern[str]
    weekday: re.Pattern[str]
    clock: tuple[re.Pattern[str], ...]
    periods: tuple[tuple[str, re.Pattern[str]], ...]
    numbers: dict[str, int]
    units: tuple[tuple[str, re.Pattern[str]], ...]
    weekdays: tuple[re.Pattern[str], ...]
    months: tuple[re.Pattern[str], ...]


@cache
def _grammar(lexicon: Lexicon) -> _Grammar:
    numbers = "|".join(sorted(map(re.escape, lexicon.numbers), key=len, reverse=True))
    units = "|".join(f"(?:{unit})" for unit in lexicon.units.values())
    months = "|".join(f"(?:{month})" for month in lexicon.months)
    weekdays = "|".join(f"(?:{day})" for day in lexicon.weekdays)
    ordinal = r"(?:st|nd|rd|th|-?(?:го|ти|ви|ри|ого)|\.|º|o)?"
    meridiem = r"(?P<ap>am|pm|a\.m\.|p\.m\.)"
    suffix = rf"(?P<suffix>{lexicon.hour_suffix})"
    return _Grammar(
        relative=re.compile(
            whole_words(
                rf"(?:{lexicon.relative})\s+(?P<count>\d{{1,3}}|{numbers})?\s*(?P<unit>{units})"
            )
        ),
        day_after_tomorrow=re.compile(whole_words(lexicon.day_after_tomorrow)),
        tomorrow=re.compile(whole_words(lexicon.tomorrow)),
        today=re.compile(whole_words(lexicon.today)),
        next_week=re.compile(whole_words(lexicon.next_week)),
        day_month=re.compile(
            whole_words(
                rf"(?P<day>\d{{1,2}}){ordinal}\s*(?:de\s+|of\s+|-)?(?P<month>{months})\.?"
                rf"(?:\s*,?\s*(?P<year>20\d\d))?"
            )
        ),
        month_day=(
            re.compile(whole_words(rf"(?P<month>{months})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?"))
            if lexicon.code == "en"
            else None
        ),
        numeric=re.compile(
            r"(?<![\d.,:/])(?P<a>\d{1,2})[./](?P<b>\d{1,2})(?:[./](?P<year>\d{4}|\d{2}))?"
            r"(?![\d,:/]|\.\d)"
        ),
        weekday=re.compile(whole_words(rf"(?:next\s+|this\s+|on\s+)?(?:{weekdays})")),
        clock=(
            re.compile(
                whole_words(
                    rf"(?:{lexicon.clock_markers})\s*(?P<h>\d{{1,2}})(?:[:.](?P<m>\d{{2}}))?"
                    rf"\s*(?:{meridiem}|{suffix})?"
                )
            ),
            re.compile(whole_words(rf"(?P<h>\d{{1,2}}):(?P<m>\d{{2}})\s*(?:{meridiem}|{suffix})?")),
            re.compile(whole_words(rf"(?P<h>\d{{1,2}})(?:[:.](?P<m>\d{{2}}))?\s*{meridiem}")),
            re.compile(whole_words(rf"(?P<h>\d{{1,2}})(?:[:.](?P<m>\d{{2}}))?\s*{suffix}")),
            re.compile(whole_words(r"(?P<noon>noon|midday|amiaza|pranz|poludnie|обед|mediodia)")),
        ),
        periods=tuple(
            (name, re.compile(whole_words(getattr(lexicon, name))))
            for name in ("morning", "afternoon", "evening")
        ),
        numbers=lexicon.numbers,
        units=tuple(
            (name, re.compile(whole_words(source))) for name, source in lexicon.units.items()
        ),
        weekdays=tuple(re.compile(whole_words(day)) for day in lexicon.weekdays),
        months=tuple(re.compile(whole_words(month)) for month in lexicon.months),
    )


def _overlaps(span: Span, taken: Iterable[Span]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in taken)


def _matches(
    pattern: re.Pattern[str], kind: str, text: str, region: Span, taken: list[Span]
) -> Iterator[_Match]:
    for match in pattern.finditer(text, region[0], region[1]):
        if not _overlaps(match.span(), taken):
            yield _Match(kind, match.span(), match.groupdict())


def _first(
    text: str, region: Span, taken: list[Span], *patterns: tuple[re.Pattern[str] | None, str]
) -> _Match | None:
    found = [
        match
        for pattern, kind in patterns
        if pattern is not None
        for match in _matches(pattern, kind, text, region, taken)
    ]
    return min(found, key=lambda match: match.span[0], default=None)


def _hour(match: _Match) -> time | None:
    if match.groups.get("noon"):
        return time(12, 0)
    hour, minute = int(match.groups["h"] or 0), int(match.groups.get("m") or 0)
    meridiem = (match.groups.get("ap") or "").replace(".", "")
    if meridiem == "pm" and hour < 12:
        hour += 12
    elif meridiem == "am" and hour == 12:
        hour = 0
    elif not meridiem and 1 <= hour <= 7:
        hour += 12  # "at 3" in a working day means 15:00
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _which(patterns: Iterable[re.Pattern[str]], text: str) -> int:
    return next(index for index, pattern in enumerate(patterns) if pattern.search(text))


def _upcoming(today: date, month: int, day: int, year: int | None) -> date | None:
    """A date without a year is the next one on or after today."""
    try:
        if year is not None:
            return date(year, month, day)
        candidate = date(today.year, month, day)
        return candidate if candidate >= today else date(today.year + 1, month, day)
    except ValueError:
        return None


class _Reader:
    def __init__(
        self, text: str, lexicon: Lexicon, now: datetime, default_hour: int, date_order: str
    ) -> None:
        self.text = text
        self.grammar = _grammar(lexicon)
        self.now = now
        self.today = now.date()
        self.default_hour = default_hour
        self.date_order = date_order

    def _day(self, match: _Match) -> date | None:
        grammar, today, found = self.grammar, self.today, self.text[slice(*match.span)]
        if match.kind == "day_after_tomorrow":
            return today + timedelta(days=2)
        if match.kind == "tomorrow":
            return today + timedelta(days=1)
        if match.kind == "today":
            return today
        if match.kind == "next_week":
            return today + timedelta(weeks=1)
        if match.kind == "weekday":
            weekday = _which(grammar.weekdays, found)
            return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
        if match.kind == "numeric":
            first, second = int(match.groups["a"] or 0), int(match.groups["b"] or 0)
            day, month = (second, first) if self.date_order == "MDY" else (first, second)
            return _upcoming(today, month, day, self._year(match))
        month = _which(grammar.months, match.groups["month"] or "") + 1
        return _upcoming(today, month, int(match.groups["day"] or 0), self._year(match))

    @staticmethod
    def _year(match: _Match) -> int | None:
        text = match.groups.get("year")
        if not text:
            return None
        return int(text) + (2000 if len(text) == 2 else 0)

    def read(self, region: Span, taken: list[Span]) -> FoundTime | None:
        grammar, text = self.grammar, self.text
        clock = _first(text, region, taken, *((pattern, "clock") for pattern in grammar.clock))
        clock_time = _hour(clock) if clock else None
        taken_with_clock = [*taken, clock.span] if clock else taken
        period = _first(text, region, taken, *((p, name) for name, p in grammar.periods))
        period_time = time(_PERIOD_HOURS[period.kind]) if period else None

        relative = _first(text, region, taken, (grammar.relative, "relative"))
        if relative is not None:
            return self._relative(relative, clock_time or period_time, clock)

        day = _first(
            text,
            region,
            taken_with_clock,
            (grammar.day_after_tomorrow, "day_after_tomorrow"),
            (grammar.next_week, "next_week"),
            (grammar.day_month, "date"),
            (grammar.month_day, "date"),
            (grammar.numeric, "numeric"),
            (grammar.tomorrow, "tomorrow"),
            (grammar.today, "today"),
            (grammar.weekday, "weekday"),
        )
        found_day = self._day(day) if day is not None else None
        if found_day is None:
            if clock_time is None:
                return None
            assert clock is not None
            at = datetime.combine(self.today, clock_time, tzinfo=self.now.tzinfo)
            if at <= self.now:  # a clock time alone is the next time the clock shows it
                at = datetime.combine(
                    self.today + timedelta(days=1), clock_time, tzinfo=self.now.tzinfo
                )
            return FoundTime(at, clock.span)
        assert day is not None
        chosen = clock_time or period_time or time(self.default_hour)
        spans = [day.span] + ([clock.span] if clock else [])
        return FoundTime(
            datetime.combine(found_day, chosen, tzinfo=self.now.tzinfo),
            (min(s[0] for s in spans), max(s[1] for s in spans)),
        )

    def _relative(self, match: _Match, clock: time | None, clock_match: _Match | None) -> FoundTime:
        grammar = self.grammar
        count_text = match.groups["count"]
        if count_text is None:
            count = 1
        elif count_text.isdigit():
            count = int(count_text)
        else:
            count = grammar.numbers.get(count_text, 1)
        unit_text = match.groups["unit"] or ""
        unit = next(name for name, pattern in grammar.units if pattern.fullmatch(unit_text))
        if unit in ("minute", "hour"):
            # Elapsed time: add it in UTC, so a DST change in between does not shift it.
            delta = _UNIT_DELTAS[unit] * count
            at = (self.now.astimezone(UTC) + delta).astimezone(self.now.tzinfo)
            return FoundTime(at.replace(microsecond=0), match.span)
        if unit == "month":
            month_index = self.today.month - 1 + count
            year, month = self.today.year + month_index // 12, month_index % 12 + 1
            for day_of_month in (self.today.day, 30, 29, 28):
                target = _upcoming(self.today, month, day_of_month, year)
                if target is not None:
                    break
            assert target is not None
        else:
            target = self.today + _UNIT_DELTAS[unit] * count
        chosen = clock or time(self.default_hour)
        return FoundTime(datetime.combine(target, chosen, tzinfo=self.now.tzinfo), match.span)


def find_time(
    text: str,
    lexicon: Lexicon,
    now: datetime,
    default_hour: int,
    date_order: str,
    *,
    anchor: int = 0,
    taken: list[Span] | None = None,
) -> FoundTime | None:
    """The follow-up time in ``text`` (folded), relative to ``now`` (local, aware).

    ``anchor`` is where the promise to call back starts: a time after it is preferred, then
    one earlier in the same clause ("tomorrow at 10 call back"); a date in another clause
    ("birthday on 5 May, call back Friday") belongs to something else.
    """
    reader = _Reader(text, lexicon, now, default_hour, date_order)
    spans = taken or []
    after = reader.read((anchor, len(text)), spans)
    if after is not None:
        return after
    clause_start = 0
    for boundary in _CLAUSE_END.finditer(text, 0, anchor):
        clause_start = boundary.end()
    return reader.read((clause_start, anchor), spans)
