"""``crmbot parse``: the capture engine on the command line, one message or JSON lines."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from handlers.capture import Capture, read_message

FIELDS = ("kind", "contact", "company", "follow_up_at", "stage", "amount", "currency", "language")
CONFIDENCE = "confidence"
"""Last key: how sure the reader was of each field its models read, 0 to 1."""


class ParseInputError(ValueError):
    """One input could not be read (bad JSON, missing text, bad time or zone)."""


def reading_as_json(capture: Capture) -> dict[str, Any]:
    """The reading with the batch format's keys; absent things are null."""
    return {
        "kind": capture.kind.value if capture.kind else None,
        "contact": capture.contact,
        "company": capture.company,
        "follow_up_at": capture.follow_up_at.isoformat() if capture.follow_up_at else None,
        "stage": capture.stage.value if capture.stage else None,
        "amount": str(capture.amount) if capture.amount is not None else None,
        "currency": capture.currency,
        "language": capture.language,
        CONFIDENCE: {field: round(value, 3) for field, value in capture.confidence.items()},
    }


def local_now(now: str | None, timezone: str, default: datetime) -> datetime:
    """``--now`` as an aware time: a naive value is the wall clock in ``timezone``."""
    try:
        zone = ZoneInfo(timezone)
    except Exception as error:  # ZoneInfoNotFoundError, ValueError for odd names
        raise ParseInputError(f"unknown time zone {timezone!r}") from error
    if now is None:
        return default.astimezone(zone)
    try:
        moment = datetime.fromisoformat(now)
    except ValueError as error:
        raise ParseInputError(f"cannot read the time {now!r}; use 2026-11-23T10:00") from error
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def parse_one(
    text: str,
    *,
    now: datetime,
    timezone: str,
    language: str | None,
    default_hour: int,
    date_order: str,
) -> dict[str, Any]:
    capture = read_message(
        text,
        now=now,
        timezone=timezone,
        language=language,
        default_hour=default_hour,
        date_order=date_order,
    )
    return reading_as_json(capture)


def parse_batch(
    lines: Iterable[str],
    *,
    default_now: datetime,
    default_timezone: str,
    default_hour: int,
    date_order: str,
) -> Iterator[dict[str, Any]]:
    """One output object per non-blank input line, in order; a bad line gets an ``error``."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        item: dict[str, Any] = {}
        try:
            try:
                item = json.loads(line)
            except json.JSONDecodeError as error:
                raise ParseInputError(f"not a JSON object: {error}") from error
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise ParseInputError('each line needs a JSON object with a "text" string')
            timezone = item.get("tz") or default_timezone
            now = local_now(item.get("now"), timezone, default_now)
            reading = parse_one(
                item["text"],
                now=now,
                timezone=timezone,
                language=item.get("lang"),
                default_hour=int(item.get("default_hour", default_hour)),
                date_order=item.get("date_order") or date_order,
            )
            yield {"id": item.get("id"), **reading}
        except (ParseInputError, TypeError, ValueError) as error:
            identifier = item.get("id") if isinstance(item, dict) else None
            yield {"id": identifier, "line": number, "error": str(error)}
