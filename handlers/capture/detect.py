"""Which of the known languages a message is written in.

The rules here (letters first, then each lexicon's vocabulary) make one guess; the language
model (:mod:`handlers.capture.models`) reads that guess beside the message's letter
sequences and words, so "gracias!!", "нещо ново?" and a Polish message without Polish letters
still find their language.
"""

from __future__ import annotations

import re
from functools import cache

from handlers.capture.languages import LEXICONS
from handlers.capture.lexicon import Lexicon
from handlers.capture.romanised import ROMANISED, latin_twin

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
    parts += [*lexicon.weekdays, *lexicon.months]
    return re.compile(rf"(?<!\w)(?:{'|'.join(f'(?:{p})' for p in parts)})(?!\w)")


_LATIN = ("en", "ro", "pl", "es")
_LETTER = re.compile(r"[^\W\d_]")


def candidates(text: str, preferred: str | None = None) -> tuple[str, ...]:
    """The languages ``text``'s alphabet allows: Cyrillic letters mean Russian or Bulgarian;
    Latin ones any of the six, Bulgarian and Russian typed without a Cyrillic keyboard too
    (the rep's own language is still kept where it is likely: ``models.PREFERRED_FLOOR``); no
    letters at all ("👍") say nothing, so they are the rep's language."""
    if _CYRILLIC.search(text):
        return ("ru", "bg")
    if preferred is not None and not _LETTER.search(text):
        return (preferred,)
    return (*_LATIN, *ROMANISED)


def romanised(code: str, text: str) -> bool:
    """Whether ``text``, read as ``code``, is a Cyrillic language typed in Latin letters."""
    return code in ROMANISED and not _CYRILLIC.search(text)


def lexicon_for(code: str, text: str) -> Lexicon:
    """The lexicon ``text`` is read with: a Cyrillic one's Latin twin for Latin letters."""
    lexicon = LEXICONS[code]
    return latin_twin(lexicon) if romanised(code, text) else lexicon


def rule_guess(text: str, folded: str, preferred: str | None = None) -> str:
    """The rules' guess of the message's language; ``preferred`` (the rep's) breaks ties."""
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


_WORD = re.compile(r"[^\W\d_]+")


def language_features(text: str, folded: str) -> list[str]:
    """What the language model reads: the rules' guess, the letters, and the words with their
    letter trigrams ("ść", "ção" and "ъ" say a lot about a short message)."""
    features = ["b", f"rule={rule_guess(text, folded)}"]
    # How many of each language's own words the message uses, whatever their letters.
    for code in candidates(text):
        hits = len(_vocabulary(lexicon_for(code, text)).findall(folded))
        features.append(f"lex_{code}={min(hits, 3)}")
    lowered = text.lower()
    # Capitalised words after the first are mostly names, which say little of the language
    # ("Met Ana Popa" is English, whatever Ana Popa's trigrams suggest).
    typed = _WORD.findall(text)[:40]
    kept = [w for i, w in enumerate(typed) if i == 0 or not w[:1].isupper() or w.isupper()]
    for word in (w.lower() for w in kept):
        features.append(f"w={word}")
        padded = f"<{word}>"
        features += [f"g={padded[i : i + 3]}" for i in range(len(padded) - 2)]
    features += [f"ch={char}" for char in set(lowered) if char.isalpha() and not char.isascii()]
    return sorted(set(features))
