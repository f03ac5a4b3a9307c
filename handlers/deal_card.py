"""``/deal`` and the deal card: a deal's facts on one screen, moved on by a tap.

``/deal`` lists the rep's open deals as buttons; ``/deal Northwind`` shows the card of that
company's open deal (the company found as a message finds it: :mod:`handlers.matching`);
``/deal Northwind 12k EUR`` prices it, or opens one when there is none; a company with several
open deals tells them apart by name: ``/deal Northwind: Support renewal`` (opened when new).

The card's stage buttons (``d:m:<deal id>:<from>:<to>``, the stage it was at on the card, so a
stale card or a second tap moves nothing) move the deal to a later stage, to lost, or, for a
completed client, start a repeat sale (a new deal at needs; the completed one stays history).
Every change is written to the audit log like a captured message's, so its Undo button (and
``/undo``) takes it back.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from handlers import texts, timefmt
from handlers.audit import ChangeLog, audit_view
from handlers.capture.amounts import find_amount
from handlers.capture.lexicon import fold
from handlers.deals import NEW_DEAL_STAGE, money
from handlers.domain import Company, Deal, DealLine, Rep, Stage, next_stages
from handlers.i18n import _, ngettext
from handlers.matching import find_company
from handlers.messages import Button, Reply
from handlers.names import name_key, name_words
from handlers.permissions import Action, Subject, allowed, refusal
from handlers.ports import UnitOfWork
from handlers.terms import stage_label

CARD_BUTTON = re.compile(r"d:o:(?P<id>[1-9][0-9]{0,17})")
"""Opens a deal's card; use ``fullmatch``."""
MOVE_BUTTON = re.compile(r"d:m:(?P<id>[1-9][0-9]{0,17}):(?P<from>[a-z]{1,12}):(?P<to>[a-z]{1,12})")
"""Moves a deal from the stage on the card to another; use ``fullmatch``. At most 50 bytes,
well under Telegram's 64."""
LISTED = 10
"""Open deals offered as buttons by a bare ``/deal``."""
MAX_TITLE = 200
MAX_COMPANY = 200
STAGE_BUTTONS_PER_ROW = 3


def card_payload(deal_id: int) -> str:
    return f"d:o:{deal_id}"


def _move_payload(deal: Deal, to_stage: Stage) -> str:
    return f"d:m:{deal.id}:{deal.stage.value}:{to_stage.value}"


def _may_change(rep: Rep, deal: Deal) -> bool:
    # The one policy (handlers.permissions): the owner, or a manager or admin of the team.
    return allowed(rep, Action.CHANGE_DEAL, _subject(deal))


def _subject(deal: Deal) -> Subject:
    return Subject(deal.team_id, deal.owner_rep_id)


def _usage() -> str:
    return _(
        "Type a company after the command: /deal Northwind shows its deal, "
        "/deal Northwind 12k EUR opens or prices it, and /deal Northwind: Support renewal "
        "names one of several deals with a company."
    )


class DealDesk:
    """``/deal``, the card and its buttons, for one rep in one unit of work."""

    def __init__(self, uow: UnitOfWork, rep: Rep, now: datetime) -> None:
        self._uow = uow
        self._rep = rep
        self._now = now
        self._changes = ChangeLog(uow, rep)
        """Groups the audit rows this update writes, for Undo."""

    async def command(self, args: str) -> Reply:
        args = " ".join(args.split())
        if not args:
            return await self._listing()
        name, title, amount = _read_args(args)
        if not name_words(name) or len(name) > MAX_COMPANY or len(title) > MAX_TITLE:
            return Reply(_usage())
        company = await find_company(self._uow, self._rep.team_id, name)
        if company is None:
            if title or amount is not None:
                company = await self._uow.companies.add(self._rep.team_id, name)
                await self._audit("create", "company", company.id, None, audit_view(company))
                return await self._open(company, title, amount)
            return Reply(
                _(
                    "I don't know a company called {name}. To open a deal with it, say what it "
                    "is worth or name it: /deal {name} 12k EUR, /deal {name}: Licences."
                ).format(name=name)
            )
        deals = await self._uow.deals.open_of_company(self._rep.team_id, company.id)
        if title:
            named = [deal for deal in deals if name_key(deal.title) == name_key(title)]
            if not named:
                return await self._open(company, title, amount)
            deals = named
        if not deals:
            if amount is not None:
                return await self._open(company, title, amount)
            latest = await self._uow.deals.latest_for_company(self._rep.team_id, company.id)
            if latest is not None:
                return await self.card(latest.id)
            return Reply(
                _("No deal with {company} yet. /deal {company} 12k EUR opens one.").format(
                    company=company.name
                )
            )
        if len(deals) > 1:
            which = ngettext(
                "{company} has {count} open deal. Which one?",
                "{company} has {count} open deals. Which one?",
                len(deals),
            ).format(company=company.name, count=len(deals))
            if amount is not None:  # nothing priced: say how to name the one meant
                which += " " + _(
                    "To price one, name it: /deal {company}: {title} {amount}."
                ).format(company=company.name, title=deals[0].title, amount=money(*amount))
            buttons = tuple((Button(d.title, card_payload(d.id)),) for d in deals[:LISTED])
            return Reply(which, buttons)
        deal = deals[0]
        if amount is not None and (amount[0], amount[1]) != (deal.amount, deal.currency):
            if not _may_change(self._rep, deal):
                return Reply(refusal(self._rep, Action.CHANGE_DEAL, _subject(deal)))
            priced = await self._uow.deals.set_amount(
                self._rep.team_id, deal.id, amount[0], amount[1], self._now
            )
            await self._audit("update", "deal", deal.id, audit_view(deal), audit_view(priced))
            said = _("Deal with {company}: {amount}.").format(
                company=company.name, amount=money(priced.amount, priced.currency)
            )
            return await self.card(deal.id, said=said, undo=True)
        return await self.card(deal.id)

    async def _listing(self) -> Reply:
        lines = await self._uow.deals.open_lines(self._rep.team_id, self._rep.id, self._now)
        if not lines:
            return Reply(_("You have no open deals. ") + _usage())
        buttons = tuple(
            (Button(_button_label(line), card_payload(line.deal.id)),) for line in lines[:LISTED]
        )
        more = len(lines) - LISTED
        text = _("Your open deals: tap one for its card.")
        if more > 0:
            text += " " + _("{count} more: /pipeline lists them all.").format(count=more)
        return Reply(text, buttons)

    async def _open(
        self, company: Company, title: str, amount: tuple[Decimal, str] | None
    ) -> Reply:
        deal = await self._uow.deals.add(
            team_id=self._rep.team_id,
            company_id=company.id,
            owner_rep_id=self._rep.id,
            title=title or company.name,
            stage=NEW_DEAL_STAGE,
            amount=amount[0] if amount else None,
            currency=amount[1] if amount else None,
            at=self._now,
        )
        await self._audit("create", "deal", deal.id, None, audit_view(deal))
        said = _("📈 New deal with {company}.").format(company=company.name)
        return await self.card(deal.id, said=said, undo=True)

    async def card(self, deal_id: int, *, said: str = "", undo: bool = False) -> Reply:
        """The deal's card (``said`` above it); a stale button if it is not the team's."""
        line = await self._uow.deals.line(self._rep.team_id, deal_id, self._now)
        if line is None:
            return Reply(texts.UNKNOWN_BUTTON)
        text = _card_text(line, self._now, self._rep.timezone)
        buttons: list[tuple[Button, ...]] = []
        if _may_change(self._rep, line.deal):
            buttons += _stage_buttons(line.deal)
        extra = []
        if line.deal.company_id is not None:
            extra.append(Button(_("History"), f"h:o:{line.deal.company_id}"))
        if undo:
            extra.append(Button(_("Undo"), f"u:{self._changes.change_id}"))
        if extra:
            buttons.append(tuple(extra))
        return Reply(f"{said}\n{text}" if said else text, tuple(buttons))

    async def move(self, deal_id: int, from_stage: str, to_stage: str) -> Reply:
        """A stage button: move the deal (or start a repeat sale) and show the card."""
        deal = await self._uow.deals.get(self._rep.team_id, deal_id)
        if deal is None:
            return Reply(texts.UNKNOWN_BUTTON)
        if not _may_change(self._rep, deal):
            return Reply(refusal(self._rep, Action.CHANGE_DEAL, _subject(deal)))
        if deal.stage.value != from_stage:
            said = _("That card was out of date: the deal is at {stage} now.").format(
                stage=stage_label(deal.stage)
            )
            return await self.card(deal.id, said=said)
        try:
            target = Stage(to_stage)
        except ValueError:
            return Reply(texts.UNKNOWN_BUTTON)
        if target not in next_stages(deal.stage):
            return Reply(texts.UNKNOWN_BUTTON)
        if deal.stage is Stage.COMPLETED:
            return await self._repeat_sale(deal, target)
        moved = await self.move_to(deal, target)
        said = _("📈 {deal}: {before} → {after}.").format(
            deal=deal.title,
            before=stage_label(deal.stage),
            after=stage_label(moved.stage),
        )
        return await self.card(deal.id, said=said, undo=True)

    async def move_to(self, deal: Deal, target: Stage) -> Deal:
        """Move the deal and audit it, as a message's stage move is audited."""
        moved = await self._uow.deals.move(
            self._rep.team_id, deal.id, target, self._rep.id, self._now
        )
        await self._audit("update", "deal", deal.id, audit_view(deal), audit_view(moved))
        return moved

    async def _repeat_sale(self, completed: Deal, stage: Stage) -> Reply:
        repeat = await self._uow.deals.add(
            team_id=self._rep.team_id,
            company_id=completed.company_id,
            owner_rep_id=self._rep.id,
            title=completed.title,
            stage=stage,
            amount=None,
            currency=None,
            at=self._now,
        )
        await self._audit("create", "deal", repeat.id, None, audit_view(repeat))
        said = _("🔁 Repeat sale: a new {deal} deal at {stage}.").format(
            deal=completed.title, stage=stage_label(stage)
        )
        return await self.card(repeat.id, said=said, undo=True)

    async def _audit(
        self,
        action: str,
        entity: str,
        entity_id: int,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        await self._changes.record(action, entity, entity_id, before, after)


def _read_args(args: str) -> tuple[str, str, tuple[Decimal, str] | None]:
    """``Northwind: Support renewal 12k EUR`` as company, deal name and amount."""
    amount = None
    folded = fold(args)
    found = find_amount(folded) if len(folded) == len(args) else None
    if found is not None:
        start, end = found.span
        args = f"{args[:start]} {args[end:]}"
        amount = (found.value, found.currency)
    name, _colon, title = args.partition(":")
    return " ".join(name.split()), " ".join(title.split()), amount


def _button_label(line: DealLine) -> str:
    name = line.company_name or line.deal.title
    if line.company_name and name_key(line.deal.title) != name_key(line.company_name):
        name = f"{name}: {line.deal.title}"
    price = money(line.deal.amount, line.deal.currency)
    parts = [name, stage_label(line.deal.stage), price]
    return " · ".join(part for part in parts if part)


def _when(moment: datetime | None, now: datetime, timezone: str) -> str | None:
    if moment is None:
        return None
    return timefmt.day_label(timefmt.local(moment, timezone), timefmt.local(now, timezone))


def _card_text(line: DealLine, now: datetime, timezone: str) -> str:
    deal = line.deal
    heading = line.company_name or deal.title
    if line.company_name and name_key(deal.title) != name_key(line.company_name):
        heading = f"{line.company_name}: {deal.title}"
    price = money(deal.amount, deal.currency) or _("no amount yet")
    last = _when(line.last_activity_at, now, timezone)
    callback = (
        timefmt.describe(line.next_callback_at, now, timezone) if line.next_callback_at else None
    )
    close = _when(deal.expected_close, now, timezone)
    lines = [
        f"📈 {heading}",
        _("Stage: {stage} · {amount}").format(stage=stage_label(deal.stage), amount=price),
        _("Owner: {owner}").format(owner=line.owner_name),
        _("Expected close: {day}").format(day=close) if close else _("Expected close: not set"),
        _("Last activity: {day}").format(day=last) if last else _("No activity yet"),
        _("Next callback: {when}").format(when=callback) if callback else _("No callback planned"),
    ]
    if deal.stage is Stage.LOST:
        lines.append(_("Lost. News about {company} opens a new deal.").format(company=heading))
    return "\n".join(lines)


def _stage_buttons(deal: Deal) -> list[tuple[Button, ...]]:
    buttons = []
    for stage in next_stages(deal.stage):
        if deal.stage is Stage.COMPLETED:
            label = _("🔁 Repeat sale ({stage})").format(stage=stage_label(stage))
        elif stage is Stage.LOST:
            label = _("✗ Lost")
        else:
            label = f"→ {stage_label(stage)}"
        buttons.append(Button(label, _move_payload(deal, stage)))
    return [
        tuple(buttons[start : start + STAGE_BUTTONS_PER_ROW])
        for start in range(0, len(buttons), STAGE_BUTTONS_PER_ROW)
    ]
