"""An update that loses a race with another one, or its database connection, is run again,
once, and stores once."""

from __future__ import annotations

from types import TracebackType
from typing import Self

import pytest

from handlers.assistant import Assistant, CoreConfig
from handlers.clock import FixedClock
from handlers.domain import ActivityKind
from handlers.ports import ConcurrentChange, ConnectionLost, TryAgain
from tests.core.conftest import ZONE, console
from tests.fakes import FakeDatabase, FakeUnitOfWork


class LosingFirst:
    """A unit-of-work factory whose first ``races`` commits fail with ``failure``."""

    def __init__(self, database: FakeDatabase, races: int, failure: TryAgain) -> None:
        self.database, self.races, self.opened = database, races, 0
        self.failure = failure

    def __call__(self) -> _Racing:
        self.opened += 1
        return _Racing(self, self.database())


class _Racing:
    def __init__(self, factory: LosingFirst, inner: FakeUnitOfWork) -> None:
        self._factory, self._inner = factory, inner

    async def __aenter__(self) -> Self:
        await self._inner.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._inner.__aexit__(exc_type, exc, tb)

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)

    async def commit(self) -> None:
        if self._factory.races:
            self._factory.races -= 1
            raise self._factory.failure
        await self._inner.commit()


FAILURES = [
    pytest.param(ConcurrentChange("company 7 was deleted meanwhile"), id="race"),
    pytest.param(ConnectionLost("server closed the connection unexpectedly"), id="connection"),
]


@pytest.mark.parametrize("failure", FAILURES)
async def test_a_message_that_lost_a_race_is_stored_once_on_the_second_run(
    database: FakeDatabase, clock: FixedClock, failure: TryAgain
) -> None:
    factory = LosingFirst(database, races=1, failure=failure)
    assistant = Assistant(factory, clock, CoreConfig(default_timezone=ZONE))  # type: ignore[arg-type]

    reply = await assistant.handle(console("Met Sam Reed from Northwind, call back tomorrow"))

    assert reply is not None
    assert "Meeting with Sam Reed (Northwind) saved" in reply.text
    assert factory.opened == 2
    kinds = [a.kind for a in database.state.activities.values()]
    assert kinds == [ActivityKind.MEETING]
    assert len(database.state.reminders) == 1


@pytest.mark.parametrize("failure", FAILURES)
async def test_a_second_lost_race_is_reported_and_nothing_is_stored(
    database: FakeDatabase, clock: FixedClock, failure: TryAgain
) -> None:
    factory = LosingFirst(database, races=2, failure=failure)
    assistant = Assistant(factory, clock, CoreConfig(default_timezone=ZONE))  # type: ignore[arg-type]

    reply = await assistant.handle(console("Met Sam Reed from Northwind"))

    assert reply is not None
    assert "nothing was saved" in reply.text
    assert factory.opened == 2
    assert database.state.activities == {}
