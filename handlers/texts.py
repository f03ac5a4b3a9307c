"""What the bot says. Kept in one place so translation (gettext) can take it over whole."""

from __future__ import annotations

import re

_COMMAND_MENTION = re.compile(r"(?<![\w/])/(?=[a-z]+\b)")
COMMAND_PREFIX = {"slack": "/crm "}
"""Where a platform's commands live under one slash command (Slack: "/crm today")."""


def for_platform(text: str, platform: str) -> str:
    """Command mentions as the rep types them on their platform."""
    prefix = COMMAND_PREFIX.get(platform)
    return _COMMAND_MENTION.sub(prefix, text) if prefix else text


HELP = """\
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
/pipeline: open deals by stage, and the ones gone quiet
/agenda off: no morning agenda for you (/agenda on brings it back)
/history Sam Reed: who they are, notes, the open deal, last activities, next callback
/find fishing: contacts, companies and notes with a word in them
/digests: when the team's digests and agendas go out (managers change them)
/help: this message"""

WELCOME = "Hi {name}! I'm your CRM assistant. I set up a team for you, so you can start now.\n\n"

STRANGER = "Hi! This bot keeps a sales team's CRM. Ask your team's admin for an invite to join."
EMPTY = 'Send me what happened, e.g. "Called Ana at Acme, call back Friday". /help shows more.'
NO_WORDS = (
    "I read words, not only symbols. Tell me what happened, e.g. "
    '"Called Ana at Acme, call back Friday". Nothing was saved.'
)
UNKNOWN_COMMAND = "I don't know {command}. /help lists what I understand."
TOO_LONG = (
    "That message is {length:,} characters long; I take up to {limit:,}. "
    "Nothing was saved: please send it in shorter parts."
)
NOT_TEXT = (
    "I can't read a {attachment} yet. Tell me what happened in words, "
    'e.g. "Called Ana at Acme, call back Friday".'
)
HISTORY_USAGE = (
    "Whose history? Type a contact or a company after the command: /history Sam Reed, "
    "/history Northwind."
)
FIND_USAGE = (
    "What should I look for? Type a word or two after the command: /find fishing, /find Popescu."
)
UNKNOWN_BUTTON = "That button is no longer active. Nothing was changed."
FAILED = "Sorry, something went wrong on my side and nothing was saved. Please try again."

STAGE_WITHOUT_COMPANY = (
    "To move a deal I need the company: “Northwind is negotiating”, “Acme signed”."
)
KIND_LABELS = {"meeting": "Meeting", "call": "Call", "email": "E-mail", "note": "Note"}
KIND_PLURALS = {"meeting": "meetings", "call": "calls", "email": "e-mails", "note": "notes"}

STAGE_LABELS = {
    "prospect": "Prospect",
    "contact": "First contact",
    "needs": "Needs",
    "offer": "Offer sent",
    "negotiation": "Negotiation",
    "contract": "Contract",
    "delivery": "Delivery",
    "completed": "Completed",
    "lost": "Lost",
}
