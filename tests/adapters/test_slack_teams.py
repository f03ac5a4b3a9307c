"""Slack routes the team commands: ``/crm join CODE`` reaches the core as ``/join CODE``."""

from __future__ import annotations

import pytest

from bot.slack import command_text
from handlers.assistant import Assistant
from handlers.clock import FixedClock
from tests.fakes import FakeDatabase


@pytest.mark.parametrize(
    ("typed", "core"),
    [
        ("join K7PMQX3R9T", "/join K7PMQX3R9T"),
        ("invite manager", "/invite manager"),
        ("team", "/team"),
        ("role Dan admin", "/role Dan admin"),
    ],
)
def test_crm_words_for_the_team_commands_become_core_commands(
    clock: FixedClock, typed: str, core: str
) -> None:
    assistant = Assistant(FakeDatabase(clock), clock)

    assert command_text(typed, assistant.command_names) == core
