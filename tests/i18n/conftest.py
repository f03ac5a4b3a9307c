"""Language and terminology tests: the Assistant over in-memory fakes, as in tests/core."""

from __future__ import annotations

import pytest

from handlers.assistant import Assistant, CoreConfig
from handlers.clock import FixedClock
from handlers.domain import Rep, Role
from handlers.messages import Incoming
from tests.fakes import FakeDatabase

ZONE = "Europe/Bucharest"


def say(
    text: str = "", *, lang: str | None = None, button: str | None = None, user: str = "ana"
) -> Incoming:
    """A console message from ``user`` in Bucharest, with the platform's language ``lang``."""
    return Incoming(
        platform="console",
        user_id=user,
        chat_id=user,
        text=text,
        button=button,
        timezone=ZONE,
        language=lang,
    )


@pytest.fixture
def database(clock: FixedClock) -> FakeDatabase:
    return FakeDatabase(clock)


@pytest.fixture
def assistant(database: FakeDatabase, clock: FixedClock) -> Assistant:
    return Assistant(database, clock, CoreConfig(default_timezone=ZONE))


def rep_named(database: FakeDatabase, user: str) -> Rep:
    return next(rep for rep in database.state.reps.values() if rep.external_id == user)


async def add_member(database: FakeDatabase, team_id: int, user: str, role: Role) -> Rep:
    async with database() as uow:
        rep = await uow.reps.add(
            team_id=team_id, platform="console", external_id=user, chat_id=user,
            display_name=user, language="en", timezone=ZONE, role=role,
        )  # fmt: skip
        await uow.commit()
    return rep
