"""A Bot API server double on loopback, for running the real ``crmbot run`` against.

It speaks the few methods the bot uses, in Telegram's response shapes ({"ok": true,
"result": ...}), serves scripted updates to getUpdates long polls, and records every call.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from tests.adapters.botapi import BotApi, Call

_JSON_PARAMETERS = {
    "allowed_updates",
    "commands",
    "link_preview_options",
    "reply_markup",
    "reply_parameters",
    "scope",
}
_NUMBERS = {"chat_id", "message_id", "offset", "limit", "timeout"}
_LONGEST_POLL = 0.5
"""getUpdates holds a request at most this long (or its own timeout) waiting for updates."""


def _decode(name: str, value: str) -> Any:
    if name in _JSON_PARAMETERS:
        return json.loads(value)
    if name in _NUMBERS and value.lstrip("-").isdigit():
        return int(value)
    return value


class FakeBotApi:
    def __init__(self, token: str) -> None:
        self.token = token
        self.api = BotApi()
        self._updates: list[dict[str, Any]] = []
        self._changed = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.results: list[tuple[Call, Any]] = []
        """Every call with the result it got, in order."""

    # -- the test's side -----------------------------------------------------------------

    def push(self, update: dict[str, Any]) -> None:
        """Queue an update for the bot's next getUpdates."""
        with self._changed:
            self._updates.append(update)
            self._changed.notify_all()

    def wait_for(
        self, found: Callable[[Call, Any], bool], what: str, deadline: float
    ) -> tuple[Call, Any]:
        """The first recorded call (with its result) that ``found`` accepts; fails at deadline."""
        with self._changed:
            while True:
                for call, result in self.results:
                    if found(call, result):
                        return call, result
                left = deadline - time.monotonic()
                if left <= 0:
                    methods = [call.method for call, _ in self.results]
                    raise AssertionError(f"timed out waiting for {what}; calls: {methods}")
                self._changed.wait(min(left, 0.2))

    def calls(self) -> list[Call]:
        with self._changed:
            return [call for call, _ in self.results]

    @contextmanager
    def running(self) -> Iterator[FakeBotApi]:
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            thread.join(timeout=5)

    # -- the bot's side ------------------------------------------------------------------

    def _answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if method == "getUpdates":
            offset = int(params.get("offset") or 0)
            wait = min(float(params.get("timeout") or 0), _LONGEST_POLL)
            with self._changed:
                self._changed.wait_for(
                    lambda: any(update["update_id"] >= offset for update in self._updates),
                    timeout=wait,
                )
                pending = [update for update in self._updates if update["update_id"] >= offset]
                self.results.append((Call(method, params), pending))
                self._changed.notify_all()
            return 200, {"ok": True, "result": pending}
        with self._changed:
            status, body = self.api.answer(method, params)
            self.results.append((self.api.calls[-1], body.get("result")))
            self._changed.notify_all()
        return status, body

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self._respond()

            def do_GET(self) -> None:
                self._respond()

            def _respond(self) -> None:
                prefix, _, method = self.path.lstrip("/").partition("/")
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if prefix != f"bot{fake.token}":
                    self._send(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                    return
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    params = json.loads(body or b"{}")
                else:
                    form = parse_qs(body.decode(), keep_blank_values=True)
                    params = {name: _decode(name, values[-1]) for name, values in form.items()}
                status, answer = fake._answer(method, params)
                self._send(status, answer)

            def _send(self, status: int, answer: dict[str, Any]) -> None:
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet: the test reads the recorded calls instead

        return Handler
