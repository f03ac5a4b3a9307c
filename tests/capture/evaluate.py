"""Scoring the capture engine against labelled messages (tests, benchmark and the model build's
dev split share it): per field, per language, and all fields right at once."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from dataclasses import field as default
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from handlers.capture import Capture, read_message
from handlers.capture.known import Known, KnownContact
from handlers.capture.models import Models

CORPUS = Path(__file__).with_name("corpus.jsonl")
FIELDS = ("kind", "contact", "company", "follow_up_at", "stage", "amount", "currency")


@dataclass(frozen=True)
class Case:
    id: str
    lang: str
    text: str
    now: datetime
    """Aware, in the case's zone."""
    tz: str
    date_order: str
    expect: dict[str, Any]
    known: Known = default(default_factory=Known)
    """The team's records the message may refer to by a short name."""


def known_of(team: dict[str, Any] | None) -> Known:
    if not team:
        return Known()
    contacts = tuple(KnownContact(c["name"], c.get("company")) for c in team.get("contacts", []))
    return Known(contacts, tuple(team.get("companies", [])))


def case_of(item: dict[str, Any]) -> Case:
    now = datetime.fromisoformat(item["now"]).replace(tzinfo=ZoneInfo(item["tz"]))
    return Case(
        id=item["id"],
        lang=item["lang"],
        text=item["text"],
        now=now,
        tz=item["tz"],
        date_order=item.get("date_order", "DMY"),
        expect=item["expect"],
        known=known_of(item.get("team")),
    )


def load(path: Path = CORPUS) -> list[Case]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [case_of(json.loads(line)) for line in lines if line.strip()]


def observed(capture: Capture) -> dict[str, Any]:
    """The engine's reading in the corpus's terms."""
    at = capture.follow_up_at
    return {
        "kind": capture.kind.value if capture.kind else None,
        "contact": capture.contact,
        "company": capture.company,
        "follow_up_at": at.strftime("%Y-%m-%dT%H:%M") if at else None,
        "stage": capture.stage.value if capture.stage else None,
        "amount": capture.amount,
        "currency": capture.currency,
    }


def _same(field: str, expected: Any, actual: Any) -> bool:
    if expected is None or actual is None:
        return expected is None and actual is None
    if field == "amount":
        return Decimal(str(expected)) == Decimal(str(actual))
    if field in ("contact", "company"):
        return (
            " ".join(str(expected).split()).casefold() == " ".join(str(actual).split()).casefold()
        )
    return bool(expected == actual)


@dataclass
class Score:
    right: dict[tuple[str, str], int]
    total: dict[str, int]
    misses: list[tuple[Case, str, Any, Any]]
    whole: dict[str, int]
    """Per language, the messages with every field right."""

    def all_right(self, lang: str | None = None) -> float:
        if lang is not None:
            return self.whole[lang] / self.total[lang] if self.total[lang] else 1.0
        total = sum(self.total.values())
        return sum(self.whole.values()) / total if total else 1.0

    def accuracy(self, field: str, lang: str | None = None) -> float:
        if lang is not None:
            total = self.total[lang]
            return self.right[(lang, field)] / total if total else 1.0
        total = sum(self.total.values())
        right = sum(count for (_, name), count in self.right.items() if name == field)
        return right / total if total else 1.0


Reader = Callable[[Case], dict[str, Any]]


def engine_reader(case: Case, models: Models | None = None) -> dict[str, Any]:
    return observed(
        read_message(
            case.text,
            now=case.now,
            timezone=case.tz,
            language=None,
            date_order=case.date_order,
            known=case.known,
            models=models,
        )
    )


def score(cases: Iterable[Case], reader: Reader = engine_reader) -> Score:
    right: dict[tuple[str, str], int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    whole: dict[str, int] = defaultdict(int)
    misses = []
    for case in cases:
        reading = reader(case)
        total[case.lang] += 1
        wrong = False
        for field in FIELDS:
            if _same(field, case.expect.get(field), reading.get(field)):
                right[(case.lang, field)] += 1
            else:
                wrong = True
                misses.append((case, field, case.expect.get(field), reading.get(field)))
        whole[case.lang] += not wrong
    return Score(right, total, misses, whole)
