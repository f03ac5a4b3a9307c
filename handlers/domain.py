"""The CRM's vocabulary as plain values, shared by the core and the storage layer."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any


class ActivityKind(enum.StrEnum):
    MEETING = "meeting"
    CALL = "call"
    EMAIL = "email"
    NOTE = "note"


class Role(enum.StrEnum):
    REP = "rep"
    MANAGER = "manager"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Invite:
    """A code that lets one person (or ``max_uses`` people) join a team with a role."""

    id: int
    team_id: int
    code: str
    role: Role
    created_by: int | None
    """The rep who made it in chat; None when made with ``crmbot team create`` / ``invite``."""
    created_at: datetime
    expires_at: datetime | None
    max_uses: int
    uses: int


class InviteProblem(enum.StrEnum):
    """Why a code let nobody in."""

    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED_UP = "used_up"


class ReminderStatus(enum.StrEnum):
    PENDING = "pending"
    """Waiting for its due time (or for a lease to expire after a failed send)."""
    SENT = "sent"
    """Delivered to the rep; still open until the rep marks it done."""
    DONE = "done"
    CANCELLED = "cancelled"
    FAILED = "failed"
    """Could not be delivered after the allowed attempts."""

    @property
    def is_open(self) -> bool:
        return self in (ReminderStatus.PENDING, ReminderStatus.SENT)


class Stage(enum.StrEnum):
    """The default pipeline. Keys are stable; the labels a team shows are its own."""

    PROSPECT = "prospect"
    CONTACT = "contact"
    NEEDS = "needs"
    OFFER = "offer"
    NEGOTIATION = "negotiation"
    CONTRACT = "contract"
    DELIVERY = "delivery"
    COMPLETED = "completed"
    LOST = "lost"

    @property
    def is_closed(self) -> bool:
        return self in (Stage.COMPLETED, Stage.LOST)


PIPELINE: tuple[Stage, ...] = tuple(Stage)
"""The stages in pipeline order."""

QUIET_AFTER_DAYS: dict[Stage, int] = {
    Stage.PROSPECT: 14,
    Stage.CONTACT: 7,
    Stage.NEEDS: 7,
    Stage.OFFER: 5,
    Stage.NEGOTIATION: 5,
    Stage.CONTRACT: 7,
    Stage.DELIVERY: 14,
}
"""Default days a deal may sit in a stage with no activity before it counts as gone quiet."""


@dataclass(frozen=True, slots=True)
class Team:
    id: int
    name: str
    default_hour: int
    """The hour a follow-up with a date but no clock time is set to."""
    date_order: str
    """How numeric dates are read: ``DMY`` for most of the world, ``MDY`` for en-US."""
    timezone: str = "UTC"
    """The team's clock, for its digests (each rep has their own for everything else)."""
    daily_digest_at: str = "18:00"
    """``HH:MM``: the managers' daily digest, on weekdays, on the team's clock."""
    weekly_digest_at: str = "MON 08:00"
    """``DDD HH:MM``: the managers' weekly digest, on the team's clock."""
    agenda_at: str = "08:30"
    """``HH:MM``: each rep's morning agenda, on the rep's own clock."""
    digests_enabled: bool = True
    """Whether the managers get the daily and weekly digests (agendas go out regardless)."""


@dataclass(frozen=True, slots=True)
class Rep:
    id: int
    team_id: int
    platform: str
    external_id: str
    chat_id: str
    display_name: str
    language: str
    timezone: str
    role: Role
    awaiting: str | None = None
    """What the rep's next typed message answers (e.g. a time for a reminder), if anything."""
    draft: str | None = None
    """What the rep has entered so far in a guided entry (``/log``), as the core wrote it."""
    agenda_enabled: bool = True
    """Whether the rep gets the morning agenda."""
    language_chosen: bool = False
    """The rep picked ``language`` with /lang: the platform's language no longer replaces it."""


@dataclass(frozen=True, slots=True)
class TeamTerm:
    """A team's own word for a stage or an activity kind (``subject`` ``stage`` or ``kind``,
    ``key`` the stable key): a label shown instead of the default, and synonyms the capture
    engine understands. Records keep the key, so a rename never breaks history."""

    subject: str
    key: str
    label: str | None
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Company:
    id: int
    team_id: int
    name: str


@dataclass(frozen=True, slots=True)
class Contact:
    id: int
    team_id: int
    full_name: str
    company_id: int | None
    email: str | None = None
    phone: str | None = None
    job_title: str | None = None


@dataclass(frozen=True, slots=True)
class Activity:
    id: int
    team_id: int
    rep_id: int
    kind: ActivityKind
    occurred_at: datetime
    text: str
    contact_id: int | None
    company_id: int | None


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file kept with an activity (a voice note), by the platform's id; no copy is stored."""

    id: int
    team_id: int
    activity_id: int
    platform: str
    kind: str
    file_id: str


@dataclass(frozen=True, slots=True)
class Reminder:
    id: int
    team_id: int
    rep_id: int
    due_at: datetime
    text: str
    status: ReminderStatus
    contact_id: int | None
    company_id: int | None
    activity_id: int | None = None
    """The call logged when the rep marked it done, if they chose to log one."""


@dataclass(frozen=True, slots=True)
class ReminderLine:
    """A reminder with the names a rep needs to read it, for agendas and lists."""

    reminder: Reminder
    contact_name: str | None
    company_name: str | None


@dataclass(frozen=True, slots=True)
class Change:
    """One audited change: what was created, updated or deleted, by whom, in which batch.

    ``change_id`` groups the rows one incoming message wrote, so Undo can revert exactly them.
    """

    change_id: str
    entity: str
    entity_id: int
    action: str
    """``create``, ``update``, ``delete``, ``undo`` (a row removed or restored by Undo), or
    ``ask`` (a question the bot asked about the message, no row changed: ``entity_id`` 0)."""
    rep_id: int | None
    before: Mapping[str, Any] | None
    """The row as it was (None for a create)."""
    after: Mapping[str, Any] | None
    """The row as it became (None for a delete)."""
    at: datetime


@dataclass(frozen=True, slots=True)
class DueReminder:
    """A claimed reminder with everything needed to write its message."""

    reminder: Reminder
    rep: Rep
    contact_name: str | None
    company_name: str | None
    last_activity: Activity | None
    attempts: int
    """Delivery attempts so far, this one included."""


@dataclass(frozen=True, slots=True)
class Recipients:
    """Whose reminders a dispatcher delivers: the reps on these platforms, or just one rep.

    A process sends only what its notifier can deliver: ``crmbot run`` the Telegram reps',
    ``crmbot console`` its own user's.
    """

    platforms: frozenset[str]
    external_id: str | None = None


@dataclass(frozen=True, slots=True)
class Deal:
    id: int
    team_id: int
    company_id: int | None
    owner_rep_id: int
    title: str
    stage: Stage
    amount: Decimal | None
    currency: str | None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    expected_close: datetime | None = None


def next_stages(stage: Stage) -> tuple[Stage, ...]:
    """Where a deal can be moved from ``stage`` by a tap: the stages after it up to completed,
    and lost; a completed client back to needs (a repeat sale); nowhere from lost."""
    if stage is Stage.COMPLETED:
        return (Stage.NEEDS,)
    if stage is Stage.LOST:
        return ()
    ahead = PIPELINE[PIPELINE.index(stage) + 1 : PIPELINE.index(Stage.COMPLETED) + 1]
    return (*ahead, Stage.LOST)


@dataclass(frozen=True, slots=True)
class DealLine:
    """An open deal with what /pipeline shows about it."""

    deal: Deal
    company_name: str | None
    owner_name: str
    last_activity_at: datetime | None
    next_callback_at: datetime | None


@dataclass(frozen=True, slots=True)
class DealTally:
    """Open deals of one owner (by name) in one stage and currency: how many, and their
    amounts summed (None when none of them has one). A big team's /pipeline is built on these
    instead of on every deal."""

    owner_name: str
    stage: Stage
    currency: str | None
    count: int
    amount: Decimal | None


@dataclass(frozen=True, slots=True)
class ActivityLine:
    """An activity with the names of whom it was with, for search results."""

    activity: Activity
    contact_name: str | None
    company_name: str | None
