"""What an import will do, decided before anything is written.

The planner takes what the team already has (a :class:`Snapshot`) and the file's records, and
decides row by row what is new, what merges into a contact, company or deal that is already
there (in the team or earlier in the file), and what is left out and why. Storage then writes
the :class:`Plan` in one transaction; a dry run only prints it, so both show the same report.

Merge rules. Names are compared folded (case, accents, spacing: :func:`handlers.names.name_key`).
A company with the same name is the same company. A contact with the same name is the same
person when they work at the row's company or nobody knows where they work (they are then filed
at the row's company); a namesake at another company is another person. A company has at most
one open deal: a row's deal merges into it, filling in an amount it lacks but never moving its
stage (the file may be older than the CRM). Only open deals are imported. A contact's e-mail,
phone and job title are filled in where the contact has none; one it has stays, and the report
names the file's other value.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from handlers.contact_details import FIELDS, label, same_value
from handlers.deals import money
from handlers.domain import Role, Stage
from handlers.i18n import _, ngettext
from handlers.import_rows import DealFields, ImportRecord, Rejected
from handlers.names import name_key


@dataclass(frozen=True, slots=True)
class KnownCompany:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class KnownContact:
    id: int
    name: str
    company_id: int | None
    email: str | None = None
    phone: str | None = None
    job_title: str | None = None

    def details(self) -> dict[str, str]:
        found = {"email": self.email, "phone": self.phone, "job_title": self.job_title}
        return {name: value for name, value in found.items() if value}


@dataclass(frozen=True, slots=True)
class KnownDeal:
    id: int
    company_id: int
    title: str
    stage: Stage
    amount: Decimal | None
    currency: str | None


@dataclass(frozen=True, slots=True)
class KnownRep:
    id: int
    display_name: str
    external_id: str
    role: Role


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What the team has, as far as an import can merge into it."""

    companies: Sequence[KnownCompany] = ()
    contacts: Sequence[KnownContact] = ()
    open_deals: Sequence[KnownDeal] = ()
    reps: Sequence[KnownRep] = ()


@dataclass(frozen=True, slots=True)
class Ref:
    """A company, contact or deal of the plan: one already stored (its id) or a new one (its
    index in the plan's list)."""

    new: bool
    id: int


@dataclass(slots=True)
class NewCompany:
    name: str


@dataclass(slots=True)
class NewContact:
    name: str
    company: Ref | None
    details: dict[str, str] = field(default_factory=dict)
    """E-mail, phone and job title (by the contact's field names), as far as the file knows."""


@dataclass(slots=True)
class NewDeal:
    company: Ref
    deal: DealFields
    owner_id: int


class Verb(StrEnum):
    CREATE = "create"
    MERGE = "merge"
    UPDATE = "update"
    SKIP = "skip"


class Entity(StrEnum):
    COMPANY = "company"
    CONTACT = "contact"
    DEAL = "deal"


@dataclass(frozen=True, slots=True)
class Event:
    entity: Entity
    verb: Verb
    label: str
    detail: str = ""


@dataclass(slots=True)
class RowOutcome:
    line: int
    events: list[Event] = field(default_factory=list)
    rejected: str | None = None
    notes: list[str] = field(default_factory=list)
    """What was left out of a row that was taken (a refused e-mail or phone)."""


@dataclass(slots=True)
class Plan:
    rows: list[RowOutcome] = field(default_factory=list)
    companies: list[NewCompany] = field(default_factory=list)
    contacts: list[NewContact] = field(default_factory=list)
    contact_companies: dict[int, Ref] = field(default_factory=dict)
    """Stored contacts (by id) the file says where they work, and nobody knew."""
    contact_details: dict[int, dict[str, str]] = field(default_factory=dict)
    """Stored contacts (by id) and the details they lacked that the file fills in."""
    deals: list[NewDeal] = field(default_factory=list)
    deal_amounts: dict[int, tuple[Decimal, str | None]] = field(default_factory=dict)
    """Stored open deals (by id) that get the amount they lacked."""

    def counts(self) -> Counter[tuple[Entity, Verb]]:
        return Counter(
            (event.entity, event.verb)
            for row in self.rows
            if row.rejected is None
            for event in row.events
        )

    @property
    def rejected(self) -> list[RowOutcome]:
        return [row for row in self.rows if row.rejected is not None]

    @property
    def writes_anything(self) -> bool:
        return bool(
            self.companies
            or self.contacts
            or self.contact_companies
            or self.contact_details
            or self.deals
            or self.deal_amounts
        )


class OwnerError(ValueError):
    """``--owner`` names nobody in the team."""


def find_rep(reps: Sequence[KnownRep], name: str) -> KnownRep | None:
    """A rep by display name or platform id (Telegram/Slack id, console user), folded."""
    key = name_key(name)
    for rep in reps:
        if key in (name_key(rep.display_name), name_key(rep.external_id)):
            return rep
    return None


def default_owner(reps: Sequence[KnownRep], named: str | None = None) -> KnownRep | None:
    """Who owns imported deals and notes when the row names nobody: ``named`` (``--owner``),
    else the team's first admin, then manager, then rep."""
    if named:
        rep = find_rep(reps, named)
        if rep is None:
            people = ", ".join(rep.display_name or rep.external_id for rep in reps)
            raise OwnerError(
                _("no rep called {name!r} in the team (reps: {people})").format(
                    name=named, people=people or _("none yet")
                )
            )
        return rep
    for role in (Role.ADMIN, Role.MANAGER, Role.REP):
        for rep in reps:
            if rep.role is role:
                return rep
    return None


@dataclass(slots=True)
class _ContactState:
    ref: Ref
    name: str
    company: Ref | None
    line: int | None
    """The file's line that created it; None for a stored contact."""
    details: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class _DealState:
    ref: Ref
    title: str
    stage: Stage
    amount: Decimal | None
    line: int | None


def _labels(fields: Iterable[str]) -> str:
    return ", ".join(label(name) for name in fields)


def _with_filled(detail: str, filled: Sequence[str]) -> str:
    if not filled:
        return detail
    return _("{detail}; {fields} filled in").format(detail=detail, fields=_labels(filled))


def _origin(line: int | None) -> str:
    if line is None:
        return _("already in the team")
    return _("as on line {line}").format(line=line)


class Planner:
    def __init__(self, snapshot: Snapshot, owner: KnownRep | None) -> None:
        self.plan = Plan()
        self._reps = snapshot.reps
        self._owner = owner
        self._companies: dict[str, tuple[Ref, int | None]] = {}
        self._company_names: dict[Ref, str] = {}
        for company in snapshot.companies:
            ref = Ref(False, company.id)
            self._companies[name_key(company.name)] = (ref, None)
            self._company_names[ref] = company.name
        self._contacts: dict[str, list[_ContactState]] = {}
        for contact in snapshot.contacts:
            company_ref = Ref(False, contact.company_id) if contact.company_id else None
            state = _ContactState(
                Ref(False, contact.id), contact.name, company_ref, None, contact.details()
            )
            self._contacts.setdefault(name_key(contact.name), []).append(state)
        self._deals: dict[Ref, _DealState] = {}
        for deal in snapshot.open_deals:
            self._deals.setdefault(
                Ref(False, deal.company_id),
                _DealState(Ref(False, deal.id), deal.title, deal.stage, deal.amount, None),
            )

    def add(self, item: ImportRecord | Rejected) -> RowOutcome:
        if isinstance(item, Rejected):
            outcome = RowOutcome(item.line, rejected=item.reason)
        else:
            outcome = RowOutcome(item.line)
            outcome.notes += [refusal.describe() for refusal in item.refused]
            company = self._company(item, outcome) if item.company else None
            if item.name:
                self._contact(item, company, outcome)
            if item.deal is not None and company is not None:
                self._deal(item, item.deal, company, outcome)
        self.plan.rows.append(outcome)
        return outcome

    def _company(self, item: ImportRecord, outcome: RowOutcome) -> Ref:
        key = name_key(item.company)
        known = self._companies.get(key)
        if known is not None:
            ref, line = known
            outcome.events.append(
                Event(Entity.COMPANY, Verb.MERGE, self._company_names[ref], _origin(line))
            )
            return ref
        ref = Ref(True, len(self.plan.companies))
        self.plan.companies.append(NewCompany(item.company))
        self._companies[key] = (ref, item.line)
        self._company_names[ref] = item.company
        outcome.events.append(Event(Entity.COMPANY, Verb.CREATE, item.company))
        return ref

    def _contact(self, item: ImportRecord, company: Ref | None, outcome: RowOutcome) -> Ref:
        namesakes = self._contacts.setdefault(name_key(item.name), [])
        if company is None:
            # Nothing says which namesake it is: the first, said in the report when there are
            # several (a new contact would be the duplicate the import must not make).
            match = next(iter(namesakes), None)
        else:
            match = next((c for c in namesakes if c.company == company), None) or next(
                (c for c in namesakes if c.company is None), None
            )
        if match is None:
            ref = Ref(True, len(self.plan.contacts))
            details = dict(item.details)
            self.plan.contacts.append(NewContact(item.name, company, details))
            namesakes.append(_ContactState(ref, item.name, company, item.line, dict(details)))
            with_details = _("with {fields}").format(fields=_labels(details)) if details else ""
            outcome.events.append(Event(Entity.CONTACT, Verb.CREATE, item.name, with_details))
            return ref
        filled = self._fill_details(match, item, outcome)
        if company is not None and match.company is None:
            match.company = company
            if match.ref.new:
                self.plan.contacts[match.ref.id].company = company
            else:
                self.plan.contact_companies[match.ref.id] = company
            detail = _("{origin}; now at {company}").format(
                origin=_origin(match.line), company=self._company_names[company]
            )
            outcome.events.append(
                Event(Entity.CONTACT, Verb.UPDATE, match.name, _with_filled(detail, filled))
            )
        else:
            detail = _origin(match.line)
            if company is None and len(namesakes) > 1:
                where = self._company_names.get(match.company) if match.company else None
                detail = _("{origin}; {count} contacts have this name, merged into {which}").format(
                    origin=detail, count=len(namesakes), which=where or _("the first")
                )
            verb = Verb.UPDATE if filled else Verb.MERGE
            outcome.events.append(
                Event(Entity.CONTACT, verb, match.name, _with_filled(detail, filled))
            )
        return match.ref

    def _fill_details(
        self, match: _ContactState, item: ImportRecord, outcome: RowOutcome
    ) -> list[str]:
        """Fill in the details the contact lacks; what it has already stays (the team's word
        is newer than the file's), and a different value in the file is said in the report."""
        filled: list[str] = []
        for name in FIELDS:
            value = item.details.get(name)
            if not value:
                continue
            known = match.details.get(name)
            if known is None:
                match.details[name] = value
                if match.ref.new:
                    self.plan.contacts[match.ref.id].details[name] = value
                else:
                    self.plan.contact_details.setdefault(match.ref.id, {})[name] = value
                filled.append(name)
            elif not same_value(name, known, value):
                outcome.notes.append(
                    _("{field} {value!r} not taken: {name} already has {known!r}").format(
                        field=label(name), value=value, name=match.name, known=known
                    )
                )
        return filled

    def _owner_for(self, item: ImportRecord) -> tuple[KnownRep | None, str]:
        """The deal's owner, and a word about it when the file's owner was not found."""
        if item.owner:
            rep = find_rep(self._reps, item.owner)
            if rep is not None:
                return rep, ""
            if self._owner is not None:
                return self._owner, _("{name!r} is not in the team: owned by {owner}").format(
                    name=item.owner, owner=self._owner.display_name or self._owner.external_id
                )
        return self._owner, ""

    def _deal(
        self, item: ImportRecord, deal: DealFields, company: Ref, outcome: RowOutcome
    ) -> None:
        label = deal.title
        if deal.stage.is_closed:
            detail = _("{stage}: only open deals are imported").format(stage=deal.stage.value)
            outcome.events.append(Event(Entity.DEAL, Verb.SKIP, label, detail))
            return
        known = self._deals.get(company)
        if known is not None:
            label = known.title
            if known.amount is None and deal.amount is not None:
                known.amount = deal.amount
                if known.ref.new:
                    planned = self.plan.deals[known.ref.id]
                    planned.deal = DealFields(
                        planned.deal.title, planned.deal.stage, deal.amount, deal.currency,
                        planned.deal.expected_close,
                    )  # fmt: skip
                else:
                    self.plan.deal_amounts[known.ref.id] = (deal.amount, deal.currency)
                detail = _("{origin}; amount set to {amount}").format(
                    origin=_origin(known.line), amount=money(deal.amount, deal.currency)
                )
                outcome.events.append(Event(Entity.DEAL, Verb.UPDATE, label, detail))
                return
            detail = _origin(known.line)
            if known.stage is not deal.stage:
                detail = _("{origin}, open at {stage}; left there").format(
                    origin=detail, stage=known.stage.value
                )
            outcome.events.append(Event(Entity.DEAL, Verb.MERGE, label, detail))
            return
        owner, warning = self._owner_for(item)
        if owner is None:
            detail = _("no rep in the team yet to own it: invite one, then import again")
            outcome.events.append(Event(Entity.DEAL, Verb.SKIP, label, detail))
            return
        ref = Ref(True, len(self.plan.deals))
        self.plan.deals.append(NewDeal(company, deal, owner.id))
        self._deals[company] = _DealState(ref, deal.title, deal.stage, deal.amount, item.line)
        summary = ", ".join(
            part for part in (deal.stage.value, money(deal.amount, deal.currency)) if part
        )
        detail = "; ".join(part for part in (summary, warning) if part)
        outcome.events.append(Event(Entity.DEAL, Verb.CREATE, label, detail))


def make_plan(
    snapshot: Snapshot, records: Sequence[ImportRecord | Rejected], owner: KnownRep | None
) -> Plan:
    planner = Planner(snapshot, owner)
    for record in records:
        planner.add(record)
    return planner.plan


def _event_text(event: Event) -> str:
    entity = {
        Entity.COMPANY: _("company"),
        Entity.CONTACT: _("contact"),
        Entity.DEAL: _("deal"),
    }[event.entity]
    verb = {
        Verb.CREATE: _("new"),
        Verb.MERGE: _("merged"),
        Verb.UPDATE: _("merged"),
        Verb.SKIP: _("skipped"),
    }[event.verb]
    detail = f" ({event.detail})" if event.detail else ""
    return f"{verb} {entity} {event.label}{detail}"


def report_lines(plan: Plan) -> list[str]:
    """Row by row, then the totals: the same for a dry run and a real one."""
    lines = []
    for row in plan.rows:
        if row.rejected is not None:
            lines.append(
                _("line {line}: rejected: {reason}").format(line=row.line, reason=row.rejected)
            )
        else:
            events = "; ".join([*map(_event_text, row.events), *row.notes])
            lines.append(_("line {line}: {events}").format(line=row.line, events=events))
    return lines + totals_lines(plan)


def totals_lines(plan: Plan) -> list[str]:
    counts = plan.counts()
    names = (
        (Entity.CONTACT, _("Contacts")),
        (Entity.COMPANY, _("Companies")),
        (Entity.DEAL, _("Open deals")),
    )
    lines = [_("Totals:")]
    for entity, title in names:
        created = counts[entity, Verb.CREATE]
        merged = counts[entity, Verb.MERGE] + counts[entity, Verb.UPDATE]
        skipped = counts[entity, Verb.SKIP]
        parts = [
            _("{count} new").format(count=created),
            _("{count} merged").format(count=merged),
        ]
        if skipped:
            parts.append(_("{count} skipped").format(count=skipped))
        lines.append(f"  {title}: " + ", ".join(parts))
    rejected = len(plan.rejected)
    lines.append(
        "  "
        + ngettext("{count} row rejected", "{count} rows rejected", rejected).format(count=rejected)
        + " "
        + ngettext("of {total} row read", "of {total} rows read", len(plan.rows)).format(
            total=len(plan.rows)
        )
    )
    return lines
