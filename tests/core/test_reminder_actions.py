"""Reminder buttons and lists, through the core with in-memory fakes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from handlers import texts
from handlers.assistant import Assistant
from handlers.domain import ActivityKind, ReminderStatus, Role
from handlers.messages import Reply
from tests.conftest import NOW  # Monday 23 Nov 2026, 10:00 in Bucharest
from tests.core.conftest import ZONE, console
from tests.fakes import FakeDatabase


async def promise(assistant: Assistant, database: FakeDatabase) -> int:
    await assistant.handle(console("Met Sam Reed from Northwind, call back tomorrow at 10"))
    return max(database.state.reminders)


def button(reply: Reply, label: str) -> str:
    return next(b.payload for b in reply.flat_buttons if b.label.startswith(label))


async def test_setting_a_reminder_wakes_the_dispatcher_for_its_time(
    assistant: Assistant, database: FakeDatabase, woken: list[datetime]
) -> None:
    await promise(assistant, database)
    assert woken == [datetime(2026, 11, 24, 8, 0, tzinfo=UTC)]


async def test_done_then_log_a_call_logs_it_once(
    assistant: Assistant, database: FakeDatabase
) -> None:
    reminder_id = await promise(assistant, database)

    reply = await assistant.handle(console(button=f"r:done:{reminder_id}"))

    assert "Log the call?" in reply.text
    assert database.state.reminders[reminder_id].status is ReminderStatus.DONE
    log_payload = button(reply, "Log a call")
    assert (await assistant.handle(console(button=log_payload))).text == "✓ Call logged."
    again = await assistant.handle(console(button=log_payload))
    assert again.text == "That call is already logged."
    calls = [a for a in database.state.activities.values() if a.kind is ActivityKind.CALL]
    assert len(calls) == 1
    reminder = database.state.reminders[reminder_id]
    assert (calls[0].contact_id, calls[0].company_id) == (
        reminder.contact_id,
        reminder.company_id,
    )


async def test_snooze_moves_the_reminder_one_hour_from_now(
    assistant: Assistant, database: FakeDatabase, woken: list[datetime]
) -> None:
    reminder_id = await promise(assistant, database)

    reply = await assistant.handle(console(button=f"r:snooze:{reminder_id}"))

    assert reply.text == "⏰ Moved: I'll remind you today at 11:00."
    assert database.state.reminders[reminder_id].due_at == NOW + timedelta(hours=1)
    assert woken[-1] == NOW + timedelta(hours=1)


async def test_tomorrow_uses_the_team_default_hour_in_the_reps_zone(
    assistant: Assistant, database: FakeDatabase
) -> None:
    reminder_id = await promise(assistant, database)

    await assistant.handle(console(button=f"r:tomorrow:{reminder_id}"))

    assert database.state.reminders[reminder_id].due_at == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)


async def test_pick_a_time_takes_the_next_message_as_the_time(
    assistant: Assistant, database: FakeDatabase
) -> None:
    reminder_id = await promise(assistant, database)

    question = await assistant.handle(console(button=f"r:pick:{reminder_id}"))
    assert "When should I remind you?" in question.text
    confused = await assistant.handle(console("whenever suits"))
    assert "couldn't read a time" in confused.text
    moved = await assistant.handle(console("friday at 4pm"))

    assert moved.text == "⏰ Moved: I'll remind you Fri 27 Nov at 16:00."
    assert database.state.reminders[reminder_id].due_at == datetime(2026, 11, 27, 14, 0, tzinfo=UTC)
    # The question is answered: the next message is a capture again.
    after = await assistant.handle(console("Called Mike Hart at Pied Piper"))
    assert "Call with Mike Hart (Pied Piper) saved" in after.text


async def test_a_command_abandons_the_question(
    assistant: Assistant, database: FakeDatabase
) -> None:
    reminder_id = await promise(assistant, database)
    await assistant.handle(console(button=f"r:pick:{reminder_id}"))

    assert (await assistant.handle(console("/cancel"))).text == "OK, the reminder stays as it was."
    assert database.state.reminders[reminder_id].due_at == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    assert (await assistant.handle(console("/cancel"))).text == "There is nothing to cancel."


async def test_reminders_lists_open_ones_with_move_and_cancel(
    assistant: Assistant, database: FakeDatabase
) -> None:
    first = await promise(assistant, database)
    await assistant.handle(console("remind me to call Ana Popescu Friday"))

    listing = await assistant.handle(console("/reminders"))

    assert listing.text.splitlines() == [
        "Your open reminders:",
        "1. tomorrow (Tue 24 Nov) at 10:00, Sam Reed: “call back tomorrow at 10”",
        "2. Fri 27 Nov at 09:00, Ana Popescu: “remind me to call Ana Popescu Friday”",
    ]
    assert [b.label for b in listing.flat_buttons] == ["Move 1", "Cancel 1", "Move 2", "Cancel 2"]
    cancelled = await assistant.handle(console(button=button(listing, "Cancel 1")))
    assert cancelled.text == "Cancelled: “call back tomorrow at 10”."
    assert database.state.reminders[first].status is ReminderStatus.CANCELLED
    assert "Sam Reed" not in (await assistant.handle(console("/reminders"))).text


async def test_closed_reminders_cannot_be_moved(
    assistant: Assistant, database: FakeDatabase
) -> None:
    reminder_id = await promise(assistant, database)
    await assistant.handle(console(button=f"r:cancel:{reminder_id}"))

    reply = await assistant.handle(console(button=f"r:snooze:{reminder_id}"))

    assert reply.text == "This reminder is already cancelled. Nothing was changed."
    assert database.state.reminders[reminder_id].status is ReminderStatus.CANCELLED


@pytest.mark.parametrize(
    "payload", ["r:done:999", "r:explode:1", "r:done:abc", "r:done:1:2", "x" * 500, ""]
)
async def test_forged_or_stale_payloads_change_nothing(
    assistant: Assistant, database: FakeDatabase, payload: str
) -> None:
    await promise(assistant, database)
    before = database.state.row_count(), dict(database.state.reminders)

    reply = await assistant.handle(console(button=payload))

    assert reply.text == texts.UNKNOWN_BUTTON
    assert (database.state.row_count(), dict(database.state.reminders)) == before


async def test_another_reps_reminder_cannot_be_touched(
    assistant: Assistant, database: FakeDatabase
) -> None:
    reminder_id = await promise(assistant, database)
    ana = next(iter(database.state.reps.values()))
    async with database() as uow:  # a colleague in Ana's own team
        await uow.reps.add(
            team_id=ana.team_id,
            platform="console",
            external_id="bob",
            chat_id="bob",
            display_name="Bob",
            language="en",
            timezone=ZONE,
            role=Role.REP,
        )
        await uow.commit()

    colleague = await assistant.handle(console(button=f"r:done:{reminder_id}", user="bob"))
    stranger = await assistant.handle(console(button=f"r:done:{reminder_id}", user="eve"))

    # The colleague is told whose it is; another team's rep learns nothing about it.
    assert colleague.text == (
        "That belongs to another rep, so only they can change it. Nothing was changed."
    )
    assert stranger.text.endswith(texts.UNKNOWN_BUTTON)  # eve's first message: a welcome too
    assert database.state.reminders[reminder_id].status is ReminderStatus.PENDING


async def test_a_rep_turns_the_morning_agenda_off_and_on(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await assistant.handle(console("/start"))
    (rep_id,) = database.state.reps

    off = await assistant.handle(console("/agenda off"))
    assert off is not None
    assert off.text.startswith("Morning agenda off.")
    assert database.state.reps[rep_id].agenda_enabled is False
    state = await assistant.handle(console("/agenda"))
    assert state is not None
    assert state.text.startswith("Your morning agenda is off.")
    assert (await assistant.handle(console("/agenda maybe"))).text == (  # type: ignore[union-attr]
        "Say /agenda on or /agenda off."
    )
    await assistant.handle(console("/agenda on"))
    assert database.state.reps[rep_id].agenda_enabled is True
