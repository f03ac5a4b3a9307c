"""A big team's /pipeline: each rep summed up by stage and currency, the first quiet deals of
all of them, and card buttons for the first deals in pipeline order."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from handlers.assistant import Assistant
from handlers.clock import FixedClock
from handlers.domain import Role, Stage
from handlers.pipeline import CARD_BUTTONS, QUIET_LISTED, TEAM_DETAIL_LIMIT
from tests.core.test_deal_card import add_rep, labels, say
from tests.fakes import FakeDatabase


async def test_a_big_teams_pipeline_sums_currencies_apart_and_offers_the_first_cards(
    assistant: Assistant, database: FakeDatabase, clock: FixedClock
) -> None:
    await say(assistant, "/help")  # ana: the console's self-service admin
    bob = await add_rep(database, "bob", Role.REP)
    ana = next(rep for rep in database.state.reps.values() if rep.external_id == "ana")
    long_ago, lately = clock.now() - timedelta(days=30), clock.now() - timedelta(days=1)
    async with database() as uow:
        for number in range(21):  # ana's: gone quiet at needs
            company = await uow.companies.add(ana.team_id, f"Client {number:02}")
            await uow.deals.add(
                team_id=ana.team_id, company_id=company.id, owner_rep_id=ana.id,
                title=company.name, stage=Stage.NEEDS, amount=Decimal(1000), currency="EUR",
                at=long_ago,
            )  # fmt: skip
        for number in range(20):  # bob's: offers sent yesterday, in dollars
            company = await uow.companies.add(ana.team_id, f"Prospect {number:02}")
            await uow.deals.add(
                team_id=ana.team_id, company_id=company.id, owner_rep_id=bob.id,
                title=company.name, stage=Stage.OFFER, amount=Decimal(500), currency="USD",
                at=lately,
            )  # fmt: skip
        await uow.deals.add(  # no company, no amount, quiet
            team_id=ana.team_id, company_id=None, owner_rep_id=bob.id, title="Referral",
            stage=Stage.PROSPECT, amount=None, currency=None, at=long_ago,
        )  # fmt: skip
        await uow.commit()
    assert TEAM_DETAIL_LIMIT < 21 + 20 + 1  # a summary, not every deal by name

    reply = await say(assistant, "/pipeline")
    text = reply.text.split("\n")

    assert text[:4] == [
        "Pipeline: the team's open deals",
        "• Bob: 21, 10,000 USD (Prospect 1 · Offer sent 20)",
        "• ana: 21, 21,000 EUR (Needs 21)",
        "Total: 42 open, 21,000 EUR + 10,000 USD.",
    ]
    quiet = [line for line in text if line.startswith("⚠ ")]
    assert len(quiet) == QUIET_LISTED
    assert quiet[:2] == [
        "⚠ Referral: Prospect, 30 days without news",
        "⚠ Client 00: Needs, 30 days without news",
    ]
    assert text[-1] == f"… and {21 + 1 - QUIET_LISTED} more."
    assert labels(reply) == [
        "Call Referral tomorrow", "Referral: lost",
        "Call Client 00 tomorrow", "Client 00: lost",
        "Call Client 01 tomorrow", "Client 01: lost",
        "📈 Referral",
        *(f"📈 Client {number:02}" for number in range(CARD_BUTTONS - 1)),
    ]  # fmt: skip
