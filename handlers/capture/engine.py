"""The capture engine: one message in, what it records out. Pure and deterministic.

This first version reads English; the multilingual engine replaces the vocabulary tables
without changing :class:`Capture` or :func:`read_message`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from handlers.capture.when import find_time
from handlers.domain import ActivityKind, Stage

# Words that say what happened, first match wins; the order puts the specific before the vague.
_KIND_PATTERNS: tuple[tuple[ActivityKind, re.Pattern[str]], ...] = (
    (ActivityKind.EMAIL, re.compile(r"\b(?:e-?mailed|sent (?:an |the )?e-?mail|e-?mail from)\b")),
    (ActivityKind.MEETING, re.compile(r"\b(?:met|meeting|visited|lunch|dinner|demo)\b")),
    (
        ActivityKind.CALL,
        re.compile(r"\b(?:called|phoned|rang|spoke|talked|had a call|call with|on the phone)\b"),
    ),
    (ActivityKind.NOTE, re.compile(r"^\s*note\b")),
)

# A promise to get back to someone; without one, a date in the text is a fact, not a follow-up.
_FOLLOW_UP_INTENT = re.compile(
    r"\b(?:call(?:ing)?\s+(?:\w+\s+)?back|callback|call|ring|remind(?:\s+me)?|follow(?:[- ]?up)?"
    r"|get back|check in|ping|e-?mail\s+(?:\w+\s+)?(?:again|back)|chase|meet again|visit again)\b"
)

# Who the message is about: a name follows one of these.
_PERSON_CUE = re.compile(
    r"\b(?:met(?:\s+with)?|meeting\s+with|called|phoned|rang|spoke\s+(?:to|with)|talked\s+(?:to|with)"
    r"|e-?mailed|e-?mail\s+from|call(?:\s+with)?|ring|remind\s+me\s+to\s+call|lunch\s+with|with|to)"
    r"\s+",
    re.IGNORECASE,
)
_COMPANY_CUE = re.compile(r"(?:\b(?:from|at|of)\s+|@)", re.IGNORECASE)

# Words that end a name: prepositions, pronouns, time words and the like.
_NOT_A_NAME = frozenset(
    """a an the and or but from at of with to for about re on in by back up again today tomorrow
    tonight next this that they them he she him her his their we us our i me my it its you your
    is are was were be been wants want needs need said says asked will would can could should
    about regarding meeting call called email emailed note remind follow later soon asap
    monday tuesday wednesday thursday friday saturday sunday mon tue wed thu fri sat sun
    week weeks day days hour hours minute minutes morning afternoon evening noon pm am
    quote offer deal contract price pricing demo""".split()
)
_WORD = re.compile(r"[^\W\d_][\w'’.-]*", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Capture:
    """What one message says happened. Absent parts are None."""

    kind: ActivityKind | None
    contact: str | None
    company: str | None
    follow_up_at: datetime | None
    """Timezone-aware, in the rep's zone."""
    follow_up_text: str | None
    stage: Stage | None
    amount: Decimal | None
    currency: str | None
    language: str

    @property
    def is_empty(self) -> bool:
        return not any((self.kind, self.contact, self.company, self.follow_up_at, self.stage))


def _names_after(
    cue: re.Pattern[str], text: str, max_words: int, taken: tuple[int, int] = (0, 0)
) -> tuple[str, tuple[int, int]] | None:
    """The run of name-like words after the first cue that has one, and where it stands.

    A run starting inside ``taken`` (a name already read as something else) is passed over.
    """
    for match in cue.finditer(text):
        if taken[0] <= match.end() < taken[1]:
            continue
        words: list[str] = []
        position = match.end()
        while len(words) < max_words:
            word = _WORD.match(text, position)
            if word is None:
                break
            token = word.group().rstrip(".")
            if token.lower() in _NOT_A_NAME:
                break
            if words and words[0][0].isupper() and not token[0].isupper():
                break  # a capitalised name ends at the first lowercase word
            words.append(token)
            position = word.end()
            if position < len(text) and text[position] not in " \t":
                break  # punctuation ends a name
            while position < len(text) and text[position] in " \t":
                position += 1
        if words:
            return " ".join(_proper(word) for word in words), (match.end(), position)
    return None


def _proper(word: str) -> str:
    """Capitalise a word typed in lowercase; leave deliberate capitals (``McKay``, ``IBM``)."""
    return word if any(char.isupper() for char in word) else word[:1].upper() + word[1:]


def _kind(lowered: str) -> ActivityKind | None:
    for kind, pattern in _KIND_PATTERNS:
        if pattern.search(lowered):
            return kind
    return None


def read_message(
    text: str,
    *,
    now: datetime,
    timezone: str,
    language: str | None = None,
    default_hour: int = 9,
    date_order: str = "DMY",
) -> Capture:
    """Read ``text`` as written by a rep at ``now`` (aware) in ``timezone`` (IANA name)."""
    text = " ".join(text.split())
    lowered = text.lower()
    local_now = now.astimezone(ZoneInfo(timezone))

    follow_up_at = None
    follow_up_text = None
    intent = _FOLLOW_UP_INTENT.search(lowered)
    if intent is not None:
        found = find_time(lowered, local_now, default_hour, date_order)
        if found is not None:
            follow_up_at = found.at
            follow_up_text = text[intent.start() :].strip(" ,.;")

    kind = _kind(lowered)
    person = _names_after(_PERSON_CUE, text, max_words=3)
    contact, contact_span = person if person else (None, (0, 0))
    organisation = _names_after(_COMPANY_CUE, text, max_words=4, taken=contact_span)
    company = organisation[0] if organisation else None
    if kind is None and follow_up_at is None and (contact or company):
        kind = ActivityKind.NOTE
    return Capture(
        kind=kind,
        contact=contact,
        company=company,
        follow_up_at=follow_up_at,
        follow_up_text=follow_up_text,
        stage=None,
        amount=None,
        currency=None,
        language=language or "en",
    )
