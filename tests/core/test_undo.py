"""``/undo``: the rep's own last change goes, then the one before, within 24 hours."""

from __future__ import annotations

from datetime import timedelta

from handlers import texts
from handlers.assistant import Assistant
from handlers.clock import FixedClock
from handlers.domain import ActivityKind, ReminderStatus, Role
from handlers.messages import Reply
from tests.core.conftest import ZONE, console
from tests.fakes import FakeDatabase

MEETING = "Met Sam Reed from Northwind, call back tomorrow at 10"
CALL = "Called Mike Hart at Pied Piper, follow up Friday"
NOTHING = "There is nothing of yours to undo from the last 24 hours. Nothing was changed."


async def say(assistant: Assistant, text: str, user: str = "ana") -> Reply:
    reply = await assistant.handle(console(text, user=user))
    assert reply is not None
    return reply


async def press(assistant: Assistant, payload: str, user: str = "ana") -> Reply:
    reply = await assistant.handle(console(button=payload, user=user))
    assert reply is not None
    return reply


def payload(reply: Reply, prefix: str) -> str:
    return next(b.payload for b in reply.flat_buttons if b.payload.startswith(prefix))


def data(database: FakeDatabase) -> tuple[object, ...]:
    state = database.state
    return (state.companies, state.contacts, state.activities, state.reminders, state.deals)


async def test_undo_takes_back_the_last_message_then_the_one_before(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await say(assistant, "/start")
    empty = data(database)
    await say(assistant, MEETING)
    after_first = data(database)
    await say(assistant, CALL)

    second = await say(assistant, "/undo")
    assert second.text.startswith(f"Your last change was your message “{CALL}”.\n↩ Undone:")
    assert "Mike Hart" in second.text
    assert data(database) == after_first

    first = await say(assistant, "/undo")
    assert first.text.startswith(f"Your last change was your message “{MEETING}”.\n↩ Undone:")
    assert data(database) == empty

    assert (await say(assistant, "/undo")).text == NOTHING


async def test_undo_is_audited_under_the_change_it_takes_back(
    assistant: Assistant, database: FakeDatabase
) -> None:
    card = await say(assistant, MEETING)
    change_id = payload(card, "u:").removeprefix("u:")

    await say(assistant, "/undo")

    undone = [row for row in database.state.audit if row["action"] == "undo"]
    assert {row["change_id"] for row in undone} == {change_id}
    assert {row["entity"] for row in undone} == {"company", "contact", "activity", "reminder"}
    assert all(row["before"] is not None and row["after"] is None for row in undone)


async def test_reminder_buttons_are_undone_one_by_one(
    assistant: Assistant, database: FakeDatabase
) -> None:
    card = await say(assistant, MEETING)
    reminder_id = int(payload(card, "r:pick:").split(":")[2])
    reminder = database.state.reminders[reminder_id]
    done = await press(assistant, f"r:done:{reminder_id}")
    await press(assistant, payload(done, "r:log:"))
    assert sum(a.kind is ActivityKind.CALL for a in database.state.activities.values()) == 1

    call = await say(assistant, "/undo")  # the call logged
    assert call.text.startswith("Your last change was your message “call back tomorrow at 10”")
    assert "removed the call" in call.text
    assert not any(a.kind is ActivityKind.CALL for a in database.state.activities.values())
    assert database.state.reminders[reminder_id].status is ReminderStatus.DONE

    marked = await say(assistant, "/undo")  # Done
    assert marked.text.startswith("Your last change was your change to the callback")
    assert database.state.reminders[reminder_id] == reminder


async def test_a_snooze_is_undone_to_the_time_before(
    assistant: Assistant, database: FakeDatabase
) -> None:
    card = await say(assistant, MEETING)
    reminder_id = int(payload(card, "r:pick:").split(":")[2])
    before = database.state.reminders[reminder_id]
    await press(assistant, f"r:snooze:{reminder_id}")
    await press(assistant, f"r:cancel:{reminder_id}")

    await say(assistant, "/undo")
    assert database.state.reminders[reminder_id].status is ReminderStatus.PENDING
    assert database.state.reminders[reminder_id].due_at != before.due_at  # still snoozed
    await say(assistant, "/undo")
    assert database.state.reminders[reminder_id] == before


async def test_a_change_undone_on_its_card_is_skipped(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await say(assistant, MEETING)
    call = await say(assistant, CALL)
    await press(assistant, payload(call, "u:"))

    reply = await say(assistant, "/undo")

    assert reply.text.startswith(f"Your last change was your message “{MEETING}”.")
    assert database.state.activities == {}


async def test_a_rep_undoes_only_their_own_changes(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await say(assistant, MEETING)
    ana = next(iter(database.state.reps.values()))
    async with database() as uow:
        await uow.reps.add(
            team_id=ana.team_id, platform="console", external_id="bob", chat_id="bob",
            display_name="Bob", language="en", timezone=ZONE, role=Role.ADMIN,
        )  # fmt: skip
        await uow.commit()
    before = data(database)

    reply = await say(assistant, "/undo", user="bob")  # even an admin: it is Ana's to undo

    assert reply.text == NOTHING
    assert data(database) == before


async def test_changes_older_than_a_day_are_out_of_reach(
    assistant: Assistant, database: FakeDatabase, clock: FixedClock
) -> None:
    await say(assistant, MEETING)
    before = data(database)
    clock.advance(timedelta(hours=24, minutes=1))

    assert (await say(assistant, "/undo")).text == NOTHING
    assert data(database) == before


async def test_a_quiet_deal_marked_lost_is_undone(
    assistant: Assistant, database: FakeDatabase, clock: FixedClock
) -> None:
    await say(assistant, "Met Sam Reed from Northwind, sent the offer")
    (deal,) = database.state.deals.values()

    await press(assistant, f"d:lost:{deal.id}")
    reply = await say(assistant, "/undo")

    assert reply.text.startswith("Your last change was your change to the Northwind deal.")
    assert database.state.deals[deal.id] == deal


async def test_a_digest_setting_is_undone(assistant: Assistant, database: FakeDatabase) -> None:
    await say(assistant, "/start")  # the console's user is the admin of their own team
    (team,) = database.state.teams.values()
    await say(assistant, "/digests daily 17:30")
    assert database.state.teams[team.id].daily_digest_at == "17:30"

    reply = await say(assistant, "/undo")

    assert reply.text.startswith("Your last change was your change to the team's settings.")
    assert database.state.teams[team.id] == team


async def test_an_erasure_is_not_undone(assistant: Assistant, database: FakeDatabase) -> None:
    await say(assistant, MEETING)
    (contact,) = database.state.contacts.values()
    await press(assistant, f"fg:{contact.id}")
    before = data(database)

    reply = await say(assistant, "/undo")

    assert reply.text == (
        "Your last change was erasing a contact, which can't be undone. Nothing was changed."
    )
    assert data(database) == before


def test_help_explains_undo() -> None:
    assert "/undo: take back your last change" in texts.HELP
    assert "again goes one\nfurther back, up to 24 hours" in texts.HELP
