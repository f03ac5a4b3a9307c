"""Translation seam: every user-facing string goes through ``_`` or ``ngettext``.

The locale is per update (a context variable set by whoever answers a rep), so handlers
never pass a language around. Catalogs are filled in by the i18n work (#10); until then
every lookup returns the English source text.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

DEFAULT_LOCALE = "en"

_locale: ContextVar[str] = ContextVar("crmbot_locale", default=DEFAULT_LOCALE)


def current_locale() -> str:
    return _locale.get()


@contextmanager
def use_locale(locale: str) -> Iterator[None]:
    """Answer in ``locale`` inside the block (a rep's reply, a reminder, a digest)."""
    token = _locale.set(locale or DEFAULT_LOCALE)
    try:
        yield
    finally:
        _locale.reset(token)


def _(message: str) -> str:
    """``message`` in the current locale."""
    return message


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a counted phrase right for ``count`` in the current locale."""
    return singular if count == 1 else plural


def N_(message: str) -> str:
    """Marks a string for extraction where it is defined; translate it with ``_`` where used."""
    return message
