"""A database connection broken under the bot (a restarted server, a dropped idle connection)
costs no message: the update meets it, the pool replaces it, and the core runs the update
again. Without a test query before every use, this is what keeps a restart harmless."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, select, text

from bot.runtime import open_runtime
from handlers.assistant import CoreConfig
from handlers.messages import Incoming
from handlers.texts import FAILED
from storage.database import APPLICATION_NAME, sync_url
from storage.models import ActivityRow
from tests.conftest import _truncate_postgres


def _message(text: str, update_id: str) -> Incoming:
    return Incoming(
        platform="console", user_id="ana", chat_id="ana", text=text, update_id=update_id
    )


def _cut_the_bots_connections(url: str) -> int:
    """What a server restart does to the bot's pooled connections."""
    admin = create_engine(sync_url(url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            return len(
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND application_name = :name"
                    ),
                    {"name": APPLICATION_NAME},
                ).all()
            )
    finally:
        admin.dispose()


@pytest.mark.postgres
async def test_a_message_after_the_connections_were_cut_is_answered_and_stored_once(
    postgres_server_url: str,
) -> None:
    _truncate_postgres(postgres_server_url)
    config = CoreConfig(default_timezone="Europe/Bucharest")
    async with open_runtime(postgres_server_url, config, migrate=False) as runtime:
        first = await runtime.assistant.handle(_message("Called Ana Pop from Globex", "1"))
        assert _cut_the_bots_connections(postgres_server_url) >= 1

        second = await runtime.assistant.handle(_message("Met Ion Rusu from Initech", "2"))

    assert first is not None
    assert second is not None
    assert not second.text.startswith(FAILED)
    assert "Ion Rusu" in second.text
    engine = create_engine(sync_url(postgres_server_url))
    try:
        with engine.connect() as connection:
            texts = connection.scalars(select(ActivityRow.text).order_by(ActivityRow.id)).all()
            assert connection.scalar(select(func.count()).select_from(ActivityRow)) == 2
    finally:
        engine.dispose()
    assert texts == ["Called Ana Pop from Globex", "Met Ion Rusu from Initech"]
