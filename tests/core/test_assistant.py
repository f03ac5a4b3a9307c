"""The core end to end with in-memory fakes: what a rep sees, and what gets stored."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from handlers import texts
from handlers.assistant import MAX_MESSAGE_LENGTH, Assistant
from handlers.clock import FixedClock
from handlers.domain import ActivityKind, ReminderStatus, Role
from handlers.messages import Incoming
from tests.conftest import NOW  # Monday 23 Nov 2026, 10:00 in Bucharest
from tests.core.conftest import ZONE, console
from tests.fakes import FakeDatabase


async def test_first_console_message_creates_a_one_person_team(
    assistant: Assistant, database: FakeDatabase
) -> None:
    reply = await assistant.handle(console("/help"))

    assert reply.text.startswith("Hi ana!")
    (rep,) = database.state.reps.values()
    assert (rep.role, rep.timezone, rep.platform) == (Role.ADMIN, ZONE, "console")
    assert database.state.teams[rep.team_id].name == "ana's team"
    assert database.state.teams[rep.team_id].timezone == ZONE  # digests on ana's clock
    again = await assistant.handle(console("/help"))
    assert not again.text.startswith("Hi")
    assert len(database.state.teams) == 1


async def test_a_stranger_on_a_chat_platform_gets_nothing_but_instructions(
    assistant: Assistant, database: FakeDatabase
) -> None:
    stranger = Incoming(platform="telegram", user_id="42", chat_id="42", text="/today")

    reply = await assistant.handle(stranger)

    assert reply.text == texts.STRANGER
    assert database.state.row_count() == 0


async def test_one_message_stores_meeting_contact_company_and_callback(
    assistant: Assistant, database: FakeDatabase
) -> None:
    reply = await assistant.handle(console("Met Sam Reed from Northwind, call back tomorrow at 10"))

    assert "Meeting with Sam Reed (Northwind) saved" in reply.text
    assert "tomorrow (Tue 24 Nov) at 10:00" in reply.text
    state = database.state
    (company,) = state.companies.values()
    (contact,) = state.contacts.values()
    (activity,) = state.activities.values()
    (reminder,) = state.reminders.values()
    assert company.name == "Northwind"
    assert (contact.full_name, contact.company_id) == ("Sam Reed", company.id)
    assert (activity.kind, activity.contact_id, activity.company_id) == (
        ActivityKind.MEETING,
        contact.id,
        company.id,
    )
    assert activity.text == "Met Sam Reed from Northwind, call back tomorrow at 10"
    assert reminder.due_at == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    assert reminder.status is ReminderStatus.PENDING
    assert (reminder.contact_id, reminder.company_id) == (contact.id, company.id)
    audited = {(entry["entity"], entry["action"]) for entry in state.audit}
    assert audited == {
        ("company", "create"),
        ("contact", "create"),
        ("activity", "create"),
        ("reminder", "create"),
    }
    assert len({entry["change_id"] for entry in state.audit}) == 1


async def test_known_contacts_and_companies_are_reused_whatever_the_case(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await assistant.handle(console("Met Sam Reed from Northwind"))
    reply = await assistant.handle(console("called sam reed from NORTHWIND, call back friday"))

    assert len(database.state.companies) == 1
    assert len(database.state.contacts) == 1
    assert "Call with Sam Reed (Northwind) saved" in reply.text


async def test_a_known_contacts_company_is_filled_in(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await assistant.handle(console("Met Sam Reed from Northwind"))
    reply = await assistant.handle(console("Called Sam Reed, call back Friday"))

    assert "Call with Sam Reed (Northwind) saved" in reply.text
    activity = max(database.state.activities.values(), key=lambda a: a.id)
    assert activity.company_id == next(iter(database.state.companies))


async def test_a_reminder_alone_confirms_whom_to_call(
    assistant: Assistant, database: FakeDatabase
) -> None:
    reply = await assistant.handle(console("remind me to call Sam Reed in 1 minute"))

    assert reply.text.endswith("\n⏰ Callback Sam Reed: today at 10:01.")
    assert not database.state.activities
    assert len(database.state.reminders) == 1


async def test_text_with_nothing_recognised_is_kept_as_a_note(
    assistant: Assistant, database: FakeDatabase
) -> None:
    reply = await assistant.handle(console("they want the blue one after all"))

    assert "Note saved" in reply.text
    assert "/help" in reply.text
    (activity,) = database.state.activities.values()
    assert activity.text == "they want the blue one after all"


@pytest.mark.parametrize("text", ["", "   ", "\x00\x07"])
async def test_an_empty_message_gets_a_clear_answer(
    assistant: Assistant, database: FakeDatabase, text: str
) -> None:
    await assistant.handle(console("/help"))
    before = database.state.row_count()

    reply = await assistant.handle(console(text))

    assert reply.text == texts.EMPTY
    assert database.state.row_count() == before


async def test_unknown_commands_point_to_help(assistant: Assistant) -> None:
    await assistant.handle(console("/start"))
    assert (await assistant.handle(console("/frobnicate now"))).text == (
        "I don't know /frobnicate. /help lists what I understand."
    )
    assert "I don't know /123" in (await assistant.handle(console("/123"))).text


async def test_help_lists_commands_and_examples(assistant: Assistant) -> None:
    reply = await assistant.handle(console("/help"))
    assert "/today" in reply.text
    assert "Met Sam Reed from Northwind" in reply.text
    assert (await assistant.handle(console("/HELP@crm_bot"))).text == texts.HELP


async def test_a_very_long_message_is_refused_and_nothing_is_stored(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await assistant.handle(console("/help"))
    before = database.state.row_count()

    reply = await assistant.handle(console("Met Sam " + "x" * MAX_MESSAGE_LENGTH))

    assert "Nothing was saved" in reply.text
    assert database.state.row_count() == before


async def test_control_characters_are_stripped_before_storing(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await assistant.handle(console("Met Sam\x00 Reed\u200b from Northwind\x1b[31m"))
    (activity,) = database.state.activities.values()
    assert activity.text == "Met Sam Reed from Northwind[31m"


async def test_sql_looking_text_is_just_text(assistant: Assistant, database: FakeDatabase) -> None:
    text = "Met Bobby from Acme'); DROP TABLE activities;--"
    await assistant.handle(console(text))
    (activity,) = database.state.activities.values()
    assert activity.text == text


async def test_a_stale_or_forged_button_changes_nothing(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await assistant.handle(console("/help"))
    before = database.state.row_count()

    reply = await assistant.handle(console(button="undo:999999"))

    assert reply.text == texts.UNKNOWN_BUTTON
    assert database.state.row_count() == before


async def test_a_failure_rolls_back_and_says_nothing_was_saved(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await assistant.handle(console("/help"))
    before = database.state.row_count()
    database.fail_commits = True

    reply = await assistant.handle(console("Met Sam Reed from Northwind"))

    assert reply.text == texts.FAILED
    assert database.state.row_count() == before


async def test_today_lists_overdue_then_today_then_upcoming(
    assistant: Assistant, database: FakeDatabase, clock: FixedClock
) -> None:
    clock.set(NOW - timedelta(days=3))  # Friday before
    await assistant.handle(console("Called Ana Popescu @Acme, call back Monday at 9"))
    clock.set(NOW)
    await assistant.handle(console("Met Sam Reed from Northwind, call back at 16:30"))
    await assistant.handle(console("Emailed Mike Hart at Pied Piper, follow up tomorrow at 11"))
    await assistant.handle(console("remind me to call Jane Doe on Dec 2"))

    reply = await assistant.handle(console("/today"))

    assert reply.text == "\n".join(
        [
            "Today, Mon 23 Nov",
            "Overdue (1):",
            "• today 09:00 Ana Popescu (Acme): call back Monday at 9",
            "Due today:",
            "• 16:30 Sam Reed (Northwind): call back at 16:30",
            "Coming up:",
            "• tomorrow (Tue 24 Nov) 11:00 Mike Hart (Pied Piper): follow up tomorrow at 11",
            "• Wed 2 Dec 09:00 Jane Doe: remind me to call Jane Doe on Dec 2",
            "Logged today: 1 meeting, 1 e-mail.",
        ]
    )


async def test_today_with_nothing_planned_suggests_what_to_do(assistant: Assistant) -> None:
    reply = await assistant.handle(console("/today"))
    assert "No callbacks due today." in reply.text
    assert "Nothing planned either" in reply.text


async def test_done_or_cancelled_reminders_are_not_listed(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await assistant.handle(console("Met Sam Reed from Northwind, call back at 16:30"))
    (reminder,) = database.state.reminders.values()
    database.state.reminders[reminder.id] = replace(reminder, status=ReminderStatus.DONE)

    reply = await assistant.handle(console("/today"))

    assert "16:30" not in reply.text


async def test_the_reps_zone_follows_the_adapter(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await assistant.handle(console("/help"))
    await assistant.handle(
        Incoming(
            platform="console",
            user_id="ana",
            chat_id="ana",
            text="call back tomorrow at 10",
            timezone="America/New_York",
        )
    )
    (rep,) = database.state.reps.values()
    (reminder,) = database.state.reminders.values()
    assert rep.timezone == "America/New_York"
    assert reminder.due_at == datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


async def test_a_redelivered_update_changes_nothing_and_is_not_answered(
    assistant: Assistant, database: FakeDatabase
) -> None:
    update = Incoming(
        platform="console",
        user_id="ana",
        chat_id="ana",
        text="Met Sam Reed from Northwind, call back Friday",
        update_id="1001",
    )

    first = await assistant.handle(update)
    again = await assistant.handle(update)

    assert first is not None
    assert "Meeting with Sam Reed (Northwind) saved" in first.text
    assert again is None
    assert len(database.state.activities) == 1
    assert len(database.state.reminders) == 1


async def test_an_update_that_failed_can_be_delivered_again(
    assistant: Assistant, database: FakeDatabase
) -> None:
    update = Incoming(
        platform="console", user_id="ana", chat_id="ana", text="Met Sam Reed", update_id="7"
    )
    database.fail_commits = True
    assert (await assistant.handle(update)).text == texts.FAILED  # type: ignore[union-attr]
    database.fail_commits = False

    retried = await assistant.handle(update)

    assert retried is not None
    assert "Meeting with Sam Reed saved" in retried.text


async def test_a_photo_gets_told_what_the_bot_understands(assistant: Assistant) -> None:
    await assistant.handle(console("/start"))
    photo = Incoming(platform="console", user_id="ana", chat_id="ana", attachment="photo")

    reply = await assistant.handle(photo)

    assert reply is not None
    assert reply.text.startswith("I can't read a photo yet.")


async def test_on_slack_commands_read_as_the_slash_command_rep_types(
    assistant: Assistant, database: FakeDatabase
) -> None:
    async with database() as uow:
        team = await uow.teams.add("Acme sales")
        await uow.reps.add(
            team_id=team.id, platform="slack", external_id="U1", chat_id="D1",
            display_name="Ana", language="en", timezone=ZONE, role=Role.REP,
        )  # fmt: skip
        await uow.commit()
    slack = Incoming(platform="slack", user_id="U1", chat_id="D1", text="/frobnicate")

    unknown = await assistant.handle(slack)
    help_text = await assistant.handle(replace(slack, text="/help"))

    assert unknown is not None
    assert unknown.text == "I don't know /crm frobnicate. /crm help lists what I understand."
    assert help_text is not None
    assert "/crm today: overdue callbacks" in help_text.text
    assert "\n/today" not in help_text.text
    assert texts.for_platform("see https://x.io/today on 12/03", "slack") == (
        "see https://x.io/today on 12/03"
    )


@pytest.mark.parametrize("text", ["👍", "😀😀😀 🎉", "???!!!", "…", "☎️ → ✅"])
async def test_symbols_alone_get_a_clear_answer_and_store_nothing(
    assistant: Assistant, database: FakeDatabase, text: str
) -> None:
    await assistant.handle(console("/help"))
    before = database.state.row_count()

    reply = await assistant.handle(console(text))

    assert reply is not None
    assert reply.text == texts.NO_WORDS
    assert database.state.row_count() == before
