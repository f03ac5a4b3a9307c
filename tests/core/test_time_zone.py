"""/tz: a rep sees their time zone and changes it; a guessed zone is said in the welcome."""

from __future__ import annotations

from handlers.assistant import Assistant, CoreConfig
from handlers.clock import FixedClock
from handlers.messages import Incoming
from handlers.onboarding import AWAITING_TZ
from tests.core.conftest import ZONE, console
from tests.fakes import FakeDatabase


def rep_zone(database: FakeDatabase, user: str = "ana") -> tuple[str, str | None]:
    rep = next(rep for rep in database.state.reps.values() if rep.external_id == user)
    return rep.timezone, rep.awaiting


async def test_tz_alone_shows_the_zone_and_offers_others(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await assistant.handle(console("/help"))

    reply = await assistant.handle(console("/tz"))

    assert f"Your time zone is {ZONE}" in reply.text
    labels = [button.label for button in reply.flat_buttons]
    assert not any(label.startswith("Bucharest") for label in labels)  # not the one it is
    assert labels[-1] == f"Skip: keep {ZONE}"
    assert rep_zone(database) == (ZONE, AWAITING_TZ)


async def test_a_city_after_tz_changes_the_zone_at_once(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await assistant.handle(console("/help"))

    reply = await assistant.handle(console("/tz lisbon"))

    assert "Time zone set: Europe/Lisbon" in reply.text
    assert rep_zone(database) == ("Europe/Lisbon", None)


async def test_a_city_typed_after_tz_alone_is_the_answer(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await assistant.handle(console("/help"))
    await assistant.handle(console("/tz"))

    reply = await assistant.handle(console("new york"))

    assert "Time zone set: America/New_York" in reply.text
    assert rep_zone(database) == ("America/New_York", None)


async def test_an_unknown_place_after_tz_asks_again_and_changes_nothing(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await assistant.handle(console("/help"))

    reply = await assistant.handle(console("/tz Atlantis Prime"))

    assert "I don't know the time zone “Atlantis Prime”" in reply.text
    assert rep_zone(database) == (ZONE, AWAITING_TZ)
    skipped = await assistant.handle(console(button=reply.flat_buttons[-1].payload))
    assert skipped.text == f"OK, your time zone stays {ZONE}."
    assert rep_zone(database) == (ZONE, None)


async def test_a_message_after_tz_is_captured_not_taken_for_a_zone(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await assistant.handle(console("/help"))
    await assistant.handle(console("/tz"))

    reply = await assistant.handle(console("Met Sam Reed from Northwind, wants a quote"))

    assert "Sam Reed" in reply.text
    assert rep_zone(database) == (ZONE, None)


def _unzoned(text: str) -> Incoming:
    return Incoming(platform="console", user_id="ana", chat_id="ana", text=text)


async def test_a_guessed_zone_is_said_once_with_how_to_change_it(
    database: FakeDatabase, clock: FixedClock
) -> None:
    assistant = Assistant(database, clock, CoreConfig(default_timezone="UTC", zone_guessed=True))

    first = await assistant.handle(_unzoned("/help"))
    second = await assistant.handle(_unzoned("/help"))

    assert "I read your times in UTC" in first.text
    assert "/tz" in first.text
    assert "I read your times" not in second.text


async def test_a_zone_that_was_given_is_not_announced(
    database: FakeDatabase, clock: FixedClock
) -> None:
    assistant = Assistant(database, clock, CoreConfig(default_timezone="UTC"))

    first = await assistant.handle(_unzoned("/help"))

    assert "I read your times" not in first.text
