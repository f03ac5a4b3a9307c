"""The core's view of the outside world, as small protocols.

The storage layer implements the unit of work and repositories with SQLAlchemy; adapters
implement the notifier; tests implement all of them with in-memory fakes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from types import TracebackType
from typing import Any, Protocol, Self

from handlers.digest_data import AgendaWindow, DigestData, DigestKind, DigestSchedule, Period
from handlers.domain import (
    Activity,
    ActivityKind,
    ActivityLine,
    Attachment,
    Change,
    Company,
    Contact,
    Deal,
    DealLine,
    DealTally,
    DueReminder,
    Invite,
    InviteProblem,
    Recipients,
    Reminder,
    ReminderLine,
    ReminderStatus,
    Rep,
    Role,
    Stage,
    Team,
    TeamTerm,
)
from handlers.messages import Reply


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class TryAgain(Exception):
    """An update failed before anything of it was stored, for a reason that running it once
    more is likely to cure (the core does so once)."""


class ConcurrentChange(TryAgain):
    """A write lost a race with another update: a row it refers to was deleted meanwhile (an
    Undo removing a company another rep's message just named), a name was taken at the same
    moment, or the database broke a deadlock. Running the update again sees the other
    update's result."""


class ConnectionLost(TryAgain):
    """The database connection broke before the update committed (a restarted server, a
    connection a firewall dropped while idle). The pool replaces its connections, so running
    the update again works; it is cheaper than testing every connection before use."""


class DeliveryError(Exception):
    """A notifier could not deliver a message; the subclass says whether to try again."""


class RetryLater(DeliveryError):
    """The platform asked us to slow down (HTTP 429); try again after ``retry_after`` s."""

    def __init__(self, retry_after: float, reason: str = "rate limited") -> None:
        super().__init__(f"{reason}; retry after {retry_after:g} s")
        self.retry_after = retry_after


class Undeliverable(DeliveryError):
    """Trying again will not help: the rep blocked the bot, the account or chat is gone."""


class Notifier(Protocol):
    async def send(self, rep: Rep, reply: Reply) -> None:
        """Deliver a reply to a rep outside a conversation (reminders, digests).

        Raises :class:`RetryLater` or :class:`Undeliverable`; any other exception is taken
        as a transient failure (network, server error) and retried with backoff.
        """
        ...


class TeamRepository(Protocol):
    async def add(self, name: str, timezone: str = "UTC") -> Team: ...

    async def get(self, team_id: int) -> Team | None: ...

    async def set_digest_settings(
        self,
        team_id: int,
        *,
        timezone: str,
        daily_digest_at: str,
        weekly_digest_at: str,
        agenda_at: str,
        digests_enabled: bool,
    ) -> Team:
        """Store the team's digest settings (already checked by the core); the team as it is
        now. The scheduler reads them from the same row at its next minute."""
        ...


class RepRepository(Protocol):
    async def by_identity(self, platform: str, external_id: str) -> Rep | None: ...

    async def add(
        self,
        *,
        team_id: int,
        platform: str,
        external_id: str,
        chat_id: str,
        display_name: str,
        language: str,
        timezone: str,
        role: Role,
    ) -> Rep: ...

    async def update_profile(
        self, rep_id: int, *, chat_id: str, display_name: str, language: str, timezone: str
    ) -> Rep: ...

    async def set_awaiting(self, rep_id: int, awaiting: str | None) -> None: ...

    async def set_draft(self, rep_id: int, draft: str | None) -> None:
        """Keep (or drop) what the rep has entered so far in a guided entry (``/log``)."""
        ...

    async def set_agenda(self, rep_id: int, enabled: bool) -> None: ...

    async def set_language(self, rep_id: int, language: str) -> Rep:
        """The rep's own pick (/lang): kept over the platform's language from now on."""
        ...

    async def managers(self, team_id: int) -> list[Rep]:
        """The team's managers and admins, who hear about undeliverable reminders."""
        ...

    async def members(self, team_id: int) -> list[Rep]:
        """Everyone in the team, oldest member first."""
        ...

    async def set_role(self, team_id: int, rep_id: int, role: Role) -> Rep | None:
        """Give the team's member a role (another team's rep raises: the core finds the
        member among :meth:`members` first). None, changing nothing, if that would leave the
        team with no admin: checked under a lock, so two admins stepping down at once cannot
        both."""
        ...


class InviteRepository(Protocol):
    async def add(
        self,
        *,
        team_id: int,
        code: str,
        role: Role,
        created_by: int | None,
        expires_at: datetime | None,
        max_uses: int,
    ) -> Invite: ...

    async def redeem(self, code: str, now: datetime) -> Invite | InviteProblem:
        """Use the code once, atomically: of two people racing for its last use, one gets
        the invite (its ``uses`` counted), the other ``USED_UP``."""
        ...

    async def peek(self, code: str, now: datetime) -> Invite | InviteProblem:
        """The invite the code would redeem right now, without using it."""
        ...


class CompanyRepository(Protocol):
    async def find_by_name(self, team_id: int, name: str) -> Company | None:
        """The team's company with this name, ignoring case."""
        ...

    async def similar(self, team_id: int, name: str, limit: int) -> list[Company]:
        """The team's companies whose name shares a word prefix
        (:func:`handlers.names.name_prefixes`) with ``name``: those sharing the most prefixes
        first, then the newest; at most ``limit``, found by an index, not a scan."""
        ...

    async def add(self, team_id: int, name: str) -> Company: ...

    async def get(self, team_id: int, company_id: int) -> Company | None: ...

    async def delete_unused(self, team_id: int, company_id: int) -> bool:
        """Delete the team's company unless a contact, activity, reminder or deal refers to
        it; True if it was deleted."""
        ...


class ContactRepository(Protocol):
    async def find_by_name(self, team_id: int, full_name: str) -> Contact | None:
        """The team's contact with this full name, ignoring case."""
        ...

    async def similar(self, team_id: int, full_name: str, limit: int) -> list[Contact]:
        """The team's contacts whose name shares a word prefix
        (:func:`handlers.names.name_prefixes`) with ``full_name``: those sharing the most
        prefixes first, then the newest; at most ``limit``, found by an index, not a scan."""
        ...

    async def recent_for_rep(self, team_id: int, rep_id: int, limit: int) -> list[Contact]:
        """The contacts of the rep's activities in the team, the most recently met first (by the
        latest activity's time, then its id); at most ``limit``."""
        ...

    async def add(self, team_id: int, full_name: str, company_id: int | None) -> Contact: ...

    async def get(self, team_id: int, contact_id: int) -> Contact | None: ...

    async def relink_company(
        self, team_id: int, contact_id: int, company_id: int | None
    ) -> Contact | None:
        """File the team's contact under another company (or none); None if not found."""
        ...

    async def delete_unused(self, team_id: int, contact_id: int) -> bool:
        """Delete the team's contact unless an activity or reminder refers to it; True if it
        was deleted."""
        ...


class ActivityRepository(Protocol):
    async def add(
        self,
        *,
        team_id: int,
        rep_id: int,
        kind: ActivityKind,
        occurred_at: datetime,
        text: str,
        contact_id: int | None,
        company_id: int | None,
    ) -> Activity: ...

    async def last_with(
        self, team_id: int, contact_id: int | None, company_id: int | None
    ) -> Activity | None:
        """The latest activity with this contact (or, without one, this company)."""
        ...

    async def count_by_kind(
        self, rep_id: int, since: datetime, until: datetime
    ) -> Mapping[ActivityKind, int]:
        """How many activities of each kind the rep logged in [since, until)."""
        ...

    async def get(self, team_id: int, activity_id: int) -> Activity | None: ...

    async def relink_contact(
        self, team_id: int, activity_id: int, *, contact_id: int | None, company_id: int | None
    ) -> Activity | None:
        """Say whom the team's activity was with; None if there is no such activity."""
        ...

    async def delete(self, team_id: int, activity_id: int) -> bool:
        """Delete the team's activity (unlinking any reminder it was logged for, dropping its
        attachments); True if there was one."""
        ...

    async def latest_created_by(
        self, team_id: int, rep_id: int, since: datetime
    ) -> Activity | None:
        """The last activity the rep created at or after ``since`` (by when it was stored)."""
        ...

    async def attach(
        self, team_id: int, activity_id: int, *, platform: str, kind: str, file_id: str
    ) -> Attachment:
        """Keep a platform file (by its id) with the team's activity."""
        ...

    async def attachments(self, team_id: int, activity_id: int) -> list[Attachment]: ...


class ReminderRepository(Protocol):
    async def add(
        self,
        *,
        team_id: int,
        rep_id: int,
        due_at: datetime,
        text: str,
        contact_id: int | None,
        company_id: int | None,
    ) -> Reminder: ...

    async def get(self, team_id: int, reminder_id: int) -> Reminder | None: ...

    async def set_status(self, team_id: int, reminder_id: int, status: ReminderStatus) -> None:
        """Set the team's reminder's status (another team's id changes nothing)."""
        ...

    async def reschedule(self, team_id: int, reminder_id: int, due_at: datetime) -> None:
        """Move the team's reminder to a new time; it will be delivered again then."""
        ...

    async def link_activity(self, team_id: int, reminder_id: int, activity_id: int) -> None:
        """Remember the activity logged for the team's reminder (so it is logged once)."""
        ...

    async def restore(
        self, team_id: int, reminder_id: int, *, due_at: datetime, status: ReminderStatus
    ) -> Reminder | None:
        """Put the team's reminder back at a time and status it had (Undo of done, snooze,
        move or cancel); None if there is no such reminder."""
        ...

    async def open_for_rep(self, rep_id: int, due_before: datetime) -> list[ReminderLine]:
        """The rep's open reminders due before the given time, earliest first."""
        ...

    async def upcoming_for_rep(
        self, rep_id: int, due_from: datetime, limit: int
    ) -> list[ReminderLine]:
        """The rep's next open reminders due at or after the given time, earliest first."""
        ...

    async def open_for_team(self, team_id: int, due_before: datetime) -> list[ReminderLine]:
        """Every rep's open reminders in the team due before the given time, earliest
        first (a manager's view of the team's day)."""
        ...

    async def relink_contact(
        self, team_id: int, reminder_id: int, *, contact_id: int | None, company_id: int | None
    ) -> Reminder | None:
        """Say whom the team's reminder is about; None if there is no such reminder."""
        ...

    async def delete(self, team_id: int, reminder_id: int) -> bool:
        """Delete the team's reminder; True if there was one."""
        ...


class DealRepository(Protocol):
    async def open_for_company(self, team_id: int, company_id: int) -> Deal | None:
        """The company's open deal (the newest, if there are several)."""
        ...

    async def latest_for_company(self, team_id: int, company_id: int) -> Deal | None: ...

    async def get(self, team_id: int, deal_id: int) -> Deal | None: ...

    async def add(
        self,
        *,
        team_id: int,
        company_id: int | None,
        owner_rep_id: int,
        title: str,
        stage: Stage,
        amount: Decimal | None,
        currency: str | None,
        at: datetime,
    ) -> Deal:
        """A new deal, its first stage recorded as a stage change from nothing."""
        ...

    async def move(
        self, team_id: int, deal_id: int, to_stage: Stage, rep_id: int, at: datetime
    ) -> Deal:
        """Move the team's deal to another stage, recording who, when, from and to (another
        team's id raises: the core reads a deal with :meth:`get` before it changes it)."""
        ...

    async def set_amount(
        self, team_id: int, deal_id: int, amount: Decimal, currency: str | None, at: datetime
    ) -> Deal: ...

    async def delete(self, team_id: int, deal_id: int) -> bool:
        """Delete the team's deal and its stage history (Undo of the message that opened it)."""
        ...

    async def revert(self, team_id: int, deal_id: int, before: Deal) -> Deal | None:
        """Put the deal back as it was (Undo of a move or a new amount): its stage, amount and
        times, dropping the stage change that led away from ``before.stage``."""
        ...

    async def open_lines(
        self, team_id: int, owner_rep_id: int | None, now: datetime
    ) -> list[DealLine]:
        """Open deals (of one rep, or the team's) with company, owner, last activity with the
        company and its next open callback, in one query."""
        ...

    async def line(self, team_id: int, deal_id: int, now: datetime) -> DealLine | None:
        """One of the team's deals (open or closed) as :meth:`open_lines` shows it."""
        ...

    async def open_tallies(self, team_id: int, owner_rep_id: int | None) -> list[DealTally]:
        """Open deals (of one rep, or the team's) counted and summed per owner's name, stage
        and currency, in one aggregate query: a big team's /pipeline without every deal."""
        ...

    async def quiet_lines(
        self,
        team_id: int,
        owner_rep_id: int | None,
        now: datetime,
        limits: Mapping[Stage, int],
        limit: int,
    ) -> tuple[list[DealLine], int]:
        """The first ``limit`` open deals gone quiet by ``limits``
        (``handlers.pipeline.is_quiet``), in :meth:`open_lines` order, and how many there are
        in all."""
        ...

    async def first_open_lines(
        self, team_id: int, owner_rep_id: int | None, now: datetime, limit: int
    ) -> list[DealLine]:
        """The first ``limit`` open deals in pipeline order: by stage, then the oldest id."""
        ...

    async def open_of_company(self, team_id: int, company_id: int) -> list[Deal]:
        """The company's open deals, the oldest first."""
        ...

    async def idle_limits(self, team_id: int) -> dict[Stage, int]:
        """Days a deal may sit in each open stage with no news before it counts as quiet: the
        team's own limits over the defaults (``domain.QUIET_AFTER_DAYS``)."""
        ...

    async def set_idle_limit(self, team_id: int, stage: Stage, days: int | None) -> None:
        """Set the team's idle limit of an open stage (None: back to the default)."""
        ...


class RecallRepository(Protocol):
    """Reads for /history and /find: bounded, team-scoped queries (``rep_id`` None: anyone's).

    ``about`` methods take exactly one of ``contact_id`` and ``company_id``. ``needle`` is
    folded by the caller as :func:`handlers.names.name_key` folds names.
    """

    async def contacts_at(self, team_id: int, company_id: int, limit: int) -> list[Contact]:
        """The company's contacts, by name; at most ``limit``."""
        ...

    async def activities_about(
        self,
        team_id: int,
        *,
        contact_id: int | None,
        company_id: int | None,
        rep_id: int | None,
        kind: ActivityKind | None,
        limit: int,
    ) -> list[Activity]:
        """Activities with the contact (or the company), of ``kind`` if given, newest first."""
        ...

    async def next_callback(
        self, team_id: int, *, contact_id: int | None, company_id: int | None, rep_id: int | None
    ) -> Reminder | None:
        """The earliest open reminder about the contact (or the company), overdue ones too."""
        ...

    async def find_contacts(self, team_id: int, needle: str, limit: int) -> list[Contact]:
        """The team's contacts whose folded name contains ``needle``, by name."""
        ...

    async def find_contacts_by_details(
        self, team_id: int, *, email: str | None, phone_digits: str | None, limit: int
    ) -> list[Contact]:
        """The team's contacts whose e-mail contains ``email`` (any letter case) or whose
        phone's digits contain ``phone_digits``, by name; None searches neither."""
        ...

    async def find_companies(self, team_id: int, needle: str, limit: int) -> list[Company]:
        """The team's companies whose folded name contains ``needle``, by name."""
        ...

    async def find_activities(
        self, team_id: int, rep_id: int | None, needles: Sequence[str], limit: int
    ) -> list[ActivityLine]:
        """Activities whose folded text (:func:`handlers.names.text_key`) contains any of
        ``needles`` (folded the same way), newest first, with whom they were with."""
        ...


class AuditLog(Protocol):
    async def record(
        self,
        *,
        team_id: int,
        rep_id: int | None,
        change_id: str,
        action: str,
        entity: str,
        entity_id: int,
        before: Mapping[str, Any] | None,
        after: Mapping[str, Any] | None,
    ) -> None: ...

    async def for_change(self, team_id: int, change_id: str) -> list[Change]:
        """The team's audit rows of one change, in the order they were written."""
        ...

    async def recent_changes(
        self, team_id: int, rep_id: int, since: datetime, limit: int
    ) -> list[str]:
        """The ids of the changes the rep made in the team at or after ``since``, the latest
        first (by each change's last row); at most ``limit``. ``/undo`` walks them."""
        ...


@dataclass(frozen=True, slots=True)
class Erasure:
    """What erasing a contact's personal data touched (counts only: nothing erased)."""

    activities: int
    """Activities whose text was removed (about the contact, or naming them)."""
    reminders: int
    """Callbacks whose text was removed."""
    audit_rows: int
    """Audit snapshots scrubbed of the name and texts."""
    companies: int = 0
    """Companies named after the person, renamed (with their deals' titles)."""


class PrivacyRepository(Protocol):
    async def erase_contact(
        self, team_id: int, contact_id: int, *, placeholder: str, redacted: str
    ) -> Erasure | None:
        """Erase the team's contact's personal data (GDPR): the name becomes
        ``placeholder`` (and is no longer matched by its letters); the texts of the
        activities and callbacks about them, or naming them, become ``redacted`` (their
        attachments go); a company named after them is renamed
        (:func:`handlers.privacy.company_placeholder`, its deals' titles too); audit snapshots
        of those rows are scrubbed
        (:func:`handlers.privacy.scrub_snapshot`). Activities keep their kind, rep and time,
        so digests still count them. None if the team has no such contact."""
        ...


class UpdateLog(Protocol):
    async def first_delivery(self, platform: str, update_id: str, at: datetime) -> bool:
        """Record an update as handled; False if it was recorded before (a redelivery).

        Recorded inside the update's own transaction, so a failed update can come again.
        """
        ...


class TermRepository(Protocol):
    """A team's own words for stages and activity kinds (see :class:`TeamTerm`)."""

    async def for_team(self, team_id: int) -> list[TeamTerm]: ...

    async def save(self, team_id: int, term: TeamTerm) -> None:
        """Store the team's label and synonyms for ``term``'s key (replacing what was)."""
        ...


class UnitOfWork(Protocol):
    """One transaction: everything an incoming update changes commits together or not at all."""

    teams: TeamRepository
    reps: RepRepository
    invites: InviteRepository
    companies: CompanyRepository
    contacts: ContactRepository
    activities: ActivityRepository
    reminders: ReminderRepository
    deals: DealRepository
    recall: RecallRepository
    audit: AuditLog
    updates: UpdateLog
    terms: TermRepository
    privacy: PrivacyRepository

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed."""
        ...

    async def commit(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]


class ReminderQueue(Protocol):
    """Due reminders, claimed with a lease so that no two dispatchers send one reminder.

    Each method is its own short transaction. A claimed reminder that is neither marked sent
    nor released before its lease runs out is claimed again (a crash mid-send is retried).
    """

    async def claim_due(
        self,
        now: datetime,
        lease: timedelta,
        limit: int,
        recipients: Recipients | None = None,
    ) -> list[DueReminder]:
        """Claim up to ``limit`` due reminders, oldest first, of ``recipients`` (None: all)."""
        ...

    async def mark_sent(self, reminder_ids: Sequence[int], at: datetime) -> None:
        """Settle delivered reminders, in one transaction for the whole batch."""
        ...

    async def retry_at(self, reminder_id: int, at: datetime, error: str) -> None:
        """Release a claimed reminder to be tried again at ``at``."""
        ...

    async def mark_failed(self, reminder_id: int, error: str, at: datetime) -> None:
        """Give up on a claimed reminder (status ``failed``, at ``at``: managers' digests
        list the callbacks that failed in their period)."""
        ...

    async def next_due_at(self, recipients: Recipients | None = None) -> datetime | None:
        """When the earliest pending reminder becomes claimable, if there is one."""
        ...

    async def managers(self, team_id: int) -> list[Rep]: ...

    async def record_tick(self, name: str, at: datetime) -> None:
        """Note that the dispatcher ran, for ``crmbot status``."""
        ...


@dataclass(frozen=True, slots=True)
class DispatchHealth:
    last_tick: datetime | None
    due: int
    """Pending reminders whose time has come (waiting to be sent)."""
    late: int
    """Open reminders more than the grace period past due (not sent in time, or not done)."""
    failed: int


class HealthProbe(Protocol):
    async def dispatch_health(self, now: datetime, grace: timedelta) -> DispatchHealth: ...


class DigestSource(Protocol):
    """What digests are made of, read in a few grouped queries; and which were sent.

    Each method is its own short transaction. :meth:`claim` is the exactly-once guard: a
    digest is sent only by the process whose claim inserted the row.
    """

    async def schedules(self) -> list[DigestSchedule]:
        """Every team's digest settings."""
        ...

    async def digest(
        self,
        schedule: DigestSchedule,
        kind: DigestKind,
        period: Period,
        previous: Period | None,
        now: datetime,
    ) -> DigestData:
        """One team's digest data for ``period`` (and, for the comparisons, ``previous``),
        with the pipeline, overdue callbacks and quiet deals as they stand at ``now``."""
        ...

    async def unsent_managers(
        self, kind: DigestKind, periods: Mapping[int, datetime], recipients: Recipients | None
    ) -> dict[int, list[Rep]]:
        """Per team id in ``periods``: its managers and admins (of ``recipients``' platforms;
        None: all) who have no digest of ``kind`` for the period starting there."""
        ...

    async def agenda_settings(self, recipients: Recipients | None) -> list[tuple[str, str]]:
        """The distinct (rep zone, team agenda time) pairs among ``recipients``' reps."""
        ...

    async def agenda_due(
        self, windows: Sequence[AgendaWindow], recipients: Recipients | None
    ) -> list[tuple[Rep, str]]:
        """Reps of ``recipients`` whose agenda of a window is due, with their team's agenda
        time: in its zone, on a team with its agenda time, created before it, not yet sent
        one for its day, and with an open callback due before the day ends (due that day,
        for ``due_today_only``)."""
        ...

    async def claim(
        self, team_id: int, rep_id: int, kind: DigestKind, period_start: datetime, at: datetime
    ) -> bool:
        """Record a digest as sent to a rep, before sending it; False if it already was."""
        ...

    async def release(
        self, team_id: int, rep_id: int, kind: DigestKind, period_start: datetime
    ) -> None:
        """Forget a claim whose send failed for now, so a later run tries again."""
        ...
