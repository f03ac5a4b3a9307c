"""Deals from what reps say, /pipeline, quiet deals, and Undo of a deal's change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from handlers import texts
from handlers.assistant import Assistant
from handlers.clock import FixedClock
from handlers.domain import Role, Stage
from handlers.messages import Reply
from tests.core.conftest import ZONE, console
from tests.fakes import FakeDatabase


async def say(assistant: Assistant, text: str = "", button: str | None = None) -> Reply:
    reply = await assistant.handle(console(text, button=button))
    assert reply is not None
    return reply


def payload(reply: Reply, label: str) -> str:
    return next(b.payload for b in reply.flat_buttons if b.label.startswith(label))


async def test_a_stage_in_a_message_opens_the_companys_deal(
    assistant: Assistant, database: FakeDatabase
) -> None:
    reply = await say(
        assistant, "Called Mike Hart at Pied Piper, they are negotiating, follow up Friday"
    )

    assert "📈 New deal with Pied Piper: negotiation." in reply.text
    (deal,) = database.state.deals.values()
    assert (deal.stage, deal.title) == (Stage.NEGOTIATION, "Pied Piper")
    assert [change[1:3] for change in database.state.stage_changes] == [(None, Stage.NEGOTIATION)]


async def test_a_later_message_moves_the_same_deal_and_records_the_move(
    assistant: Assistant, database: FakeDatabase, clock: FixedClock
) -> None:
    await say(assistant, "Met Sam Reed from Northwind, they want a quote")
    clock.advance(timedelta(days=2))
    reply = await say(assistant, "Emailed Sam Reed at Northwind, sent the offer, 12k EUR")

    assert "📈 Deal with Northwind: needs → offer sent, 12,000 EUR." in reply.text
    (deal,) = database.state.deals.values()
    assert (deal.stage, deal.amount, deal.currency) == (Stage.OFFER, Decimal(12000), "EUR")
    assert [change[1:3] for change in database.state.stage_changes] == [
        (None, Stage.NEEDS),
        (Stage.NEEDS, Stage.OFFER),
    ]
    assert database.state.stage_changes[-1][4] == clock.now()


async def test_a_completed_client_back_at_needs_is_a_repeat_sale(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await say(assistant, "Acme paid the invoice, project done")
    reply = await say(assistant, "Called Ana at Acme, they want a quote for 50 more seats")

    assert "📈 New deal with Acme: needs." in reply.text
    stages = sorted((d.id, d.stage) for d in database.state.deals.values())
    assert [stage for _, stage in stages] == [Stage.COMPLETED, Stage.NEEDS]


async def test_a_stage_without_a_company_asks_for_it_and_opens_nothing(
    assistant: Assistant, database: FakeDatabase
) -> None:
    reply = await say(assistant, "they signed!")

    assert texts.STAGE_WITHOUT_COMPANY in reply.text
    assert not database.state.deals


async def test_pipeline_shows_open_deals_by_stage_with_amounts(assistant: Assistant) -> None:
    await say(assistant, "Met Sam Reed from Northwind, sent the offer, 12k EUR")
    await say(assistant, "Called Mike Hart at Pied Piper, they are negotiating, 5000 EUR")
    await say(assistant, "Globex went with a competitor, lost")

    reply = await say(assistant, "/pipeline")

    assert reply.text.splitlines() == [
        "Pipeline: the team's open deals",
        "Offer sent (1): Northwind 12,000 EUR",
        "Negotiation (1): Pied Piper 5,000 EUR",
        "Total: 2 open, 17,000 EUR.",
    ]
    # Nothing gone quiet: the only buttons open the deals' cards.
    assert [b.label for b in reply.flat_buttons] == ["📈 Northwind", "📈 Pied Piper"]


async def test_a_deal_gone_quiet_is_flagged_with_buttons_that_act(
    assistant: Assistant, database: FakeDatabase, clock: FixedClock, woken: list[datetime]
) -> None:
    await say(assistant, "Met Sam Reed from Northwind, sent the offer")
    await say(assistant, "Called Mike Hart at Pied Piper, negotiating, call back in 2 weeks")
    clock.advance(timedelta(days=6))  # past the offer stage's 5 days

    reply = await say(assistant, "/pipeline")

    assert "⚠ Northwind: Offer sent, 6 days without news" in reply.text
    assert "Pied Piper: Negotiation" not in reply.text.split("Gone quiet")[1]  # a callback ahead
    called = await say(assistant, button=payload(reply, "Call Northwind tomorrow"))
    assert called.text == "⏰ Callback Northwind: tomorrow (Mon 30 Nov) at 09:00."
    assert woken[-1] == datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    lost = await say(assistant, button=payload(reply, "Northwind: lost"))
    assert lost.text == "Marked lost: Northwind."
    northwind = next(d for d in database.state.deals.values() if d.title == "Northwind")
    assert northwind.stage is Stage.LOST
    again = await say(assistant, button=payload(reply, "Northwind: lost"))
    assert again.text == texts.UNKNOWN_BUTTON


async def test_another_reps_deal_buttons_change_nothing(
    assistant: Assistant, database: FakeDatabase, clock: FixedClock
) -> None:
    await say(assistant, "Met Sam Reed from Northwind, sent the offer")
    ana = next(iter(database.state.reps.values()))
    async with database() as uow:
        await uow.reps.add(
            team_id=ana.team_id,
            platform="console",
            external_id="bob",
            chat_id="bob",
            display_name="bob",
            language="en",
            timezone=ZONE,
            role=Role.REP,
        )
        await uow.commit()
    (deal,) = database.state.deals.values()

    reply = await assistant.handle(console(button=f"d:lost:{deal.id}", user="bob"))

    assert reply is not None
    assert reply.text == (  # handlers.permissions: a rep changes only their own deals
        "That deal belongs to another rep; only they or a manager can change it. "
        "Nothing was changed."
    )
    assert database.state.deals[deal.id].stage is Stage.OFFER


async def test_undo_takes_back_a_deal_move_and_a_new_deal(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await say(assistant, "Met Sam Reed from Northwind, they want a quote")
    moved = await say(assistant, "Called Sam Reed at Northwind, they are negotiating")
    opened = await say(assistant, "Called Mike Hart at Pied Piper, they signed")

    await say(assistant, button=payload(moved, "Undo"))
    await say(assistant, button=payload(opened, "Undo"))

    (deal,) = database.state.deals.values()
    assert (deal.title, deal.stage) == ("Northwind", Stage.NEEDS)
    assert [change[1:3] for change in database.state.stage_changes] == [(None, Stage.NEEDS)]
