"""``/log``: a guided entry for reps who would rather tap than type.

Four questions, each answered with a tap but one: what it was (Meeting / Call / E-mail / Note),
who it was with (the rep's five most recent contacts, "No one", or a typed name), what happened
(typed), and the follow-up (Tomorrow / In 3 days / Next week / Pick a time / None; Pick a time
takes a time in words, read by the capture engine's ``read_time``). A "what happened" that
already promises a follow-up ("wants a quote, call back Friday") skips the last question.

The answers are stored like a free-text message: one :class:`CaptureRecorder` call, audited
under one change id, answered with the same card (Change time, Not a callback, Change contact,
Undo).

State between the steps: ``Rep.awaiting`` is ``log:<flow>:<step>`` (the flow is a random token,
so a button of an older ``/log`` changes nothing), and ``Rep.draft`` holds the answers so far
as JSON. A command abandons the flow, as it does any question.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from handlers import texts, timefmt
from handlers.capture import Capture, read_message, read_time
from handlers.corrections import clean_name
from handlers.domain import ActivityKind, Contact, Rep, Team
from handlers.i18n import N_, _
from handlers.matching import contact_labels, find_company, find_contact
from handlers.messages import Button, Reply
from handlers.ports import UnitOfWork
from handlers.recording import CaptureRecorder
from handlers.reminder_card import who
from handlers.terms import kind_label

AWAITING_LOG = "log"
"""The ``Rep.awaiting`` prefix while a ``/log`` is under way: ``log:<flow>:<step>``."""
LOG_BUTTON = re.compile(r"l:(?P<flow>[0-9a-f]{6}):(?P<value>[a-z0-9]{1,20})")
"""``/log`` button payloads; use ``fullmatch``."""
RECENT_CONTACTS = 5
"""Recent contacts offered as buttons on "Who was it with?"."""

_KINDS = {kind.value: kind for kind in ActivityKind}
_FOLLOW_UP_DAYS = {"tomorrow": 1, "3days": 3, "week": 7}
"""Follow-up buttons: days ahead, at the team's default hour (as "tomorrow", "in 3 days" and
"next week" read in a message)."""
_STEP = re.compile(r"(?P<flow>[0-9a-f]{6}):(?P<step>kind|who|what|when|pick)")

ASK_KIND = N_("What do you want to log?")
ASK_TEXT = N_("What happened? A few words are enough.")
ASK_FOLLOW_UP = N_("Follow up?")
ASK_TIME = N_(
    "When should I remind you? Type it the way you would say it: "
    "“tomorrow at 3pm”, “Friday”, “in 2 hours”, “Dec 2 at 10”."
)
NOT_A_NAME = N_(
    "That doesn't look like a name. Type just the name, e.g. “Sam Reed” or "
    "“Sam Reed from Northwind”, tap a button, or send /cancel."
)
NOT_A_TIME = N_(
    "I couldn't read a time in that. Try “tomorrow at 3pm” or “in 2 hours”, tap a button, "
    "or send /cancel."
)


@dataclass(frozen=True, slots=True)
class _Draft:
    """The answers so far."""

    kind: ActivityKind
    contact_id: int | None = None
    """A contact tapped on "Who was it with?"."""
    name: str | None = None
    """A person's name typed instead, matched against the team's contacts when stored."""
    company: str | None = None
    text: str | None = None

    def dump(self) -> str:
        data: dict[str, Any] = {"kind": self.kind.value}
        for key in ("contact_id", "name", "company", "text"):
            if (value := getattr(self, key)) is not None:
                data[key] = value
        return json.dumps(data, ensure_ascii=False)

    @staticmethod
    def load(raw: str | None) -> _Draft | None:
        try:
            data = json.loads(raw or "")
        except ValueError:
            return None
        if not isinstance(data, dict) or data.get("kind") not in _KINDS:
            return None
        contact_id = data.get("contact_id")
        strings = [data.get(key) for key in ("name", "company", "text")]
        if not (contact_id is None or type(contact_id) is int) or not all(
            value is None or isinstance(value, str) for value in strings
        ):
            return None
        name, company, text = strings
        return _Draft(_KINDS[data["kind"]], contact_id, name, company, text)


class GuidedLog:
    """One update's part of a ``/log``: start it, take a tap, or take a typed answer."""

    def __init__(self, uow: UnitOfWork, rep: Rep, team: Team, now: datetime) -> None:
        self._uow = uow
        self._rep = rep
        self._team = team
        self._now = now
        self.scheduled: list[datetime] = []
        """Due times of the reminders this update set."""

    async def start(self) -> Reply:
        flow = secrets.token_hex(3)
        await self._uow.reps.set_awaiting(self._rep.id, f"{AWAITING_LOG}:{flow}:kind")
        await self._uow.reps.set_draft(self._rep.id, None)
        return Reply(
            _(ASK_KIND),
            (
                (
                    Button(kind_label(ActivityKind.MEETING), f"l:{flow}:meeting"),
                    Button(kind_label(ActivityKind.CALL), f"l:{flow}:call"),
                ),
                (
                    Button(kind_label(ActivityKind.EMAIL), f"l:{flow}:email"),
                    Button(kind_label(ActivityKind.NOTE), f"l:{flow}:note"),
                ),
            ),
        )

    def _where(self) -> tuple[str, str] | None:
        """The flow and step under way, if a ``/log`` is."""
        kind, _, subject = (self._rep.awaiting or "").partition(":")
        match = _STEP.fullmatch(subject) if kind == AWAITING_LOG else None
        return (match["flow"], match["step"]) if match else None

    async def press(self, flow: str, value: str) -> Reply:
        """A ``/log`` button. One of another ``/log``, or of a step already answered, is stale."""
        where = self._where()
        if where is None or where[0] != flow:
            return Reply(_(texts.UNKNOWN_BUTTON))
        step = where[1]
        if step == "kind":
            if value not in _KINDS:
                return Reply(_(texts.UNKNOWN_BUTTON))
            return await self._ask_who(flow, _Draft(_KINDS[value]))
        draft = _Draft.load(self._rep.draft)
        if draft is None:
            return await self._lost()
        if step == "who":
            if value == "nobody":
                return await self._ask_text(flow, draft)
            if not re.fullmatch(r"c[1-9]\d{0,17}", value):
                return Reply(_(texts.UNKNOWN_BUTTON))
            contact = await self._uow.contacts.get(self._rep.team_id, int(value[1:]))
            if contact is None:
                return Reply(_(texts.UNKNOWN_BUTTON))
            return await self._ask_text(flow, replace(draft, contact_id=contact.id))
        if step in ("when", "pick") and draft.text is not None:
            if value == "none":
                return await self._finish(draft, None)
            if value == "pick":
                await self._uow.reps.set_awaiting(self._rep.id, f"{AWAITING_LOG}:{flow}:pick")
                return Reply(_(ASK_TIME))
            if value in _FOLLOW_UP_DAYS:
                return await self._finish(draft, self._days_ahead(_FOLLOW_UP_DAYS[value]))
        return Reply(_(texts.UNKNOWN_BUTTON))

    async def typed(self, subject: str, text: str) -> Reply | None:
        """A typed message while a ``/log`` waits for one; None if it is not an answer (the
        flow is dropped and the caller reads the text as a new message)."""
        match = _STEP.fullmatch(subject)
        draft = _Draft.load(self._rep.draft) if match and match["step"] != "kind" else None
        if match is None or draft is None:
            # Asked to tap what it was, the rep wrote what happened instead: a message.
            await self._drop()
            return None
        flow, step = match["flow"], match["step"]
        if step == "who":
            return await self._typed_who(flow, draft, text)
        if step == "what":
            return await self._typed_text(flow, draft, text)
        if draft.text is None:
            return await self._lost()
        found = read_time(
            text,
            now=self._now,
            timezone=self._rep.timezone,
            language=self._rep.language,
            default_hour=self._team.default_hour,
            date_order=self._team.date_order,
        )
        if found is None:
            return Reply(_(NOT_A_TIME), _follow_up_buttons(flow) if step == "when" else ())
        return await self._finish(draft, found)

    async def _typed_who(self, flow: str, draft: _Draft, text: str) -> Reply:
        reading = self._read(text)
        name, company = reading.contact, reading.company
        if name is None:
            # A bare name: the engine reads one alone as a company as often as a person.
            name, company = clean_name(text), None
            if name is None:
                return Reply(_(NOT_A_NAME))
            team_id = self._rep.team_id
            person = await find_contact(self._uow, team_id, name)
            if person.contact is None and not person.choices:
                known = await find_company(self._uow, team_id, name)
                if known is not None:  # no such person, but a company of that name
                    name, company = None, known.name
        return await self._ask_text(flow, replace(draft, name=name, company=company))

    async def _typed_text(self, flow: str, draft: _Draft, text: str) -> Reply:
        draft = replace(draft, text=text)
        reading = self._read(text)
        if reading.follow_up_at is not None:  # "wants a quote, call back Friday": all said
            return await self._finish(draft, reading.follow_up_at, reading.follow_up_text)
        await self._uow.reps.set_awaiting(self._rep.id, f"{AWAITING_LOG}:{flow}:when")
        await self._uow.reps.set_draft(self._rep.id, draft.dump())
        return Reply(_(ASK_FOLLOW_UP), _follow_up_buttons(flow))

    async def _ask_who(self, flow: str, draft: _Draft) -> Reply:
        await self._uow.reps.set_awaiting(self._rep.id, f"{AWAITING_LOG}:{flow}:who")
        await self._uow.reps.set_draft(self._rep.id, draft.dump())
        recent = await self._uow.contacts.recent_for_rep(
            self._rep.team_id, self._rep.id, RECENT_CONTACTS
        )
        labels = await contact_labels(self._uow, self._rep.team_id, recent)
        buttons = [
            (Button(label, f"l:{flow}:c{contact.id}"),)
            for contact, label in zip(recent, labels, strict=True)
        ]
        buttons.append((Button(_("No one"), f"l:{flow}:nobody"),))
        kind = kind_label(draft.kind)
        question = (
            _("{kind}: who was it with? Tap a recent contact or type a name, e.g. “Sam Reed "
              "from Northwind”.")
            if recent
            else _("{kind}: who was it with? Type a name, e.g. “Sam Reed from Northwind”.")
        )  # fmt: skip
        return Reply(question.format(kind=kind), tuple(buttons))

    async def _ask_text(self, flow: str, draft: _Draft) -> Reply:
        await self._uow.reps.set_awaiting(self._rep.id, f"{AWAITING_LOG}:{flow}:what")
        await self._uow.reps.set_draft(self._rep.id, draft.dump())
        contact = await self._contact(draft)
        if contact is not None:
            person = (await contact_labels(self._uow, self._rep.team_id, [contact]))[0]
        else:
            person = who(draft.name, draft.company)
        kind = kind_label(draft.kind)
        if person:
            return Reply(
                _("{kind} with {person}.").format(kind=kind, person=person) + " " + _(ASK_TEXT)
            )
        return Reply(f"{kind}. {_(ASK_TEXT)}")

    async def _finish(
        self, draft: _Draft, follow_up_at: datetime | None, follow_up_text: str | None = None
    ) -> Reply:
        if draft.text is None:
            return await self._lost()
        await self._drop()
        reading = self._read(draft.text)  # a stage or an amount moves the deal, as in a message
        capture = Capture(
            kind=draft.kind,
            contact=draft.name,
            company=draft.company,
            follow_up_at=follow_up_at,
            follow_up_text=follow_up_text,
            stage=reading.stage,
            amount=reading.amount,
            currency=reading.currency,
            language=reading.language,
        )
        recorder = CaptureRecorder(self._uow, self._rep, self._now)
        reply = await recorder.record(
            draft.text, capture, contact=await self._contact(draft), examples_when_empty=False
        )
        self.scheduled += recorder.scheduled
        return reply

    async def _contact(self, draft: _Draft) -> Contact | None:
        if draft.contact_id is None:
            return None
        return await self._uow.contacts.get(self._rep.team_id, draft.contact_id)

    def _read(self, text: str) -> Capture:
        return read_message(
            text,
            now=self._now,
            timezone=self._rep.timezone,
            language=self._rep.language,
            default_hour=self._team.default_hour,
            date_order=self._team.date_order,
        )

    def _days_ahead(self, days: int) -> datetime:
        day = timefmt.local(self._now, self._rep.timezone).date() + timedelta(days=days)
        return datetime.combine(
            day, time(self._team.default_hour), tzinfo=ZoneInfo(self._rep.timezone)
        )

    async def _drop(self) -> None:
        await self._uow.reps.set_awaiting(self._rep.id, None)
        await self._uow.reps.set_draft(self._rep.id, None)

    async def _lost(self) -> Reply:
        """The draft is missing or unreadable (edited by hand?): start again."""
        await self._drop()
        return Reply(_("I lost track of that entry, sorry. Nothing was saved: send /log again."))


def _follow_up_buttons(flow: str) -> tuple[tuple[Button, ...], ...]:
    return (
        (
            Button(_("Tomorrow"), f"l:{flow}:tomorrow"),
            Button(_("In 3 days"), f"l:{flow}:3days"),
            Button(_("Next week"), f"l:{flow}:week"),
        ),
        (Button(_("Pick a time"), f"l:{flow}:pick"), Button(_("None"), f"l:{flow}:none")),
    )
