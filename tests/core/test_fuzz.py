"""Fuzzing the core's front door (Assistant.handle) with Hypothesis, on the fakes.

Random texts and button payloads (garbage, and well-formed ones carrying any id: other reps',
other teams', gone or never made) from a rep of a team that shares the database with another
team. Whatever comes in: no exception escapes (the reply is never the generic failure), the
other team's records and the other rep's work are never changed, and a rejected press or
message writes nothing at all.
"""

from __future__ import annotations

import asyncio
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers import texts
from handlers.assistant import Assistant, CoreConfig
from handlers.clock import FixedClock
from handlers.domain import Role
from handlers.messages import Incoming
from tests.conftest import NOW
from tests.fakes import FakeDatabase, FakeState

ZONE = "Europe/Bucharest"
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,  # the suite stays reproducible; failures print their example
)
REJECTED = (
    texts.UNKNOWN_BUTTON,
    "Nothing was changed",
    "Nothing was saved",
    "nothing was saved",
    "I don't know /",
)
"""Answers that say nothing was done: after them, nothing may have been written."""


def telegram(user: str, text: str = "", button: str | None = None) -> Incoming:
    return Incoming(platform="telegram", user_id=user, chat_id=user, text=text, button=button)


async def world() -> tuple[Assistant, FakeDatabase]:
    """Acme (Ana a rep, Bob a rep) and Umbrella (Eve), each with a meeting, a callback and a
    deal; Ana is the one who types and presses."""
    database = FakeDatabase(FixedClock(NOW))
    async with database() as uow:
        acme = await uow.teams.add("Acme", ZONE)
        umbrella = await uow.teams.add("Umbrella", ZONE)
        for user, team in (("ana", acme), ("bob", acme), ("eve", umbrella)):
            await uow.reps.add(
                team_id=team.id, platform="telegram", external_id=user, chat_id=user,
                display_name=user.title(), language="en", timezone=ZONE, role=Role.REP,
            )  # fmt: skip
        await uow.commit()
    assistant = Assistant(database, FixedClock(NOW), CoreConfig(default_timezone=ZONE))
    for user, company in (("ana", "Northwind"), ("bob", "Initech"), ("eve", "Globex")):
        await assistant.handle(
            telegram(user, f"Met Sam Reed from {company}, sent the offer, call back tomorrow")
        )
    return assistant, database


def others(state: FakeState) -> Any:
    """Everything Ana must never change: Umbrella's records, and Bob's work."""
    ana = next(rep for rep in state.reps.values() if rep.external_id == "ana")
    bob = next(rep for rep in state.reps.values() if rep.external_id == "bob")
    foreign = [
        {k: v for k, v in table.items() if v.team_id != ana.team_id}
        for table in (state.companies, state.contacts, state.activities, state.reminders)
    ]
    bobs = [
        {k: v for k, v in state.activities.items() if v.rep_id == bob.id},
        {k: v for k, v in state.reminders.items() if v.rep_id == bob.id},
        {k: v for k, v in state.deals.items() if v.owner_rep_id == bob.id},
    ]
    audit = [row for row in state.audit if row["team_id"] != ana.team_id]
    return foreign, bobs, audit, {k: v for k, v in state.deals.items() if v.team_id != ana.team_id}


def data(state: FakeState) -> Any:
    return (
        state.companies, state.contacts, state.activities, state.reminders, state.deals,
        len(state.audit),
    )  # fmt: skip


ids = st.integers(min_value=0, max_value=40) | st.integers(min_value=-5, max_value=10**20)
hex_ids = st.text("0123456789abcdef", min_size=30, max_size=34)
stages = st.sampled_from(["needs", "offer", "lost", "completed", "x", ""])
made_up = st.one_of(
    st.text(max_size=80),
    st.builds("r:{}:{}".format, st.sampled_from(
        ["done", "cancel", "snooze", "tomorrow", "pick", "log", "nolog", "zap"]), ids),
    st.builds("{}:{}".format, st.sampled_from(["u", "nc", "cc"]), hex_ids),
    st.builds("w:{}:{}:{}".format, hex_ids, ids, ids | st.just("new")),
    st.builds("h:{}:{}".format, st.sampled_from(["c", "o", "x"]), ids),
    st.builds("d:{}:{}".format, st.sampled_from(["cb", "lost", "o", "zz"]), ids),
    st.builds("d:m:{}:{}:{}".format, ids, stages, stages),
    st.builds("fg:{}".format, ids | st.just("no")),
)  # fmt: skip
REAL = {
    "reminder": ["r:done:{}", "r:cancel:{}", "r:snooze:{}", "r:tomorrow:{}", "r:pick:{}",
                 "r:log:{}"],
    "deal": ["d:cb:{}", "d:lost:{}", "d:o:{}", "d:m:{}:offer:negotiation", "d:m:{}:offer:lost"],
    "contact": ["h:c:{}", "fg:{}"],
    "company": ["h:o:{}"],
    "change": ["u:{}", "nc:{}", "cc:{}", "w:{}:1:new"],
}  # fmt: skip
"""Well-formed payloads for records that exist (Ana's, Bob's or Eve's): resolved by index."""
real = st.sampled_from([(kind, template) for kind, ts in REAL.items() for template in ts])
real_presses = st.tuples(real, st.integers(min_value=0, max_value=50))
# Three presses in four name a real record: the other rep's and team's are what must hold.
payloads = st.sampled_from([False, True, True, True]).flatmap(
    lambda is_real: real_presses if is_real else made_up
)


def resolve(payload: str | tuple[tuple[str, str], int], state: FakeState) -> str:
    """A real payload's ``index``-th record of its kind (in every team), as the button."""
    if isinstance(payload, str):
        return payload
    (kind, template), index = payload
    if kind == "change":
        keys: list[Any] = sorted({row["change_id"] for row in state.audit})
    else:
        table = {"reminder": state.reminders, "deal": state.deals,
                 "contact": state.contacts, "company": state.companies}[kind]  # fmt: skip
        keys = sorted(table)
    return template.format(keys[index % len(keys)]) if keys else "nothing"


messages = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=60),
    st.builds("/{} {}".format, st.sampled_from(
        ["history", "find", "forget", "undo", "digests", "pipeline", "reminders", "deal",
         "today", "log", "cancel", "nope"]), st.text(max_size=60)),
    st.sampled_from([
        "Met <b>x</b> from *Acme*, call back tomorrow",
        "Met Robert'); DROP TABLE contacts;-- from Acme",
        "Called Sam Reed at Globex, they signed",  # Eve's company's name, in Ana's team
        "Called Sam Reed at Initech, they signed, 90k EUR",  # Bob's deal: not Ana's to move
        "x" * 5000,
    ]),
)  # fmt: skip


def run(steps: list[tuple[str, Any]]) -> None:
    async def scenario() -> None:
        assistant, database = await world()
        untouchable = others(database.state)
        for kind, step in steps:
            before = data(database.state)
            value = resolve(step, database.state)
            incoming = telegram("ana", button=value) if kind == "press" else telegram("ana", value)

            reply = await assistant.handle(incoming)

            assert reply is not None
            assert reply.text != texts.FAILED, (kind, value)
            assert others(database.state) == untouchable, (kind, value, reply.text)
            if any(marker in reply.text for marker in REJECTED):
                assert data(database.state) == before, (kind, value, reply.text)

    asyncio.run(scenario())


@SETTINGS
@given(st.lists(st.tuples(st.just("press"), payloads), min_size=1, max_size=8))
def test_any_button_payload_is_answered_and_never_reaches_others_data(
    steps: list[tuple[str, Any]],
) -> None:
    run(steps)


@SETTINGS
@given(
    st.lists(
        st.tuples(st.just("say"), messages) | st.tuples(st.just("press"), payloads),
        min_size=1,
        max_size=5,
    )
)
def test_any_text_is_answered_and_never_reaches_others_data(
    steps: list[tuple[str, Any]],
) -> None:
    run(steps)
