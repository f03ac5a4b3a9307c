"""The migrations: safe to run again, in step with the models, and SQLite set up safely."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, insert, inspect, select

from storage.database import create_engine as create_async_engine_for
from storage.database import sync_url
from storage.migrate import alembic_config, upgrade
from storage.models import Base, TeamRow


def _sync_engine(database_url: str) -> Engine:
    return create_engine(sync_url(database_url))


def _current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def test_upgrading_a_migrated_database_again_changes_nothing(database_url: str) -> None:
    head = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
    engine = _sync_engine(database_url)
    try:
        assert head is not None
        assert _current_revision(engine) == head
        with engine.begin() as connection:
            connection.execute(
                insert(TeamRow).values(
                    name="Sales", default_hour=9, date_order="DMY", created_at=datetime.now(UTC)
                )
            )

        upgrade(database_url)
        upgrade(database_url)

        assert _current_revision(engine) == head
        with engine.connect() as connection:
            assert connection.scalars(select(TeamRow.name)).all() == ["Sales"]
    finally:
        engine.dispose()


def test_the_migrations_build_exactly_the_schema_the_models_describe(database_url: str) -> None:
    engine = _sync_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
            tables = set(inspect(connection).get_table_names())
    finally:
        engine.dispose()

    assert differences == []
    assert tables == set(Base.metadata.tables) | {"alembic_version"}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_sqlite_connections_use_wal_a_busy_timeout_and_foreign_keys(
    database_url: str,
) -> None:
    engine = create_async_engine_for(database_url)
    try:
        async with engine.connect() as connection:
            journal_mode = (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar()
            busy_timeout = (await connection.exec_driver_sql("PRAGMA busy_timeout")).scalar()
            foreign_keys = (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar()
    finally:
        await engine.dispose()

    assert str(journal_mode).lower() == "wal"
    assert isinstance(busy_timeout, int)
    assert busy_timeout > 0
    assert foreign_keys == 1


def test_upgrade_creates_the_folders_of_a_new_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new' / 'dir' / 'crm.db'}"

    upgrade(url)

    engine = _sync_engine(url)
    try:
        with engine.connect() as connection:
            assert connection.scalars(select(TeamRow.id)).all() == []
    finally:
        engine.dispose()


def test_upgrading_a_sqlite_database_with_data_keeps_every_row(tmp_path: Path) -> None:
    """Batch migrations rebuild tables on SQLite; rows that refer to them must survive."""
    import sqlite3

    from storage.migrate import upgrade

    path = tmp_path / "old.db"
    url = f"sqlite:///{path}"
    upgrade(url, "0001")
    stamp = "2026-11-23 08:00:00.000000"
    with sqlite3.connect(path) as connection:
        connection.executescript(
            f"""
            INSERT INTO teams (id, name, default_hour, date_order, created_at)
                VALUES (1, 'Acme sales', 9, 'DMY', '{stamp}');
            INSERT INTO reps (id, team_id, platform, external_id, chat_id, display_name,
                language, timezone, role, created_at)
                VALUES (1, 1, 'console', 'ana', 'ana', 'ana', 'en', 'UTC', 'admin', '{stamp}');
            INSERT INTO companies (id, team_id, name, name_key, created_at)
                VALUES (1, 1, 'Northwind', 'northwind', '{stamp}');
            INSERT INTO contacts (id, team_id, company_id, full_name, name_key, created_at)
                VALUES (1, 1, 1, 'Sam Reed', 'sam reed', '{stamp}');
            INSERT INTO reminders (id, team_id, rep_id, contact_id, company_id, due_at, text,
                status, attempts, created_at)
                VALUES (1, 1, 1, 1, 1, '{stamp}', 'call back', 'pending', 0, '{stamp}');
            """
        )

    upgrade(url)

    with sqlite3.connect(path) as connection:
        counts = {
            table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("teams", "reps", "companies", "contacts", "reminders")
        }
        assert counts == dict.fromkeys(counts, 1)
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []


def test_the_quick_head_check_reads_the_heads_alembic_reads(tmp_path: Path) -> None:
    from storage.migrate import script_heads

    heads = ScriptDirectory.from_config(
        alembic_config(f"sqlite:///{tmp_path / 'x.db'}")
    ).get_heads()

    assert script_heads() == set(heads)


def test_a_database_at_head_is_not_migrated_again_and_one_behind_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from alembic import command

    from storage.migrate import is_at_head

    url = f"sqlite:///{tmp_path / 'crm.db'}"
    assert not is_at_head(url)  # an empty file: Alembic must create everything
    upgrade(url, "0005")
    assert not is_at_head(url)
    upgrade(url)  # one behind the head: upgraded as before
    assert is_at_head(url)
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    engine = _sync_engine(url)
    try:
        assert _current_revision(engine) == head
    finally:
        engine.dispose()

    calls: list[str] = []
    monkeypatch.setattr(command, "upgrade", lambda config, revision: calls.append(revision))
    upgrade(url)  # already at head: Alembic is not run at all
    upgrade(url, "0005")  # an explicit revision always goes through Alembic

    assert calls == ["0005"]
