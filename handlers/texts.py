"""What the bot says. Kept in one place so translation (gettext) can take it over whole.

The constants are English source strings marked with ``N_``: translate them where they are
used, ``_(texts.HELP)``, so the reply is in the rep's language.
"""

from __future__ import annotations

import re

from handlers.i18n import N_
from handlers.terms import KIND_LABELS as KIND_LABELS
from handlers.terms import STAGE_LABELS as STAGE_LABELS

_COMMAND_MENTION = re.compile(r"(?<![\w/])/(?=[a-z]+\b)")
COMMAND_PREFIX = {"slack": "/crm "}
"""Where a platform's commands live under one slash command (Slack: "/crm today")."""


def for_platform(text: str, platform: str) -> str:
    """Command mentions as the rep types them on their platform."""
    prefix = COMMAND_PREFIX.get(platform)
    return _COMMAND_MENTION.sub(prefix, text) if prefix else text


HELP = N_("""\
Tell me what happened in one message, the way you would text a colleague:
• Met Sam Reed from Northwind, call back tomorrow at 10
• Called Mike Hart at Pied Piper, follow up Friday
• Emailed Ana Popescu @Acme, remind me next week
• remind me to call Sam Reed in 2 hours

I store the meeting, call, e-mail or note, the contact and company, and the callback.
Names are matched to your team's contacts and companies, typos and all ("sam" finds Sam
Reed if he is the only Sam); when a name fits several, I ask which.
Follow-up times I understand: today, tomorrow, a weekday (the next one), in 2 hours,
in 3 days, next week, Dec 2, 2/12, and a clock time (at 3pm, 15:00).

When a callback falls due I send you a reminder with buttons: Done (and log the call),
Snooze 1 h, Tomorrow, or Pick a time (type it in your words).

Commands:
/log: log a meeting, call, e-mail or note step by step, mostly with taps
/today: overdue callbacks, today's, and the next few coming up
/reminders: all your open reminders, to move or cancel
/cancel: stop what I asked for (e.g. Pick a time)
/pipeline: open deals by stage, and the ones gone quiet
/deal Northwind: the deal's card, with buttons to move it (/deal Northwind 12k EUR opens one)
/idle: days without news before a deal counts as quiet (/idle offer 10: managers change them)
/agenda off: no morning agenda for you (/agenda on brings it back)
/history Sam Reed: who they are, notes, the open deal, last activities, next callback
/find fishing: contacts, companies and notes with a word in them
/digests: when the team's digests and agendas go out (the admin changes them)
/undo: take back your last change (a message, a button, a setting); again goes one
further back, up to 24 hours
/forget Sam Reed: erase a contact's personal data for good (admins only)
/team: who is in the team and their roles (managers; admins change roles)
/invite rep: an invite code for a new rep (or manager, admin; admins only)
/lang: the language I speak with you
/tz: your time zone (/tz Lisbon changes it)
/stages, /kinds: your team's names for deal stages and activities (the admin renames them)
/help: this message""")

WELCOME = N_(
    "Hi {name}! I'm your CRM assistant. I set up a team for you, so you can start now.\n\n"
)

ZONE_GUESSED = N_(
    "I read your times in {zone}, the zone this computer is set to. If you are elsewhere, "
    "tell me with /tz and your city (/tz Lisbon), or start the console with "
    "--tz Europe/Lisbon.\n\n"
)

STRANGER = N_(
    "Hi! This bot keeps a sales team's CRM. To join your team, ask its admin for an invite "
    "code and send it to me as /join CODE."
)
EMPTY = N_('Send me what happened, e.g. "Called Ana at Acme, call back Friday". /help shows more.')
NO_WORDS = N_(
    "I read words, not only symbols. Tell me what happened, e.g. "
    '"Called Ana at Acme, call back Friday". Nothing was saved.'
)
UNKNOWN_COMMAND = N_("I don't know {command}. /help lists what I understand.")
TOO_LONG = N_(
    "That message is {length:,} characters long; I take up to {limit:,}. "
    "Nothing was saved: please send it in shorter parts."
)
NOT_TEXT = N_(
    "I can't read a {attachment} yet. Tell me what happened in words, "
    'e.g. "Called Ana at Acme, call back Friday".'
)
HISTORY_USAGE = N_(
    "Whose history? Type a contact or a company after the command: /history Sam Reed, "
    "/history Northwind."
)
FIND_USAGE = N_(
    "What should I look for? Type a word or two after the command: /find fishing, /find Popescu."
)
UNKNOWN_BUTTON = N_("That button is no longer active. Nothing was changed.")
FAILED = N_("Sorry, something went wrong on my side and nothing was saved. Please try again.")

STAGE_WITHOUT_COMPANY = N_(
    "To move a deal I need the company: “Northwind is negotiating”, “Acme signed”."
)
ATTACHMENTS = (
    N_("GIF"), N_("photo"), N_("sticker"), N_("voice note"), N_("video message"), N_("video"),
    N_("sound file"), N_("document"), N_("venue"), N_("location"), N_("contact card"),
    N_("poll"), N_("dice roll"), N_("game"), N_("story"), N_("paid post"),
)  # fmt: skip
"""What the adapters call a message that is not text (``I can't read a photo yet``),
marked here so the catalogs translate them; the core says ``_(attachment)``."""
