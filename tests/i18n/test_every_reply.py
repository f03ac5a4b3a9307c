"""Every kind of reply, rendered in every language: no English where a translation exists, no
placeholder left unfilled, no formatting error.

One scripted session drives the core over the fakes (capture, its card's buttons, /today,
/reminders, /pipeline, /history, /find, /log, /agenda, /digests, /stages, /lang, errors),
then the messages that do not answer a rep: the reminder card, the morning agenda, the
digests and the manager's warning about an undeliverable reminder.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache

import pytest
from babel.messages.pofile import read_po

from handlers import agenda
from handlers.assistant import Assistant, CoreConfig
from handlers.clock import FixedClock
from handlers.digest import compose as compose_digest
from handlers.digest_data import (
    ActivityCount,
    ClosedDeal,
    DigestData,
    DigestKind,
    DigestSchedule,
    FailedCallback,
    Member,
    OverdueCallbacks,
    Period,
    StageMoves,
    StageTime,
    StageTotal,
)
from handlers.domain import (
    Activity,
    ActivityKind,
    Deal,
    DealLine,
    DueReminder,
    Reminder,
    ReminderStatus,
    Role,
    Stage,
)
from handlers.i18n import LANGUAGES, LOCALES_DIR, use_locale
from handlers.messages import Reply
from handlers.reminder_card import compose as compose_card
from reminders.dispatcher import _warning
from tests.fakes import FakeDatabase
from tests.i18n.conftest import ZONE, rep_named, say

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
_UNFILLED = re.compile(r"\{[a-z_]+(?:[:!][^}]*)?\}")


@dataclass
class Session:
    assistant: Assistant
    language: str
    replies: list[tuple[str, Reply]] = field(default_factory=list)
    last: Reply | None = None

    async def send(self, text: str) -> Reply:
        return await self._record(text, say(text, lang=self.language))

    async def press(self, payload_prefix: str, step: str, on: Reply | None = None) -> Reply:
        card = on or self.last
        assert card is not None
        button = next(b for b in card.flat_buttons if b.payload.startswith(payload_prefix))
        return await self._record(step, say(button=button.payload, lang=self.language))

    async def _record(self, step: str, incoming: object) -> Reply:
        reply = await self.assistant.handle(incoming)  # type: ignore[arg-type]
        assert reply is not None
        self.replies.append((step, reply))
        self.last = reply
        return reply


async def run_session(language: str) -> list[tuple[str, Reply]]:
    clock = FixedClock(NOW)
    database = FakeDatabase(clock)
    session = Session(Assistant(database, clock, CoreConfig(default_timezone=ZONE)), language)
    send, press = session.send, session.press
    await send("/help")
    await send("Met Sam Reed from Northwind, they want a quote, call back tomorrow at 10")
    await press("r:pick:", "card: change time")
    await send("friday at 4pm")
    await send("Called Sam Reed")
    await press("cc:", "card: change contact")
    await send("Sam Reed")
    await send("Called Sam Reed")
    await press("cc:", "card: change contact again")
    await send("Ana Popescu")
    await send("sent the offer to Northwind, 12k EUR")
    await send("remind me to call Globex tomorrow at 10")
    await press("nc:", "card: not a callback")
    card = await send("Emailed Ana Popescu about the demo")
    await press("u:", "card: undo")
    await press("u:", "card: undo again", on=card)
    await send("Northwind is negotiating")
    await send("Initech went with a competitor")
    await send("Initech signed")  # a repeat sale after a lost deal
    await send("/today")
    await send("/reminders")
    await press("r:pick:", "reminders: move")
    await send("/cancel")
    await send("/reminders")
    await press("r:cancel:", "reminders: cancel")
    await send("/pipeline")
    await send("/history Sam Reed")
    await send("/history Northwind")
    await send("/history Nobody Atall")
    await send("/history")
    await send("/find Northwind")
    await send("/find zzqx")
    await send("/find")
    await send("/log")
    await press("l:", "log: kind")
    await press("l:", "log: who")
    await send("talked about prices")
    await press("l:", "log: follow up")
    await send("/log")
    await press("l:", "log: kind")
    await send("Sam Reed from Northwind")
    await send("wants a discount")
    await press("l:", "log: pick a time")
    await send("whenever")
    await send("/cancel")
    await send("/agenda")
    await send("/agenda off")
    await send("/agenda on")
    await send("/agenda maybe")
    await send("/digests")
    await send("/digests daily 25:00")
    await send("/digests weekly fri 16:00")
    await send("/digests zone Mars/Olympus")
    await send("/stages")
    await send("/stages offer = KP")
    await send("/stages bogus = X")
    await send("/kinds")
    await send("/lang")
    # Commands of the team, deal and privacy work: their replies are the bot's words too.
    await send("/team")
    await send("/invite rep")
    await send("/deal Northwind")
    await send("/deal")
    await send("/idle")
    await send("/forget Nobody Atall")
    await send("/undo")
    await send("/cancel")
    await send("/nonsense")
    await send("???")
    await send("")
    await send("x" * 4001)
    await session._record("stale button", say(button="r:done:999", lang=language))

    # What no rep typed: a reminder falling due (late), the morning agenda, the digests.
    rep = rep_named(database, "ana")
    with use_locale(language):
        reminder = Reminder(1, rep.team_id, rep.id, NOW - timedelta(hours=3), "call back Sam",
                            ReminderStatus.SENT, None, None)  # fmt: skip
        last = Activity(1, rep.team_id, rep.id, ActivityKind.MEETING, NOW - timedelta(days=1),
                        "Met Sam", None, None)  # fmt: skip
        due = DueReminder(reminder, rep, "Sam Reed", "Northwind", last, 1)
        session.replies.append(("reminder card", compose_card(due, NOW)))
        session.replies.append(("reminder card, nobody", compose_card(
            DueReminder(reminder, rep, None, None, None, 1), NOW)))  # fmt: skip
        async with database() as uow:
            morning = await agenda.morning(uow, rep, NOW + timedelta(days=3))
        assert morning is not None
        session.replies.append(("morning agenda", morning))
        for kind in (DigestKind.DAY, DigestKind.WEEK):
            session.replies.append((f"digest {kind}", compose_digest(digest_data(kind))))
            session.replies.append((f"empty digest {kind}", compose_digest(empty_digest(kind))))
        session.replies.append(
            ("undeliverable", Reply(_warning("Dan", "Sam Reed", "blocked", "x")))
        )
    return session.replies


def digest_data(kind: DigestKind) -> DigestData:
    start = NOW - timedelta(days=7 if kind is DigestKind.WEEK else 1)
    schedule = DigestSchedule(1, "Acme", "Europe/Bucharest", "18:00", "MON 08:00", "08:30", True,
                              NOW - timedelta(days=30))  # fmt: skip
    deal = Deal(9, 1, 3, 1, "Vandelay", Stage.NEGOTIATION, Decimal(4000), "EUR",
                NOW - timedelta(days=40), NOW - timedelta(days=22), None)  # fmt: skip
    return DigestData(
        schedule, kind, Period(start, NOW),
        Period(start - timedelta(days=7), start) if kind is DigestKind.WEEK else None, NOW,
        (Member(1, "Ana", Role.REP), Member(2, "Dan", Role.REP), Member(3, "Ion", Role.REP)),
        (ActivityCount(1, ActivityKind.MEETING, 2, 1), ActivityCount(1, ActivityKind.CALL, 5, 3),
         ActivityCount(2, ActivityKind.EMAIL, 1, 0)),
        (StageMoves(None, Stage.NEEDS, 1), StageMoves(Stage.NEEDS, Stage.OFFER, 2),
         StageMoves(Stage.OFFER, Stage.NEEDS, 1), StageMoves(Stage.OFFER, Stage.COMPLETED, 1)),
        (ClosedDeal(1, "Northwind", 1, Stage.COMPLETED, Decimal(12000), "EUR",
                    start - timedelta(days=20), NOW - timedelta(hours=2)),
         ClosedDeal(2, "Initrode", 2, Stage.LOST, Decimal(4000), "EUR",
                    start - timedelta(days=9), NOW - timedelta(hours=5))),
        (StageTotal(Stage.PROSPECT, None, 1, None),
         StageTotal(Stage.OFFER, "EUR", 2, Decimal(7000))),
        (OverdueCallbacks(1, 2, NOW - timedelta(days=4)), OverdueCallbacks(2, 1, NOW)),
        (DealLine(deal, "Vandelay", "Ana", None, None),),
        (FailedCallback(2, NOW - timedelta(hours=9), "call Sam", "Sam Reed", "Northwind",
                        "Forbidden: bot was blocked by the user"),),
        1,
        (StageTime(Stage.NEEDS, 2, 3.5), StageTime(Stage.OFFER, 1, 6.0)),
    )  # fmt: skip


def empty_digest(kind: DigestKind) -> DigestData:
    full = digest_data(kind)
    return DigestData(full.schedule, kind, full.period, full.previous, NOW, full.members,
                      (), (), (), (), (), (), (), 0)  # fmt: skip


_ENGLISH: list[list[tuple[str, Reply]]] = []


async def english_session() -> list[tuple[str, Reply]]:
    """The session in English, run once for all the languages it is compared with."""
    if not _ENGLISH:
        _ENGLISH.append(await run_session("en"))
    return _ENGLISH[0]


@cache
def leaks(language: str) -> tuple[frozenset[str], frozenset[str]]:
    """English that must not show in ``language``: phrases (3 words or more) of translated
    messages, and whole translated button-sized messages."""
    with (LOCALES_DIR / language / "LC_MESSAGES" / "crmbot.po").open("rb") as po:
        catalog = read_po(po, locale=language)
    phrases, labels = set(), set()
    for message in catalog:
        if not message.id or not message.string:
            continue
        source = message.id if isinstance(message.id, str) else message.id[1]
        target = message.string if isinstance(message.string, str) else message.string[-1]
        if source == target:
            continue
        labels.add(source)
        for literal, *_ in string.Formatter().parse(source):
            for piece in re.split(r"[\n:•(),.?!“”\"]", literal):
                piece = piece.strip()
                if piece.count(" ") >= 2 and len(piece) >= 15 and piece not in target:
                    phrases.add(piece)
    return frozenset(phrases), frozenset(labels)


def problems(reply: Reply, leaked: Callable[[str], str | None]) -> list[str]:
    found = []
    if _UNFILLED.search(reply.text):
        found.append(f"unfilled placeholder: {_UNFILLED.search(reply.text)}")
    if culprit := leaked(reply.text):
        found.append(f"English: {culprit!r}")
    for button in reply.flat_buttons:
        if culprit := leaked(button.label):
            found.append(f"English button: {culprit!r}")
    return found


async def test_the_english_session_reads_as_written() -> None:
    replies = dict(await english_session())
    card = replies["Met Sam Reed from Northwind, they want a quote, call back tomorrow at 10"]
    assert "Meeting with Sam Reed (Northwind) saved" in card.text
    assert "Today, Mon 23 Nov" in replies["/today"].text
    assert all(not _UNFILLED.search(reply.text) for _, reply in replies.items())


@pytest.mark.parametrize("language", sorted(set(LANGUAGES) - {"en"}))
async def test_every_reply_is_in_the_reps_language(language: str) -> None:
    replies = await run_session(language)
    english = await english_session()
    assert [step for step, _ in replies] == [step for step, _ in english]
    phrases, labels = leaks(language)
    # The rep's own words are quoted back as typed: they are not the bot's English.
    typed = " | ".join(step for step, _ in replies)
    phrases = frozenset(phrase for phrase in phrases if phrase not in typed)

    def leaked(text: str) -> str | None:
        if text in labels:
            return text
        return next((phrase for phrase in phrases if phrase in text), None)

    found = []
    for (step, reply), (_, in_english) in zip(replies, english, strict=True):
        found += [f"{step}: {problem}" for problem in problems(reply, leaked)]
        if reply.text == in_english.text and reply.text.strip():
            found.append(f"{step}: same as in English: {reply.text[:80]!r}")
    assert not found, "\n".join(found)
