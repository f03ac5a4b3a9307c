"""Invite codes and how to use them: made with ``secrets``, easy to read out and type.

Shared by the chat commands (``/invite``) and the command line (``crmbot invite``).
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from handlers.domain import Role
from handlers.i18n import N_, _

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
"""Letters and digits without the look-alikes (0/O, 1/I/L): 31 symbols."""
CODE_LENGTH = 10
"""31**10 is about 8e14 codes: not guessable in any number of tries a chat allows."""

_SEPARATORS = re.compile(r"[\s\-_.]+")
_DURATION_PART = re.compile(r"(\d{1,4})\s*([mhdw])", re.IGNORECASE)
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
MAX_EXPIRY = timedelta(days=365)

ROLE_LABELS = {Role.REP: N_("rep"), Role.MANAGER: N_("manager"), Role.ADMIN: N_("admin")}


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize(typed: str) -> str:
    """A code as typed (any case, with spaces or dashes) in its stored form."""
    return _SEPARATORS.sub("", typed).upper()


def role_label(role: Role) -> str:
    return _(ROLE_LABELS[role])


def parse_role(word: str) -> Role | None:
    """``rep``, ``manager`` or ``admin`` (any case), or None."""
    try:
        return Role(word.strip().casefold())
    except ValueError:
        return None


def parse_duration(text: str) -> timedelta:
    """``30m``, ``12h``, ``7d``, ``2w`` or a sum such as ``1d12h``; ValueError otherwise."""
    compact = text.strip()
    parts = _DURATION_PART.findall(compact)
    if not compact or _DURATION_PART.sub("", compact).strip():
        raise ValueError(
            _("cannot read {text!r} as a duration; use e.g. 30m, 12h, 7d or 2w").format(text=text)
        )
    total = sum(
        (timedelta(**{_UNITS[unit.lower()]: int(amount)}) for amount, unit in parts),
        timedelta(),
    )
    if total <= timedelta():
        raise ValueError(_("an invite must stay valid for some time, e.g. 7d"))
    if total > MAX_EXPIRY:
        raise ValueError(_("an invite can stay valid for up to 365 days"))
    return total


def telegram_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username.lstrip('@')}?start={code}"


def join_step(code: str, platform: str, bot_username: str | None = None) -> str:
    """What the invited person does with the code on ``platform``, as a phrase."""
    if platform == "telegram":
        if bot_username:
            return _("open {link} (or send /start {code} to the bot)").format(
                link=telegram_link(bot_username, code), code=code
            )
        return _("send /start {code} to the bot").format(code=code)
    # On Slack, replies turn "/join" into "/crm join" (texts.for_platform).
    return _("send /join {code} to the bot").format(code=code)


def how_to_join(code: str, bot_username: str | None = None) -> str:
    """How to use the code on each platform, one line each (for the command line)."""
    return "\n".join(
        [
            _("  Telegram: {how}").format(how=join_step(code, "telegram", bot_username)),
            _("  Slack:    /crm join {code}").format(code=code),
            _("  console:  crmbot console --user NAME, then /join {code}").format(code=code),
        ]
    )
