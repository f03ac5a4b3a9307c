"""Core tests: the Assistant over in-memory fakes, at the fixed time of tests/conftest.py."""

from __future__ import annotations

from datetime import datetime

import pytest

from handlers.assistant import Assistant, CoreConfig
from handlers.clock import FixedClock
from handlers.messages import Incoming
from tests.fakes import FakeDatabase

ZONE = "Europe/Bucharest"


def console(text: str = "", user: str = "ana", button: str | None = None) -> Incoming:
    """A console message from ``user`` in Bucharest."""
    return Incoming(
        platform="console", user_id=user, chat_id=user, text=text, button=button, timezone=ZONE
    )


@pytest.fixture
def database(clock: FixedClock) -> FakeDatabase:
    return FakeDatabase(clock)


@pytest.fixture
def woken() -> list[datetime]:
    """Due times the core asked the dispatcher to wake up for."""
    return []


@pytest.fixture
def assistant(database: FakeDatabase, clock: FixedClock, woken: list[datetime]) -> Assistant:
    return Assistant(database, clock, CoreConfig(default_timezone=ZONE), woken.append)
