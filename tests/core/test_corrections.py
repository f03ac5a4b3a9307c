"""The capture card's buttons (Change time, Not a callback, Change contact, Undo), with fakes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from handlers import texts
from handlers.assistant import Assistant
from handlers.clock import FixedClock
from handlers.corrections import ASK_CONTACT, NOT_YOURS
from handlers.domain import ActivityKind, Role
from handlers.messages import Reply
from tests.core.conftest import ZONE, console
from tests.fakes import FakeDatabase

MEETING = "Met Sam Reed from Northwind, call back tomorrow at 10"


def button(reply: Reply, label: str) -> str:
    return next(b.payload for b in reply.flat_buttons if b.label == label)


def card_change(card: Reply) -> str:
    """The change id a card's buttons carry."""
    return button(card, "Undo").removeprefix("u:")


def snapshot(database: FakeDatabase) -> tuple[Any, ...]:
    """Everything a button could change, to check that it changed nothing."""
    state = database.state
    return (
        dict(state.companies),
        dict(state.contacts),
        dict(state.activities),
        dict(state.reminders),
        len(state.audit),
    )


def audited(database: FakeDatabase, action: str) -> list[tuple[str, str]]:
    return [
        (entry["entity"], entry["change_id"])
        for entry in database.state.audit
        if entry["action"] == action
    ]


async def add_colleague(database: FakeDatabase, user: str = "bob") -> None:
    ana = next(rep for rep in database.state.reps.values() if rep.external_id == "ana")
    async with database() as uow:
        await uow.reps.add(
            team_id=ana.team_id,
            platform="console",
            external_id=user,
            chat_id=user,
            display_name=user.title(),
            language="en",
            timezone=ZONE,
            role=Role.REP,
        )
        await uow.commit()


# The card -------------------------------------------------------------------------------


async def test_the_card_offers_fixes_for_what_was_stored_and_undo(assistant: Assistant) -> None:
    await assistant.handle(console("/start"))
    card = await assistant.handle(console(MEETING))

    assert card.text == (
        "✓ Meeting with Sam Reed (Northwind) saved.\n⏰ Callback: tomorrow (Tue 24 Nov) at 10:00."
    )
    assert [[b.label for b in row] for row in card.buttons] == [
        ["Change time", "Not a callback"],
        ["Change contact"],
        ["Undo"],
    ]
    assert all(len(b.payload.encode()) <= 64 for b in card.flat_buttons)  # Telegram's limit


@pytest.mark.parametrize(
    ("text", "labels"),
    [
        pytest.param("Met Sam Reed from Northwind", ["Change contact", "Undo"], id="no-callback"),
        pytest.param(
            "send the quote, follow up Friday",
            ["Change time", "Not a callback", "Undo"],
            id="no-contact",
        ),
        pytest.param("they want the blue one after all", ["Undo"], id="a-note"),
    ],
)
async def test_the_card_only_offers_fixes_for_parts_that_were_stored(
    assistant: Assistant, text: str, labels: list[str]
) -> None:
    card = await assistant.handle(console(text))

    assert [b.label for b in card.flat_buttons] == labels


# Undo -----------------------------------------------------------------------------------


async def test_undo_removes_everything_the_message_created(
    assistant: Assistant, database: FakeDatabase
) -> None:
    card = await assistant.handle(console(MEETING))
    change_id = database.state.audit[0]["change_id"]

    reply = await assistant.handle(console(button=button(card, "Undo")))

    assert reply.text == "↩ Undone: removed the callback, the meeting, Sam Reed and Northwind."
    state = database.state
    assert state.row_count() == len(state.teams) + len(state.reps)  # nothing else is left
    # Each removal is audited under the message's change id, latest first, with what it was.
    undo_rows = [entry for entry in state.audit if entry["action"] == "undo"]
    assert [(row["entity"], row["change_id"]) for row in undo_rows] == [
        ("reminder", change_id),
        ("activity", change_id),
        ("contact", change_id),
        ("company", change_id),
    ]
    assert undo_rows[3]["before"]["name"] == "Northwind"
    assert all(row["after"] is None for row in undo_rows)


async def test_undo_leaves_other_messages_alone(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await assistant.handle(console("Called Mike Hart at Pied Piper"))
    before = snapshot(database)
    card = await assistant.handle(console(MEETING))

    await assistant.handle(console(button=button(card, "Undo")))

    assert snapshot(database)[:4] == before[:4]


async def test_undo_twice_changes_nothing_the_second_time(
    assistant: Assistant, database: FakeDatabase
) -> None:
    card = await assistant.handle(console(MEETING))
    await assistant.handle(console(button=button(card, "Undo")))
    before = snapshot(database)

    again = await assistant.handle(console(button=button(card, "Undo")))

    assert again.text == "That message was already undone. Nothing was changed."
    assert snapshot(database) == before


async def test_undo_keeps_a_company_another_message_uses_and_says_so(
    assistant: Assistant, database: FakeDatabase
) -> None:
    card = await assistant.handle(console("Met Sam Reed from Northwind"))
    await assistant.handle(console("Called Mike Hart at Northwind, call back Friday"))

    reply = await assistant.handle(console(button=button(card, "Undo")))

    assert reply.text == (
        "↩ Undone: removed the meeting and Sam Reed.\nKept Northwind: other records use it."
    )
    (company,) = database.state.companies.values()
    assert company.name == "Northwind"
    assert [c.full_name for c in database.state.contacts.values()] == ["Mike Hart"]
    assert [a.kind for a in database.state.activities.values()] == [ActivityKind.CALL]
    assert audited(database, "undo") == [
        ("activity", card_change(card)),
        ("contact", card_change(card)),
    ]


async def test_undo_keeps_a_contact_a_later_message_logged_again(
    assistant: Assistant, database: FakeDatabase
) -> None:
    card = await assistant.handle(console("Met Sam Reed from Northwind"))
    await assistant.handle(console("Called Sam Reed, call back Friday"))

    reply = await assistant.handle(console(button=button(card, "Undo")))

    assert reply.text == (
        "↩ Undone: removed the meeting.\nKept Sam Reed and Northwind: other records use them."
    )
    assert len(database.state.contacts) == len(database.state.companies) == 1
    assert len(database.state.reminders) == 1


async def test_undo_puts_back_a_company_the_message_filled_in(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await assistant.handle(console("Met Sam Reed"))
    card = await assistant.handle(console("Called Sam Reed from Northwind"))
    (sam,) = database.state.contacts.values()
    (northwind,) = database.state.companies.values()
    assert sam.company_id == northwind.id  # the message filed Sam under Northwind

    reply = await assistant.handle(console(button=button(card, "Undo")))

    assert reply.text == (
        "↩ Undone: removed the call and Northwind.\nSam Reed is no longer filed under Northwind."
    )
    (sam,) = database.state.contacts.values()
    assert sam.company_id is None
    assert not database.state.companies
    (restored,) = [
        e for e in database.state.audit if e["action"] == "undo" and e["entity"] == "contact"
    ]
    assert (restored["before"]["company_id"], restored["after"]["company_id"]) == (
        northwind.id,
        None,
    )


async def test_undo_does_not_overwrite_a_company_changed_since(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await assistant.handle(console("Met Sam Reed"))
    card = await assistant.handle(console("Called Sam Reed from Northwind"))
    await assistant.handle(console("Met Ana Popescu at Acme"))
    acme = next(c for c in database.state.companies.values() if c.name == "Acme")
    async with database() as uow:  # someone refiled Sam at Acme meanwhile
        sam = next(iter(database.state.contacts.values()))
        await uow.contacts.relink_company(sam.team_id, sam.id, acme.id)
        await uow.commit()

    reply = await assistant.handle(console(button=button(card, "Undo")))

    assert "I left Sam Reed's company as it is: it changed after that message." in reply.text
    assert database.state.contacts[sam.id].company_id == acme.id


async def test_undo_of_another_reps_message_changes_nothing_and_says_why(
    assistant: Assistant, database: FakeDatabase
) -> None:
    card = await assistant.handle(console(MEETING))
    await add_colleague(database)
    before = snapshot(database)

    colleague = await assistant.handle(console(button=button(card, "Undo"), user="bob"))
    stranger = await assistant.handle(console(button=button(card, "Undo"), user="eve"))

    assert colleague.text == NOT_YOURS
    assert stranger.text.endswith(texts.UNKNOWN_BUTTON)  # another team: not even that it exists
    assert snapshot(database) == before


@pytest.mark.parametrize("label", ["Not a callback", "Change contact"])
async def test_another_rep_cannot_correct_a_message_either(
    assistant: Assistant, database: FakeDatabase, label: str
) -> None:
    card = await assistant.handle(console(MEETING))
    await add_colleague(database)
    before = snapshot(database)

    reply = await assistant.handle(console(button=button(card, label), user="bob"))

    assert reply.text == NOT_YOURS
    assert snapshot(database) == before
    bob = next(rep for rep in database.state.reps.values() if rep.external_id == "bob")
    assert bob.awaiting is None


async def test_undo_after_24_hours_is_refused(
    assistant: Assistant, database: FakeDatabase, clock: FixedClock
) -> None:
    card = await assistant.handle(console(MEETING))
    clock.advance(timedelta(hours=24, minutes=1))
    before = snapshot(database)

    reply = await assistant.handle(console(button=button(card, "Undo")))

    assert reply.text == (
        "That message is more than 24 hours old, so it can't be undone any more. "
        "Nothing was changed."
    )
    assert snapshot(database) == before


async def test_undo_still_works_just_inside_24_hours(
    assistant: Assistant, database: FakeDatabase, clock: FixedClock
) -> None:
    card = await assistant.handle(console(MEETING))
    clock.advance(timedelta(hours=23, minutes=59))

    reply = await assistant.handle(console(button=button(card, "Undo")))

    assert reply.text.startswith("↩ Undone")
    assert not database.state.activities


# Forged and stale payloads ----------------------------------------------------------------


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda cid: "u:" + "0" * 32, id="unknown-change"),
        pytest.param(lambda cid: "u:" + cid.upper(), id="upper-case"),
        pytest.param(lambda cid: "u:" + cid[:-1], id="too-short"),
        pytest.param(lambda cid: "u:" + cid + "0", id="too-long"),
        pytest.param(lambda cid: "u:" + cid + "\n", id="trailing-newline"),
        pytest.param(lambda cid: " u:" + cid, id="leading-space"),
        pytest.param(lambda cid: "x:" + cid, id="unknown-action"),
        pytest.param(lambda cid: "nc:" + cid + ":1", id="extra-part"),
        pytest.param(lambda cid: "u:", id="no-id"),
        pytest.param(lambda cid: "cc:" + "g" * 32, id="not-hex"),
    ],
)
async def test_forged_correction_payloads_change_nothing(
    assistant: Assistant, database: FakeDatabase, forge: Callable[[str], str]
) -> None:
    card = await assistant.handle(console(MEETING))
    before = snapshot(database)

    reply = await assistant.handle(console(button=forge(card_change(card))))

    assert reply.text == texts.UNKNOWN_BUTTON
    assert snapshot(database) == before


async def test_buttons_of_an_undone_card_are_no_longer_active(
    assistant: Assistant, database: FakeDatabase
) -> None:
    card = await assistant.handle(console(MEETING))
    await assistant.handle(console(button=button(card, "Undo")))

    for label in ["Change time", "Not a callback", "Change contact"]:
        reply = await assistant.handle(console(button=button(card, label)))
        assert reply.text == texts.UNKNOWN_BUTTON, label
    (ana,) = database.state.reps.values()
    assert ana.awaiting is None


async def test_change_contact_on_a_card_without_a_contact_is_refused(
    assistant: Assistant, database: FakeDatabase
) -> None:
    card = await assistant.handle(console("they want the blue one after all"))

    reply = await assistant.handle(console(button=f"cc:{card_change(card)}"))

    assert reply.text == texts.UNKNOWN_BUTTON
    (ana,) = database.state.reps.values()
    assert ana.awaiting is None


# Change time ----------------------------------------------------------------------------


async def test_change_time_asks_for_a_time_and_moves_the_callback(
    assistant: Assistant, database: FakeDatabase, woken: list[datetime]
) -> None:
    card = await assistant.handle(console(MEETING))

    question = await assistant.handle(console(button=button(card, "Change time")))
    moved = await assistant.handle(console("friday at 4pm"))

    assert "When should I remind you?" in question.text
    assert moved.text == "⏰ Moved: I'll remind you Fri 27 Nov at 16:00."
    (reminder,) = database.state.reminders.values()
    assert reminder.due_at == datetime(2026, 11, 27, 14, 0, tzinfo=UTC)
    assert woken[-1] == reminder.due_at
    assert len(database.state.activities) == 1  # the meeting is untouched


# Not a callback -------------------------------------------------------------------------


async def test_not_a_callback_removes_only_the_reminder(
    assistant: Assistant, database: FakeDatabase
) -> None:
    card = await assistant.handle(console(MEETING))

    reply = await assistant.handle(console(button=button(card, "Not a callback")))

    assert reply.text == "OK, not a callback: I removed the reminder. The rest stays saved."
    assert not database.state.reminders
    assert len(database.state.activities) == len(database.state.contacts) == 1
    assert audited(database, "delete") == [("reminder", card_change(card))]
    assert "Sam Reed" not in (await assistant.handle(console("/today"))).text
    again = await assistant.handle(console(button=button(card, "Not a callback")))
    assert again.text == texts.UNKNOWN_BUTTON


async def test_not_a_callback_keeps_a_reminder_only_message_as_a_note(
    assistant: Assistant, database: FakeDatabase
) -> None:
    card = await assistant.handle(console("remind me to call Sam Reed in 2 hours"))

    reply = await assistant.handle(console(button=button(card, "Not a callback")))

    assert reply.text == (
        "OK, not a callback: I removed the reminder and kept your words as a note."
    )
    assert not database.state.reminders
    (note,) = database.state.activities.values()
    (sam,) = database.state.contacts.values()
    assert (note.kind, note.contact_id) == (ActivityKind.NOTE, sam.id)
    assert "remind me to call Sam Reed" in note.text
    # Undo still takes back everything the message (and its fix) stored.
    undone = await assistant.handle(console(button=button(card, "Undo")))
    assert undone.text == "↩ Undone: removed the note and Sam Reed."
    assert database.state.row_count() == 2  # the team and the rep


async def test_not_a_callback_after_the_callback_was_done_changes_nothing(
    assistant: Assistant, database: FakeDatabase
) -> None:
    card = await assistant.handle(console(MEETING))
    (reminder,) = database.state.reminders.values()
    await assistant.handle(console(button=f"r:done:{reminder.id}"))
    before = snapshot(database)

    reply = await assistant.handle(console(button=button(card, "Not a callback")))

    assert reply.text == "This callback is already done. Nothing was changed."
    assert snapshot(database) == before


# Change contact -------------------------------------------------------------------------


async def test_change_contact_relinks_the_meeting_and_callback_to_a_new_contact(
    assistant: Assistant, database: FakeDatabase
) -> None:
    card = await assistant.handle(console(MEETING))

    question = await assistant.handle(console(button=button(card, "Change contact")))
    reply = await assistant.handle(console("Samuel Reed"))

    assert question.text == ASK_CONTACT
    assert question.text.startswith("Who was it?")
    assert reply.text == (
        "✓ Contact changed to Samuel Reed (Northwind). I added them as a new contact."
    )
    state = database.state
    samuel = next(c for c in state.contacts.values() if c.full_name == "Samuel Reed")
    (northwind,) = state.companies.values()
    assert samuel.company_id == northwind.id
    (activity,) = state.activities.values()
    (reminder,) = state.reminders.values()
    assert (activity.contact_id, reminder.contact_id) == (samuel.id, samuel.id)
    assert (activity.company_id, reminder.company_id) == (northwind.id, northwind.id)
    updates = [e for e in state.audit if e["action"] == "update"]
    assert [(e["entity"], e["change_id"]) for e in updates] == [
        ("activity", card_change(card)),
        ("reminder", card_change(card)),
    ]
    assert updates[0]["after"]["contact_id"] == samuel.id
    assert updates[0]["before"]["contact_id"] != samuel.id
    (ana,) = state.reps.values()
    assert ana.awaiting is None
    # The question is answered: the next message is a capture again.
    after = await assistant.handle(console("Called Mike Hart at Pied Piper"))
    assert "Call with Mike Hart (Pied Piper) saved" in after.text


async def test_change_contact_finds_a_known_contact_whatever_the_case_or_accents(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await assistant.handle(console("Met Ana Popescu at Acme"))
    card = await assistant.handle(console(MEETING))
    contacts_before = len(database.state.contacts)

    await assistant.handle(console(button=button(card, "Change contact")))
    reply = await assistant.handle(console("  ana   POPÉSCU "))

    assert reply.text == "✓ Contact changed to Ana Popescu (Acme)."
    assert len(database.state.contacts) == contacts_before
    ana_popescu = next(c for c in database.state.contacts.values() if c.full_name == "Ana Popescu")
    reminder = next(iter(database.state.reminders.values()))
    assert (reminder.contact_id, reminder.company_id) == (
        ana_popescu.id,
        ana_popescu.company_id,
    )


async def test_change_contact_to_the_same_person_changes_nothing(
    assistant: Assistant, database: FakeDatabase
) -> None:
    card = await assistant.handle(console(MEETING))
    before = snapshot(database)

    await assistant.handle(console(button=button(card, "Change contact")))
    reply = await assistant.handle(console("sam reed"))

    assert reply.text == "It already was Sam Reed. Nothing was changed."
    assert snapshot(database) == before


async def test_an_answer_that_is_not_a_name_is_asked_again_and_cancel_keeps_it(
    assistant: Assistant, database: FakeDatabase
) -> None:
    card = await assistant.handle(console(MEETING))
    before = snapshot(database)
    await assistant.handle(console(button=button(card, "Change contact")))

    for answer in ["12345", "it was the guy from the booth next to ours at the fair", "a\nb"]:
        again = await assistant.handle(console(answer))
        assert again.text.startswith("That doesn't look like a name."), answer
    cancelled = await assistant.handle(console("/cancel"))

    assert cancelled.text == "OK, the contact stays as it was."
    assert snapshot(database) == before
    (ana,) = database.state.reps.values()
    assert ana.awaiting is None


async def test_undo_after_change_contact_takes_back_the_fix_too(
    assistant: Assistant, database: FakeDatabase
) -> None:
    card = await assistant.handle(console(MEETING))
    await assistant.handle(console(button=button(card, "Change contact")))
    await assistant.handle(console("Samuel Reed"))

    reply = await assistant.handle(console(button=button(card, "Undo")))

    assert reply.text == (
        "↩ Undone: removed the callback, the meeting, Samuel Reed, Sam Reed and Northwind."
    )
    state = database.state
    assert state.row_count() == len(state.teams) + len(state.reps)  # nothing else is left


async def test_an_undo_drops_the_pending_question_and_the_next_message_is_captured(
    assistant: Assistant, database: FakeDatabase
) -> None:
    card = await assistant.handle(console(MEETING))
    await assistant.handle(console(button=button(card, "Change contact")))
    await assistant.handle(console(button=button(card, "Undo")))

    reply = await assistant.handle(console("Called Mike Hart at Pied Piper"))

    assert "Call with Mike Hart (Pied Piper) saved" in reply.text
    assert [c.full_name for c in database.state.contacts.values()] == ["Mike Hart"]
