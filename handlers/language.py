"""``/lang``: the rep picks the language the bot speaks to them.

Until they do, the platform's language (Telegram's ``language_code``, Slack's locale) is the
rep's; once they pick one (a button per language, each in its own name, or ``/lang ro``), the
pick holds over the platform's. Capture reads all six languages whatever the pick.
"""

from __future__ import annotations

import re

from handlers.domain import Rep
from handlers.i18n import LANGUAGES, _, use_locale
from handlers.messages import Button, Reply
from handlers.ports import UnitOfWork

LANG_BUTTON = re.compile(r"lang:(?P<code>[a-z]{2})")
"""``lang:<code>``; use ``fullmatch``."""


def _buttons() -> tuple[tuple[Button, ...], ...]:
    codes = list(LANGUAGES)
    return tuple(
        tuple(Button(LANGUAGES[code], f"lang:{code}") for code in codes[i : i + 3])
        for i in range(0, len(codes), 3)
    )


async def lang_command(uow: UnitOfWork, rep: Rep, args: str) -> Reply:
    """``/lang`` (ask, with buttons) or ``/lang <code>`` (pick)."""
    wanted = args.strip().lower()
    if wanted:
        by_name = {name.casefold(): code for code, name in LANGUAGES.items()}
        code = wanted if wanted in LANGUAGES else by_name.get(wanted)
        if code is None:
            return Reply(
                _("I don't speak “{language}” yet. Pick one:").format(language=args.strip()),
                _buttons(),
            )
        return await choose(uow, rep, code)
    # Said in the rep's language, which is the one it names.
    return Reply(_("I speak English with you now. Which language do you want?"), _buttons())


async def choose(uow: UnitOfWork, rep: Rep, code: str) -> Reply:
    """The rep's pick, kept over the platform's language from now on; said in that language."""
    if code not in LANGUAGES:
        return Reply(_("That button is no longer active. Nothing was changed."))
    await uow.reps.set_language(rep.id, code)
    with use_locale(code):
        return Reply(
            _(
                "Done: I'll speak English with you from now on. "
                "I still understand messages in any of my languages."
            )
        )
