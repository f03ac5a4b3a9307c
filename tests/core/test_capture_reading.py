"""Who, what and when in one English message (the multilingual engine extends this)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.capture import read_message
from handlers.domain import ActivityKind

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def read(text: str):  # type: ignore[no-untyped-def]
    return read_message(text, now=NOW, timezone="Europe/Bucharest")


@pytest.mark.parametrize(
    ("text", "kind", "contact", "company"),
    [
        ("Met Sam Reed from Northwind, call back at 10", "meeting", "Sam Reed", "Northwind"),
        ("met sam reed from northwind call back tue 3pm", "meeting", "Sam Reed", "Northwind"),
        ("Called Mike Hart at Pied Piper, they are negotiating", "call", "Mike Hart", "Pied Piper"),
        ("Emailed Ana Popescu @Acme about pricing", "email", "Ana Popescu", "Acme"),
        ("Lunch with Tom O'Neil of Globex", "meeting", "Tom O'Neil", "Globex"),
        ("spoke to Jane at IBM, follow up Friday", "call", "Jane", "IBM"),
    ],
)
def test_reads_kind_contact_and_company(text: str, kind: str, contact: str, company: str) -> None:
    capture = read(text)
    assert (capture.kind, capture.contact, capture.company) == (
        ActivityKind(kind),
        contact,
        company,
    )


def test_a_reminder_alone_logs_no_activity() -> None:
    capture = read("remind me to call Sam Reed in 1 minute")
    assert capture.kind is None
    assert capture.contact == "Sam Reed"
    assert capture.follow_up_at is not None
    assert capture.follow_up_text == "remind me to call Sam Reed in 1 minute"


def test_a_name_without_an_activity_word_is_a_note() -> None:
    capture = read("Note: Sam Reed from Northwind prefers e-mail")
    assert capture.kind is ActivityKind.NOTE
    assert capture.company == "Northwind"


def test_text_with_nothing_recognisable_is_empty() -> None:
    assert read("hello there").is_empty


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_the_engine_never_raises(text: str) -> None:
    capture = read(text)
    if capture.follow_up_at is not None:
        assert capture.follow_up_at.tzinfo is not None


@pytest.mark.parametrize("rep_language", ["ro", "pl", "es", "en"])
def test_an_english_callback_is_read_whatever_language_the_rep_picked(rep_language: str) -> None:
    # "email" is a word Romanian, Polish and Spanish reps use too; "remind me" is English only.
    capture = read_message(
        "remind me to email Globex in 2 hours",
        now=NOW,
        timezone="Europe/Bucharest",
        language=rep_language,
    )
    assert capture.follow_up_at == datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
