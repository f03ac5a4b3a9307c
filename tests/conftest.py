"""Shared fixtures: a fixed clock, and databases for the storage tests.

Storage tests run on SQLite always, and on PostgreSQL when ``CRMBOT_TEST_POSTGRES_URL`` names a
server (``.ci/run`` sets it). Under CI (``CI=true``) a missing PostgreSQL is an error, never a
silent skip. Each test session gets its own PostgreSQL database, dropped at the end.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from handlers.clock import FixedClock
from storage.database import create_engine as create_async_engine_for
from storage.migrate import upgrade
from storage.models import Base
from storage.unit_of_work import SqlUnitOfWorkFactory

POSTGRES_ENV = "CRMBOT_TEST_POSTGRES_URL"
# Monday 23 November 2026, 08:00 UTC (10:00 in Bucharest).
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test instead of migrating each time."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session."""
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{POSTGRES_ENV} is not set: CI must run the PostgreSQL storage tests")
        pytest.skip(
            f"PostgreSQL tests need {POSTGRES_ENV}, e.g. postgresql://postgres@127.0.0.1/test"
        )
    admin_url = make_url(server).set(drivername="postgresql+psycopg")
    name = f"crmbot_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _truncate_postgres(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    try:
        with engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty, migrated database of each backend."""
    if request.param == "sqlite":
        path = tmp_path / "crm.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_server_url")
    _truncate_postgres(url)
    return url


@pytest.fixture
async def uow_factory(database_url: str, clock: FixedClock) -> AsyncIterator[SqlUnitOfWorkFactory]:
    engine = create_async_engine_for(database_url)
    try:
        yield SqlUnitOfWorkFactory(engine, clock)
    finally:
        await engine.dispose()
