"""A digest's picture on its way out: the chart itself, the console, Telegram, and the
runtime that ``crmbot run`` starts the digests with."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from telegram.request import RequestData

from bot import console
from bot.console import ConsoleSession, render, save_image
from bot.runtime import open_runtime
from bot.telegram import TelegramNotifier, build_application
from handlers.assistant import Assistant, CoreConfig
from handlers.clock import FixedClock
from handlers.digest import period_ending
from handlers.digest_data import DigestKind
from handlers.domain import Recipients, Rep, Role
from handlers.messages import Reply
from reminders.charts import PNG_SIGNATURE, digest_chart
from reminders.ratelimit import SendLimiter
from storage.digests import SqlDigestSource
from tests.adapters.botapi import ANA, DATE, TOKEN, BotApi, RecordingRequest
from tests.digests.conftest import Seed, local
from tests.digests.test_sections import seed_acme
from tests.digests.test_sending import Recorder
from tests.fakes import FakeDatabase

CHART = Reply("📊 Weekly digest", image=PNG_SIGNATURE + b"rest", image_name="digest.png")


async def test_the_chart_is_a_png_for_a_busy_team_and_for_an_empty_one(
    seed: Seed, source: SqlDigestSource
) -> None:
    acme = await seed_acme(seed)
    empty = await seed.team("Empty")
    for team_id in (acme.team_id, empty):
        schedule = next(s for s in await source.schedules() if s.team_id == team_id)
        period = period_ending(schedule, DigestKind.WEEK, local(23, "08:00"))
        data = await source.digest(schedule, DigestKind.WEEK, period, None, period.end)

        image = digest_chart(data)

        assert image.startswith(PNG_SIGNATURE)
        assert len(image) > 5_000


def test_the_console_prints_where_it_saved_the_chart(tmp_path: Path) -> None:
    path = save_image(CHART, tmp_path)

    assert path == tmp_path / "digest.png"
    assert path.read_bytes() == CHART.image
    assert render(CHART, path) == f"📊 Weekly digest\n[chart: 12 bytes, saved to {path}]"
    assert save_image(Reply("no picture"), tmp_path) is None


async def test_a_console_session_saves_a_picture_it_is_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: FixedClock
) -> None:
    monkeypatch.setattr(console, "IMAGE_FOLDER", tmp_path)
    out = io.StringIO()
    session = ConsoleSession(
        Assistant(FakeDatabase(clock), clock), out, user="ana", timezone="UTC", language=None
    )

    session.show(CHART)

    assert f"[chart: 12 bytes, saved to {tmp_path / 'digest.png'}]" in out.getvalue()
    assert (tmp_path / "digest.png").read_bytes() == CHART.image


class PhotoApi(BotApi):
    def result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "sendPhoto":
            photo = [{"file_id": "AgAD-chart", "file_unique_id": "c1", "width": 800, "height": 600}]
            chat = {"id": int(params["chat_id"]), "type": "private"}
            return {"message_id": 900, "chat": chat, "date": DATE, "photo": photo}
        return super().result(method, params)


class UploadRecorder(RecordingRequest):
    uploads: list[bytes]

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, *args: Any, **kw: Any
    ) -> tuple[int, bytes]:
        if request_data is not None:
            for _, content, *_ in request_data.multipart_data.values():
                self.uploads.append(content if isinstance(content, bytes) else content.read())
        return await super().do_request(url, method, request_data, *args, **kw)


async def test_telegrams_notifier_sends_the_chart_as_a_photo_before_the_text() -> None:
    api = PhotoApi()
    request = UploadRecorder(api)
    request.uploads = []
    application = build_application(TOKEN, request=request)
    await application.initialize()
    rep = Rep(1, 1, "telegram", str(ANA["id"]), str(ANA["id"]), "Ana", "en", "UTC", Role.MANAGER)
    try:
        await TelegramNotifier(application.bot, SendLimiter({})).send(rep, CHART)
    finally:
        await application.shutdown()

    assert [call.method for call in api.calls if call.method.startswith("send")] == [
        "sendPhoto",
        "sendMessage",
    ]
    assert request.uploads == [CHART.image]
    assert api.calls[-1].params["text"] == "📊 Weekly digest"


async def test_crmbot_run_can_start_the_digests_and_they_stop_with_the_runtime(
    database_url: str, clock: FixedClock
) -> None:
    async with open_runtime(database_url, CoreConfig(), clock, migrate=False) as runtime:
        await runtime.start_digests(Recorder(), recipients=Recipients(frozenset({"telegram"})))
        assert runtime.digests is not None
        scheduler = runtime.digests
        assert scheduler.running

    assert runtime.digests is None
    assert not scheduler.running
