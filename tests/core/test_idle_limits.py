"""/idle: the team's per-stage idle limits decide which deals /pipeline flags as quiet."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from handlers.assistant import Assistant
from handlers.clock import FixedClock
from handlers.domain import QUIET_AFTER_DAYS, Role, Stage
from handlers.idle_limits import stage_named
from handlers.messages import Reply
from tests.core.conftest import console
from tests.fakes import FakeDatabase

QUIET_NORTHWIND = "⚠ Northwind: Offer sent, 6 days without news"


async def say(assistant: Assistant, text: str) -> Reply:
    reply = await assistant.handle(console(text))
    assert reply is not None
    return reply


async def test_changing_a_limit_changes_what_pipeline_flags(
    assistant: Assistant, clock: FixedClock
) -> None:
    await say(assistant, "Met Sam Reed from Northwind, sent the offer")
    clock.advance(timedelta(days=6))  # past the offer stage's default of 5 days
    assert QUIET_NORTHWIND in (await say(assistant, "/pipeline")).text

    longer = await say(assistant, "/idle offer 10")

    assert longer.text == "✓ Offer sent: a deal with no news for 10 days counts as quiet."
    assert "Gone quiet" not in (await say(assistant, "/pipeline")).text
    await say(assistant, "/idle Offer Sent 3")
    assert QUIET_NORTHWIND in (await say(assistant, "/pipeline")).text
    back = await say(assistant, "/idle offer default")
    assert back.text == "Offer sent is back to the default: 5 days."
    clock.advance(timedelta(days=-2))  # 4 days: inside the default again
    assert "Gone quiet" not in (await say(assistant, "/pipeline")).text


async def test_idle_shows_the_limits_and_marks_the_teams_own(assistant: Assistant) -> None:
    await say(assistant, "/idle negotiation 12")

    shown = await say(assistant, "/idle")

    assert "• Prospect: 14 days" in shown.text
    assert "• Negotiation: 12 days (default 5)" in shown.text
    assert "Completed" not in shown.text
    assert "Lost" not in shown.text
    assert "/idle offer 10" in shown.text  # the admin is told how to change them


async def test_reps_may_read_the_limits_but_not_change_them(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await say(assistant, "/help")
    (ana,) = database.state.reps.values()
    database.state.reps[ana.id] = replace(ana, role=Role.REP)

    refused = await say(assistant, "/idle offer 10")
    shown = await say(assistant, "/idle")

    assert refused.text == "Only a manager or an admin can change the team's idle limits."
    assert "• Offer sent: 5 days" in shown.text
    assert "Managers and admins can change them." in shown.text
    assert database.state.idle_limits == {}


async def test_a_manager_changes_them_and_bad_input_changes_nothing(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await say(assistant, "/help")
    (ana,) = database.state.reps.values()
    database.state.reps[ana.id] = replace(ana, role=Role.MANAGER)

    answers = [
        (await say(assistant, text)).text
        for text in ("/idle offer 0", "/idle offer 1000", "/idle offer soon", "/idle won 5",
                     "/idle lost 5", "/idle offer")
    ]  # fmt: skip

    assert answers[:3] == ["The limit is a number of days from 1 to 365. Nothing was changed."] * 3
    assert answers[3].startswith("I don't know a stage called won.")
    assert answers[4].startswith("I don't know a stage called lost.")
    assert answers[5].startswith("Change a stage's limit with /idle <stage> <days>")
    assert database.state.idle_limits == {}
    await say(assistant, "/idle neg 9")
    assert database.state.idle_limits == {(ana.team_id, Stage.NEGOTIATION): 9}


def test_stages_are_named_by_key_label_or_a_unique_start() -> None:
    assert stage_named("first contact") is Stage.CONTACT
    assert stage_named("CONTACT") is Stage.CONTACT
    assert stage_named("deliv") is Stage.DELIVERY
    assert stage_named("c") is None  # contact, contract: which?
    assert stage_named("completed") is None  # closed stages have no limit
    assert set(QUIET_AFTER_DAYS) == {s for s in Stage if stage_named(s.value) is s}
