"""Which of the known languages a message is written in: letters first, then vocabulary."""

from __future__ import annotations

import re
from functools import cache

from handlers.capture.languages import LEXICONS
from handlers.capture.lexicon import Lexicon

_CYRILLIC = re.compile(r"[а-яёА-ЯЁ]")
_RUSSIAN_ONLY = re.compile(r"[ыэёЫЭЁ]")
_BULGARIAN_ONLY = re.compile(
    r"[ъЪ](?!\s|$)|(?<!\w)(?:утре|днес|вдругиден|със|ще|искат|иска|седмица|обадя|звънна|имейл"
    r"|мейл|броя|лв|лева|довечера|понеделник|сряда|петък|събота|неделя|четвъртък|който|която"
    r"|договора|оферта|сме|сте|беше|тази|този|някой|също|много|за да|от)(?!\w)"
)
_LETTERS = {
    "ro": re.compile(r"[ăâîșşțţĂÂÎȘŞȚŢ]"),
    "pl": re.compile(r"[ąćęłńśźżĄĆĘŁŃŚŹŻ]"),
    "es": re.compile(r"[ñ¿¡ÑáéíóúÁÉÍÓÚ]"),
}
_SCORED = ("kinds", "intent", "stages", "today", "tomorrow", "day_after_tomorrow", "hints")


@cache
def _vocabulary(lexicon: Lexicon) -> re.Pattern[str]:
    parts = [lexicon.intent, lexicon.today, lexicon.tomorrow, lexicon.day_after_tomorrow]
    parts += list(lexicon.kinds.values()) + list(lexicon.stages.values()) + [lexicon.hints]
    parts += list(lexicon.weekdays)
    return re.compile(rf"(?<!\w)(?:{'|'.join(f'(?:{p})' for p in parts)})(?!\w)")


def detect_language(text: str, folded: str, preferred: str | None = None) -> str:
    """The message's language code; ``preferred`` (the rep's language) breaks ties."""
    if _CYRILLIC.search(text):
        candidates = ["ru", "bg"]
        if _RUSSIAN_ONLY.search(text):
            return "ru"
        if _BULGARIAN_ONLY.search(folded):
            return "bg"
    else:
        candidates = ["en", "ro", "pl", "es"]
    found = {code: _vocabulary(LEXICONS[code]).findall(folded) for code in candidates}
    # A word several languages share ("email", "demo") says little about which one this is:
    # each match counts 1/k, k being how many of the candidates know it.
    sharing: dict[str, int] = {}
    for words in found.values():
        for word in set(words):
            sharing[word] = sharing.get(word, 0) + 1
    scores = {code: sum(1 / sharing[word] for word in found[code]) for code in candidates}
    for code, letters in _LETTERS.items():
        if code in scores and letters.search(text):
            scores[code] += 3
    if preferred in scores:
        scores[preferred] += 0.5
    return max(candidates, key=lambda code: scores[code])
