"""Small talk is not work: a greeting, thanks or an "ok" gets a friendly answer and is not
stored, so it never counts as an activity in /today or the managers' digests."""

from __future__ import annotations

from handlers.capture import small_talk
from handlers.capture.lexicon import fold
from handlers.i18n import N_, _
from handlers.messages import Reply

THANKS = N_(
    "You're welcome! Tell me about the next client whenever you like, e.g. “Called Sam Reed "
    "at Northwind, call back Friday at 10”."
)
GREETING = N_(
    "Hi! Tell me what happened with a client in one message, e.g. “Met Sam Reed from "
    "Northwind, call back tomorrow at 10”, and I'll file it. /help lists what I understand."
)
NOTHING_TO_FILE = N_(
    "OK. I kept nothing from that: there was no client, time or deal news in it. To keep "
    "words as a note, start with “note:”."
)


def chat_reply(text: str) -> Reply:
    """The answer to a message with nothing to file, in the rep's language."""
    words = small_talk.words_of(fold(text))
    if words & small_talk.THANKS:
        return Reply(_(THANKS))
    if words & small_talk.GREETINGS:
        return Reply(_(GREETING))
    return Reply(_(NOTHING_TO_FILE))
