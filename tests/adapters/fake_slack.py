"""A Slack Web API double on loopback, and Slack's requests as the adapter receives them.

The server answers the few methods the bot uses (auth.test, chat.postMessage, chat.update,
conversations.open, users.info, apps.connections.open) in Slack's JSON shapes, takes
response_url posts, records every call, and fails a method on request (``fail``). The request
builders make event, slash command and block_actions bodies as Slack sends them, signed
with the v0 scheme (HMAC-SHA256 over ``v0:<timestamp>:<raw body>``).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

BOT_TOKEN = "xoxb-1111-2222-TEST-bot-token-never-logged"
APP_TOKEN = "xapp-1-A0CRM-3333-TEST-app-token-never-logged"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TEAM_ID = "T0ACME"
BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
BOT_NAME = "crm"
TEAM_NAME = "Acme"

ANA = "U0ANA"
"""A rep of the test team (inserted into the database by the tests)."""
STRANGER = "U0STRANGER"
ANA_DM = "D0ANA"
GENERAL = "C0GENERAL"

USERS: dict[str, dict[str, Any]] = {
    ANA: {
        "id": ANA,
        "team_id": TEAM_ID,
        "name": "ana",
        "real_name": "Ana Pop",
        "locale": "ro-RO",
        "tz": "Europe/Bucharest",
        "is_bot": False,
        "profile": {"real_name": "Ana Pop", "display_name": "ana"},
    },
    STRANGER: {
        "id": STRANGER,
        "team_id": TEAM_ID,
        "name": "someone",
        "real_name": "Someone Else",
        "locale": "en-US",
        "is_bot": False,
        "profile": {"real_name": "Someone Else", "display_name": ""},
    },
}


def dm_of(user_id: str) -> str:
    """The bot's DM channel with a user, as conversations.open gives it."""
    return "D" + user_id[1:]


@dataclass(frozen=True, slots=True)
class Call:
    method: str
    params: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    answer: dict[str, Any] = field(default_factory=dict)
    """What the double answered (a posted message's ``ts`` is in it)."""

    @property
    def buttons(self) -> list[list[str]]:
        """The values of the message's buttons, one list per actions block."""
        return [
            [element["value"] for element in block["elements"]]
            for block in self.params.get("blocks") or []
            if block["type"] == "actions"
        ]

    @property
    def section_text(self) -> str:
        """The text of the message's sections, joined."""
        return "\n".join(
            block["text"]["text"]
            for block in self.params.get("blocks") or []
            if block["type"] == "section"
        )


@dataclass
class _Failure:
    status: int
    error: str
    headers: dict[str, str]


class FakeSlack:
    """The Web API at ``url`` (``http://127.0.0.1:PORT/api/``), response URLs beside it."""

    def __init__(self, token: str = BOT_TOKEN, app_token: str = APP_TOKEN) -> None:
        self.token = token
        self.app_token = app_token
        self.wss_url = "ws://127.0.0.1:9/link"
        """What apps.connections.open answers (a Socket Mode test sets its own)."""
        self.calls: list[Call] = []
        self._failures: dict[str, list[_Failure]] = {}
        self._ts = itertools.count(1)
        self._changed = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.root = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.url = f"{self.root}/api/"

    # -- the test's side -----------------------------------------------------------------

    def response_url(self, name: str = "1") -> str:
        return f"{self.root}/respond/{name}"

    def fail(
        self, method: str, error: str, status: int = 200, headers: dict[str, str] | None = None
    ) -> None:
        """Make the next call of ``method`` fail with Slack's ``{"ok": false, "error": …}``."""
        with self._changed:
            self._failures.setdefault(method, []).append(_Failure(status, error, headers or {}))

    def methods(self) -> list[str]:
        with self._changed:
            return [call.method for call in self.calls]

    def sent(self) -> list[Call]:
        """Everything that reached a rep: messages, updates and response_url answers."""
        with self._changed:
            return [
                call
                for call in self.calls
                if call.method in ("chat.postMessage", "chat.update", "response_url")
            ]

    def only(self, method: str) -> Call:
        matching = [call for call in self.sent() if call.method == method]
        assert len(matching) == 1, self.methods()
        return matching[0]

    def wait_until(self, method: str, count: int = 1, within: float = 10.0) -> list[Call]:
        """Like :meth:`wait_for`, blocking: for tests that run the bot in another process."""
        deadline = time.monotonic() + within
        with self._changed:
            while True:
                matching = [call for call in self.calls if call.method == method]
                if len(matching) >= count:
                    return matching[:count]
                left = deadline - time.monotonic()
                if left <= 0:
                    methods = [call.method for call in self.calls]
                    raise AssertionError(f"timed out waiting for {count} {method}; {methods}")
                self._changed.wait(min(left, 0.2))

    async def wait_for(self, method: str, count: int = 1, within: float = 10.0) -> list[Call]:
        """The first ``count`` calls of ``method``, once there are that many; fails after
        ``within`` seconds."""
        deadline = time.monotonic() + within
        while True:
            with self._changed:
                matching = [call for call in self.calls if call.method == method]
            if len(matching) >= count:
                return matching[:count]
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {count} {method}; {self.methods()}")
            await asyncio.sleep(0.01)

    @contextmanager
    def running(self) -> Iterator[FakeSlack]:
        thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            thread.join(timeout=5)

    # -- the bot's side ------------------------------------------------------------------

    def _answer(
        self, method: str, params: dict[str, Any], headers: dict[str, str]
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self._changed:
            failures = self._failures.get(method)
            failure = failures.pop(0) if failures else None
            status, answer, extra = 200, {"ok": False, "error": "invalid_auth"}, {}
            expected = self.app_token if method == "apps.connections.open" else self.token
            if failure is not None:
                status, answer = failure.status, {"ok": False, "error": failure.error}
                extra = failure.headers
            elif headers.get("authorization") == f"Bearer {expected}":
                answer = self._result(method, params)
            self.calls.append(Call(method, params, headers, answer))
            self._changed.notify_all()
        return status, answer, extra

    def _result(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://acme.slack.com/",
                "team": TEAM_NAME,
                "user": BOT_NAME,
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
                "is_enterprise_install": False,
            }
        if method == "apps.connections.open":
            return {"ok": True, "url": self.wss_url}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": dm_of(str(params["users"]))}}
        if method == "users.info":
            user = USERS.get(str(params.get("user")))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method in ("chat.postMessage", "chat.update"):
            ts = params.get("ts") or f"1795420800.{next(self._ts):06d}"
            message = {
                "type": "message",
                "user": BOT_USER_ID,
                "bot_id": BOT_ID,
                "text": params.get("text", ""),
                "blocks": params.get("blocks", []),
                "ts": ts,
            }
            return {"ok": True, "channel": params["channel"], "ts": ts, "message": message}
        return {"ok": False, "error": "unknown_method"}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._respond()

            def do_POST(self) -> None:
                self._respond()

            def _respond(self) -> None:
                url = urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {name.lower(): value for name, value in self.headers.items()}
                params: dict[str, Any] = {
                    name: values[-1] for name, values in parse_qs(url.query).items()
                }
                if headers.get("content-type", "").startswith("application/json"):
                    params.update(json.loads(body or b"{}"))
                elif body:
                    form = parse_qs(body.decode(), keep_blank_values=True)
                    params.update({name: values[-1] for name, values in form.items()})
                if url.path.startswith("/respond/"):
                    with fake._changed:
                        fake.calls.append(Call("response_url", params, headers))
                        fake._changed.notify_all()
                    self._send(200, b"ok", "text/plain", {})
                    return
                method = url.path.removeprefix("/api/")
                status, answer, extra = fake._answer(method, params, headers)
                self._send(status, json.dumps(answer).encode(), "application/json", extra)

            def _send(
                self, status: int, payload: bytes, content_type: str, extra: dict[str, str]
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", f"{content_type}; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet: the test reads the recorded calls instead

        return Handler


# ---------------------------------------------------------------------------------------------
# Requests from Slack


def signed(
    body: bytes, secret: str = SIGNING_SECRET, timestamp: int | None = None
) -> dict[str, str]:
    """The headers Slack signs a request with (v0: HMAC-SHA256 of v0:timestamp:body)."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    base = b"v0:" + stamp.encode() + b":" + body
    signature = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}


@dataclass(frozen=True, slots=True)
class SlackRequest:
    body: bytes
    content_type: str

    @property
    def payload(self) -> dict[str, Any]:
        """The body as a dict (what Socket Mode carries instead of an HTTP body)."""
        if self.content_type == "application/json":
            parsed: dict[str, Any] = json.loads(self.body)
            return parsed
        form = {name: values[-1] for name, values in parse_qs(self.body.decode()).items()}
        if "payload" in form:
            parsed = json.loads(form["payload"])
            return parsed
        return form


def message_event(
    event_id: str,
    text: str = "",
    *,
    user: str = ANA,
    channel: str | None = None,
    channel_type: str = "im",
    ts: str = "1795420800.000100",
    **fields: Any,
) -> SlackRequest:
    """An Events API envelope with a message event (``fields`` adds or overrides keys)."""
    event: dict[str, Any] = {
        "type": "message",
        "channel": channel or dm_of(user),
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "channel_type": channel_type,
        "client_msg_id": f"msg-{event_id}",
        **fields,
    }
    envelope = {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "api_app_id": "A0CRM",
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": 1795420800,
        "authorizations": [
            {"enterprise_id": None, "team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}
        ],
        "is_ext_shared_channel": False,
    }
    return SlackRequest(json.dumps(envelope).encode(), "application/json")


def slash_command(
    text: str,
    *,
    trigger_id: str,
    response_url: str,
    user: str = ANA,
    channel: str | None = None,
    command: str = "/crm",
) -> SlackRequest:
    channel = channel or dm_of(user)
    form = {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "team_domain": "acme",
        "channel_id": channel,
        "channel_name": "directmessage" if channel.startswith("D") else "general",
        "user_id": user,
        "user_name": USERS.get(user, {}).get("name", "someone"),
        "command": command,
        "text": text,
        "api_app_id": "A0CRM",
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }
    return SlackRequest(urlencode(form).encode(), "application/x-www-form-urlencoded")


def button_press(
    value: str,
    *,
    trigger_id: str,
    message_ts: str,
    response_url: str,
    user: str = ANA,
    channel: str | None = None,
    ephemeral: bool = False,
    action_id: str = "crm:0",
) -> SlackRequest:
    """A block_actions payload for a press of a button with ``value`` on message_ts."""
    channel = channel or dm_of(user)
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": "ana", "name": "ana", "team_id": TEAM_ID},
        "api_app_id": "A0CRM",
        "token": "legacy-verification-token",
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": ephemeral,
        },
        "trigger_id": trigger_id,
        "team": {"id": TEAM_ID, "domain": "acme"},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel, "name": "directmessage"},
        "message": {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "text": "card",
            "ts": message_ts,
        },
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [
            {
                "action_id": action_id,
                "block_id": "b1",
                "text": {"type": "plain_text", "text": "Press", "emoji": True},
                "value": value,
                "type": "button",
                "action_ts": "1795420860.000001",
            }
        ],
    }
    return SlackRequest(
        urlencode({"payload": json.dumps(payload)}).encode(), "application/x-www-form-urlencoded"
    )
