"""Alembic environment: migrations run with a blocking driver on the configured URL."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import create_engine, event, pool

from storage.database import configure_sqlite, is_sqlite, sync_url
from storage.models import Base

config = context.config
url = config.get_main_option("sqlalchemy.url")
if not url:
    raise RuntimeError("no database URL given to the migrations")


def _sqlite_for_migrations(dbapi_connection: Any, connection_record: Any) -> None:
    configure_sqlite(dbapi_connection, connection_record)
    # Batch migrations rebuild a table by copying and dropping it; with foreign keys enforced,
    # dropping a table other rows refer to fails. They are off while migrating and checked
    # before the migration commits.
    dbapi_connection.execute("PRAGMA foreign_keys=OFF")


def _begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")  # one transaction: a failed migration leaves nothing


target = sync_url(url)
sqlite = is_sqlite(url)
connectable = create_engine(target, poolclass=pool.NullPool)
if sqlite:
    event.listen(connectable, "connect", _sqlite_for_migrations)
    event.listen(connectable, "begin", _begin)

with connectable.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=sqlite,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")
connectable.dispose()
