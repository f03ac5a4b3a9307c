"""The Bot API as the adapter tests see it: update JSON in Telegram's shapes, canned method
results, and a request class that records every call instead of going to the network.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass
from typing import Any

from telegram.request import BaseRequest, RequestData

TOKEN = "123456:TEST-token-never-logged"
BOT_ID = 777000111
BOT_USERNAME = "crm_test_bot"
BOT_USER = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "CRM",
    "username": BOT_USERNAME,
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
DATE = 1795420800  # 23 Nov 2026 08:00 UTC, the tests' fixed "now"

ANA = {"id": 4242, "is_bot": False, "first_name": "Ana", "last_name": "Pop", "language_code": "ro"}
"""A rep of the test team (inserted into the database by the tests)."""
STRANGER = {"id": 5151, "is_bot": False, "first_name": "Someone", "language_code": "en"}
GROUP = {"id": -1001234567890, "title": "Sales team", "type": "supergroup"}


def private_chat(user: dict[str, Any]) -> dict[str, Any]:
    chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
    if "last_name" in user:
        chat["last_name"] = user["last_name"]
    return chat


def _entities(text: str) -> list[dict[str, Any]]:
    """The entities Telegram marks in a text: a leading command, and @mentions."""
    entities = []
    if text.startswith("/"):
        entities.append({"type": "bot_command", "offset": 0, "length": len(text.split()[0])})
    offset = 0
    for word in text.split(" "):
        if word.startswith("@") and len(word) > 1:
            name = word.rstrip(":,")
            entities.append({"type": "mention", "offset": offset, "length": len(name)})
        offset += len(word) + 1
    return entities


def message(
    update_id: int,
    text: str | None = None,
    *,
    user: dict[str, Any] = ANA,
    chat: dict[str, Any] | None = None,
    message_id: int = 10,
    key: str = "message",
    **content: Any,
) -> dict[str, Any]:
    """An update carrying a message (``key="edited_message"`` for an edit)."""
    body: dict[str, Any] = {
        "message_id": message_id,
        "from": user,
        "chat": chat or private_chat(user),
        "date": DATE,
        **content,
    }
    if text is not None:
        body["text"] = text
        if entities := _entities(text):
            body["entities"] = entities
    if key == "edited_message":
        body["edit_date"] = DATE + 60
    return {"update_id": update_id, key: body}


PHOTO = {
    "photo": [
        {"file_id": "AgAD-small", "file_unique_id": "u1", "width": 90, "height": 67},
        {"file_id": "AgAD-large", "file_unique_id": "u2", "width": 1280, "height": 960},
    ]
}
VOICE = {"voice": {"file_id": "AwAD-voice", "file_unique_id": "v1", "duration": 7}}
STICKER = {
    "sticker": {
        "file_id": "CAAD-st",
        "file_unique_id": "s1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
}
LOCATION = {"location": {"latitude": 44.4268, "longitude": 26.1025}}


def callback(
    update_id: int,
    data: str,
    *,
    card_id: int,
    card_text: str = "card",
    user: dict[str, Any] = ANA,
    chat: dict[str, Any] | None = None,
    query_id: str = "4477",
) -> dict[str, Any]:
    """An update for a press of a button with ``data`` on the bot's message ``card_id``."""
    return {
        "update_id": update_id,
        "callback_query": {
            "id": query_id,
            "from": user,
            "chat_instance": "-8800555",
            "data": data,
            "message": {
                "message_id": card_id,
                "from": BOT_USER,
                "chat": chat or private_chat(user),
                "date": DATE,
                "text": card_text,
            },
        },
    }


@dataclass(frozen=True, slots=True)
class Call:
    method: str
    params: dict[str, Any]

    @property
    def buttons(self) -> list[list[str]]:
        """The callback data of the call's inline keyboard, row by row."""
        markup = self.params.get("reply_markup") or {}
        return [[button["callback_data"] for button in row] for row in markup["inline_keyboard"]]


class BotApi:
    """Canned results for the Bot API methods the bot uses, in Telegram's shapes."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.failures: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        self._message_ids = itertools.count(500)

    def fail(self, method: str, status: int, description: str, **parameters: Any) -> None:
        """Answer the next call of ``method`` with a Bot API error."""
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if parameters:
            body["parameters"] = parameters
        self.failures.setdefault(method, []).append((status, body))

    def answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        self.calls.append(Call(method, params))
        if self.failures.get(method):
            return self.failures[method].pop(0)
        return 200, {"ok": True, "result": self.result(method, params)}

    def result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "getUpdates":
            return []
        if method in ("sendMessage", "editMessageText"):
            chat_id = int(params["chat_id"])
            sent = {
                "message_id": int(params.get("message_id") or next(self._message_ids)),
                "from": BOT_USER,
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
                "date": DATE,
                "text": params["text"],
            }
            if params.get("reply_markup"):
                sent["reply_markup"] = params["reply_markup"]
            return sent
        return True  # setMyCommands, answerCallbackQuery, deleteWebhook, setWebhook...

    def sent(self) -> list[Call]:
        """What the bot said or did in chats (not its setup calls)."""
        return [
            call
            for call in self.calls
            if call.method in ("sendMessage", "editMessageText", "answerCallbackQuery")
        ]

    def methods(self) -> list[str]:
        return [call.method for call in self.sent()]


class RecordingRequest(BaseRequest):
    """PTB's transport, replaced: each call goes to :class:`BotApi`, nothing to the network."""

    def __init__(self, api: BotApi) -> None:
        self.api = api

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        if name == "getUpdates":
            await asyncio.sleep(0.05)  # a long poll that found nothing, briefly
        status, body = self.api.answer(name, params)
        return status, json.dumps(body).encode()
