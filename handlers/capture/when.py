"""Follow-up times in a rep's words, read in the rep's time zone, in any lexicon's language.

Rules (docs/design.md, "Capture"): a weekday is the next such day strictly after
today; a day without a clock time gets the team's default hour; "in 2 hours" keeps the exact
clock time; an explicit time wins; a bare hour from 1 to 7 means the afternoon. A date with
no year is the next such date. Spans already taken (amounts, quantities) are never read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
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
_CLAUSE_END = re.compile(r"[;!?\n]|\.(?!\d)|,\s")  # "10.12" is a date, not two clauses


@dataclass(frozen=True, slots=True)
class FoundTime:
    at: datetime
    """Local (rep's zone) aware datetime."""
    span: Span
    day_said: bool = True
    """False for a clock time alone, whose day is only the next time the clock shows it."""


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
    clock: tuple[re.Pattern[str] | None, ...]
    noon: re.Pattern[str]
    day_of_month: tuple[re.Pattern[str], ...]
    day_words: dict[str, int]
    before_hour: tuple[tuple[re.Pattern[str], int], ...]
    after_hour: tuple[tuple[re.Pattern[str], int], ...]
    hour_words: dict[str, int]
    periods: tuple[tuple[str, re.Pattern[str]], ...]
    numbers: dict[str, int]
    units: tuple[tuple[str, re.Pattern[str]], ...]
    weekdays: tuple[re.Pattern[str], ...]
    months: tuple[re.Pattern[str], ...]


def _alternation(words: Iterable[str]) -> str:
    return "|".join(f"(?:{word})" for word in words) or r"(?!x)x"


@cache
def _grammar(lexicon: Lexicon) -> _Grammar:
    numbers = "|".join(sorted(map(re.escape, lexicon.numbers), key=len, reverse=True))
    units = _alternation(lexicon.units.values())
    months = _alternation(lexicon.months)
    weekdays = _alternation(lexicon.weekdays)
    ordinal = r"(?:st|nd|rd|th|-?(?:го|ти|ви|ри|ого)|\.|º|o)?"
    meridiem = r"(?P<ap>am|pm|a\.m\.|p\.m\.)"
    suffix = rf"(?P<suffix>{lexicon.hour_suffix})"
    markers = lexicon.clock_markers
    words = sorted(map(re.escape, lexicon.hour_words), key=len, reverse=True)
    day_words = _alternation(
        re.escape(word).replace(r"\ ", r"\s+")
        for word in sorted(lexicon.day_words, key=len, reverse=True)
    )
    hour = rf"(?:(?P<h>\d{{1,2}})|(?P<hw>{_alternation(words)}))"
    before = _alternation(source for source, _ in lexicon.minutes_before_hour)
    after = _alternation(source for source, _ in lexicon.minutes_after_hour)
    no_month = rf"(?!\s*(?:of\s+|de\s+)?(?:{months}))"
    # "на 3 мес", "po 2 dniach": a number of days or months is no clock time
    durations = _alternation(
        source for name, source in lexicon.units.items() if name not in ("hour", "minute")
    )
    return _Grammar(
        relative=re.compile(
            whole_words(
                rf"(?:{lexicon.relative})\s+(?P<count>\d{{1,3}}|{numbers})?\s*(?:de\s+)?"
                rf"(?P<unit>{units})"
            )
        ),
        day_after_tomorrow=re.compile(whole_words(lexicon.day_after_tomorrow)),
        tomorrow=re.compile(whole_words(lexicon.tomorrow)),
        today=re.compile(whole_words(lexicon.today)),
        next_week=re.compile(whole_words(lexicon.next_week)),
        day_month=re.compile(
            whole_words(
                rf"(?:(?P<day>\d{{1,2}}){ordinal}|(?P<dayword>{day_words}))"
                rf"\s*(?:de\s+|of\s+|-)?(?P<month>{months})\.?"
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
            r"(?![\d:/]|[.,]\d)"
        ),
        weekday=re.compile(whole_words(rf"(?:next\s+|this\s+|on\s+)?(?:{weekdays})")),
        clock=(
            re.compile(
                whole_words(
                    rf"(?:{markers})\s*(?P<h>\d{{1,2}})(?:[:.](?P<m>\d{{2}}))?"
                    rf"\s*(?:{meridiem}|{suffix})?(?!\s*(?:{durations}))"
                )
            ),
            re.compile(whole_words(rf"(?P<h>\d{{1,2}}):(?P<m>\d{{2}})\s*(?:{meridiem}|{suffix})?")),
            # "call back 4.30 tmrw": minutes past 12 make it no date ("4.10" stays a date)
            re.compile(whole_words(r"(?<![\d.,])(?P<h>\d{1,2})\.(?P<m>1[3-9]|[2-5]\d)(?![\d.,])")),
            re.compile(whole_words(rf"(?P<h>\d{{1,2}})(?:[:.](?P<m>\d{{2}}))?\s*{meridiem}")),
            re.compile(whole_words(rf"(?P<h>\d{{1,2}})(?:[:.](?P<m>\d{{2}}))?\s*{suffix}")),
            # "half past 4", "wpół do jedenastej", "полдесятого"; "10 y media", "5 jumate"
            re.compile(whole_words(rf"(?:(?:{markers})\s*)?(?P<before>{before})\s*{hour}")),
            re.compile(whole_words(rf"(?:(?:{markers})\s*)?{hour}\s*(?P<after>{after})")),
            re.compile(
                whole_words(
                    rf"(?:{markers})\s*(?P<h>\d{{1,2}})\s+(?:(?:{lexicon.minutes_joiner})\s+)?"
                    rf"(?P<m>[0-5]\d)(?!\s*(?:%|{durations}|{lexicon.quantity_units}))"
                )
            ),
            re.compile(whole_words(rf"(?:{markers})\s+(?P<hw>{_alternation(words)})")),
            re.compile(
                whole_words(
                    rf"(?:{weekdays}|{lexicon.tomorrow}|{lexicon.today})\s+"
                    rf"(?P<at>(?P<h>\d{{1,2}})(?:[:.](?P<m>\d{{2}}))?)"
                    rf"(?!\s*(?:{units}|{lexicon.quantity_units}|{months}|%|[/.,:]\d))"
                )
            )
            if lexicon.day_then_hour
            else None,
        ),
        # "după-amiază" is an afternoon, not noon
        noon=re.compile(
            whole_words(
                r"(?<!dupa-)(?<!dupa )(?:noon|midday|amiaza|pranz|poludnie|полдень|обед"
                r"|пладне|mediodia)"
            )
        ),
        day_of_month=tuple(
            re.compile(whole_words(rf"(?:{source}){no_month}")) for source in lexicon.day_of_month
        ),
        before_hour=tuple(
            (re.compile(source), minutes) for source, minutes in lexicon.minutes_before_hour
        ),
        after_hour=tuple(
            (re.compile(source), minutes) for source, minutes in lexicon.minutes_after_hour
        ),
        hour_words=lexicon.hour_words,
        day_words=lexicon.day_words,
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
            # a group "at" is where the match's own words begin: "fri 2" is a clock at "2"
            start = match.start("at") if "at" in pattern.groupindex else match.start()
            yield _Match(kind, (start, match.end()), match.groupdict())


def _first(
    text: str, region: Span, taken: list[Span], *patterns: tuple[re.Pattern[str] | None, str]
) -> _Match | None:
    found = [
        match
        for pattern, kind in patterns
        if pattern is not None
        for match in _matches(pattern, kind, text, region, taken)
    ]
    # the earliest, and of two at the same place the longer: "a las 10 y media" over "a las 10"
    return min(found, key=lambda match: (match.span[0], -match.span[1]), default=None)


def _offset(patterns: Iterable[tuple[re.Pattern[str], int]], said: str | None) -> int:
    if not said:
        return 0
    return next((minutes for pattern, minutes in patterns if pattern.fullmatch(said)), 0)


def _clock_time(match: _Match, grammar: _Grammar, period: str | None) -> time | None:
    """The time a clock phrase says; ``period`` is a part of the day said right after it."""
    if match.kind == "noon":
        return time(12, 0)
    groups = match.groups
    named = grammar.hour_words[hw] if (hw := groups.get("hw")) else int(groups.get("h") or 0)
    minutes = named * 60 + int(groups.get("m") or 0)
    minutes += _offset(grammar.before_hour, groups.get("before"))
    minutes += _offset(grammar.after_hour, groups.get("after"))
    hour, minute = divmod(minutes % (24 * 60), 60)
    meridiem = (groups.get("ap") or "").replace(".", "")
    if meridiem == "pm" and hour < 12:
        hour += 12
    elif meridiem == "am" and hour == 12:
        hour = 0
    elif not meridiem and period in ("afternoon", "evening") and hour < 12:
        hour += 12  # "в 9 вечера", "a las 8 de la noche"
    elif not meridiem and period != "morning" and 1 <= named <= 7:
        hour = (hour % 12) + 12  # "at 3" in a working day means 15:00, "half 4" 16:30
    if named > 23 or minute > 59 or int(groups.get("m") or 0) > 59:
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


def _next_day_of_month(today: date, day: int) -> date | None:
    """ "the 14th": this month's if it is still ahead (or today), else the next month's."""
    for ahead in range(13):
        index = today.month - 1 + ahead
        try:
            candidate = date(today.year + index // 12, index % 12 + 1, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return None


_PERIOD_GAP = re.compile(r"\s*")
_WEEKDAY_DATE_GAP = re.compile(r"[\s,]*")


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
        if match.kind == "day_of_month":
            return _next_day_of_month(today, int(match.groups["day"] or 0))
        if match.kind == "numeric":
            first, second = int(match.groups["a"] or 0), int(match.groups["b"] or 0)
            day, month = (second, first) if self.date_order == "MDY" else (first, second)
            return _upcoming(today, month, day, self._year(match))
        month = _which(grammar.months, match.groups["month"] or "") + 1
        said = match.groups.get("dayword")
        day = (
            grammar.day_words[re.sub(r"\s+", " ", said)] if said else int(match.groups["day"] or 0)
        )
        return _upcoming(today, month, day, self._year(match))

    @staticmethod
    def _year(match: _Match) -> int | None:
        text = match.groups.get("year")
        if not text:
            return None
        return int(text) + (2000 if len(text) == 2 else 0)

    def read(self, region: Span, taken: list[Span]) -> FoundTime | None:
        grammar, text = self.grammar, self.text
        relative = _first(text, region, taken, (grammar.relative, "relative"))
        # "in 2 days", "the 20th", "11 января" and "10.12" hold numbers a clock would otherwise
        # read as an hour; a numeric date gives way when no other clock time is said ("o 10.30")
        not_clock = [*taken, *([relative.span] if relative else [])]
        not_clock += [match.span for match in self._dates(region, taken)]
        dates_too = [*not_clock, *(match.span for match in self._numeric_dates(region, taken))]
        clock = (
            self._clock(region, dates_too)
            or self._clock(region, not_clock)
            or _first(text, region, not_clock, (grammar.noon, "noon"))
        )
        clock_time = _clock_time(clock, grammar, self._period_after(clock)) if clock else None
        taken_with_clock = [*taken, clock.span] if clock else taken
        period = _first(text, region, taken, *((p, name) for name, p in grammar.periods))
        period_time = time(_PERIOD_HOURS[period.kind]) if period else None

        if relative is not None:
            return self._relative(relative, clock_time or period_time, clock)

        day = _first(
            text,
            region,
            taken_with_clock,
            (grammar.day_after_tomorrow, "day_after_tomorrow"),
            (grammar.next_week, "next_week"),
            *self._date_patterns(),
            (grammar.tomorrow, "tomorrow"),
            (grammar.today, "today"),
            (grammar.weekday, "weekday"),
        )
        if day is not None and day.kind == "weekday":
            day = self._date_beside(day, region, taken_with_clock) or day
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
            return FoundTime(at, clock.span, day_said=False)
        assert day is not None
        chosen = clock_time or period_time or time(self.default_hour)
        spans = [day.span] + ([clock.span] if clock else [])
        return FoundTime(
            datetime.combine(found_day, chosen, tzinfo=self.now.tzinfo),
            (min(s[0] for s in spans), max(s[1] for s in spans)),
        )

    def _date_patterns(self) -> list[tuple[re.Pattern[str], str]]:
        """The dates said with their day, each with its kind: "7 dec", "dec 7", "7.12", "the
        7th"."""
        grammar = self.grammar
        patterns = [
            (grammar.day_month, "date"),
            (grammar.month_day, "date"),
            (grammar.numeric, "numeric"),
            *((pattern, "day_of_month") for pattern in grammar.day_of_month),
        ]
        return [(pattern, kind) for pattern, kind in patterns if pattern is not None]

    def _date_beside(self, weekday: _Match, region: Span, taken: list[Span]) -> _Match | None:
        """A date said right after its weekday ("mon 7 dec", "в понедельник, 7 декабря"): the
        weekday only labels it, so the date decides even when the two disagree."""
        gap = _WEEKDAY_DATE_GAP.match(self.text, weekday.span[1])
        start = gap.end() if gap else weekday.span[1]
        for pattern, kind in self._date_patterns():
            for match in _matches(pattern, kind, self.text, (start, region[1]), taken):
                if match.span[0] == start and self._day(match) is not None:
                    return _Match(kind, (weekday.span[0], match.span[1]), match.groups)
        return None

    def _clock(self, region: Span, taken: list[Span]) -> _Match | None:
        return _first(
            self.text, region, taken, *((pattern, "clock") for pattern in self.grammar.clock)
        )

    def _dates(self, region: Span, taken: list[Span]) -> Iterator[_Match]:
        grammar = self.grammar
        for pattern in (grammar.day_month, grammar.month_day, *grammar.day_of_month):
            if pattern is not None:
                yield from _matches(pattern, "date", self.text, region, taken)

    def _numeric_dates(self, region: Span, taken: list[Span]) -> Iterator[_Match]:
        for match in _matches(self.grammar.numeric, "numeric", self.text, region, taken):
            if self._day(match) is not None:
                yield match

    def _period_after(self, clock: _Match) -> str | None:
        """The part of the day said right after a clock time: "в 9 вечера", "at 7 tonight"."""
        gap = _PERIOD_GAP.match(self.text, clock.span[1])
        start = gap.end() if gap else clock.span[1]
        for name, pattern in self.grammar.periods:
            if pattern.match(self.text, start):
                return name
        return None

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
    anchors: Sequence[int] = (),
    taken: list[Span] | None = None,
) -> FoundTime | None:
    """The follow-up time in ``text`` (folded), relative to ``now`` (local, aware).

    ``anchors`` are where promises to call back start. A time after the last promise that
    has one is preferred ("tried him twice today, will try again thu"), then one earlier in
    the first promise's clause ("tomorrow at 10 call back"), or in the clause before when the
    promise opens its own; a date in another clause ("birthday on 5 May, call back Friday")
    belongs to something else. Without a promise the whole text is read.
    """
    reader = _Reader(text, lexicon, now, default_hour, date_order)
    spans = taken or []
    anchor = anchors[0] if anchors else 0
    for start in reversed(anchors[1:]):
        if (later := reader.read((start, len(text)), spans)) is not None:
            return later
    boundaries = [0, *(boundary.end() for boundary in _CLAUSE_END.finditer(text, 0, anchor))]
    clause_start = boundaries[-1]
    after = reader.read((anchor, len(text)), spans)
    if after is not None and not after.day_said:
        # The day before the promise, the hour after it: "в среду перезвонить в 17.00"
        whole = reader.read((clause_start, len(text)), spans)
        if whole is not None and whole.day_said and whole.span[0] < anchor:
            return whole
    if after is not None:
        return after
    if not text[clause_start:anchor].strip() and len(boundaries) > 1:
        # A promise alone in its clause is about the one before: "w pon o 12, przypomnij"
        clause_start = boundaries[-2]
    return reader.read((clause_start, anchor), spans)
