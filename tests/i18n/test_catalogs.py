"""The translation catalogs against the code: every string the bot says is translated in every
language, with the same placeholders, and with as many plural forms as the language has.

``scripts/i18n`` updates the catalogs after the code changes; these tests say what is left.
"""

from __future__ import annotations

import string
from collections import Counter
from functools import cache
from gettext import c2py
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from handlers.i18n import DEFAULT_LOCALE, LANGUAGES, LOCALES_DIR

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "ngettext": (1, 2), "N_": None}
TRANSLATED = sorted(set(LANGUAGES) - {DEFAULT_LOCALE})


@cache
def code_messages() -> dict[str | tuple[str, str], str]:
    """Every message the code marks, with where it is (for the failure message)."""
    found: dict[str | tuple[str, str], str] = {}
    for package in ("handlers", "bot", "reminders"):
        for filename, lineno, message, _comments, _context in extract_from_dir(
            ROOT / package, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            key = message if isinstance(message, str) else (message[0], message[1])
            found.setdefault(key, f"{package}/{filename}:{lineno}")
    return found


@cache
def catalog(language: str) -> Catalog:
    with (LOCALES_DIR / language / "LC_MESSAGES" / "crmbot.po").open("rb") as po:
        return read_po(po, locale=language)


def fields(text: str) -> Counter[tuple[str, str]]:
    """The placeholders of a format string, with their format specs: ``{count:,}``."""
    return Counter(
        (name, spec or "")
        for _literal, name, spec, _conversion in string.Formatter().parse(text)
        if name is not None
    )


def forms(message: Message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def test_the_code_marks_messages() -> None:
    # A broken extraction (a moved package, a renamed keyword) would make every test here pass.
    assert len(code_messages()) > 300
    assert "Undo" in code_messages()


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_string_in_the_code_is_translated(language: str) -> None:
    messages = catalog(language)
    missing = []
    for key, where in code_messages().items():
        msgid = key if isinstance(key, str) else key[0]
        message = messages.get(msgid)
        if message is None or message.fuzzy or not all(forms(message)):
            missing.append(f"{where}: {msgid!r}")
    assert not missing, f"{len(missing)} untranslated in {language} (scripts/i18n):\n" + "\n".join(
        missing[:40]
    )


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_the_placeholders(language: str) -> None:
    broken = []
    for message in catalog(language):
        if not message.id or not any(forms(message)):
            continue
        plural = isinstance(message.id, tuple)
        wanted = fields(message.id[1] if plural else message.id)
        for index, form in enumerate(forms(message)):
            # A first plural form may leave the number out ("a day"); the others say it.
            ok = fields(form) <= wanted if plural and index == 0 else fields(form) == wanted
            if form and not ok:
                broken.append(f"{message.id!r} -> {form!r}")
            if form:
                form.format(**{name: 1 for name, _spec in fields(form)})  # no stray braces
    assert not broken, "\n".join(broken)


COUNTS = [*range(0, 2000), *(m * 10**k for k in range(3, 10) for m in range(1, 25))]
"""Every small count and round large ones: Spanish, say, has a form of its own for millions."""


@pytest.mark.parametrize("language", TRANSLATED)
def test_plural_forms_follow_the_language(language: str) -> None:
    # The installed Babel's CLDR rule is the truth (scripts/i18n writes it into the header);
    # two rules agree when they pick the same form for every count, however they are spelled.
    messages = catalog(language)
    rule = get_plural(language)
    ours, cldr = c2py(messages.plural_expr), c2py(rule.plural_expr)
    assert messages.num_plurals == rule.num_plurals, "scripts/i18n updates the header"
    disagree = [n for n in COUNTS if ours(n) != cldr(n)]
    assert not disagree, f"{language}: the header's rule picks another form for {disagree[:10]}"
    for message in messages:
        if isinstance(message.id, tuple) and any(forms(message)):
            assert len(forms(message)) == rule.num_plurals, message.id
            assert all(forms(message)), f"a plural form is missing: {message.id}"


def test_romanian_uses_comma_below_letters() -> None:
    # ş and ţ (cedilla) are the Turkish letters; Romanian writes ș and ț.
    wrong = [m.id for m in catalog("ro") for form in forms(m) if set(form or "") & set("şţŞŢ")]
    assert not wrong


def test_no_catalog_keeps_strings_the_code_no_longer_has() -> None:
    # Stale entries are harmless at run time but mislead translators: scripts/i18n drops them.
    code = {key if isinstance(key, str) else key[0] for key in code_messages()}
    for language in TRANSLATED:
        stale = [m.id for m in catalog(language) if m.id]  # obsolete (#~) ones are apart
        extra = [
            msgid for msgid in stale if (msgid if isinstance(msgid, str) else msgid[0]) not in code
        ]
        assert not extra, f"{language}: {extra[:10]}"
