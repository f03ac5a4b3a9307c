"""Who may see and change what: the one permission policy of the core.

Every command and button asks this module before it reads another rep's work or changes
anything; adapters decide nothing. The rules (issue #9):

- **Team walls.** Nothing of one team is visible to another. Repositories take the team's id
  on every query; a record of another team is simply not found, and a button naming one gets
  the same answer as a stale button, so it does not even tell the record exists.
- **Reps** read the team's contacts and companies (the shared address book), and see and
  change their own activities, reminders and deals (``/pipeline``, ``/today``, ``/find``).
  A company's open deal (its stage, amount and owner, in ``/history`` and on its card) is
  part of the address book, so two reps never sell to one client unawares; only its owner
  (or a manager) changes it.
- **Managers** see the team's activities, reminders and deals (``/history``, ``/find``,
  ``/pipeline``, digests). They act on any deal of the team (a quiet deal's buttons, a move),
  since steering deals is their job; a rep's callbacks and messages stay the rep's.
- **Admins** have manager rights and configure the team: digests (and the stages, invites and
  roles of the other work on #9), and erase a contact's personal data (``/forget``).
- **Corrections and Undo** of a message belong to the rep who sent it.

A refused action answers with :func:`refusal` and changes nothing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from handlers.domain import Rep, Role
from handlers.i18n import _


class Action(enum.StrEnum):
    READ_DIRECTORY = "read_directory"
    """Read the team's contacts and companies."""
    READ_WORK = "read_work"
    """See an activity, reminder or deal (and its notes) of ``owner``."""
    CHANGE_OWN_WORK = "change_own_work"
    """Change an activity or reminder of ``owner``, or correct or undo their message."""
    CHANGE_DEAL = "change_deal"
    """Move, price, mark lost or plan a callback on a deal owned by ``owner``."""
    VIEW_SETTINGS = "view_settings"
    """See the team's settings (digest times)."""
    CONFIGURE_TEAM = "configure_team"
    """Change the team's settings: digests, stages, invites, roles."""
    FORGET_CONTACT = "forget_contact"
    """Erase a contact's personal data."""


_MANAGING = frozenset({Role.MANAGER, Role.ADMIN})


@dataclass(frozen=True, slots=True)
class Subject:
    """What an action is about: its team, and the rep who owns it (None: nobody's own)."""

    team_id: int
    owner_rep_id: int | None = None


def sees_team(rep: Rep) -> bool:
    """Whether the rep reads the whole team's work (manager, admin) or only their own."""
    return rep.role in _MANAGING


def work_scope(rep: Rep) -> int | None:
    """The ``rep_id`` filter for reads of activities, reminders and deals: None for the
    whole team (managers, admins), the rep's own id otherwise."""
    return None if sees_team(rep) else rep.id


def allowed(rep: Rep, action: Action, subject: Subject | None = None) -> bool:
    """Whether ``rep`` may do ``action`` on ``subject`` (default: their own team, no owner)."""
    subject = subject or Subject(rep.team_id)
    if subject.team_id != rep.team_id:
        return False  # never across teams, whatever the role
    own = subject.owner_rep_id is None or subject.owner_rep_id == rep.id
    if action in (Action.READ_DIRECTORY, Action.VIEW_SETTINGS):
        return action is Action.READ_DIRECTORY or sees_team(rep)
    if action is Action.READ_WORK:
        return own or sees_team(rep)
    if action is Action.CHANGE_OWN_WORK:
        return subject.owner_rep_id == rep.id
    if action is Action.CHANGE_DEAL:
        return own or sees_team(rep)
    # CONFIGURE_TEAM, FORGET_CONTACT
    return rep.role is Role.ADMIN


def refusal(rep: Rep, action: Action, subject: Subject | None = None) -> str:
    """What to answer when :func:`allowed` says no: clear, and saying nothing was changed.

    Another team's record (or a made-up id) reads as a stale button, never as "not yours".
    """
    subject = subject or Subject(rep.team_id)
    if subject.team_id != rep.team_id:
        return _("That button is no longer active. Nothing was changed.")
    if action is Action.CHANGE_OWN_WORK:
        return _("That belongs to another rep, so only they can change it. Nothing was changed.")
    if action is Action.CHANGE_DEAL:
        return _(
            "That deal belongs to another rep; only they or a manager can change it. "
            "Nothing was changed."
        )
    if action is Action.READ_WORK:
        return _("That belongs to another rep, so I can't show it to you.")
    if action is Action.VIEW_SETTINGS:
        return _("Only your team's managers and admins can see the team's settings.")
    if action is Action.FORGET_CONTACT:
        return _("Only your team's admin can erase a contact. Nothing was changed.")
    return _("Only your team's admin can change the team's settings. Nothing was changed.")
