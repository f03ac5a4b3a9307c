"""Deals from what reps say: "they are negotiating" moves the company's deal; an amount
opens one or updates it; a completed client moved back to needs starts a repeat sale."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal

from handlers.domain import Company, Deal, Rep, Stage
from handlers.i18n import DEFAULT_LOCALE, _, current_locale
from handlers.ports import UnitOfWork

NEW_DEAL_STAGE = Stage.NEEDS
"""Where a deal opened by an amount alone starts: the client has said what they need."""

Audit = Callable[[str, Deal | None, Deal], Awaitable[None]]
"""Records a change to a deal: action ("create" or "update"), before, after."""


@dataclass(frozen=True, slots=True)
class DealNews:
    before: Deal | None
    after: Deal

    def describe(self, company: Company, stage_label: Callable[[Stage], str]) -> str:
        amount = money(self.after.amount, self.after.currency)
        if self.before is None:
            detail = ", ".join(part for part in (stage_label(self.after.stage), amount) if part)
            return _("📈 New deal with {company}: {detail}.").format(
                company=company.name, detail=detail
            )
        parts = []
        if self.before.stage != self.after.stage:
            parts.append(f"{stage_label(self.before.stage)} → {stage_label(self.after.stage)}")
        if amount and (self.before.amount, self.before.currency) != (
            self.after.amount,
            self.after.currency,
        ):
            parts.append(amount)
        if not parts:
            return ""
        return _("📈 Deal with {company}: {changes}.").format(
            company=company.name, changes=", ".join(parts)
        )


def money(amount: Decimal | None, currency: str | None) -> str:
    if amount is None:
        return ""
    locale = current_locale()
    if locale == DEFAULT_LOCALE:
        number = f"{amount:,.2f}".removesuffix(".00")
    else:  # the locale's separators: 12.000 EUR (ro, es), 12 000 EUR (pl, bg, ru)
        pattern = "#,##0" if amount == amount.to_integral_value() else "#,##0.00"
        number = format_decimal(amount, format=pattern, locale=locale)
    return f"{number} {currency}" if currency else number


async def record_deal_news(
    uow: UnitOfWork,
    rep: Rep,
    company: Company,
    stage: Stage | None,
    amount: Decimal | None,
    currency: str | None,
    now: datetime,
    audit: Audit,
) -> DealNews | None:
    """Open, move or price the company's deal as the message says; None if it says nothing."""
    if stage is None and amount is None:
        return None
    deal = await uow.deals.open_for_company(rep.team_id, company.id)
    if deal is None:
        # A closed deal is history: news about its company opens the next one (repeat sale).
        created = await uow.deals.add(
            team_id=rep.team_id,
            company_id=company.id,
            owner_rep_id=rep.id,
            title=company.name,
            stage=stage or NEW_DEAL_STAGE,
            amount=amount,
            currency=currency,
            at=now,
        )
        await audit("create", None, created)
        return DealNews(None, created)
    updated = deal
    if stage is not None and stage != deal.stage:
        updated = await uow.deals.move(rep.team_id, deal.id, stage, rep.id, now)
    if amount is not None and (amount, currency) != (deal.amount, deal.currency):
        updated = await uow.deals.set_amount(rep.team_id, deal.id, amount, currency, now)
    if updated == deal:
        return None
    await audit("update", deal, updated)
    return DealNews(deal, updated)


def deal_from_view(view: Mapping[str, Any]) -> Deal:
    """A deal back from its audit-log snapshot (``corrections.audit_view``)."""

    def moment(name: str) -> datetime | None:
        value = view.get(name)
        return datetime.fromisoformat(value) if value else None

    created_at, updated_at = moment("created_at"), moment("updated_at")
    if created_at is None or updated_at is None:
        raise ValueError("a deal's audit snapshot lacks its times")
    amount = view.get("amount")
    return Deal(
        id=int(view["id"]),
        team_id=int(view["team_id"]),
        company_id=view.get("company_id"),
        owner_rep_id=int(view["owner_rep_id"]),
        title=str(view.get("title") or ""),
        stage=Stage(view["stage"]),
        amount=Decimal(str(amount)) if amount is not None else None,
        currency=view.get("currency"),
        created_at=created_at,
        updated_at=updated_at,
        closed_at=moment("closed_at"),
        expected_close=moment("expected_close"),
    )
