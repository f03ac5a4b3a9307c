"""Socket Mode: the adapter opens a WebSocket (apps.connections.open with the app token) and
takes Slack's envelopes over it, acknowledging each one.

A small aiohttp WebSocket server on loopback plays Slack's Socket Mode endpoint; the Web API
double answers apps.connections.open with its address. The core is a stand-in that echoes.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import WSMsgType, web
from slack_sdk.errors import SlackApiError

from bot.slack import SlackAdapter, SocketMode
from handlers.messages import Incoming, Reply
from reminders.ratelimit import SendLimiter
from tests.adapters.fake_slack import (
    ANA,
    ANA_DM,
    APP_TOKEN,
    BOT_TOKEN,
    FakeSlack,
    message_event,
    slash_command,
)

WAIT = 10.0


class EchoCore:
    def __init__(self) -> None:
        self.seen: list[Incoming] = []
        self._ids: set[str | None] = set()

    async def handle(self, incoming: Incoming) -> Reply | None:
        self.seen.append(incoming)
        if incoming.update_id in self._ids:
            return None  # the real core's redelivery rule
        self._ids.add(incoming.update_id)
        return Reply(f"got: {incoming.text}")


@dataclass
class SocketModeServer:
    """Slack's Socket Mode endpoint: sends envelopes, records what the app answers."""

    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    connected: asyncio.Event = field(default_factory=asyncio.Event)
    socket: web.WebSocketResponse | None = None

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self.socket = socket
        await socket.send_json(
            {
                "type": "hello",
                "num_connections": 1,
                "debug_info": {"host": "applink-test", "approximate_connection_time": 18060},
                "connection_info": {"app_id": "A0CRM"},
            }
        )
        self.connected.set()
        async for message in socket:
            if message.type == WSMsgType.TEXT:
                self.received.append(json.loads(message.data))
        return socket

    async def send(self, envelope: dict[str, Any]) -> None:
        assert self.socket is not None
        await self.socket.send_json(envelope)

    async def acked(self, envelope_id: str) -> dict[str, Any]:
        deadline = time.monotonic() + WAIT
        while True:
            for answer in self.received:
                if answer.get("envelope_id") == envelope_id:
                    return answer
            assert time.monotonic() < deadline, f"no ack for {envelope_id}: {self.received}"
            await asyncio.sleep(0.01)


@pytest.fixture
async def endpoint() -> AsyncIterator[SocketModeServer]:
    server = SocketModeServer()
    app = web.Application()
    app.router.add_get("/link", server.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    server.url = f"ws://127.0.0.1:{port}/link"
    try:
        yield server
    finally:
        if server.socket is not None:
            await server.socket.close()
        await runner.cleanup()


async def test_socket_mode_takes_envelopes_acks_them_and_answers(
    endpoint: SocketModeServer,
) -> None:
    core = EchoCore()
    with FakeSlack().running() as slack:
        slack.wss_url = endpoint.url
        adapter = SlackAdapter(
            core,
            SendLimiter(limits={}),
            bot_token=BOT_TOKEN,
            mode=SocketMode(APP_TOKEN),
            api_base_url=slack.url,
        )
        await adapter.start()
        try:
            await asyncio.wait_for(endpoint.connected.wait(), WAIT)
            opened = next(call for call in slack.calls if call.method == "apps.connections.open")
            assert opened.headers["authorization"] == f"Bearer {APP_TOKEN}"

            # An event, then Slack's retry of it (same event_id, retry_attempt 1).
            event = message_event("Ev0SOCK", "Called Ana at Acme").payload
            for attempt, envelope_id in enumerate(("env-1", "env-2")):
                await endpoint.send(
                    {
                        "envelope_id": envelope_id,
                        "payload": event,
                        "type": "events_api",
                        "accepts_response_payload": False,
                        "retry_attempt": attempt,
                        "retry_reason": "timeout" if attempt else "",
                    }
                )
                assert await endpoint.acked(envelope_id) == {"envelope_id": envelope_id}
                deadline = time.monotonic() + WAIT
                while len(core.seen) < attempt + 1:
                    assert time.monotonic() < deadline
                    await asyncio.sleep(0.01)
                await adapter.idle(WAIT)

            # A slash command.
            command = slash_command(
                "today", trigger_id="9.9.sock", response_url=slack.response_url()
            ).payload
            await endpoint.send(
                {
                    "envelope_id": "env-3",
                    "payload": command,
                    "type": "slash_commands",
                    "accepts_response_payload": True,
                }
            )
            assert await endpoint.acked("env-3") == {"envelope_id": "env-3"}
            first, second = await slack.wait_for("chat.postMessage", count=2)
        finally:
            await adapter.stop()

    assert [incoming.update_id for incoming in core.seen] == ["Ev0SOCK", "Ev0SOCK", "9.9.sock"]
    assert core.seen[2].text == "/today"
    assert core.seen[2].user_id == ANA
    assert (first.params["channel"], first.section_text) == (ANA_DM, "got: Called Ana at Acme")
    assert (second.params["channel"], second.section_text) == (ANA_DM, "got: /today")
    assert slack.methods().count("chat.postMessage") == 2  # the retry was not answered


async def test_a_rejected_app_token_fails_the_start_instead_of_retrying_forever() -> None:
    with FakeSlack(app_token="xapp-1-the-right-one").running() as slack:
        adapter = SlackAdapter(
            EchoCore(),
            SendLimiter(),
            bot_token=BOT_TOKEN,
            mode=SocketMode(APP_TOKEN),
            api_base_url=slack.url,
        )
        try:
            with pytest.raises(SlackApiError) as caught:
                await adapter.start()
        finally:
            await adapter.stop()

    assert caught.value.response["error"] == "invalid_auth"
    assert str(caught.value.response.api_url).endswith("apps.connections.open")


async def test_a_rejected_bot_token_fails_the_start() -> None:
    with FakeSlack(token="xoxb-the-right-one").running() as slack:
        adapter = SlackAdapter(
            EchoCore(),
            SendLimiter(),
            bot_token=BOT_TOKEN,
            mode=SocketMode(APP_TOKEN),
            api_base_url=slack.url,
        )
        with pytest.raises(SlackApiError) as caught:
            await adapter.start()
        await adapter.stop()

    assert caught.value.response["error"] == "invalid_auth"
    assert slack.methods() == ["auth.test"]
