"""What translation costs: loading a catalog (once per language and process) and a lookup.

    python -m benchmarks.i18n

Each language's catalog is read from its .po with Babel and compiled to .mo in memory on
first use (handlers/i18n.py); the first figure is that, measured in a fresh process so no
cache helps; the others are warm lookups.
"""

from __future__ import annotations

import subprocess
import sys
import time

from handlers.i18n import LANGUAGES, _, ngettext, translations, use_locale

_FIRST_LOAD = """
import time
start = time.perf_counter()
from handlers.i18n import translations
imported = time.perf_counter()
translations({language!r})
done = time.perf_counter()
print(f"{{(imported - start) * 1000:.1f}} {{(done - imported) * 1000:.1f}}")
"""


def main() -> None:
    print("language  import handlers.i18n  first load of the catalog  warm _() / ngettext()")
    for language in LANGUAGES:
        if language == "en":
            continue
        out = subprocess.run(
            [sys.executable, "-c", _FIRST_LOAD.format(language=language)],
            check=True, capture_output=True, text=True,
        ).stdout.split()  # fmt: skip
        translations(language)
        with use_locale(language):
            rounds = 20_000
            start = time.perf_counter()
            for _round in range(rounds):
                _("Your open reminders:")
            lookup = (time.perf_counter() - start) / rounds * 1e6
            start = time.perf_counter()
            for count in range(rounds):
                ngettext("{count} call", "{count} calls", count)
            plural = (time.perf_counter() - start) / rounds * 1e6
        print(f"{language:8}  {out[0]:>17} ms  {out[1]:>22} ms  {lookup:.2f} µs / {plural:.2f} µs")


if __name__ == "__main__":
    main()
