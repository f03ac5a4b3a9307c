"""Voice notes: kept with what the rep just logged, by the platform's file id.

Reps often add a spoken note right after typing a capture ("and he mentioned the budget
freeze..."). The bot cannot transcribe it, but losing it would be worse: it becomes a note
about the same contact and company, with the recording attached, and shows in /history.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers.audit import ChangeLog
from handlers.corrections import card_buttons
from handlers.domain import Activity, ActivityKind, Rep
from handlers.i18n import _
from handlers.messages import Reply
from handlers.ports import UnitOfWork
from handlers.reminder_card import who

VOICE_NOTE_WINDOW = timedelta(minutes=15)
"""How soon after a capture a voice note still belongs to it: long enough to walk out of a
meeting and record one, short enough not to file it with the morning's first call."""

VOICE = "voice"


async def keep_voice_note(
    uow: UnitOfWork, rep: Rep, now: datetime, platform: str, file_id: str
) -> Reply | None:
    """File a voice note with the rep's capture of the last minutes; None if there is none."""
    latest = await uow.activities.latest_created_by(rep.team_id, rep.id, now - VOICE_NOTE_WINDOW)
    if latest is None:
        return None
    note = await uow.activities.add(
        team_id=rep.team_id,
        rep_id=rep.id,
        kind=ActivityKind.NOTE,
        occurred_at=now,
        text=_("🎤 Voice note"),
        contact_id=latest.contact_id,
        company_id=latest.company_id,
    )
    await uow.activities.attach(
        rep.team_id, note.id, platform=platform, kind=VOICE, file_id=file_id
    )
    changes = ChangeLog(uow, rep)
    await changes.created("activity", note)
    subject = await _subject(uow, latest)
    if subject:
        text = _("🎤 Voice note kept with {who}. It is not transcribed; /history lists it.")
        text = text.format(who=subject)
    else:
        text = _("🎤 Voice note kept with what you logged just before. It is not transcribed.")
    return Reply(text, card_buttons(changes.change_id, None, has_contact=False))


def without_capture() -> Reply:
    """The answer to a voice note with nothing logged in the last minutes to keep it with."""
    return Reply(
        _(
            "I can't listen to voice notes. Tell me what happened in words, e.g. "
            '"Called Ana at Acme, call back Friday"; a voice note sent right after that '
            "is kept with it."
        )
    )


async def _subject(uow: UnitOfWork, activity: Activity) -> str:
    contact = (
        await uow.contacts.get(activity.team_id, activity.contact_id)
        if activity.contact_id is not None
        else None
    )
    company = (
        await uow.companies.get(activity.team_id, activity.company_id)
        if activity.company_id is not None
        else None
    )
    return who(contact.full_name if contact else None, company.name if company else None)
