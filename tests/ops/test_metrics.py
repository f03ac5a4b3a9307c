"""Counters and the health check: they move when the bot works, and say when it does not."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.metrics import ErrorCounter, MeteredCore, MeteredNotifier, Metrics, OpsServer
from handlers.clock import FixedClock
from handlers.domain import Rep, Role
from handlers.messages import Incoming, Reply
from handlers.ports import DispatchHealth, RetryLater, Undeliverable
from tests.adapters.doubles import free_port

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def sample(metrics: Metrics, name: str, **labels: str) -> float:
    value = metrics.registry.get_sample_value(name, labels)
    return 0.0 if value is None else value


class Core:
    """Answers, ignores a redelivery, or fails the way the Assistant does (log, apologise)."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    async def handle(self, incoming: Incoming) -> Reply | None:
        if incoming.text == "boom":
            logging.getLogger("handlers.assistant").error("update failed")
            return Reply("Sorry, something went wrong")
        if incoming.update_id in self.seen:
            return None
        self.seen.add(incoming.update_id or "")
        return Reply("ok")


@pytest.fixture
def metrics() -> AsyncIterator[Metrics]:
    metrics = Metrics()
    counter = ErrorCounter(metrics)
    logging.getLogger().addHandler(counter)
    try:
        yield metrics
    finally:
        logging.getLogger().removeHandler(counter)


def update(text: str, update_id: str, *, button: str | None = None) -> Incoming:
    return Incoming("telegram", "7", "7", text=text, button=button, update_id=update_id)


async def test_messages_are_counted_by_outcome_with_their_latency(metrics: Metrics) -> None:
    core = MeteredCore(Core(), metrics)

    assert (await core.handle(update("Met Sam", "1"))) == Reply("ok")
    await core.handle(update("Met Sam", "1"))  # redelivered
    await core.handle(update("/today", "2"))
    await core.handle(update("", "3", button="u:1"))
    await core.handle(update("boom", "4"))

    def messages(kind: str, outcome: str) -> float:
        return sample(
            metrics, "crmbot_messages_total", platform="telegram", kind=kind, outcome=outcome
        )

    assert messages("text", "answered") == 1
    assert messages("text", "duplicate") == 1
    assert messages("command", "answered") == 1
    assert messages("button", "answered") == 1
    assert messages("text", "failed") == 1
    assert sample(metrics, "crmbot_message_seconds_count", platform="telegram") == 5
    assert sample(metrics, "crmbot_errors_total", logger="handlers.assistant") == 1


async def test_sends_are_counted_by_kind_and_outcome(metrics: Metrics) -> None:
    class Flaky:
        def __init__(self) -> None:
            self.errors = [None, RetryLater(3), Undeliverable("blocked"), OSError("reset")]

        async def send(self, rep: Rep, reply: Reply) -> None:
            error = self.errors.pop(0)
            if error is not None:
                raise error

    notifier = MeteredNotifier(Flaky(), metrics, "reminder")
    rep = Rep(1, 1, "telegram", "7", "7", "Ana", "en", "UTC", Role.REP)
    await notifier.send(rep, Reply("⏰"))
    for error in (RetryLater, Undeliverable, OSError):  # each passed on unchanged
        with pytest.raises(error):
            await notifier.send(rep, Reply("⏰"))

    for outcome in ("sent", "throttled", "undeliverable", "error"):
        assert sample(metrics, "crmbot_notifications_total", kind="reminder", outcome=outcome) == 1


class Probe:
    def __init__(self, last_tick: datetime | None, *, down: bool = False) -> None:
        self.last_tick, self.down = last_tick, down

    async def dispatch_health(self, now: datetime, grace: timedelta) -> DispatchHealth:
        if self.down:
            raise ConnectionRefusedError("database down")
        return DispatchHealth(last_tick=self.last_tick, due=2, late=1, failed=0)


async def serve(metrics: Metrics, probe: Probe) -> tuple[OpsServer, str]:
    port = free_port()
    server = OpsServer(metrics, probe, FixedClock(NOW), listen="127.0.0.1", port=port)
    await server.start()
    return server, f"http://127.0.0.1:{port}"


async def test_the_endpoint_serves_the_counters_and_a_health_check(metrics: Metrics) -> None:
    await MeteredCore(Core(), metrics).handle(update("Met Sam", "1"))
    server, url = await serve(metrics, Probe(NOW - timedelta(seconds=20)))
    try:
        async with httpx.AsyncClient() as client:
            scraped = await client.get(f"{url}/metrics")
            healthz = await client.get(f"{url}/healthz")
    finally:
        await server.stop()

    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain")
    assert (
        'crmbot_messages_total{kind="text",outcome="answered",platform="telegram"} 1.0'
        in scraped.text
    )
    assert healthz.status_code == 200
    assert healthz.json()["status"] == "ok"
    assert healthz.json()["reminders_due"] == 2


@pytest.mark.parametrize(
    ("probe", "problem"),
    [
        (Probe(NOW - timedelta(minutes=10)), "dispatcher"),
        (Probe(None), "dispatcher"),
        (Probe(NOW, down=True), "unreachable"),
    ],
)
async def test_healthz_fails_when_no_dispatcher_runs_or_the_database_is_away(
    metrics: Metrics, probe: Probe, problem: str
) -> None:
    server, url = await serve(metrics, probe)
    try:
        async with httpx.AsyncClient() as client:
            healthz = await client.get(f"{url}/healthz")
    finally:
        await server.stop()

    assert healthz.status_code == 503
    assert healthz.json()["status"] == "failing"
    assert problem in healthz.text
