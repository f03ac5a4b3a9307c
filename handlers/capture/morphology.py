"""Dictionary forms of names in the languages that inflect them.

"с Борисом Орловым" -> "Борис Орлов" (pymorphy3, Russian); "z Martą Nowicką" -> "Marta
Nowicka" (Morfeusz 2, Polish). Both load their dictionaries once, on first use (~0.1 s).
Romanian, Bulgarian, Spanish and English names are used as written.
"""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def _russian() -> Any:
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


@cache
def _polish() -> Any:
    import morfeusz2

    return morfeusz2.Morfeusz(generate=False)


def _styled(lemma: str, like: str) -> str:
    """The lemma with the capitalisation of the word the rep typed (or Title if lowercase)."""
    if like.isupper() and len(like) > 1:
        return lemma.upper()
    return lemma[:1].upper() + lemma[1:]


_RU_NAME_TAGS = ("Name", "Surn", "Patr")


def _russian_word(word: str, gender: str | None, person: bool) -> tuple[str, str | None]:
    parses = _russian().parse(word)
    if person:
        named = [p for p in parses if any(tag in p.tag for tag in _RU_NAME_TAGS)]
        if gender:
            named = [p for p in named if p.tag.gender == gender] or named
        parses = named or parses
    else:
        parses = [p for p in parses if p.tag.POS in ("NOUN", "ADJF")] or parses
    best = parses[0]
    if best.tag.case in (None, "nomn") or best.tag.POS not in ("NOUN", "ADJF"):
        return word, best.tag.gender
    target = {"nomn", "sing"} if best.tag.number == "sing" else {"nomn"}
    inflected = best.inflect(target)
    lemma = inflected.word if inflected is not None else best.normal_form
    return _styled(lemma, word), best.tag.gender


def _polish_word(word: str, feminine: bool | None, person: bool) -> tuple[str, bool | None]:
    candidates = []
    for _start, _end, (_form, lemma, tag, *_rest) in _polish().analyse(word):
        if tag == "ign":
            continue
        base = lemma.split(":")[0]
        proper = base[:1].isupper()
        female = ":f" in tag
        candidates.append((base, tag, proper, female))
    if not candidates:
        return _polish_fallback(word), None
    if person:
        proper = [c for c in candidates if c[2] and c[1].startswith("subst")] or candidates
        if feminine is not None:
            proper = [c for c in proper if c[3] == feminine] or proper
        choice = proper[0]
    else:
        nouns = [c for c in candidates if c[1].startswith("subst")] or candidates
        choice = nouns[0]
    return _styled(choice[0], word), choice[3]


def _polish_fallback(word: str) -> str:
    """Endings of names Morfeusz does not know: Kowalczykiem, Nowakową, Zielińskim."""
    lowered = word.lower()
    for ending, replacement in (
        ("skiej", "ska"), ("ckiej", "cka"), ("skim", "ski"), ("ckim", "cki"),
        ("skiego", "ski"), ("ckiego", "cki"), ("ską", "ska"), ("cką", "cka"),
        ("ową", "owa"), ("ą", "a"), ("iem", ""), ("em", ""),
    ):  # fmt: skip
        if lowered.endswith(ending) and len(lowered) - len(ending) >= 3:
            return word[: len(word) - len(ending)] + replacement
    return word


def dictionary_form(words: list[str], language: str, *, person: bool) -> list[str]:
    """The words of a name in their dictionary (nominative) form."""
    if language == "ru":
        result, gender = [], None
        for word in words:
            if not any("а" <= char.lower() <= "я" or char.lower() == "ё" for char in word):
                result.append(word)
                continue
            lemma, found_gender = _russian_word(word, gender, person)
            gender = gender or found_gender
            result.append(lemma)
        return result
    if language == "pl":
        polish, feminine = [], None
        for word in words:
            lemma, female = _polish_word(word, feminine, person)
            if feminine is None:
                feminine = female
            polish.append(lemma)
        return polish
    return words
