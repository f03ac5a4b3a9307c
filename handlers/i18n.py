"""Translation: every user-facing string goes through ``_`` or ``ngettext``.

The locale is per update (a context variable set by whoever answers a rep: the assistant, the
reminder dispatcher, the digest sender), so handlers never pass a language around.

Catalogs are gettext ``.po`` files, ``handlers/locales/<lang>/LC_MESSAGES/crmbot.po``, kept up
to date by ``scripts/i18n`` (pybabel extract + update). There is no build step: the first
lookup in a language reads its ``.po`` with Babel, compiles it to ``.mo`` bytes in memory and
keeps the resulting :class:`gettext.GNUTranslations`: once per language and process, 0.1 to
0.2 s (``python -m benchmarks.i18n``). A string a catalog lacks, or whose translation is
still fuzzy, reads in English. Plural forms follow each catalog's ``Plural-Forms`` header
(CLDR rules, as Babel writes them).
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache
from pathlib import Path

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DEFAULT_LOCALE = "en"
DOMAIN = "crmbot"
LOCALES_DIR = Path(__file__).parent / "locales"

LANGUAGES: dict[str, str] = {
    "en": "English",
    "ro": "Română",
    "pl": "Polski",
    "bg": "Български",
    "es": "Español",
    "ru": "Русский",
}
"""The languages the bot speaks, each in its own name (as ``/lang`` offers them)."""

_DAY_PATTERNS = {
    "en": "EEE d MMM",
    "es": "EEEE, d 'de' MMMM",
}
"""CLDR patterns for a day; the rest use ``EEEE, d MMMM`` ("marți, 24 noiembrie")."""
_YEAR_PATTERNS = {
    "en": "EEE d MMM y",
    "es": "EEEE, d 'de' MMMM 'de' y",
}


def language_of(code: str | None) -> str:
    """The bot's language for a platform's or a rep's code: ``ro-RO`` is ``ro``; one the bot
    does not speak is English."""
    base = (code or "").replace("_", "-").split("-")[0].strip().lower()
    return base if base in LANGUAGES else DEFAULT_LOCALE


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The catalog of ``language``, compiled from its ``.po`` on first use."""
    path = LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == DEFAULT_LOCALE or not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out: they read in English
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


_locale: ContextVar[str] = ContextVar("crmbot_locale", default=DEFAULT_LOCALE)


def current_locale() -> str:
    return _locale.get()


@contextmanager
def use_locale(locale: str) -> Iterator[None]:
    """Answer in ``locale`` inside the block (a rep's reply, a reminder, a digest)."""
    token = _locale.set(language_of(locale))
    try:
        yield
    finally:
        _locale.reset(token)


def _(message: str) -> str:
    """``message`` in the current locale."""
    return translations(_locale.get()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a counted phrase right for ``count`` in the current locale."""
    return translations(_locale.get()).ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Marks a string for extraction where it is defined; translate it with ``_`` where used."""
    return message


def format_day(day: date | datetime, *, with_year: bool = False) -> str:
    """A day as the current locale writes it: ``Tue 24 Nov``, ``marți, 24 noiembrie``,
    ``martes, 24 de noviembre``."""
    locale = _locale.get()
    patterns = _YEAR_PATTERNS if with_year else _DAY_PATTERNS
    default = "EEEE, d MMMM y" if with_year else "EEEE, d MMMM"
    return format_date(day, patterns.get(locale, default), locale=locale)


def format_clock(moment: datetime) -> str:
    """A time of day on the 24-hour clock every one of the bot's languages reads: ``15:00``."""
    return f"{moment:%H:%M}"
