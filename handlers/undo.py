"""``/undo``: take back the rep's own last change.

A change is everything one update of the rep wrote to the audit log under one change id: a
message (the meeting, contact, company, callback and deal move it stored, with the card's
fixes), a reminder button (done, snooze, tomorrow, a new time, cancel, a logged call), a quiet
deal's button, a ``/digests`` setting. ``/undo`` reverts the latest of the rep's changes that is
not undone yet, with the card's Undo machinery (:class:`handlers.corrections.Corrections`), so
it says exactly what it removed or put back, and the undo is audited under the same change id.
A second ``/undo`` goes one further back; changes older than 24 hours are out of reach (as for
the card), and then it says there is nothing to undo. A change that cannot be undone (an
erasure, or one that other changes built on) stops it, with the reason: skipping past it
would revert something older than the rep expects.
"""

from __future__ import annotations

from datetime import datetime

from handlers.corrections import UNDO_WINDOW, Corrections
from handlers.domain import Change, Rep
from handlers.i18n import _
from handlers.messages import Reply
from handlers.ports import UnitOfWork
from handlers.reminder_card import quote

LOOKBACK = 50
"""Changes looked at per /undo; a rep who undid more than that in a day starts again here."""


def _undone(rows: list[Change]) -> bool:
    return any(row.action == "undo" for row in rows)


def describe_change(rows: list[Change]) -> str:
    """What the change was, in the rep's terms ("your message “Met Sam…”"), or "" when there
    is nothing to name it by."""
    if any(row.action == "erase" for row in rows):
        return _("erasing a contact")
    for entity in ("activity", "reminder"):
        for row in rows:
            text = (row.after or {}).get("text")
            if row.action == "create" and row.entity == entity and isinstance(text, str):
                return _("your message {text}").format(text=quote(text, 60))
    for row in rows:
        after = row.after or {}
        if row.entity == "reminder" and isinstance(after.get("text"), str):
            return _("your change to the callback {text}").format(
                text=quote(str(after["text"]), 60)
            )
        if row.entity == "deal" and after.get("title"):
            return _("your change to the {title} deal").format(title=after["title"])
        if row.entity == "team":
            return _("your change to the team's settings")
        if row.entity == "rep":
            return _("your change to a member's role")
    return ""  # nothing nameable: the undo's own account says what went


async def undo_last(uow: UnitOfWork, rep: Rep, now: datetime) -> Reply:
    """Undo the rep's latest change not undone yet (within 24 hours), and say what it was."""
    recent = await uow.audit.recent_changes(rep.team_id, rep.id, now - UNDO_WINDOW, LOOKBACK)
    for change_id in recent:
        rows = await uow.audit.for_change(rep.team_id, change_id)
        if not rows or rows[0].rep_id != rep.id or _undone(rows):
            continue  # already undone (by /undo or the card): look further back
        if now - rows[0].at > UNDO_WINDOW:
            break  # only its fixes are recent; the change itself is out of reach
        what = describe_change(rows)
        if any(row.action == "erase" for row in rows):
            return Reply(
                _(
                    "Your last change was {what}, which can't be undone. Nothing was changed."
                ).format(what=what)
            )
        done = await Corrections(uow, rep, now).undo(change_id)
        if not what:
            return done
        return Reply(_("Your last change was {what}.").format(what=what) + "\n" + done.text)
    return Reply(
        _("There is nothing of yours to undo from the last 24 hours. Nothing was changed.")
    )
