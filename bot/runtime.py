"""Building the running bot: database, migrations, the core, for any adapter."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from handlers.assistant import Assistant, CoreConfig
from handlers.clock import SystemClock
from handlers.ports import Clock
from storage.database import create_engine
from storage.migrate import upgrade
from storage.unit_of_work import SqlUnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class Runtime:
    assistant: Assistant
    uow_factory: SqlUnitOfWorkFactory
    clock: Clock


@asynccontextmanager
async def open_runtime(
    database_url: str, config: CoreConfig, clock: Clock | None = None, *, migrate: bool = True
) -> AsyncIterator[Runtime]:
    """The core wired to the database at ``database_url``, migrated first when asked."""
    if migrate:
        upgrade(database_url)
    clock = clock or SystemClock()
    engine = create_engine(database_url)
    try:
        uow_factory = SqlUnitOfWorkFactory(engine, clock)
        yield Runtime(Assistant(uow_factory, clock, config), uow_factory, clock)
    finally:
        await engine.dispose()
