"""The capture engine: one message in, what it records out. Pure and deterministic.

The steps, each in its own module: the language (:mod:`detect`), money and quantities
(:mod:`amounts`) so their numbers are never read as dates, the promise to call back and its
time (:mod:`when`), what happened and the deal stage (the lexicon's words), then who and
which company (:mod:`people`), in their dictionary form (:mod:`morphology`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import TypeVar
from zoneinfo import ZoneInfo

from handlers.capture.amounts import find_amount, taken_by_numbers
from handlers.capture.detect import detect_language
from handlers.capture.languages import LEXICONS
from handlers.capture.lexicon import Lexicon, fold, whole_words
from handlers.capture.morphology import is_known_first_name
from handlers.capture.people import (
    Found,
    clean_company,
    find_company,
    find_person,
    named_in_dictionary,
    subject_first,
)
from handlers.capture.when import Span, find_time
from handlers.domain import ActivityKind, Stage

_FOLDED_WORD = re.compile(r"\w+")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Capture:
    """What one message says happened. Absent parts are None."""

    kind: ActivityKind | None
    contact: str | None
    company: str | None
    follow_up_at: datetime | None
    """Timezone-aware, in the rep's zone."""
    follow_up_text: str | None
    stage: Stage | None
    amount: Decimal | None
    currency: str | None
    language: str

    @property
    def is_empty(self) -> bool:
        """Nothing recognised but the words themselves (kept as a note)."""
        recognised = (self.contact, self.company, self.follow_up_at, self.stage, self.amount)
        return self.kind in (None, ActivityKind.NOTE) and not any(recognised)


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """A team's own words for activity kinds and stages (its labels and synonyms: "KP" and
    "Angebot" for offer, "visit" for meeting), understood in any language's message."""

    kinds: tuple[tuple[ActivityKind, tuple[str, ...]], ...] = ()
    stages: tuple[tuple[Stage, tuple[str, ...]], ...] = ()


def _phrases(words: tuple[str, ...]) -> str | None:
    folded = sorted({" ".join(fold(word).split()) for word in words} - {""}, key=len, reverse=True)
    return whole_words("|".join(re.escape(word) for word in folded)) if folded else None


@cache
def _team_words(
    vocabulary: Vocabulary,
) -> tuple[
    tuple[tuple[ActivityKind, re.Pattern[str]], ...], tuple[tuple[Stage, re.Pattern[str]], ...]
]:
    kinds = tuple(
        (kind, re.compile(pattern))
        for kind, words in vocabulary.kinds
        if (pattern := _phrases(words)) is not None
    )
    stages = tuple(
        (stage, re.compile(pattern))
        for stage, words in vocabulary.stages
        if (pattern := _phrases(words)) is not None
    )
    return kinds, stages


@dataclass(frozen=True)
class _Words:
    time_words: re.Pattern[str]
    """Day, weekday and month words: never part of a name ("el 5 de mayo")."""
    intent: re.Pattern[str]
    kinds: tuple[tuple[ActivityKind, re.Pattern[str]], ...]
    stages: tuple[tuple[Stage, re.Pattern[str]], ...]


@cache
def _words(lexicon: Lexicon) -> _Words:
    time_words = [lexicon.today, lexicon.tomorrow, lexicon.day_after_tomorrow, lexicon.next_week]
    time_words += [*lexicon.weekdays, *lexicon.months, *lexicon.units.values()]
    return _Words(
        time_words=re.compile(whole_words("|".join(f"(?:{w})" for w in time_words))),
        intent=re.compile(whole_words(lexicon.intent)),
        kinds=tuple((kind, re.compile(whole_words(p))) for kind, p in lexicon.kinds.items()),
        stages=tuple((stage, re.compile(whole_words(p))) for stage, p in lexicon.stages.items()),
    )


def _overlaps(span: Span, spans: list[Span]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in spans)


def _earliest(
    folded: str, patterns: tuple[tuple[T, re.Pattern[str]], ...], avoid: list[Span]
) -> tuple[T, Span] | None:
    found = [
        (match.start(), value, match.span())
        for value, pattern in patterns
        for match in pattern.finditer(folded)
        if not _overlaps(match.span(), avoid)
    ]
    if not found:
        return None
    _, value, span = min(found, key=lambda item: item[0])
    return value, span


def _word_span(match: re.Match[str], word: str) -> Span:
    start = match.start() + match.group().index(word) if word in match.group() else match.start()
    return start, start + len(word)


def _words_in(folded: str, spans: list[Span]) -> frozenset[str]:
    return frozenset(
        word for start, end in spans for word in _FOLDED_WORD.findall(folded[start:end])
    )


def read_message(
    text: str,
    *,
    now: datetime,
    timezone: str,
    language: str | None = None,
    default_hour: int = 9,
    date_order: str = "DMY",
    vocabulary: Vocabulary | None = None,
) -> Capture:
    """Read ``text`` as written by a rep at ``now`` (aware) in ``timezone`` (IANA name).

    ``language`` is the rep's; the message's own language wins when it is clearly another.
    ``vocabulary`` is the team's own words for kinds and stages, on top of the language's.
    """
    text = " ".join(text.split())
    folded = fold(text)
    code = detect_language(text, folded, language)
    lexicon = LEXICONS[code]
    words = _words(lexicon)
    if vocabulary is not None:
        team_kinds, team_stages = _team_words(vocabulary)
        words = replace(words, kinds=team_kinds + words.kinds, stages=team_stages + words.stages)
    local_now = now.astimezone(ZoneInfo(timezone))

    amount = find_amount(folded)
    numbers = taken_by_numbers(folded, lexicon, amount)
    intent = next(
        (m for m in words.intent.finditer(folded) if not _overlaps(m.span(), numbers)), None
    )
    follow_up_at, follow_up_text, time_span = None, None, None
    if intent is not None:
        found = find_time(
            folded, lexicon, local_now, default_hour, date_order, anchor=intent.start(),
            taken=numbers,
        )  # fmt: skip
        if found is not None:
            follow_up_at, time_span = found.at, found.span
            start, end = min(intent.start(), found.span[0]), max(intent.end(), found.span[1])
            follow_up_text = text[start:end].strip(" ,.;")

    intent_spans = [match.span() for match in words.intent.finditer(folded)]
    kind_found = _earliest(folded, words.kinds, intent_spans)
    stage_found = _earliest(folded, words.stages, intent_spans)
    vocabulary_spans = intent_spans + ([time_span] if time_span else [])
    for _, pattern in (*words.kinds, *words.stages):
        for match in pattern.finditer(folded):
            # Only the phrase's own words: in "sent alicia tran the proposal" the name between
            # them stays a name.
            inner = _FOLDED_WORD.findall(match.group())
            vocabulary_spans += [_word_span(match, inner[0]), _word_span(match, inner[-1])]
    vocabulary_spans += [match.span() for match in words.time_words.finditer(folded)]
    blocked = _words_in(folded, vocabulary_spans)

    opening_person, opening_company = subject_first(
        text, folded, lexicon, blocked, has_news=bool(kind_found or stage_found)
    )
    person: Found | None
    organisation: Found | None
    if opening_person is not None:  # "Marek Pawlak z Rovese: ...": the opening is the person
        person, organisation = opening_person, None
    else:
        person, organisation = find_person(text, folded, lexicon, blocked, taken=[])
    if person is None:
        person = named_in_dictionary(text, folded, lexicon, blocked, taken=[])
    taken = [found.span for found in (person, organisation) if found]
    company = find_company(text, folded, lexicon, blocked, taken=taken) or organisation
    if company is None and opening_company and not _overlaps(opening_company.span, taken):
        company = opening_company
    if (
        company is None
        and person is not None
        and stage_found is not None
        and kind_found is None
        and not is_known_first_name(person.name.split()[0], lexicon.code)
    ):
        # A pure deal move names the client, not a person: "delivered the kiosks to Redfern
        # Gym", "подписаха договора с Лидл", "entregamos los equipos a Transportes Ruiz".
        company, person = Found(clean_company(person.name), person.span), None

    kind = kind_found[0] if kind_found else None
    stage = stage_found[0] if stage_found else None
    if kind is None and follow_up_at is None and stage is None:
        kind = ActivityKind.NOTE  # nothing else said: keep the words as a note
    return Capture(
        kind=kind,
        contact=person.name if person else None,
        company=company.name if company else None,
        follow_up_at=follow_up_at,
        follow_up_text=follow_up_text,
        stage=stage,
        amount=amount.value if amount else None,
        currency=amount.currency if amount else None,
        language=code,
    )


def read_time(
    text: str,
    *,
    now: datetime,
    timezone: str,
    language: str | None = None,
    default_hour: int = 9,
    date_order: str = "DMY",
) -> datetime | None:
    """A time alone, as a rep answers "when?" ("friday at 4pm", "peste 2 ore"); None if none."""
    text = " ".join(text.split())
    folded = fold(text)
    lexicon = LEXICONS[detect_language(text, folded, language)]
    numbers = taken_by_numbers(folded, lexicon, find_amount(folded))
    local_now = now.astimezone(ZoneInfo(timezone))
    found = find_time(folded, lexicon, local_now, default_hour, date_order, taken=numbers)
    return found.at if found else None
