"""Dictionary forms of names in the languages that inflect them.

"с Борисом Орловым" -> "Борис Орлов" (pymorphy3, Russian); "z Martą Nowicką" -> "Marta
Nowicka" (Morfeusz 2, Polish). Both load their dictionaries once, on first use (~0.1 s).
Romanian, Bulgarian, Spanish and English names are used as written.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

from handlers.capture.lexicon import fold


@cache
def russian() -> Any:
    """The one Russian analyser of the process (its dictionaries take tens of MB)."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


@cache
def polish() -> Any:
    import morfeusz2

    return morfeusz2.Morfeusz(generate=False)


def _styled(lemma: str, like: str) -> str:
    """The lemma with the capitalisation of the word the rep typed (or Title if lowercase)."""
    if like.isupper() and len(like) > 1:
        return lemma.upper()
    return lemma[:1].upper() + lemma[1:]


_RU_NAME_TAGS = ("Name", "Surn", "Patr")


def cyrillic(word: str) -> bool:
    """Whether ``word`` has Russian letters, so the Russian dictionary can say what it is."""
    return any("а" <= char.lower() <= "я" or char.lower() == "ё" for char in word)


def russian_nominative(parse: Any, typed: str, gender: str | None = None) -> str:
    """The word of ``parse`` in the nominative (singular if it is), an adjective in ``gender``
    ("Северного" with ветер: северный), spelt with е where the rep typed no ё."""
    target = {"nomn", "sing"} if parse.tag.number == "sing" else {"nomn"}
    if parse.tag.POS == "ADJF" and gender in ("masc", "femn", "neut") and "sing" in target:
        target.add(gender)
    inflected = parse.inflect(target)
    lemma = inflected.word if inflected is not None else parse.normal_form
    if "ё" not in typed.lower():
        lemma = lemma.replace("ё", "е")  # the dictionary writes ё; keep the rep's spelling
    return str(lemma)


def _russian_word(word: str, gender: str | None, person: bool) -> tuple[str, str | None]:
    parses = russian().parse(word)
    if person:
        named = [p for p in parses if any(tag in p.tag for tag in _RU_NAME_TAGS)]
        # An indeclinable reading ("Анне" as Anne) only when no declined one fits.
        named.sort(key=lambda p: "Fixd" in p.tag)
        if gender:
            named = [p for p in named if p.tag.gender == gender] or named
        # One person: a plural reading ("Ким" as the genitive plural of Кима, "Лапин" of
        # Лапина) is not them. A surname the dictionary lacks ("Ковальчуку", "Белым") is read
        # as a singular noun or adjective; a plural one ("Седых") is left as typed.
        singular = [p for p in named if p.tag.number != "plur"]
        if not singular:
            singular = [
                p for p in parses if p.tag.POS in ("NOUN", "ADJF") and p.tag.number == "sing"
            ]
        parses = singular
        if not parses:
            return word, gender
    else:
        parses = [p for p in parses if p.tag.POS in ("NOUN", "ADJF")] or parses
    best = parses[0]
    if best.tag.case in (None, "nomn") or best.tag.POS not in ("NOUN", "ADJF"):
        return word, best.tag.gender
    return _styled(russian_nominative(best, word), word), best.tag.gender


def _russian_genders(word: str, *, nominative: bool = False) -> set[str]:
    """The genders the dictionary reads ``word`` as a person's name in (in the nominative)."""
    return {
        str(p.tag.gender)
        for p in russian().parse(word)
        if any(tag in p.tag for tag in _RU_NAME_TAGS)
        and p.tag.gender
        and (not nominative or p.tag.case == "nomn")
    }


def _one_gender(readings: list[set[str]]) -> str | None:
    """The one gender every word with a reading can have ("Александре Морозовой" is a
    woman: her surname says so), or None when they don't agree on one."""
    known = [genders for genders in readings if genders]
    common = set.intersection(*known) if known else set()
    return next(iter(common)) if len(common) == 1 else None


def _russian_gender(words: list[str]) -> str | None:
    return _one_gender([_russian_genders(word) for word in words])


_PolishReading = tuple[str, bool | None, frozenset[str]]
"""A word's lemma, whether it is feminine, and the grammatical cases it was read in."""


def _polish_word(
    word: str, feminine: bool | None, person: bool, cases: frozenset[str] = frozenset()
) -> _PolishReading:
    candidates = []
    for _start, _end, (_form, lemma, tag, qualifiers, *_rest) in polish().analyse(word):
        if tag == "ign" or not tag.startswith("subst"):
            continue
        base = lemma.split(":")[0]
        named = bool({"imię", "nazwisko"} & set(qualifiers))
        organisation = bool({"nazwa_organizacji", "nazwa_firmy"} & set(qualifiers))
        fields = tag.split(":")
        word_cases = frozenset(fields[2].split(".")) if len(fields) > 2 else frozenset()
        oblique = bool(word_cases) and "nom" not in word_cases
        candidates.append(
            (base, tag, named, organisation, oblique, ":" in lemma, ":f" in tag, word_cases)
        )
    if person:
        candidates = [c for c in candidates if c[2]]
        # One person: a plural reading ("Henryk" as the genitive plural of Henryka) is not them.
        candidates = [c for c in candidates if "sg" in c[1].split(":")[1].split(".")] or candidates
    else:
        candidates = [c for c in candidates if c[0][:1].isupper() or c[3]] or candidates
    if not candidates:
        if person:
            return _polish_fallback(word, masculine=feminine is False), None, frozenset()
        return _polish_company_fallback(word), None, frozenset()
    if feminine is not None:
        candidates = [c for c in candidates if c[6] == feminine] or candidates
    # A surname is in the first name's case ("Pani Beata Lis": nominative). A first name
    # mostly follows a preposition ("do Pawła", "z Martą"): prefer an oblique reading; then
    # the dictionary's own homonym-marked lemma ("Jacek:Sm1" over "Jack").
    choice = max(candidates, key=lambda c: (bool(cases & c[7]), c[4], c[5]))
    return _styled(choice[0], word), choice[6], choice[7]


def _polish_genders(word: str, *, nominative: bool = False) -> set[str]:
    """ "f" and/or "m": the genders Morfeusz reads ``word`` as one person's name in (in the
    nominative)."""
    genders = set()
    for _start, _end, (_form, _lemma, tag, qualifiers, *_rest) in polish().analyse(word):
        fields = tag.split(":")
        named = {"imię", "nazwisko"} & set(qualifiers)
        one = len(fields) > 3 and fields[0] == "subst" and "sg" in fields[1].split(".")
        if one and named and (not nominative or "nom" in fields[2].split(".")):
            genders.add("f" if fields[3] == "f" else "m")
    return genders


def _polish_gender(words: list[str]) -> bool | None:
    """Whether a person's name is a woman's, when all its words agree ("Kubą Jankowskim" is a
    man: the surname's ending says so); None when they don't."""
    gender = _one_gender([_polish_genders(word) for word in words])
    return None if gender is None else gender == "f"


def _polish_company_fallback(word: str) -> str:
    """Case endings of company names Morfeusz does not know: Budimeksu, Rossmanna, Enei."""
    lowered = word.lower()
    for ending, replacement in (
        ("ksu", "x"), ("xu", "x"), ("ei", "ea"), ("ie", "a"), ("u", ""), ("y", "a"),
        ("i", "a"), ("nna", "nn"),
    ):  # fmt: skip
        if lowered.endswith(ending) and len(lowered) - len(ending) >= 3:
            return word[: len(word) - len(ending)] + replacement
    return word


def _polish_fallback(word: str, *, masculine: bool = False) -> str:
    """Endings of names Morfeusz does not know: Kowalczykiem, Nowakową, Zielińskim, and a
    man's surname in the genitive after his first name ("do Krzysztofa Mazura")."""
    lowered = word.lower()
    endings = [
        ("skiej", "ska"), ("ckiej", "cka"), ("skim", "ski"), ("ckim", "cki"),
        ("skiego", "ski"), ("ckiego", "cki"), ("ską", "ska"), ("cką", "cka"),
        ("ową", "owa"), ("ą", "a"), ("iem", ""), ("em", ""),
    ]  # fmt: skip
    if masculine:
        endings += [("owi", ""), ("a", ""), ("u", "")]
    for ending, replacement in endings:
        if lowered.endswith(ending) and len(lowered) - len(ending) >= 3:
            return word[: len(word) - len(ending)] + replacement
    return word


def _reads_as_nominative(words: list[str], language: str) -> bool:
    """Whether every word of a person's name can be a nominative of one gender ("Диляра
    Хайруллина" can: a woman; as a man's genitive too, but not where it opens a clause)."""
    genders_of = _russian_genders if language == "ru" else _polish_genders
    readings = [genders_of(word, nominative=True) for word in words]
    return bool(readings) and all(readings) and bool(set.intersection(*readings))


def dictionary_form(
    words: list[str],
    language: str,
    *,
    person: bool,
    opens: bool = False,
    first_names: frozenset[str] = frozenset(),
) -> list[str]:
    """The words of a name in their dictionary (nominative) form. ``opens``: the name opens a
    clause, so a nominative reading of it is taken as it stands. ``first_names``: the
    language's folded first names, which tell a nominative from an inflected form."""
    if person and opens and language in ("ru", "pl") and _reads_as_nominative(words, language):
        return words
    if language == "ru":
        result, gender = [], _russian_gender(words) if person else None
        for word in words:
            if not cyrillic(word):
                result.append(word)
                continue
            lemma, found_gender = _russian_word(word, gender, person)
            gender = gender or found_gender
            result.append(lemma)
        return result
    if language == "pl":
        polish, feminine, first_cases = (
            [],
            _polish_gender(words) if person else None,
            frozenset[str](),
        )
        for index, word in enumerate(words):
            if not person and index > 0:
                polish += words[index:]  # "Grupie Azoty": only the head noun inflects
                break
            if not person and "-" in word:
                polish.append(word)  # "Elektro-Bud": a coined name, not a noun's case
                continue
            lemma, female, cases = _polish_word(word, feminine, person, first_cases)
            if feminine is None:
                feminine = female
            if index == 0:
                first_cases = cases
            polish.append(lemma)
        return polish
    if language == "ro" and person and words:
        first = words[0]
        # Mariei, Ioanei, Ralucăi: a woman's first name in the dative or genitive; but Andrei
        # and Serghei are men's names as they stand.
        if fold(first) in first_names:
            return words
        for ending, replacement in (("iei", "ia"), ("ei", "a"), ("ăi", "a"), ("ai", "a")):
            if first.lower().endswith(ending) and len(first) > 4:
                nominative = first[: -len(ending)] + replacement
                if not first_names or fold(nominative) in first_names:
                    return [nominative, *words[1:]]
    return words


def looks_like_person(words: list[str], language: str) -> bool:
    """False when the dictionary knows the first word as a thing or an organisation only.

    Polish "Orlenu" is an inanimate noun (a company), "Piotrem" a personal one; Russian
    "Газпрома" is tagged an organisation. Unknown words, and other languages, may be people.
    """
    first = words[0]
    if language == "pl":
        analyses = [a for _s, _e, a in polish().analyse(first) if a[2] != "ign"]
        if not analyses:
            # Unknown to the dictionary: a genitive in -u is a thing's ("do Maspexu"),
            # a person's is in -a ("do Jacka").
            return not first.lower().endswith("u")
        return any({"imię", "nazwisko"} & set(a[3]) or ":m1" in a[2] for a in analyses)
    if language == "ru" and any("а" <= char.lower() <= "я" for char in first):
        best = russian().parse(first)[0]
        return "Orgn" not in best.tag and ("anim" in best.tag or best.tag.POS != "NOUN")
    return True


@lru_cache(maxsize=1 << 16)  # a rep's words repeat; the dictionaries are slow to ask
def name_readings(word: str, language: str) -> frozenset[str]:
    """Whether the dictionary knows ``word``, in any case, as a person's first name
    ("first") or surname ("last"): Russian and Polish, whose names inflect ("Szymańskiej",
    "Лисицыной") where a list of nominatives cannot find them."""
    found = set()
    if language == "ru":
        for parse in russian().parse(word)[:2]:
            if "Name" in parse.tag:
                found.add("first")
            if "Surn" in parse.tag:
                found.add("last")
    elif language == "pl":
        for _start, _end, analysis in polish().analyse(word):
            if analysis[2] == "ign":
                continue
            if "imię" in analysis[3]:
                found.add("first")
            if "nazwisko" in analysis[3]:
                found.add("last")
    return frozenset(found)
