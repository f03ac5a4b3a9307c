"""Operations: Prometheus counters and a health check, kept out of the core.

The core (handlers/) knows nothing of this: :class:`MeteredCore` wraps ``Assistant.handle``,
:class:`MeteredNotifier` wraps the notifier the dispatcher and the digests send through, and
:class:`ErrorCounter` is a logging handler that counts every ERROR record. :class:`OpsServer`
serves ``/metrics`` (Prometheus text format) and ``/healthz`` on ``CRMBOT_METRICS_PORT``.
"""

from __future__ import annotations

import json
import logging
import time
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from prometheus_client import CollectorRegistry, Counter, Histogram

from handlers.domain import Rep
from handlers.messages import Incoming, Reply
from handlers.ports import Clock, HealthProbe, Notifier, RetryLater, Undeliverable
from handlers.reminder_card import LATE_AFTER

if TYPE_CHECKING:
    # aiohttp's server is imported only when the endpoint is served (CRMBOT_METRICS_PORT):
    # it is a fifth of a second of every start otherwise.
    from aiohttp import web

log = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
"""Seconds; dense around the 50 ms p99 target."""
STALE_DISPATCHER = timedelta(minutes=2)
"""/healthz fails when no dispatcher has run for this long (it runs at least every 30 s)."""

_errors_in_update: ContextVar[list[str] | None] = ContextVar("errors_in_update", default=None)
"""Loggers that logged an error while the current update was handled (see MeteredCore)."""


class Metrics:
    """One process's counters, in a registry of their own (tests make several)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.messages = Counter(
            "crmbot_messages",
            "Updates handled, by platform, kind (text, command, button) and outcome "
            "(answered; duplicate: a redelivery, not answered again; failed: the core "
            "answered that something went wrong)",
            ["platform", "kind", "outcome"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "crmbot_message_seconds",
            "Time to handle one update in the core, database included (sending excluded)",
            ["platform"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.notifications = Counter(
            "crmbot_notifications",
            "Reminders and digests handed to a chat platform, by kind (reminder, digest) "
            "and outcome (sent; throttled and error: tried again later; undeliverable)",
            ["kind", "outcome"],
            registry=self.registry,
        )
        self.errors = Counter(
            "crmbot_errors",
            "Errors logged (level ERROR and above), by logger",
            ["logger"],
            registry=self.registry,
        )


class ErrorCounter(logging.Handler):
    """Counts ERROR records; installed on the root logger while the service runs."""

    def __init__(self, metrics: Metrics) -> None:
        super().__init__(level=logging.ERROR)
        self._metrics = metrics

    def emit(self, record: logging.LogRecord) -> None:
        self._metrics.errors.labels(record.name).inc()
        seen = _errors_in_update.get()
        if seen is not None:
            seen.append(record.name)


def message_kind(incoming: Incoming) -> str:
    if incoming.is_button:
        return "button"
    return "command" if incoming.text.lstrip().startswith("/") else "text"


class _Core(Protocol):
    """The part of the Assistant that :class:`MeteredCore` wraps."""

    async def handle(self, incoming: Incoming) -> Reply | None: ...


class MeteredCore:
    """The core, counted: every update's outcome and latency.

    ``Assistant.handle`` never raises: a failure is logged and answered with an apology. The
    error it logs, in the same task, marks the update as failed (a context variable), so the
    count needs no knowledge of the apology's wording or language.
    """

    def __init__(self, core: _Core, metrics: Metrics) -> None:
        self._core = core
        self._metrics = metrics

    async def handle(self, incoming: Incoming) -> Reply | None:
        errors: list[str] = []
        token = _errors_in_update.set(errors)
        started = time.perf_counter()
        try:
            reply = await self._core.handle(incoming)
        finally:
            _errors_in_update.reset(token)
            self._metrics.latency.labels(incoming.platform).observe(time.perf_counter() - started)
        outcome = "failed" if errors else "duplicate" if reply is None else "answered"
        self._metrics.messages.labels(incoming.platform, message_kind(incoming), outcome).inc()
        return reply


class MeteredNotifier:
    """A notifier whose sends are counted under ``kind`` (reminder or digest)."""

    def __init__(self, notifier: Notifier, metrics: Metrics, kind: str) -> None:
        self._notifier = notifier
        self._counter = metrics.notifications
        self._kind = kind

    async def send(self, rep: Rep, reply: Reply) -> None:
        try:
            await self._notifier.send(rep, reply)
        except RetryLater:
            self._counter.labels(self._kind, "throttled").inc()
            raise
        except Undeliverable:
            self._counter.labels(self._kind, "undeliverable").inc()
            raise
        except Exception:
            self._counter.labels(self._kind, "error").inc()
            raise
        self._counter.labels(self._kind, "sent").inc()


async def health(probe: HealthProbe, now: datetime) -> tuple[bool, dict[str, object]]:
    """Whether this bot is healthy, and why: the database answers, and a dispatcher has run
    lately (in any process: the last run is kept in the database)."""
    try:
        state = await probe.dispatch_health(now, LATE_AFTER)
    except Exception as error:  # the database is away: that is what /healthz is for
        return False, {"status": "failing", "database": f"unreachable: {type(error).__name__}"}
    fresh = state.last_tick is not None and now - state.last_tick <= STALE_DISPATCHER
    body: dict[str, object] = {
        "status": "ok" if fresh else "failing",
        "database": "ok",
        "dispatcher_last_run": state.last_tick.isoformat() if state.last_tick else None,
        "reminders_due": state.due,
        "reminders_late": state.late,
        "reminders_failed": state.failed,
    }
    if not fresh:
        limit = int(STALE_DISPATCHER.total_seconds())
        body["problem"] = f"no reminder dispatcher has run for more than {limit} s"
    return fresh, body


class OpsServer:
    """``/metrics`` and ``/healthz`` over HTTP, on the service's own event loop."""

    def __init__(
        self, metrics: Metrics, probe: HealthProbe, clock: Clock, *, listen: str, port: int
    ) -> None:
        self._probe = probe
        self._clock = clock
        self._listen = listen
        self._port = port
        from aiohttp import web
        from prometheus_client.aiohttp import make_aiohttp_handler

        app = web.Application()
        app.router.add_get("/metrics", make_aiohttp_handler(metrics.registry))
        app.router.add_get("/healthz", self._healthz)
        self._runner = web.AppRunner(app, access_log=None)

    @property
    def address(self) -> str:
        return f"http://{self._listen}:{self._port}"

    async def start(self) -> None:
        from aiohttp import web

        await self._runner.setup()
        site = web.TCPSite(self._runner, self._listen, self._port)
        try:
            await site.start()
        except BaseException:
            await self._runner.cleanup()
            raise

    async def stop(self) -> None:
        await self._runner.cleanup()

    async def _healthz(self, request: web.Request) -> web.Response:
        from aiohttp import web

        healthy, body = await health(self._probe, self._clock.now())
        return web.Response(
            text=json.dumps(body),
            status=200 if healthy else 503,
            content_type="application/json",
        )
