"""The audit log: every create, update, delete and undo says who, when, what, before and after
(JSON-able), one change id per update; an erasure is audited without the erased data."""

from __future__ import annotations

import json
from typing import Any

import pytest

from handlers.assistant import Assistant
from handlers.domain import ReminderStatus
from handlers.messages import Reply
from tests.conftest import NOW
from tests.core.conftest import console
from tests.fakes import FakeDatabase

MEETING = "Met Sam Reed from Northwind, sent the offer, call back tomorrow at 10"


async def handle(assistant: Assistant, text: str = "", button: str | None = None) -> Reply:
    reply = await assistant.handle(console(text, button=button))
    assert reply is not None
    return reply


def new_rows(database: FakeDatabase, seen: int) -> list[dict[str, Any]]:
    return database.state.audit[seen:]


@pytest.fixture
async def card(assistant: Assistant) -> Reply:
    return await handle(assistant, MEETING)


def reminder_of(card: Reply) -> int:
    return int(next(b.payload for b in card.flat_buttons if b.payload.startswith("r:pick"))[7:])


DUE = "2026-11-24T08:00:00+00:00"  # tomorrow at 10, Bucharest


@pytest.mark.parametrize(
    ("presses", "changed"),
    [
        (["r:done:{id}"], {"status": ("pending", "done")}),
        (["r:cancel:{id}"], {"status": ("pending", "cancelled")}),
        (["r:snooze:{id}"], {"due_at": (DUE, "2026-11-23T09:00:00+00:00")}),
        (["r:tomorrow:{id}"], {"due_at": (DUE, "2026-11-24T07:00:00+00:00")}),
        (["r:pick:{id}", "friday at 4pm"], {"due_at": (DUE, "2026-11-27T14:00:00+00:00")}),
    ],
)
async def test_reminder_buttons_are_audited_with_before_and_after(
    assistant: Assistant,
    database: FakeDatabase,
    card: Reply,
    presses: list[str],
    changed: dict[str, tuple[str, str]],
) -> None:
    reminder_id = reminder_of(card)
    rep = next(iter(database.state.reps.values()))
    seen = len(database.state.audit)

    for step in presses:
        if step.startswith("r:"):
            await handle(assistant, button=step.format(id=reminder_id))
        else:
            await handle(assistant, step)

    (row,) = new_rows(database, seen)
    assert (row["action"], row["entity"], row["entity_id"]) == ("update", "reminder", reminder_id)
    assert (row["rep_id"], row["team_id"], row["at"]) == (rep.id, rep.team_id, NOW)
    diff = {
        key: (row["before"][key], row["after"][key])
        for key in row["before"]
        if row["before"][key] != row["after"][key]
    }
    assert diff == changed
    json.dumps(row["before"]), json.dumps(row["after"])  # JSON-able as stored


async def test_logging_the_call_is_audited_as_a_new_activity_and_a_link(
    assistant: Assistant, database: FakeDatabase, card: Reply
) -> None:
    reminder_id = reminder_of(card)
    await handle(assistant, button=f"r:done:{reminder_id}")
    seen = len(database.state.audit)

    await handle(assistant, button=f"r:log:{reminder_id}")

    rows = new_rows(database, seen)
    assert [(r["action"], r["entity"]) for r in rows] == [
        ("create", "activity"),
        ("update", "reminder"),
    ]
    assert len({r["change_id"] for r in rows}) == 1
    assert rows[0]["after"]["kind"] == "call"
    assert rows[1]["after"]["activity_id"] == rows[0]["entity_id"]
    assert database.state.reminders[reminder_id].status is ReminderStatus.DONE


async def test_quiet_deal_buttons_and_corrections_are_audited(
    assistant: Assistant, database: FakeDatabase, card: Reply
) -> None:
    (deal,) = database.state.deals.values()
    change_id = next(b.payload for b in card.flat_buttons if b.payload.startswith("u:"))[2:]
    seen = len(database.state.audit)

    await handle(assistant, button=f"d:cb:{deal.id}")
    await handle(assistant, button=f"d:lost:{deal.id}")
    await handle(assistant, button=f"nc:{change_id}")

    rows = new_rows(database, seen)
    assert [(r["action"], r["entity"]) for r in rows] == [
        ("create", "reminder"),
        ("update", "deal"),
        ("delete", "reminder"),
    ]
    assert (rows[1]["before"]["stage"], rows[1]["after"]["stage"]) == ("offer", "lost")
    assert rows[2]["change_id"] == change_id  # the card's correction joins its message's change
    assert rows[2]["after"] is None


async def test_nothing_refused_or_read_is_audited(
    assistant: Assistant, database: FakeDatabase, card: Reply
) -> None:
    seen = len(database.state.audit)

    for text in (
        "/today",
        "/reminders",
        "/pipeline",
        "/history Sam Reed",
        "/find offer",
        "/undo x",
    ):
        await handle(assistant, text)
    await handle(assistant, button="r:done:999")

    rows = new_rows(database, seen)  # only /undo wrote: the message's rows, taken back
    assert {r["action"] for r in rows} == {"undo"}
    entities = sorted(r["entity"] for r in rows)
    assert entities == ["activity", "company", "contact", "deal", "reminder"]
