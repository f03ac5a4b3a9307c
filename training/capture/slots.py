"""What fills a template's slots: people from Faker's locales, inflected by pymorphy3 (Russian)
and Morfeusz 2 (Polish) as the slot's case wants; companies made of the language's own words
with and without legal forms; amounts with the value they mean; products."""

from __future__ import annotations

import importlib
import random
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from handlers.capture import morphology

CASES = ("nom", "gen", "dat", "acc", "ins", "loc")
_RU_CASES = {
    "nom": "nomn",
    "gen": "gent",
    "dat": "datv",
    "acc": "accs",
    "ins": "ablt",
    "loc": "loct",
}
_PL_CASES = {"nom": "nom", "gen": "gen", "dat": "dat", "acc": "acc", "ins": "inst", "loc": "loc"}
LOCALE = {"en": "en_US", "ro": "ro_RO", "pl": "pl_PL", "bg": "bg_BG", "es": "es_ES", "ru": "ru_RU"}
_EXTRA_LOCALES = {"en": ("en_GB", "en_IN"), "es": ("es_MX", "es_CO", "es_AR")}


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    female: bool


@dataclass(frozen=True)
class Filled:
    text: str
    """As typed in the message."""
    value: str
    """As the CRM files it (nominative, no title, no legal form)."""


def _provider(locale: str) -> Any:
    return importlib.import_module(f"faker.providers.person.{locale}").Provider


def _names(provider: Any, *attributes: str) -> list[str]:
    for attribute in attributes:
        value = getattr(provider, attribute, None)
        if isinstance(value, (list, tuple, dict)) and len(value) > 1:
            names = list(value.keys() if isinstance(value, dict) else value)
            return sorted({name for name in names if name.isalpha() and len(name) > 2})
    return []


@cache
def _pools(language: str) -> dict[str, list[str]]:
    locales = (LOCALE[language], *_EXTRA_LOCALES.get(language, ()))
    pools: dict[str, list[str]] = {"f_first": [], "m_first": [], "f_last": [], "m_last": []}
    for locale in locales:
        provider = _provider(locale)
        pools["f_first"] += _names(provider, "first_names_female", "first_names")
        pools["m_first"] += _names(provider, "first_names_male", "first_names")
        female_last = _names(provider, "last_names_female", "last_names", "unisex_last_names")
        male_last = _names(provider, "last_names_male", "male_last_names", "last_names")
        pools["f_last"] += female_last
        pools["m_last"] += male_last
    return {key: sorted(set(values)) for key, values in pools.items()}


def person(language: str, rng: random.Random) -> Person:
    pools = _pools(language)
    female = rng.random() < 0.5
    first = rng.choice(pools["f_first" if female else "m_first"])
    last = rng.choice(pools["f_last" if female else "m_last"])
    return Person(first, last, female)


@cache
def _polish() -> Any:
    import morfeusz2

    return morfeusz2.Morfeusz(generate=True)


def _ru_inflect(word: str, case: str, gender: str | None, tags: tuple[str, ...]) -> str | None:
    parses = morphology.russian().parse(word)
    fitting = [
        p
        for p in parses
        if any(tag in p.tag for tag in tags) and (gender is None or p.tag.gender == gender)
    ]
    if not fitting:
        return None if tags else word
    inflected = fitting[0].inflect({_RU_CASES[case], "sing"})
    if inflected is None:
        return None
    form: str = inflected.word
    return form[:1].upper() + form[1:] if word[:1].isupper() else form


def _pl_inflect(word: str, case: str, female: bool | None) -> str | None:
    wanted = _PL_CASES[case]
    for form, _lemma, tag, *_rest in _polish().generate(word):
        fields = tag.split(":")
        if len(fields) < 4 or fields[0] != "subst" or "sg" not in fields[1].split("."):
            continue
        gender = fields[3]
        if female is True and gender != "f":
            continue
        if female is False and gender not in ("m1", "m2", "m3"):
            continue
        if female is None and gender == "f" and "nom.gen.dat" in fields[2]:
            continue
        if wanted in fields[2].split("."):
            return str(form)
    return None


def inflect_person(language: str, words: list[str], case: str, female: bool) -> list[str] | None:
    """``words`` of a person's name in ``case``; None when a dictionary can't inflect one."""
    if case == "nom" or language not in ("ru", "pl", "ro"):
        return words
    if language == "ro":
        if case != "dat":
            return words
        first = words[0]
        if female and first.endswith("a") and rng_free_choice(first):
            return [first[:-1] + "ei", *words[1:]]  # Maria -> Mariei
        return ["lui", *words]
    result = []
    for index, word in enumerate(words):
        if language == "ru":
            gender = "femn" if female else "masc"
            tags = ("Name",) if index == 0 and len(words) > 1 else ("Name", "Surn", "Patr")
            form = _ru_inflect(word, case, gender, tags)
            if form is None and index > 0:
                form = _ru_inflect(word, case, gender, ("Surn",)) or word
        else:
            form = _pl_inflect(word, case, female)
        if form is None:
            return None
        result.append(form)
    return result


def rng_free_choice(word: str) -> bool:
    """Whether a Romanian woman's name takes the -ei dative (Maria -> Mariei, not Ana -> Anei
    in the colloquial "lui Ana" every rep writes too): decided by the name, so it is stable."""
    return len(word) > 3 and sum(map(ord, word)) % 2 == 0


_TITLES = {
    "en": (("Mr.", "Mr", "Dr.", "Dr"), ("Ms.", "Mrs.", "Ms", "Dr.")),
    "ro": (("domnul", "dl.", "dl"), ("doamna", "dna.", "dna")),
    "pl": (("pan", "p."), ("pani",)),
    "bg": (("г-н",), ("г-жа",)),
    "es": (("Sr.", "don", "el ing."), ("Sra.", "doña", "la Dra.")),
    "ru": (("г-н",), ("г-жа",)),
}


_PL_TITLES = {
    "pan": {"gen": "pana", "dat": "panu", "acc": "pana", "ins": "panem", "loc": "panu"},
    "pani": {"acc": "panią", "ins": "panią"},
}


def person_slot(
    language: str, who: Person, case: str, rng: random.Random, *, first_only: bool = False
) -> Filled | None:
    """A person as a rep names them: full name, first or last name only, or with a title."""
    style = rng.choice(["full", "full", "full", "first", "first", "last", "title"])
    if first_only:
        style = "first"
    elif style == "title" and (language == "ru" or (language == "ro" and case == "dat")):
        style = "last"
    if style == "full":
        words = [who.first, who.last]
    elif style == "first":
        words = [who.first]
    else:
        words = [who.last]
    value = " ".join(words)
    if style == "title":
        title = rng.choice(_TITLES[language][who.female])
        inflected = inflect_person(language, words, case, who.female)
        if inflected is None:
            return None
        if language == "pl":
            forms = _PL_TITLES.get(title, {})
            title = forms.get(case, title)
        return Filled(f"{title} {' '.join(inflected)}", value)
    inflected = inflect_person(language, words, case, who.female)
    if inflected is None:
        return None
    return Filled(" ".join(inflected), value)


# Companies -----------------------------------------------------------------------------------

_INDUSTRY = {
    "en": "Logistics Foods Dental Roofing Energy Health Systems Software Builders Plastics Motors "
    "Hotels Media Labs Pharma Freight Supply Group Partners Print Clinic Farms Steel Solar "
    "Cargo Express Air Rail Bank Telecom Water Paper Glass Tools Parts Mobile Digital Retail Home "
    "Care Travel Trade Finance".split(),
    "ro": "Construct Agro Transport Logistic Med Farm Impex Invest Grup Solutions Prod Trans "
    "Distributie Consulting Auto Instal Tehnic Design Print Cargo Express Bank Telecom Retail "
    "Mobila Oil".split(),
    "pl": "Trans Bud Med Pol Stal Serwis Logistyka Systemy Handel Energia Technika Druk Meble "
    "Instal Agro Chem Tech Projekt Cargo Ekspres Bank Telekom Sklep Okna Drewno".split(),
    "bg": "Строй Агро Транс Мед Софт Енерджи Логистик Инвест Трейд Консулт Дизайн Принт Фарм "
    "Техник Системс Карго Експрес Банк Телеком Мебел".split(),
    "es": "Transportes Logística Alimentos Construcciones Soluciones Distribuciones Industrial "
    "Grupo Servicios Tecnología Farma Energía Agrícola Seguros Hoteles Express Cargo Banco "
    "Muebles Viajes".split(),
    "ru": "Строй Торг Транс Мед Софт Энерго Логистик Инвест Трейд Сервис Пром Снаб Тех Агро Фарм "
    "Систем Карго Экспресс Банк Телеком Мебель".split(),
}
_LEGAL = {
    "en": ("Ltd", "Inc", "LLC", "Ltd."),
    "ro": ("SRL", "S.R.L.", "SA"),
    "pl": ("sp. z o.o.", "S.A.", "Sp. z o.o."),
    "bg": ("ЕООД", "ООД", "АД"),
    "es": ("S.L.", "S.A.", "S.A. de C.V."),
    "ru": ("ООО", "АО"),
}
_SYLLABLES = {
    "latin": "ka ro ne vi ta lo mar bel cor den fin gal hel lux max nor pol sen ter val zen tra "
    "vo li ra".split(),
    "cyrillic": "ка ро не ви та ло мар бел кор ден фин гал хел лю макс нор пол сен тер вал зен "
    "тра во ли ра".split(),
}


def _brand(language: str, rng: random.Random) -> str:
    alphabet = "cyrillic" if language in ("ru", "bg") else "latin"
    if rng.random() < 0.15:
        alphabet = "latin"  # Wildberries, SoftPeak: Latin names in Cyrillic messages
    word = "".join(rng.choice(_SYLLABLES[alphabet]) for _ in range(rng.choice([2, 2, 3])))
    return word[:1].upper() + word[1:]


def _acronym(language: str, rng: random.Random) -> str:
    letters = "АБВГДЕКМНПРСТ" if language in ("ru", "bg") else "ABCDEFGHKLMPRST"
    return "".join(rng.choice(letters) for _ in range(rng.choice([2, 3, 3, 4])))


@dataclass(frozen=True)
class Company:
    name: str
    """Nominative, as filed."""
    inflects: bool
    """One word a dictionary can decline ("Orlen", "Ромашка")."""


def company(language: str, rng: random.Random) -> Company:
    shape = rng.choice(["brand", "brand", "brand_industry", "surname_industry", "acronym_word"])
    if shape == "brand":
        return Company(_brand(language, rng), True)
    if shape == "brand_industry":
        return Company(f"{_brand(language, rng)} {rng.choice(_INDUSTRY[language])}", False)
    if shape == "surname_industry":
        last = rng.choice(_pools(language)["m_last"])
        if language == "es":
            return Company(f"{rng.choice(_INDUSTRY[language])} {last}", False)
        return Company(f"{last} {rng.choice(_INDUSTRY[language])}", False)
    return Company(f"{_acronym(language, rng)} {rng.choice(_INDUSTRY[language])}", False)


def company_slot(language: str, firm: Company, case: str, rng: random.Random) -> Filled | None:
    """A company as a rep names it: declined where the language does, a legal form or quotes
    now and then."""
    text = firm.name
    if case != "nom" and language in ("ru", "pl") and firm.inflects:
        if language == "ru":
            form = _ru_inflect(firm.name, case, None, ())
        else:
            form = _pl_inflect(firm.name, case, None)
        if form is None or rng.random() < 0.15:
            form = firm.name  # reps often leave a name undeclined
        text = form
    roll = rng.random()
    if roll < 0.15:
        legal = rng.choice(_LEGAL[language])
        text = f"{legal} «{text}»" if language == "ru" else f"{text} {legal}"
    elif roll < 0.22 and language in ("ru", "bg"):
        text = f"«{text}»"
    return Filled(text, firm.name)


# Amounts and products ------------------------------------------------------------------------


def amount(language: str, rng: random.Random) -> tuple[str, Decimal, str]:
    """A sum as reps write it, its value and its currency."""
    thousands = rng.choice([2, 5, 8, 12, 15, 20, 35, 48, 60, 120, 250])
    value = Decimal(thousands * 1000)
    currencies = {
        "en": [("$", "USD", "pre"), ("£", "GBP", "pre"), ("EUR", "EUR", "post")],
        "ro": [("lei", "RON", "post"), ("euro", "EUR", "post"), ("€", "EUR", "post")],
        "pl": [("zł", "PLN", "post"), ("zl", "PLN", "post"), ("EUR", "EUR", "post")],
        "bg": [("лв", "BGN", "post"), ("лева", "BGN", "post"), ("евро", "EUR", "post")],
        "es": [("€", "EUR", "post"), ("euros", "EUR", "post"), ("pesos", "MXN", "post")],
        "ru": [("руб", "RUB", "post"), ("₽", "RUB", "post"), ("евро", "EUR", "post")],
    }[language]
    sign, code, where = rng.choice(currencies)
    multiplier = {
        "en": "k",
        "ro": " mii",
        "pl": " tys.",
        "bg": " хил.",
        "es": " mil",
        "ru": " тыс.",
    }
    style = rng.choice(["k", "full", "word"])
    if style == "k":
        number = f"{thousands}k"
    elif style == "full":
        separator = "," if language == "en" else "."
        number = f"{thousands}{separator}000"
    else:
        number = f"{thousands}{multiplier[language]}"
    text = f"{sign}{number}" if where == "pre" else f"{number} {sign}"
    return text, value, code


_THINGS = {
    "en": "licences|forklifts|the software upgrade|printers|cleaning contract|solar panels|"
    "uniforms|tablets|the maintenance plan|coffee machines",
    "ro": "licente|stivuitoare|imprimante|contractul de mentenanta|panouri solare|uniforme|"
    "tablete|softul nou|ambalaje",
    "pl": "licencje|wózki widłowe|drukarki|serwis|panele fotowoltaiczne|mundury|tablety|"
    "oprogramowanie|opakowania",
    "bg": "лицензи|мотокари|принтери|поддръжка|соларни панели|униформи|таблети|софтуера|опаковки",
    "es": "licencias|carretillas|impresoras|mantenimiento|paneles solares|uniformes|tablets|"
    "software|embalajes",
    "ru": "лицензии|погрузчики|принтеры|обслуживание|солнечные панели|униформу|планшеты|софт|"
    "упаковку",
}


def thing(language: str, rng: random.Random) -> str:
    return rng.choice(_THINGS[language].split("|"))
