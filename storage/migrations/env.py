"""Alembic environment: migrations run with a blocking driver on the configured URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from storage.database import configure_sqlite, is_sqlite, sync_url
from storage.models import Base

config = context.config
url = config.get_main_option("sqlalchemy.url")
if not url:
    raise RuntimeError("no database URL given to the migrations")

target = sync_url(url)
connectable = create_engine(target, poolclass=pool.NullPool)
if is_sqlite(url):
    from sqlalchemy import event

    event.listen(connectable, "connect", configure_sqlite)

with connectable.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=is_sqlite(url),  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
connectable.dispose()
