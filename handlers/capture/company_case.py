"""A company's name back in the nominative when the rep typed it in another case.

"из Северного ветра" is Северный ветер, "Рассвету отправили КП" Рассвет, "z Bałtyckiej
Przystani" Bałtycka Przystań, "prezes Transbudu" Transbud. A name is put back only where its
case is plain: after a preposition or a noun that governs it ("od prezesa X"), or when the
dictionary has no nominative reading of it at all. A word that may be a nominative stays as typed
("Вектор", "Centrum"), and so does whatever follows the head noun and its adjectives
("Krwiodawstwa w Kielcach" in "Regionalne Centrum Krwiodawstwa w Kielcach").
"""

from __future__ import annotations

from typing import Any

from handlers.capture.morphology import cyrillic, polish, russian, russian_nominative

CASE_PREPOSITIONS = {
    "ru": frozenset("из от у в во с со для к ко по при о об на за до после про через".split()),
    "pl": frozenset("z ze do w we od dla u o przy na po za".split()),
}
"""Words after which a name is in another case than the nominative."""


def governed(previous: str | None, language: str) -> bool:
    """Whether ``previous`` (the folded word before a name) puts it in an oblique case."""
    return previous is not None and previous in CASE_PREPOSITIONS.get(language, frozenset())


def company_form(words: list[str], language: str, previous: str | None = None) -> list[str]:
    """``words`` of a company name in the nominative; ``previous`` is the folded word before."""
    if not words:
        return words
    if language == "ru":
        return _russian(words, governed(previous, language))
    if language == "pl":
        return _polish(words, governed(previous, language) or _polish_governs(previous))
    return words


def _like(lemma: str, typed: str) -> str:
    """The lemma in the case the rep typed the word in: upper, or letter by letter as far as
    the two agree ("ЭкоПака" is ЭкоПак), the rest lower."""
    if typed.isupper() and len(typed) > 1:
        return lemma.upper()
    shared = 0
    while shared < min(len(typed), len(lemma)) and typed[shared].lower() == lemma[shared].lower():
        shared += 1
    if shared == 0:
        return lemma[:1].upper() + lemma[1:].lower() if typed[:1].isupper() else lemma.lower()
    return typed[:shared] + lemma[shared:].lower()


# Russian


def _parses(word: str) -> list[Any]:
    return [p for p in russian().parse(word) if p.tag.POS in ("NOUN", "ADJF")]


def _russian(words: list[str], after_preposition: bool) -> list[str]:
    head = _parses(words[0]) if cyrillic(words[0]) else []
    if not head:
        return words
    if not after_preposition and any(p.tag.case == "nomn" for p in head):
        return words  # it may well be the nominative: "Вектор", "Прогресс"
    if after_preposition and head[0].tag.case in (None, "nomn"):
        return words  # "из Дом Мебели": a nominative stands for itself
    # The case every word of the run shares ("Подольской горбольнице": the datv both can be).
    cases = [str(p.tag.case) for p in head if p.tag.case and p.tag.case != "nomn"]
    run = 1
    shared = set(cases)
    for word in words[1:]:
        found = {str(p.tag.case) for p in _parses(word)} if cyrillic(word) else set()
        if not shared & found:
            break
        shared &= found
        run += 1
    case = next((c for c in cases if c in shared), None)
    if case is None:
        return words
    chosen = [next(p for p in _parses(word) if p.tag.case == case) for word in words[:run]]
    # Adjectives take the gender of the noun they go with: "Северного ветра" is Северный ветер.
    gender = next((str(p.tag.gender) for p in chosen if p.tag.POS == "NOUN" and p.tag.gender), None)
    return [
        _like(russian_nominative(parse, word, gender), word)
        for word, parse in zip(words, chosen, strict=False)
    ] + words[run:]


# Polish

_Reading = tuple[str, str]
"""A word's lemma and its tag, as Morfeusz 2 gives them."""


def _readings(word: str) -> list[_Reading]:
    """Common-noun and adjective readings of ``word`` (lower case: "Przychodni" is the clinic,
    not a surname); empty when the dictionary does not know it."""
    found: list[_Reading] = []
    for form in dict.fromkeys((word[:1].upper() + word[1:], word.lower())):
        for _start, _end, (_form, lemma, tag, qualifiers, *_rest) in polish().analyse(form):
            if tag.startswith(("subst", "adj:")) and not {"imię", "nazwisko"} & set(qualifiers):
                found.append((lemma.split(":")[0], tag))
    return found


def _cases(tag: str) -> set[str]:
    fields = tag.split(":")
    return set(fields[2].split(".")) if len(fields) > 2 else set()


def _polish_governs(previous: str | None) -> bool:
    """A noun or adjective before the name governs it in the genitive: "prezes Transbudu",
    "biuro Datacomu", "dyrektor handlowy Rolmexu"."""
    return previous is not None and any(
        tag.startswith(("subst", "adj:")) for _lemma, tag in _readings(previous)
    )


_UNKNOWN_ENDINGS = (
    ("ksu", "x"), ("xu", "x"), ("xie", "x"), ("iem", ""), ("em", ""), ("owi", ""), ("ie", "a"),
    ("u", ""), ("y", "a"), ("i", "a"), ("nna", "nn"),
)  # fmt: skip
"""Endings of a company name the dictionary does not know, in an oblique case: Budimeksu,
Betonexie, Orlenem, Transbudu, Agromechaniki, Rossmanna."""
_VOWELS = frozenset("aeiouyąęó")


def _polish(words: list[str], governed_here: bool) -> list[str]:
    readings = [_readings(word) for word in words]
    adjective = [bool(r) and all(tag.startswith("adj:") for _l, tag in r) for r in readings]
    head = next((index for index, is_adj in enumerate(adjective) if not is_adj), None)
    if head is None or head > 1:
        return words  # no noun to lead the name
    if "-" in words[head]:
        # A coined "Elektro-Bud": only its last part takes the ending ("z Elektro-Budu").
        stem, dash, last = words[head].rpartition("-")
        if not (governed_here and last):
            return words
        return [*words[:head], stem + dash + _unknown_nominative(last), *words[head + 1 :]]
    oblique = [bool(r) and not any("nom" in _cases(tag) for _l, tag in r) for r in readings]
    if not (governed_here or oblique[0]):
        return words
    nouns = [(lemma, tag) for lemma, tag in readings[head] if tag.startswith("subst")]
    nouns = [(lemma, tag) for lemma, tag in nouns if "nom" not in _cases(tag)] or nouns
    if nouns:
        lemma, tag = nouns[0]
        gender = tag.split(":")[3] if len(tag.split(":")) > 3 else "m3"
        if ":pl:" in f":{tag}:" and ":sg" not in tag:
            return words  # "z Delikatesów": a plural name; its singular would be another
        noun = _like(lemma, words[head])
    elif governed_here:
        noun = _unknown_nominative(words[head])
        gender = "f" if noun.lower().endswith("a") else "m3"
    else:
        return words
    result = list(words)
    result[head] = noun
    end = head + 1
    while end < len(words) and adjective[end] and oblique[end]:
        end += 1
    for index in [*range(head), *range(head + 1, end)]:
        if oblique[index]:
            lemma = readings[index][0][0]
            result[index] = _like(_adjective(lemma, gender), words[index])
    return result


def _unknown_nominative(word: str) -> str:
    lowered = word.lower()
    if lowered.endswith("ei") and len(lowered) >= 4:
        return word[:-1] + "a"  # Enei: Enea
    if lowered.endswith(("y", "i")) and (
        lowered.endswith(("ski", "cki", "dzki")) or lowered[-2:-1] in _VOWELS
    ):
        return word  # "Kubacki", "Leroy": a nominative the endings below would break
    for ending, replacement in _UNKNOWN_ENDINGS:
        if lowered.endswith(ending) and len(lowered) - len(ending) >= 3:
            return word[: len(word) - len(ending)] + replacement
    return word


def _adjective(lemma: str, gender: str) -> str:
    """The nominative singular of an adjective (the dictionary's lemma is the masculine one)
    in the head noun's gender: bałtycki -> bałtycka, regionalny -> regionalne."""
    if gender.startswith("m"):
        return lemma
    hard = lemma.endswith("y")
    stem = lemma[:-1] if hard or (gender == "f" and lemma.endswith(("ki", "gi"))) else lemma
    return stem + ("a" if gender == "f" else "e")
