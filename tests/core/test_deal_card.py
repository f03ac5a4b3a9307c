"""/deal and the deal card: finding, opening and pricing deals, and moving them by a tap."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from handlers import texts
from handlers.assistant import Assistant
from handlers.clock import FixedClock
from handlers.domain import Deal, Rep, Role, Stage
from handlers.messages import Reply
from tests.core.conftest import ZONE, console
from tests.fakes import FakeDatabase

TELEGRAM_PAYLOAD_LIMIT = 64


async def say(
    assistant: Assistant, text: str = "", button: str | None = None, user: str = "ana"
) -> Reply:
    reply = await assistant.handle(console(text, button=button, user=user))
    assert reply is not None
    return reply


def labels(reply: Reply) -> list[str]:
    return [button.label for button in reply.flat_buttons]


def payload(reply: Reply, label: str) -> str:
    return next(b.payload for b in reply.flat_buttons if b.label.startswith(label))


def deals_of(database: FakeDatabase, title: str) -> list[Deal]:
    return sorted(
        (deal for deal in database.state.deals.values() if deal.title == title),
        key=lambda deal: deal.id,
    )


async def add_rep(database: FakeDatabase, user: str, role: Role) -> Rep:
    ana = next(iter(database.state.reps.values()))
    async with database() as uow:
        rep = await uow.reps.add(
            team_id=ana.team_id, platform="console", external_id=user, chat_id=user,
            display_name=user.title(), language="en", timezone=ZONE, role=role,
        )  # fmt: skip
        await uow.commit()
    return rep


async def test_bare_deal_explains_itself_then_lists_the_reps_open_deals(
    assistant: Assistant,
) -> None:
    empty = await say(assistant, "/deal")
    assert "You have no open deals." in empty.text
    assert "/deal Northwind 12k EUR" in empty.text

    await say(assistant, "Met Sam Reed from Northwind, sent the offer, 12k EUR")
    await say(assistant, "Called Mike Hart at Pied Piper, they are negotiating")
    listing = await say(assistant, "/deal")

    assert labels(listing) == ["Northwind · Offer sent · 12,000 EUR", "Pied Piper · Negotiation"]
    card = await say(assistant, button=payload(listing, "Pied Piper"))
    assert card.text.startswith("📈 Pied Piper\nStage: Negotiation")


async def test_the_card_shows_the_deal_and_offers_the_next_stages(
    assistant: Assistant, clock: FixedClock
) -> None:
    await say(assistant, "Met Sam Reed from Northwind, sent the offer, 12k EUR, call back Friday")
    clock.advance(timedelta(days=1))

    card = await say(assistant, "/deal nortwind")  # a typo finds it, as in a message

    assert card.text.splitlines() == [
        "📈 Northwind",
        "Stage: Offer sent · 12,000 EUR",
        "Owner: ana",
        "Expected close: not set",
        "Last activity: yesterday",
        "Next callback: Fri 27 Nov at 09:00",
    ]
    assert labels(card) == [
        "→ Negotiation", "→ Contract", "→ Delivery", "→ Completed", "✗ Lost", "History",
    ]  # fmt: skip
    assert all(len(b.payload.encode()) < TELEGRAM_PAYLOAD_LIMIT for b in card.flat_buttons)
    history = await say(assistant, button=payload(card, "History"))
    assert history.text.startswith("🏢 Northwind")


async def test_a_stage_button_moves_the_deal_once_and_records_who_when_from_and_to(
    assistant: Assistant, database: FakeDatabase, clock: FixedClock
) -> None:
    await say(assistant, "Met Sam Reed from Northwind, sent the offer")
    card = await say(assistant, "/deal Northwind")
    clock.advance(timedelta(hours=3))

    moved = await say(assistant, button=payload(card, "→ Negotiation"))

    assert moved.text.startswith("📈 Northwind: Offer sent → Negotiation.\n📈 Northwind")
    (deal,) = database.state.deals.values()
    ana = next(iter(database.state.reps.values()))
    assert database.state.stage_changes[-1] == (
        deal.id,
        Stage.OFFER,
        Stage.NEGOTIATION,
        ana.id,
        clock.now(),
    )
    audit = database.state.audit[-1]
    assert (audit["action"], audit["entity"], audit["entity_id"]) == ("update", "deal", deal.id)
    assert (audit["before"]["stage"], audit["after"]["stage"]) == ("offer", "negotiation")
    assert "→ Negotiation" not in labels(moved)
    assert "→ Contract" in labels(moved)

    # The old card's button again (a double tap, a stale card) moves nothing.
    again = await say(assistant, button=payload(card, "→ Negotiation"))
    assert "That card was out of date: the deal is at Negotiation now." in again.text
    assert len(database.state.stage_changes) == 2

    await say(assistant, button=payload(moved, "Undo"))
    assert database.state.deals[deal.id].stage is Stage.OFFER
    assert [change[1:3] for change in database.state.stage_changes] == [(None, Stage.OFFER)]


async def test_lost_closes_the_deal_and_its_card_offers_no_more_moves(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await say(assistant, "Met Sam Reed from Northwind, they want a quote")
    card = await say(assistant, "/deal Northwind")

    lost = await say(assistant, button=payload(card, "✗ Lost"))

    (deal,) = database.state.deals.values()
    assert deal.stage is Stage.LOST
    assert deal.closed_at is not None
    assert "Stage: Lost" in lost.text
    assert not any(label.startswith(("→", "✗", "🔁")) for label in labels(lost))
    # /deal for the company now shows that closed deal: nothing open to show instead.
    assert "Stage: Lost" in (await say(assistant, "/deal Northwind")).text


async def test_a_completed_client_gets_a_repeat_sale_button_that_opens_a_new_deal(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await say(assistant, "Acme paid the invoice, project done")
    card = await say(assistant, "/deal Acme")
    assert labels(card) == ["🔁 Repeat sale (Needs)", "History"]

    repeat = await say(assistant, button=payload(card, "🔁 Repeat sale"))

    completed, fresh = deals_of(database, "Acme")
    assert (completed.stage, fresh.stage) == (Stage.COMPLETED, Stage.NEEDS)
    assert repeat.text.startswith("🔁 Repeat sale: a new Acme deal at Needs.")
    assert "Stage: Needs" in repeat.text
    await say(assistant, button=payload(repeat, "Undo"))
    assert [deal.stage for deal in deals_of(database, "Acme")] == [Stage.COMPLETED]


async def test_deal_with_an_amount_opens_a_deal_or_prices_the_open_one(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await say(assistant, "/help")  # past the welcome
    opened = await say(assistant, "/deal Initech 12k EUR")

    assert opened.text.startswith("📈 New deal with Initech.\n📈 Initech\nStage: Needs · 12,000")
    (deal,) = deals_of(database, "Initech")
    assert (deal.amount, deal.currency, deal.stage) == (Decimal(12000), "EUR", Stage.NEEDS)

    priced = await say(assistant, "/deal initech €15,500")
    assert priced.text.startswith("Deal with Initech: 15,500 EUR.")
    assert database.state.deals[deal.id].amount == Decimal(15500)
    await say(assistant, button=payload(priced, "Undo"))
    assert database.state.deals[deal.id].amount == Decimal(12000)


async def test_named_deals_tell_several_deals_with_one_company_apart(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await say(assistant, "Met Sam Reed from Northwind, sent the offer, 12k EUR")

    support = await say(assistant, "/deal Northwind: Support renewal 3k EUR")

    assert support.text.startswith("📈 New deal with Northwind.\n📈 Northwind: Support renewal")
    which = await say(assistant, "/deal Northwind")
    assert which.text == "Northwind has 2 open deals. Which one?"
    assert labels(which) == ["Northwind", "Support renewal"]
    named = await say(assistant, "/deal northwind: SUPPORT renewal")
    assert "Stage: Needs · 3,000 EUR" in named.text
    unpriced = await say(assistant, "/deal Northwind 20k EUR")
    assert unpriced.text.endswith("To price one, name it: /deal Northwind: Northwind 20,000 EUR.")
    assert len(database.state.deals) == 2
    assert {deal.amount for deal in database.state.deals.values()} == {12000, 3000}


async def test_unknown_companies_and_empty_names_are_explained_and_nothing_is_stored(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await say(assistant, "Met Sam Reed from Northwind")
    before = database.state.row_count()

    unknown = await say(assistant, "/deal Umbrella")
    blank = await say(assistant, "/deal : 5k EUR")

    assert unknown.text.startswith("I don't know a company called Umbrella.")
    assert "/deal Umbrella 12k EUR" in unknown.text
    assert blank.text.startswith("Type a company after the command")
    assert database.state.row_count() == before
    assert not database.state.deals


async def test_another_rep_sees_the_card_but_cannot_move_a_deal_a_manager_can(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await say(assistant, "Met Sam Reed from Northwind, sent the offer")
    ana = next(iter(database.state.reps.values()))
    database.state.reps[ana.id] = replace(ana, role=Role.REP)
    await add_rep(database, "bob", Role.REP)
    await add_rep(database, "maria", Role.MANAGER)
    (deal,) = database.state.deals.values()
    forged = f"d:m:{deal.id}:offer:negotiation"

    bobs = await say(assistant, "/deal Northwind", user="bob")
    refused = await say(assistant, button=forged, user="bob")

    assert "Stage: Offer sent" in bobs.text
    assert labels(bobs) == ["History"]
    assert refused.text.startswith("That deal belongs to another rep")
    assert refused.text.endswith("Nothing was changed.")
    assert database.state.deals[deal.id].stage is Stage.OFFER
    managed = await say(assistant, button=forged, user="maria")
    assert "Offer sent → Negotiation" in managed.text
    assert database.state.deals[deal.id].stage is Stage.NEGOTIATION


async def test_a_skip_back_or_unknown_stage_in_a_payload_moves_nothing(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await say(assistant, "Met Sam Reed from Northwind, sent the offer")
    (deal,) = database.state.deals.values()

    for forged in (
        f"d:m:{deal.id}:offer:needs",
        f"d:m:{deal.id}:offer:won",
        f"d:m:{deal.id + 100}:offer:negotiation",
    ):
        assert (await say(assistant, button=forged)).text == texts.UNKNOWN_BUTTON
    assert database.state.deals[deal.id].stage is Stage.OFFER


async def test_pipeline_buttons_open_the_deal_cards(assistant: Assistant) -> None:
    await say(assistant, "Met Sam Reed from Northwind, sent the offer, 12k EUR")

    pipeline = await say(assistant, "/pipeline")
    card = await say(assistant, button=payload(pipeline, "📈 Northwind"))

    assert card.text.startswith("📈 Northwind\nStage: Offer sent · 12,000 EUR")
    assert "→ Negotiation" in labels(card)


async def test_a_big_teams_pipeline_sums_each_rep_up_and_names_the_first_quiet_deals(
    assistant: Assistant, database: FakeDatabase, clock: FixedClock
) -> None:
    await say(assistant, "/help")
    bob = await add_rep(database, "bob", Role.REP)
    ana = next(rep for rep in database.state.reps.values() if rep.external_id == "ana")
    async with database() as uow:
        for number in range(45):
            company = await uow.companies.add(ana.team_id, f"Client {number:02}")
            await uow.deals.add(
                team_id=ana.team_id, company_id=company.id,
                owner_rep_id=(ana.id if number % 3 else bob.id),
                title=company.name, stage=Stage.OFFER if number % 2 else Stage.NEEDS,
                amount=Decimal(1000), currency="EUR", at=clock.now() - timedelta(days=30),
            )  # fmt: skip
        await uow.commit()

    text = (await say(assistant, "/pipeline")).text.split("\n")

    assert text[1:4] == [
        "• Bob: 15, 15,000 EUR (Needs 8 · Offer sent 7)",
        "• ana: 30, 30,000 EUR (Needs 15 · Offer sent 15)",
        "Total: 45 open, 45,000 EUR.",
    ]
    assert sum(line.startswith("⚠ ") for line in text) == 15
    assert text[-1] == "… and 30 more."
