"""When the reader is unsure whether a new name is a person or a company, the card offers
the other reading as one tap, which re-files the message and drops the record it guessed."""

from __future__ import annotations

from dataclasses import replace

import pytest

from handlers import assistant as assistant_module
from handlers.assistant import Assistant
from handlers.capture import Capture
from handlers.capture.engine import Reading
from handlers.domain import ActivityKind
from tests.core.conftest import console
from tests.fakes import FakeDatabase

TEXT = "spoke w brightline again"


def unsure(contact: str | None, company: str | None) -> Capture:
    """The reading an unsure reader gives: what it filed, and the other way to read it."""
    name = contact or company
    other = Reading(None, name) if contact else Reading(name, None)
    return Capture(
        kind=ActivityKind.CALL, contact=contact, company=company, follow_up_at=None,
        follow_up_text=None, stage=None, amount=None, currency=None, language="en",
        alternatives=(Reading(contact, company), other),
    )  # fmt: skip


@pytest.fixture
def reads_as(monkeypatch: pytest.MonkeyPatch) -> object:
    def use(capture: Capture) -> None:
        monkeypatch.setattr(assistant_module, "read_message", lambda *a, **k: replace(capture))

    return use


async def test_a_person_read_unsure_can_become_the_company_in_one_tap(
    assistant: Assistant, database: FakeDatabase, reads_as: object
) -> None:
    reads_as(unsure("Brightline", None))  # type: ignore[operator]
    card = await assistant.handle(console(TEXT))
    (tap,) = [b for b in card.flat_buttons if b.label == "Brightline is a company"]

    done = await assistant.handle(console(button=tap.payload))

    assert done.text == "✓ Filed Brightline as a company, not a person."
    assert [c.full_name for c in database.state.contacts.values()] == []
    (company,) = database.state.companies.values()
    (activity,) = database.state.activities.values()
    assert (company.name, activity.company_id, activity.contact_id) == (
        "Brightline", company.id, None,
    )  # fmt: skip


async def test_a_company_read_unsure_can_become_the_person_in_one_tap(
    assistant: Assistant, database: FakeDatabase, reads_as: object
) -> None:
    reads_as(unsure(None, "Dana Kowalski"))  # type: ignore[operator]
    card = await assistant.handle(console("called dana kowalski"))
    (tap,) = [b for b in card.flat_buttons if b.label == "Dana Kowalski is a person"]

    await assistant.handle(console(button=tap.payload))

    assert list(database.state.companies.values()) == []
    (contact,) = database.state.contacts.values()
    (activity,) = database.state.activities.values()
    assert (contact.full_name, activity.contact_id) == ("Dana Kowalski", contact.id)


async def test_undo_after_re_filing_takes_the_whole_message_back(
    assistant: Assistant, database: FakeDatabase, reads_as: object
) -> None:
    reads_as(unsure("Brightline", None))  # type: ignore[operator]
    card = await assistant.handle(console(TEXT))
    (tap,) = [b for b in card.flat_buttons if b.label == "Brightline is a company"]
    await assistant.handle(console(button=tap.payload))
    (undo,) = [b for b in card.flat_buttons if b.label == "Undo"]

    await assistant.handle(console(button=undo.payload))

    state = database.state
    assert (state.activities, state.contacts, state.companies) == ({}, {}, {})


async def test_a_sure_reading_offers_no_re_filing(assistant: Assistant, reads_as: object) -> None:
    reads_as(replace(unsure("Brightline", None), alternatives=()))  # type: ignore[operator]

    card = await assistant.handle(console(TEXT))

    assert not [b for b in card.flat_buttons if "is a company" in b.label]
