"""Make each catalog's Plural-Forms header the CLDR rule of the installed Babel.

Run by scripts/i18n after ``pybabel update``, which keeps a catalog's old header: after a Babel
upgrade whose CLDR data changed a language's plural rule, the header would otherwise go on
saying the old one. A rule that only reads differently (same form for every number) is left
alone. When the forms themselves change, each new form starts as a copy of the old form that
served most of its numbers, and the entry is marked fuzzy: it reads in English until a
translator checks it, and tests/i18n lists it.
"""

from __future__ import annotations

import gettext
import sys
from collections import Counter
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po, write_po

SAMPLE = [*range(0, 2000), *(m * 10**k for k in range(3, 10) for m in range(1, 25))]
"""The counts a rule is judged on: every small number and round large ones (Spanish, say,
has a form of its own for whole millions)."""


def forms_of(expression: str) -> list[int]:
    """The form ``expression`` (a C plural expression) picks for each count of SAMPLE."""
    rule = gettext.c2py(expression)
    return [rule(n) for n in SAMPLE]


def mapping(old: list[int], new: list[int], new_count: int) -> list[int]:
    """For each new form, the old form that served most of its counts."""
    served: dict[int, Counter[int]] = {form: Counter() for form in range(new_count)}
    for old_form, new_form in zip(old, new, strict=True):
        served[new_form][old_form] += 1
    return [served[form].most_common(1)[0][0] if served[form] else 0 for form in served]


def follow_babel(path: Path) -> bool:
    """Rewrite ``path`` if its header disagrees with Babel's rule; True if it did."""
    with path.open("rb") as po:
        catalog: Catalog = read_po(po)
    language = str(catalog.locale)
    rule = get_plural(language)
    old, new = forms_of(catalog.plural_expr), forms_of(rule.plural_expr)
    if catalog.num_plurals == rule.num_plurals and old == new:
        return False
    sources = mapping(old, new, rule.num_plurals)
    for message in catalog:
        if isinstance(message.id, tuple) and isinstance(message.string, tuple):
            message.string = tuple(message.string[source] for source in sources)
            if any(message.string):
                message.flags.add("fuzzy")
    headers = [
        (name, value) if name != "Plural-Forms" else (name, rule.plural_forms)
        for name, value in catalog.mime_headers
    ]
    catalog.mime_headers = headers
    with path.open("wb") as po:
        write_po(po, catalog, width=100, ignore_obsolete=True)
    return True


def main(paths: list[str]) -> None:
    for path in map(Path, paths):
        if follow_babel(path):
            print(f"  {path}: plural forms now follow Babel's rule; check the fuzzy entries")


if __name__ == "__main__":
    main(sys.argv[1:])
