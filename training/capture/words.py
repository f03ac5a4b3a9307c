"""The word lists shipped with the models: lemmas from simplemma, names from Faker's locales,
the most frequent words of each language from wordfreq.

simplemma's dictionaries would cost about 700 MB loaded for the six languages, so only the
words that matter travel: every form of every lemma the training messages use ("spotkaniu" in
the data brings all of "spotkanie"'s forms, the unseen "spotkaniach" too). Names are Faker's
lists per locale: a well-kept list, not one typed here.
"""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from handlers.capture.lexicon import fold
from handlers.capture.tokens import tokenize

LANGUAGES = ("en", "ro", "pl", "bg", "es", "ru")
LOCALES = {
    "en": ("en_US", "en_GB", "en_IE", "en_IN", "en_NZ"),
    "ro": ("ro_RO",),
    "pl": ("pl_PL",),
    "bg": ("bg_BG",),
    "es": ("es_ES", "es_MX", "es_CO", "es_AR", "es_CL"),
    "ru": ("ru_RU",),
}
WORLD_LOCALES = (
    "cs_CZ",
    "da_DK",
    "de_DE",
    "de_AT",
    "de_CH",
    "et_EE",
    "fi_FI",
    "fr_FR",
    "fr_BE",
    "fr_CA",
    "ga_IE",
    "hr_HR",
    "hu_HU",
    "id_ID",
    "is_IS",
    "it_IT",
    "lt_LT",
    "lv_LV",
    "mk_MK",
    "nl_NL",
    "nl_BE",
    "no_NO",
    "pt_BR",
    "pt_PT",
    "sk_SK",
    "sl_SI",
    "sv_SE",
    "tr_TR",
    "uk_UA",
    "az_AZ",
    "en_KE",
    "en_NG",
    "en_PK",
    "vi_VN",
    "sw",
    "zu_ZA",
)
"""Where else the people reps meet come from: names in Latin or Cyrillic letters only, since
that is how reps of the six languages type them."""
COMMON_WORDS = 20_000
"""How many of each language's most frequent words travel with the model, in rank order."""
MIN_NAME_LETTERS = 2
"""Two-letter names (Bo, Ed) count too; the tagger flags them only when capitalised, since in
lower case they are more often words ("al", "de")."""


def _names(locales: Iterable[str], kind: str) -> set[str]:
    import importlib

    found: set[str] = set()
    for locale in locales:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attribute in dir(provider):
            wanted = attribute.startswith(f"{kind}_name") or (
                kind == "last" and attribute.endswith("last_names")
            )
            if kind == "first" and attribute.startswith("middle_name"):
                wanted = True  # Russian patronymics: "Петр Иванович"
            value = getattr(provider, attribute)
            if not wanted or not isinstance(value, (list, tuple, dict)):
                continue
            found.update(str(name) for name in (value.keys() if isinstance(value, dict) else value))
    return {fold(name) for name in found if len(name) >= MIN_NAME_LETTERS and name.isalpha()}


def lemma_table(language: str, vocabulary: set[str]) -> dict[str, str]:
    """Folded form -> folded lemma, for every form of the lemmas of ``vocabulary``."""
    from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

    dictionary = DefaultDictionaryFactory().get_dictionary(language)
    forms_of: dict[str, set[str]] = defaultdict(set)
    lemma_of: dict[str, str] = {}
    for form, lemma in dictionary.items():
        folded_form, folded_lemma = fold(form), fold(lemma)
        forms_of[folded_lemma].add(folded_form)
        lemma_of.setdefault(folded_form, folded_lemma)
    wanted = {lemma_of[word] for word in vocabulary if word in lemma_of}
    wanted |= {word for word in vocabulary if word in forms_of}
    table = {}
    for lemma in sorted(wanted):
        for form in sorted(forms_of[lemma]):
            if form != lemma and lemma_of.get(form) == lemma:
                table[form] = lemma
    return table


def vocabulary(texts: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    """Folded words per language of (language, text) pairs."""
    found: dict[str, set[str]] = defaultdict(set)
    for language, text in texts:
        folded = fold(text)
        found[language].update(t.folded for t in tokenize(text, folded) if t.is_word)
    return found


def common_words(language: str) -> list[str]:
    """The language's most frequent words (wordfreq), folded, most frequent first."""
    from wordfreq import top_n_list

    return list(dict.fromkeys(fold(word) for word in top_n_list(language, COMMON_WORDS)))


def build(texts: Iterable[tuple[str, str]]) -> dict[str, Any]:
    words = vocabulary(texts)
    return {
        "common": {lang: common_words(lang) for lang in LANGUAGES},
        "lemmas": {lang: lemma_table(lang, words.get(lang, set())) for lang in LANGUAGES},
        "first_names": {lang: sorted(_names(LOCALES[lang], "first")) for lang in LANGUAGES},
        "last_names": {lang: sorted(_names(LOCALES[lang], "last")) for lang in LANGUAGES},
        "world_first_names": sorted(
            name for name in _names(WORLD_LOCALES, "first") if _latin_or_cyrillic(name)
        ),
    }


def _latin_or_cyrillic(name: str) -> bool:
    return all(char < "\u0250" or "\u0400" <= char <= "\u04ff" for char in name)


def write(data: dict[str, Any], path: Path) -> None:
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # mtime=0: the same lists give the same bytes, so a rebuild shows no change.
    with gzip.GzipFile(path, "wb", mtime=0) as file:
        file.write(payload.encode("utf-8"))
