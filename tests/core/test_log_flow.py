"""``/log``: the guided entry, tap by tap, with fakes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from handlers import texts
from handlers.assistant import Assistant
from handlers.clock import FixedClock
from handlers.domain import ActivityKind, Contact, Rep
from handlers.log_flow import ASK_KIND, ASK_TIME, NOT_A_TIME
from handlers.messages import Reply
from tests.core.conftest import console
from tests.core.test_corrections import add_colleague, button, snapshot
from tests.fakes import FakeDatabase


def ana(database: FakeDatabase) -> Rep:
    return next(rep for rep in database.state.reps.values() if rep.external_id == "ana")


def contact(database: FakeDatabase, name: str) -> Contact:
    return next(c for c in database.state.contacts.values() if c.full_name == name)


def latest(records: dict[int, Any]) -> Any:
    return records[max(records)]


def labels(reply: Reply) -> list[str]:
    return [b.label for b in reply.flat_buttons]


class Rep_:
    """Drives the assistant as ana and counts her taps."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.taps = 0
        self.last = Reply("")

    async def says(self, text: str) -> Reply:
        self.last = await self.assistant.handle(console(text))
        return self.last

    async def taps_on(self, label: str, reply: Reply | None = None) -> Reply:
        self.taps += 1
        self.last = await self.assistant.handle(console(button=button(reply or self.last, label)))
        return self.last


@pytest.fixture
def rep(assistant: Assistant) -> Rep_:
    return Rep_(assistant)


async def test_log_takes_three_taps_and_the_text_and_stores_it_like_a_message(
    rep: Rep_, database: FakeDatabase, woken: list[datetime]
) -> None:
    await rep.says("Met Sam Reed from Northwind")

    kinds = await rep.says("/log")
    assert kinds.text == ASK_KIND
    assert [[b.label for b in row] for row in kinds.buttons] == [
        ["Meeting", "Call"],
        ["E-mail", "Note"],
    ]
    who = await rep.taps_on("Call")
    assert who.text.startswith("Call: who was it with? Tap a recent contact or type a name")
    assert labels(who) == ["Sam Reed (Northwind)", "No one"]
    what = await rep.taps_on("Sam Reed (Northwind)")
    assert what.text == "Call with Sam Reed (Northwind). What happened? A few words are enough."
    assert not what.buttons
    follow_up = await rep.says("they want a quote for 12 licences")
    assert follow_up.text == "Follow up?"
    assert [[b.label for b in row] for row in follow_up.buttons] == [
        ["Tomorrow", "In 3 days", "Next week"],
        ["Pick a time", "None"],
    ]
    card = await rep.taps_on("Tomorrow")

    assert rep.taps == 3
    assert card.text == (
        "✓ Call with Sam Reed (Northwind) saved.\n"
        "⏰ Callback: tomorrow (Tue 24 Nov) at 09:00.\n"
        "📈 New deal with Northwind: needs."  # "want a quote" says so, as in a message
    )
    assert labels(card) == ["Change time", "Not a callback", "Change contact", "Undo"]
    state = database.state
    sam = contact(database, "Sam Reed")
    call = latest(state.activities)
    reminder = latest(state.reminders)
    assert (call.kind, call.text, call.contact_id, call.company_id) == (
        ActivityKind.CALL,
        "they want a quote for 12 licences",
        sam.id,
        sam.company_id,
    )
    assert reminder.due_at == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)  # 09:00 in Bucharest
    assert reminder.text == "they want a quote for 12 licences"
    assert (reminder.contact_id, reminder.company_id) == (sam.id, sam.company_id)
    assert woken[-1] == reminder.due_at
    audited = {(e["entity"], e["entity_id"]): e["change_id"] for e in state.audit}
    assert audited[("activity", call.id)] == audited[("reminder", reminder.id)]
    assert audited[("activity", call.id)] == button(card, "Undo").removeprefix("u:")
    assert (ana(database).awaiting, ana(database).draft) == (None, None)
    assert len(state.contacts) == 1


async def test_recent_contacts_are_the_five_latest_most_recent_first(
    rep: Rep_, clock: FixedClock
) -> None:
    for name in ["Ana Popa", "Bo Li", "Cy Dunn", "Di Moss", "Ed Kerr", "Flora Hart"]:
        await rep.says(f"Met {name}")
        clock.advance(timedelta(minutes=5))
    await rep.says("Called Bo Li again")  # Bo moves to the top
    await rep.says("they want the blue one after all")  # a note with no one: not a contact

    await rep.says("/log")
    who = await rep.taps_on("Meeting")

    assert labels(who) == ["Bo Li", "Flora Hart", "Ed Kerr", "Di Moss", "Cy Dunn", "No one"]


async def test_a_typed_name_finds_the_known_contact(rep: Rep_, database: FakeDatabase) -> None:
    await rep.says("Met Sam Reed from Northwind")
    await rep.says("/log")
    await rep.taps_on("Meeting")

    what = await rep.says("sam")
    await rep.says("signed the offer")
    card = await rep.taps_on("None")

    assert what.text == "Meeting with Sam. What happened? A few words are enough."
    assert card.text.startswith("✓ Meeting with Sam Reed (Northwind) saved.")
    assert len(database.state.contacts) == 1
    assert not database.state.reminders


async def test_a_typed_new_name_and_company_are_added(rep: Rep_, database: FakeDatabase) -> None:
    await rep.says("/log")
    await rep.taps_on("E-mail")

    what = await rep.says("Ana Popescu from Acme")
    await rep.says("sent the price list")
    card = await rep.taps_on("In 3 days")

    assert what.text.startswith("E-mail with Ana Popescu (Acme).")
    assert card.text == (
        "✓ E-mail with Ana Popescu (Acme) saved.\n⏰ Callback: Thu 26 Nov at 09:00."
    )
    popescu = contact(database, "Ana Popescu")
    (acme,) = database.state.companies.values()
    assert (acme.name, popescu.company_id) == ("Acme", acme.id)


async def test_a_typed_known_company_alone_is_the_company(
    rep: Rep_, database: FakeDatabase
) -> None:
    await rep.says("Met Sam Reed from Northwind")
    await rep.says("/log")
    await rep.taps_on("Note")

    what = await rep.says("nortwind")
    await rep.says("they moved to a new office")
    card = await rep.taps_on("None")

    assert what.text.startswith("Note with Northwind.")
    assert card.text == "✓ Note with Northwind saved."
    assert len(database.state.companies) == len(database.state.contacts) == 1
    note = latest(database.state.activities)
    assert (note.contact_id, note.company_id) == (None, contact(database, "Sam Reed").company_id)


async def test_two_sams_typed_are_asked_about_on_the_card(
    rep: Rep_, database: FakeDatabase
) -> None:
    await rep.says("Met Sam Reed from Northwind")
    await rep.says("Called Sam Smith at Acme")
    await rep.says("/log")
    await rep.taps_on("Call")
    await rep.says("Sam")
    await rep.says("left a voicemail")

    card = await rep.taps_on("None")
    assert "Which Sam?" in card.text
    chosen = await rep.taps_on("Sam Smith (Acme)")

    assert chosen.text == "✓ Saved with Sam Smith (Acme)."
    assert latest(database.state.activities).contact_id == contact(database, "Sam Smith").id


async def test_no_one_and_no_follow_up_is_a_plain_note(rep: Rep_, database: FakeDatabase) -> None:
    await rep.says("/log")
    await rep.taps_on("Note")
    what = await rep.taps_on("No one")
    await rep.says("price list is out of date")
    card = await rep.taps_on("None")

    assert what.text == "Note. What happened? A few words are enough."
    assert card.text == "✓ Note saved."  # no "I found no person..." hint: nothing was missed
    assert labels(card) == ["Undo"]
    (note,) = database.state.activities.values()
    assert (note.kind, note.contact_id, note.company_id) == (ActivityKind.NOTE, None, None)


async def test_pick_a_time_takes_it_in_words_and_asks_again_if_it_cannot(
    rep: Rep_, database: FakeDatabase
) -> None:
    await rep.says("/log")
    await rep.taps_on("Meeting")
    await rep.says("Sam Reed")
    await rep.says("demo went well")
    asked = await rep.taps_on("Pick a time")
    again = await rep.says("whenever suits")
    card = await rep.says("friday at 4pm")

    assert rep.taps == 2
    assert asked.text == ASK_TIME
    assert again.text == NOT_A_TIME
    assert "⏰ Callback: Fri 27 Nov at 16:00." in card.text
    assert latest(database.state.reminders).due_at == datetime(2026, 11, 27, 14, 0, tzinfo=UTC)


async def test_next_week_and_a_time_typed_instead_of_a_tap(
    rep: Rep_, database: FakeDatabase
) -> None:
    await rep.says("/log")
    await rep.taps_on("Call")
    await rep.taps_on("No one")
    await rep.says("asked about delivery")
    card = await rep.says("tomorrow at 11")

    assert "⏰ Callback: tomorrow (Tue 24 Nov) at 11:00." in card.text
    await rep.says("/log")
    await rep.taps_on("Call")
    await rep.taps_on("No one")
    await rep.says("asked about prices")
    card = await rep.taps_on("Next week")
    assert "⏰ Callback: Mon 30 Nov at 09:00." in card.text


async def test_what_happened_with_a_promise_skips_the_follow_up_question(
    rep: Rep_, database: FakeDatabase
) -> None:
    await rep.says("/log")
    await rep.taps_on("Meeting")
    await rep.says("Sam Reed from Northwind")

    card = await rep.says("wants a quote, call back Friday at 10")

    assert card.text.startswith("✓ Meeting with Sam Reed (Northwind) saved.")
    assert "⏰ Callback: Fri 27 Nov at 10:00." in card.text
    assert latest(database.state.reminders).text == "call back Friday at 10"
    assert ana(database).awaiting is None


async def test_undo_on_the_log_card_takes_it_all_back(rep: Rep_, database: FakeDatabase) -> None:
    await rep.says("/help")
    before = snapshot(database)
    await rep.says("/log")
    await rep.taps_on("Call")
    await rep.says("Sam Reed from Northwind")
    await rep.says("no answer")
    card = await rep.taps_on("Tomorrow")

    undone = await rep.taps_on("Undo", card)

    assert undone.text == "↩ Undone: removed the callback, the call, Sam Reed and Northwind."
    assert snapshot(database)[:4] == before[:4]


# Stale buttons, abandoning, other reps ----------------------------------------------------


async def test_buttons_of_a_finished_log_change_nothing(
    rep: Rep_, assistant: Assistant, database: FakeDatabase
) -> None:
    await rep.says("Met Sam Reed from Northwind")
    kinds = await rep.says("/log")
    who = await rep.taps_on("Call")
    await rep.taps_on("Sam Reed (Northwind)")
    follow_up = await rep.says("no answer")
    await rep.taps_on("None")
    before = snapshot(database)

    for reply, label in [
        (kinds, "Meeting"),
        (who, "Sam Reed (Northwind)"),
        (who, "No one"),
        (follow_up, "Tomorrow"),
        (follow_up, "Pick a time"),
    ]:
        stale = await assistant.handle(console(button=button(reply, label)))
        assert stale.text == texts.UNKNOWN_BUTTON, label
    assert snapshot(database) == before
    assert (ana(database).awaiting, ana(database).draft) == (None, None)


async def test_a_button_of_an_earlier_log_or_an_earlier_step_changes_nothing(
    rep: Rep_, assistant: Assistant, database: FakeDatabase
) -> None:
    first = await rep.says("/log")
    second = await rep.says("/log")
    who = await rep.taps_on("Call", second)
    awaiting = ana(database).awaiting

    for payload in [
        button(first, "Meeting"),  # another /log
        button(second, "Meeting"),  # a step already answered
        button(who, "No one").replace("nobody", "c999999"),  # no such contact
        button(who, "No one").replace("nobody", "tomorrow"),  # another step's value
    ]:
        stale = await assistant.handle(console(button=payload))
        assert stale.text == texts.UNKNOWN_BUTTON, payload
    assert ana(database).awaiting == awaiting
    assert not database.state.activities


async def test_a_command_abandons_the_log_and_the_next_message_is_a_capture(
    rep: Rep_, database: FakeDatabase
) -> None:
    await rep.says("/log")
    await rep.taps_on("Call")
    await rep.says("Sam Reed")
    await rep.says("/today")

    assert (ana(database).awaiting, ana(database).draft) == (None, None)
    reply = await rep.says("Met Mike Hart at Pied Piper")
    assert reply.text.startswith("✓ Meeting with Mike Hart (Pied Piper) saved.")
    assert len(database.state.activities) == 1


async def test_cancel_says_nothing_was_logged(rep: Rep_, database: FakeDatabase) -> None:
    await rep.says("/log")
    await rep.taps_on("Meeting")

    reply = await rep.says("/cancel")

    assert reply.text == "OK, nothing was logged."
    assert not database.state.activities
    assert (ana(database).awaiting, ana(database).draft) == (None, None)


async def test_typing_a_message_instead_of_tapping_the_kind_captures_it(
    rep: Rep_, database: FakeDatabase
) -> None:
    await rep.says("/log")

    reply = await rep.says("Called Mike Hart at Pied Piper")

    assert reply.text.startswith("✓ Call with Mike Hart (Pied Piper) saved.")
    assert ana(database).awaiting is None


async def test_another_rep_cannot_press_my_log_buttons(
    rep: Rep_, assistant: Assistant, database: FakeDatabase
) -> None:
    kinds = await rep.says("/log")
    await add_colleague(database)

    reply = await assistant.handle(console(button=button(kinds, "Call"), user="bob"))

    assert reply.text == texts.UNKNOWN_BUTTON
    assert (ana(database).awaiting or "").endswith(":kind")


async def test_log_state_fits_its_columns_and_payloads_fit_telegram(
    rep: Rep_, database: FakeDatabase
) -> None:
    replies = [await rep.says("/log"), await rep.taps_on("Call")]
    await rep.says("Anna-Maria Wojciechowska-Szczepańska from Przedsiębiorstwo Handlowe")
    replies.append(await rep.says("x" * 3000))

    assert all(len(b.payload.encode()) <= 64 for r in replies for b in r.flat_buttons)
    awaiting = ana(database).awaiting
    assert awaiting is not None
    assert len(awaiting) <= 100
