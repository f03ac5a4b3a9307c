"""Webhook mode: setWebhook with a secret, and requests without that secret turned away."""

from __future__ import annotations

import asyncio

import httpx

from bot.telegram import TelegramAdapter, Webhook, build_application
from handlers.messages import Incoming, Reply
from reminders.ratelimit import SendLimiter
from tests.adapters.botapi import ANA, TOKEN, BotApi, RecordingRequest, message
from tests.adapters.doubles import free_port

SECRET = "s3cret-Token_for-tests"


class EchoCore:
    def __init__(self) -> None:
        self.seen: list[Incoming] = []

    async def handle(self, incoming: Incoming) -> Reply | None:
        self.seen.append(incoming)
        return Reply(f"got: {incoming.text}")


async def test_the_webhook_takes_only_requests_with_the_secret_token() -> None:
    api, core, port = BotApi(), EchoCore(), free_port()
    request = RecordingRequest(api)
    application = build_application(TOKEN, request=request, updates_request=request)
    adapter = TelegramAdapter(core, SendLimiter(), application)
    hook = Webhook(
        url="https://bot.example.com/telegram/updates",
        secret=SECRET,
        listen="127.0.0.1",
        port=port,
    )
    await adapter.start(hook)
    try:
        registered = next(call for call in api.calls if call.method == "setWebhook")
        assert registered.params["url"] == "https://bot.example.com/telegram/updates"
        assert registered.params["secret_token"] == SECRET
        assert registered.params["allowed_updates"] == ["message", "callback_query"]

        endpoint = f"http://127.0.0.1:{port}/telegram/updates"
        async with httpx.AsyncClient(timeout=5) as client:
            missing = await client.post(endpoint, json=message(1, "/today"))
            wrong = await client.post(
                endpoint,
                json=message(2, "/today"),
                headers={"X-Telegram-Bot-Api-Secret-Token": "guess"},
            )
            right = await client.post(
                endpoint,
                json=message(3, "Called Ana at Acme"),
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            )
        assert (missing.status_code, wrong.status_code, right.status_code) == (403, 403, 200)

        for _ in range(250):
            if api.sent():
                break
            await asyncio.sleep(0.02)
        assert [incoming.update_id for incoming in core.seen] == ["3"]
        (sent,) = api.sent()
        assert sent.params["chat_id"] == ANA["id"]
        assert sent.params["text"] == "got: Called Ana at Acme"
    finally:
        await adapter.stop()
