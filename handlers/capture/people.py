"""Who and which company a message is about, with names in their dictionary form."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from handlers.capture.lexicon import Lexicon
from handlers.capture.morphology import dictionary_form, is_known_first_name, looks_like_person

Span = tuple[int, int]

_LETTERS = re.compile(r"[^\W\d_]+")
_WORD = re.compile(r"[^\W\d_](?:[\w'’.-]*\w)?\.?")
_QUOTED = re.compile(r"[«\"“„]([^«»\"“”„]{2,60})[»\"”]")
_LEADING_WORD = re.compile(r"\s*(\w+)[\s!.,:;-]*")
_PARENTHESES = re.compile(r"\(([^()]{2,60})\)")
_LEGAL_FORMS = re.compile(
    r"(?<!\w)(?:s\.?r\.?l\.?|s\.?a\.?|sp\. ?z ?o\.? ?o\.?|sp\.? z\.?o\.?o\.?|s\.?l\.?u?\.?|ltd\.?"
    r"|llc|inc\.?|gmbh|plc|s\.?c\.?|ооо|оао|зао|пао|ао|ип|еоод|оод|ад|еад)(?!\w)",
    re.IGNORECASE,
)
# Words that never start or continue a name in any language (shared vocabulary).
_NEVER = frozenset({"crm", "ok", "ok.", "pls", "asap", "re", "fyi", "tbd", "fw", "fwd"})


@dataclass(frozen=True, slots=True)
class Found:
    name: str
    span: Span


@cache
def _cues(source: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w)(?:{source})\s+|@\s*")


@cache
def _titles(source: str) -> re.Pattern[str]:
    return re.compile(rf"(?:{source})\.?\s+")


def _run(
    text: str,
    folded: str,
    start: int,
    lexicon: Lexicon,
    max_words: int,
    lowercase_ok: bool,
    blocked: frozenset[str],
    *,
    person: bool = True,
) -> tuple[list[str], Span] | None:
    """The name-like words from ``start``: they end at punctuation or a word that is not one."""
    if person and (title := _titles(lexicon.titles).match(folded, start)):
        start = title.end()
    words: list[str] = []
    position = start
    end = start
    while len(words) < max_words:
        match = _WORD.match(text, position)
        if match is None:
            break
        word = match.group().rstrip(".") if not match.group().endswith("..") else match.group()
        if not person and len(word) <= 3 and word[:1].isupper() and match.group().endswith("."):
            word = match.group()  # "Dr. Max", "St. Gobain": the dot belongs to the name
        key = folded[match.start() : match.start() + len(word)]
        capitalised = any(char.isupper() for char in word)  # "Northwind", "eMAG", "IBM"
        in_a_name = not person and capitalised and not lowercase_ok and match.start() > 0
        if key in blocked or key in _NEVER or (key in lexicon.stopwords and not in_a_name):
            break  # a capitalised "El" or "La" inside a company name ("El Corte Inglés") stays
        if not capitalised and not lowercase_ok:
            break
        if words and words[0][:1].isupper() and not capitalised:
            break  # "Sam Reed wants a quote": a capitalised name ends at a lowercase word
        words.append(word)
        end = match.start() + len(word)
        position = match.end()
        if position < len(text) and text[position] not in " \t":
            break  # punctuation ends a name
        while position < len(text) and text[position] in " \t":
            position += 1
    if not words:
        return None
    return words, (start, end)


def _lowercase_writer(text: str) -> bool:
    """A rep who types without capitals: names can't be told by their capital letter.

    Shouting a company's name ("NORTHWIND") does not count; a Capitalised word after the
    first does.
    """
    words = _LETTERS.findall(text)
    return not any(word[:1].isupper() and not word.isupper() for word in words[1:])


def find_person(
    text: str, folded: str, lexicon: Lexicon, blocked: frozenset[str], taken: list[Span]
) -> tuple[Found | None, Found | None]:
    """The person, and a company found where a person could stand ("zadzwonić do Orlenu")."""
    lowercase_ok = _lowercase_writer(text)
    organisation = None
    people: list[Found] = []
    for cue in _cues(lexicon.person_cues).finditer(folded):
        run = _run(text, folded, cue.end(), lexicon, 3, lowercase_ok, blocked)
        if run is None or _overlaps(run[1], taken):
            continue
        words, span = run
        if not looks_like_person(words, lexicon.code):
            if organisation is None:
                name = " ".join(dictionary_form(words, lexicon.code, person=False))
                organisation = Found(_proper(name) if lowercase_ok else name, span)
            continue
        if lowercase_ok and lexicon.code not in ("ru", "pl") and len(words) > 2:
            words = words[:2]
        name = " ".join(_proper(word) for word in dictionary_form(words, lexicon.code, person=True))
        found = Found(name, span)
        if is_known_first_name(words[0].rstrip("."), lexicon.code):
            return found, organisation  # the dictionary knows the name: no doubt left
        people.append(found)
    return (people[0] if people else None), organisation


def find_company(
    text: str, folded: str, lexicon: Lexicon, blocked: frozenset[str], taken: list[Span]
) -> Found | None:
    for pattern in (_PARENTHESES, _QUOTED):  # "Sam Reed (Northwind)", «Ромашка»
        for enclosed in pattern.finditer(text):
            name = clean_company(enclosed.group(1))
            if name and _LETTERS.search(name) and not _overlaps(enclosed.span(1), taken):
                words = name.split()
                if _lowercase_writer(text):
                    name = " ".join(_proper(word) for word in words)
                return Found(name, enclosed.span(1))
    lowercase_ok = _lowercase_writer(text)
    for cue in _cues(lexicon.company_cues).finditer(folded):
        start = cue.end()
        if legal := _LEGAL_FORMS.match(text, start):
            start = legal.end() + 1
        run = _run(text, folded, start, lexicon, 4, lowercase_ok, blocked, person=False)
        if run is None or _overlaps(run[1], taken):
            continue
        words, span = run
        if lowercase_ok and len(words) > 2:
            words = words[:2]
        name = clean_company(" ".join(dictionary_form(words, lexicon.code, person=False)))
        if name:
            return Found(_proper(name) if lowercase_ok else name, span)
    return None


def _overlaps(span: Span, spans: list[Span]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in spans)


def clean_company(name: str) -> str:
    return " ".join(_LEGAL_FORMS.sub(" ", name).replace("  ", " ").split()).strip(" ,.-")


def _proper(word: str) -> str:
    """Capitalise a word typed in lowercase; leave deliberate capitals (McKay, IBM) alone."""
    return word if any(char.isupper() for char in word) else word[:1].upper() + word[1:]


def subject_first(
    text: str, folded: str, lexicon: Lexicon, blocked: frozenset[str], *, has_news: bool
) -> tuple[Found | None, Found | None]:
    """A name the message starts with: "Lidl a ales alta firma", "Rita Gomez (Staplewell)
    called". Followed by a company cue or a parenthesis it is a person, else a company."""
    start = 0
    if prefix := re.match(r"\s*(?:note|nota|notatka|бележка|заметка|fyi)\s*[:\-]?\s*", folded):
        start = prefix.end()
    # "lost hartwell medical, ...", "signed!! pemberton ales": news first, then the name.
    while (word := _LEADING_WORD.match(folded, start)) and word.group(1) in blocked:
        start = word.end()
    run = _run(text, folded, start, lexicon, 3, _lowercase_writer(text), blocked)
    if run is None:
        return None, None
    words, span = run
    rest = folded[span[1] :].lstrip(" ,")
    followed_by_company = rest.startswith("(") or bool(_cues(lexicon.company_cues).match(rest))
    if followed_by_company and looks_like_person(words, lexicon.code):
        forms = dictionary_form(words, lexicon.code, person=True)
        return Found(" ".join(_proper(word) for word in forms), span), None
    legal = _LEGAL_FORMS.match(text, span[1] + 1)
    name = clean_company(" ".join(words))
    if _lowercase_writer(text) and not (has_news or legal or rest[:1] in ("-", ":", "–")):
        # Without capitals any opening words look like a name ("hello there"). News about
        # them ("lidl a ales alta firma, pierdut") or a dash ("westbrook dairy - new
        # buyer") says they are one.
        return None, None
    if name and (legal or not followed_by_company):
        return None, Found(_proper(name) if _lowercase_writer(text) else name, span)
    return None, None


def named_in_dictionary(
    text: str, folded: str, lexicon: Lexicon, blocked: frozenset[str], taken: list[Span]
) -> Found | None:
    """A person named without a cue ("отправил КП Ольге Смирновой"), where a dictionary of
    first names exists (Russian, Polish)."""
    if lexicon.code not in ("ru", "pl"):
        return None
    lowercase_ok = _lowercase_writer(text)
    for word in _WORD.finditer(text):
        if _overlaps(word.span(), taken) or (not lowercase_ok and not word.group()[:1].isupper()):
            continue
        if not is_known_first_name(word.group().rstrip("."), lexicon.code):
            continue
        run = _run(text, folded, word.start(), lexicon, 3, lowercase_ok, blocked)
        if run is not None and not _overlaps(run[1], taken):
            forms = dictionary_form(run[0], lexicon.code, person=True)
            return Found(" ".join(_proper(form) for form in forms), run[1])
    return None
