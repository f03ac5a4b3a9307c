"""Messages nobody asked for (a reminder falling due, a manager's warning) come in the
recipient's own language."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from handlers.clock import FixedClock
from handlers.ports import Undeliverable
from tests.reminders.test_dispatcher import Harness, ScriptedNotifier


@pytest.fixture
async def harness(database_url: str, clock: FixedClock) -> AsyncIterator[Harness]:
    harness = Harness(database_url, clock)
    try:
        yield harness
    finally:
        await harness.engine.dispose()


async def test_a_reminder_card_comes_in_the_reps_language(harness: Harness) -> None:
    await harness.say("/lang ro")
    await harness.say("Met Sam Reed from Northwind, wants a quote, call back at 11")
    notifier = ScriptedNotifier()
    harness.clock.advance(timedelta(hours=1))

    await harness.dispatcher(notifier).run_once()

    ((_, card),) = notifier.sent
    assert card.text.splitlines() == [
        "⏰ E timpul să suni: Sam Reed (Northwind).",
        "Ai scris: „call back at 11”",
        "Ultima activitate (întâlnire), azi: „Met Sam Reed from Northwind, wants a quote, "
        "call back at 11”",
    ]
    assert [b.label for b in card.flat_buttons] == ["✓ Gata", "Amână 1 h", "Mâine", "Alege ora"]


async def test_a_manager_hears_of_an_undeliverable_reminder_in_their_language(
    harness: Harness,
) -> None:
    await harness.say("Met Sam Reed from Northwind, call back at 11")  # ana, in English
    await harness.add_manager("mia")
    await harness.say("/lang es", user="mia")
    notifier = ScriptedNotifier(Undeliverable("bot was blocked by the user"))
    harness.clock.advance(timedelta(hours=1))

    await harness.dispatcher(notifier).run_once()

    ((manager, warning),) = notifier.sent
    assert manager.external_id == "mia"
    assert warning.text.startswith(
        "⚠️ No he podido entregar un recordatorio a ana sobre Sam Reed (Northwind): "
        "bot was blocked by the user."
    )
