"""A contact's e-mail, phone and job title: light checks on what a file (or a rep) gives.

Light on purpose: an address needs one ``@`` and a dot in its domain, no more (the only real
test of an address is a mail that arrives); a phone number is written as people write them,
with spaces, ``+``, ``-`` and brackets, and needs at least six digits. A value that fails is
refused with the reason, and the rest of the row is still taken.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from handlers.i18n import N_, _
from handlers.names import name_key

MAX_EMAIL = 320
MAX_PHONE = 64
MAX_JOB_TITLE = 200
"""The lengths the contacts table keeps (migration 0011)."""
MIN_PHONE_DIGITS = 6
"""Fewer digits than this is an extension or a typo, not a number to call."""

FIELDS = ("email", "phone", "job_title")
"""The detail fields, in the order reports and replies list them."""
_LABELS: Mapping[str, str] = {
    "email": N_("e-mail"),
    "phone": N_("phone"),
    "job_title": N_("job title"),
}
_AS_SPACES = str.maketrans({".": " ", "/": " "})
"""Dots and slashes ("0722.123.456", "021/312 45 67") separate digit groups as spaces do."""
PHONE_SEPARATORS = (" ", "+", "-", "(", ")")
"""The characters a stored phone number holds besides its digits."""
PHONE_TEXT = re.compile(r"[0-9 +\-()]+")
"""A phone number as it may be written (after dots and slashes became spaces)."""


class DetailError(ValueError):
    """A value that cannot be kept; its message says why, for the person who typed it."""


def label(field: str) -> str:
    """The field's name in the reader's language ("e-mail", "job title")."""
    return _(_LABELS[field])


def _one_line(text: str) -> str:
    return " ".join(text.split())


def read_email(text: str) -> str:
    email = _one_line(text)
    if len(email) > MAX_EMAIL:
        raise DetailError(_("longer than {limit} characters").format(limit=MAX_EMAIL))
    local, at, domain = email.partition("@")
    if not at or not local or "@" in domain or " " in email or "." not in domain.strip("."):
        raise DetailError(_("an e-mail needs one @ and a dot in the domain"))
    return email


def read_phone(text: str) -> str:
    phone = _one_line(text.translate(_AS_SPACES))
    if len(phone) > MAX_PHONE:
        raise DetailError(_("longer than {limit} characters").format(limit=MAX_PHONE))
    if not PHONE_TEXT.fullmatch(phone):
        # Letters ("ext. 12", "ask for Ana") cannot be dropped without changing the number.
        raise DetailError(_("a phone number holds only digits, spaces, + - ( )"))
    if len(phone_digits(phone)) < MIN_PHONE_DIGITS:
        raise DetailError(
            _("a phone number needs at least {count} digits").format(count=MIN_PHONE_DIGITS)
        )
    return phone


def read_job_title(text: str) -> str:
    title = _one_line(text)
    if len(title) > MAX_JOB_TITLE:
        raise DetailError(_("longer than {limit} characters").format(limit=MAX_JOB_TITLE))
    return title


READERS = {"email": read_email, "phone": read_phone, "job_title": read_job_title}


def phone_digits(phone: str) -> str:
    return "".join(char for char in phone if char.isdigit())


def dialled_digits(text: str) -> str | None:
    """The digits of a text written as a phone number ("0721 000", "(021) 312.45"); None
    for any other text ("fishing", "room 12")."""
    spaced = text.translate(_AS_SPACES)
    return phone_digits(spaced) if PHONE_TEXT.fullmatch(spaced) else None


def same_value(field: str, first: str, second: str) -> bool:
    """Whether two values of a field say the same thing: an address in any letter case, a
    number however it is spaced, a title however it is cased or accented."""
    if field == "email":
        return first.casefold() == second.casefold()
    if field == "phone":
        return phone_digits(first) == phone_digits(second)
    return name_key(first) == name_key(second)


@dataclass(frozen=True, slots=True)
class Refusal:
    field: str
    value: str
    reason: str

    def describe(self) -> str:
        return _("{field} {value!r} refused: {reason}").format(
            field=label(self.field), value=self.value, reason=self.reason
        )


def read_details(cells: Mapping[str, str]) -> tuple[dict[str, str], list[Refusal]]:
    """The fields of ``cells`` (field to raw text) that pass, and those refused; empty cells
    are neither."""
    kept: dict[str, str] = {}
    refused: list[Refusal] = []
    for field in FIELDS:
        raw = cells.get(field, "").strip()
        if not raw:
            continue
        try:
            kept[field] = READERS[field](raw)
        except DetailError as error:
            refused.append(Refusal(field, _one_line(raw)[:60], str(error)))
    return kept, refused
