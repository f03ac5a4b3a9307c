"""What the capture models see of a message: features that carry to text they never saw.

A word itself says little about an unseen message ("Kestrel", "Пятёрочка"); its shape, the
cue words around it (with, from, met, "note:"), its dictionary form, whether the language's
first names include it, whether a legal form follows it, and whether the team already has a
contact or company of that name say much more. The same functions build the features for
training (``training/capture``) and for reading, so the two can never drift apart.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from handlers.capture.known import Known
from handlers.capture.lexicon import Lexicon, whole_words
from handlers.capture.morphology import name_readings
from handlers.capture.resources import Words
from handlers.capture.romanised import latin_to_cyrillic
from handlers.capture.tokens import Span, Token

LEGAL_FORMS = re.compile(
    r"(?<!\w)(?:s\.?r\.?l\.?|s\.?a\.?|sp\. ?z ?o\.? ?o\.?|sp\.? z\.?o\.?o\.?|s\.?l\.?u?\.?|ltd\.?"
    r"|llc|inc\.?|gmbh|plc|pte|pty|s\.?c\.?|ооо|оао|зао|пао|ао|ип|еоод|оод|ад|еад|corp\.?|co\.?"
    r"|s\.?a\.? de c\.?v\.?|sas|s\.?p\.?a\.?)(?!\w)",
    re.IGNORECASE,
)
"""Legal forms of companies in the six languages' countries and their neighbours."""

_NOTE_OPENING = re.compile(r"\s*(?:note|nota|notatka|notita|бележка|заметка|fyi|nb)\s*[:\-]")


@dataclass(frozen=True)
class Cues:
    """Which lexicon categories cover each token of one message."""

    classes: list[frozenset[str]]


@cache
def _category_patterns(lexicon: Lexicon) -> tuple[tuple[str, re.Pattern[str]], ...]:
    time_words = [lexicon.today, lexicon.tomorrow, lexicon.day_after_tomorrow, lexicon.next_week]
    time_words += [*lexicon.weekdays, *lexicon.months, *lexicon.units.values()]
    patterns = [
        ("intent", lexicon.intent),
        ("pcue", lexicon.person_cues),
        ("ccue", lexicon.company_cues),
        ("title", lexicon.titles),
        ("time", "|".join(f"(?:{word})" for word in time_words)),
        ("qty", lexicon.quantity_units),
    ]
    patterns += [(f"kind_{kind.value}", source) for kind, source in lexicon.kinds.items()]
    patterns += [(f"stage_{stage.value}", source) for stage, source in lexicon.stages.items()]
    return tuple((name, re.compile(whole_words(source))) for name, source in patterns)


def cues(
    folded: str,
    tokens: Sequence[Token],
    lexicon: Lexicon,
    team: Sequence[tuple[str, re.Pattern[str]]] = (),
) -> Cues:
    """The lexicon's categories over the tokens, by where their phrases matched, and those
    the ``team``'s own words stand for."""
    classes: list[set[str]] = [set() for _ in tokens]
    for name, pattern in (*_category_patterns(lexicon), *team):
        for match in pattern.finditer(folded):
            _mark(classes, tokens, match.span(), name)
    for match in LEGAL_FORMS.finditer(folded):
        _mark(classes, tokens, match.span(), "legal")
    for index, token in enumerate(tokens):
        if token.folded in lexicon.stopwords:
            classes[index].add("stop")
        if token.text == "@":  # "@Acme": glued to the name, so no whole-word match finds it
            classes[index].add("ccue")
    return Cues([frozenset(found) for found in classes])


def _mark(classes: list[set[str]], tokens: Sequence[Token], span: Span, name: str) -> None:
    start, end = span
    for index, token in enumerate(tokens):
        if token.start < end and start < token.end:
            classes[index].add(name)


def shape(text: str) -> str:
    """ "Xx", "x", "X", "d", "Xd", ... : letters and digits by kind, runs collapsed."""
    kinds: list[str] = []
    for char in text:
        kind = "X" if char.isupper() else "x" if char.isalpha() else "d" if char.isdigit() else "-"
        if not kinds or kinds[-1] != kind:
            kinds.append(kind)
    return "".join(kinds[:4])


def lowercase_writer(tokens: Sequence[Token]) -> bool:
    """A rep who types without capitals: a capital letter then says nothing about names."""
    return not any(
        token.text[:1].isupper() and not token.text.isupper()
        for token in tokens[1:]
        if token.is_word
    )


@dataclass(frozen=True)
class TokenView:
    """The facts about one token that its own features and its neighbours' are made of."""

    word: str
    lemma: str
    classes: frozenset[str]
    flags: tuple[str, ...]


def _views(
    tokens: Sequence[Token],
    language: str,
    lexicon_cues: Cues,
    words: Words,
    known: Known,
    lowercase: bool,
    romanised: bool,
) -> list[TokenView]:
    views = []
    for index, token in enumerate(tokens):
        flags: list[str] = []
        text = token.text
        if not token.is_word:
            flags.append("punct")
        elif text.isdigit():
            flags.append("digits")
        else:
            if text[:1].isupper():
                flags.append("cap" if not lowercase else "cap_lw")
            if text.isupper() and len(text) > 1:
                flags.append("upper")
            short = len(token.folded) < 3 and not text[:1].isupper()
            listed = name_lists(token.folded, language, words, romanised)
            flags += [flag for flag in listed if flag == "lname" or not short]
            if len(text) > 2:
                spelt = latin_to_cyrillic(token.folded, language) if romanised else text
                readings = name_readings(_titled(spelt), language)
                flags += [_MORPH_FLAGS[reading] for reading in sorted(readings)]
            flags.append(f"freq_{words.frequency(token.folded, language)}")
        flags += known.flags(token.folded)
        lemma = words.lemma(token.folded, language) if token.is_word else token.folded
        views.append(TokenView(token.folded, lemma, lexicon_cues.classes[index], tuple(flags)))
    return views


def name_lists(folded: str, language: str, words: Words, romanised: bool) -> list[str]:
    """Which name lists know a word: ``fname`` (the language's first names), else
    ``fname_other`` (another of the six languages'), else ``fname_world`` (Faker's other
    locales'); and ``lname`` (the language's surnames). Latin-typed Bulgarian and Russian
    words are looked up in their Cyrillic spelling."""
    own = latin_to_cyrillic(folded, language) if romanised else folded
    found = []
    if own in words.first_names.get(language, frozenset()):
        found.append("fname")
    elif folded in words.any_first_name:
        found.append("fname_other")
    elif folded in words.world_first_name:
        found.append("fname_world")
    if own in words.last_names.get(language, frozenset()):
        found.append("lname")
    return found


def _titled(text: str) -> str:
    return text[:1].upper() + text[1:].lower() if text.islower() or text.isupper() else text


_CONTEXT = (-2, -1, 1, 2)
_MORPH_FLAGS = {"first": "morph_fname", "last": "morph_lname"}


def token_features(
    tokens: Sequence[Token],
    language: str,
    lexicon_cues: Cues,
    words: Words,
    known: Known,
    opening_note: bool,
    romanised: bool = False,
) -> list[list[str]]:
    """One list of feature names per token, for the sequence tagger. ``romanised``: a
    Cyrillic language typed in Latin letters."""
    lowercase = lowercase_writer(tokens)
    views = _views(tokens, language, lexicon_cues, words, known, lowercase, romanised)
    features = []
    last = len(tokens) - 1
    for index, (token, view) in enumerate(zip(tokens, views, strict=True)):
        own = [
            "b",
            f"w={view.word}",
            f"sh={shape(token.text)}",
            f"p3={view.word[:3]}",
            f"s3={view.word[-3:]}",
            f"s2={view.word[-2:]}",
            f"len={min(len(view.word), 8)}",
        ]
        if view.lemma != view.word:
            own.append(f"l={view.lemma}")
        own += [f"c={name}" for name in sorted(view.classes)]
        own += [f"f={flag}" for flag in view.flags]
        if index == 0:
            own.append("bos")

        if lowercase:
            own.append("lw")
        if opening_note:
            own.append("note_msg")
        own.append(f"lang={language}")
        for offset in _CONTEXT:
            other = index + offset
            if not 0 <= other <= last:
                if offset < 0:
                    own.append(f"{offset}:edge")
                continue
            neighbour = views[other]
            own.append(f"{offset}:w={neighbour.word}")
            if neighbour.lemma != neighbour.word:
                own.append(f"{offset}:l={neighbour.lemma}")
            own += [f"{offset}:c={name}" for name in sorted(neighbour.classes)]
            own += [f"{offset}:f={flag}" for flag in neighbour.flags]
        if index > 0:
            own.append(f"bi={views[index - 1].word}|{view.word}")
        if index < last:
            own.append(f"bi+={view.word}|{views[index + 1].word}")
        features.append(own)
    return features


def is_note_opening(folded: str) -> bool:
    return bool(_NOTE_OPENING.match(folded))


def message_features(
    tokens: Sequence[Token],
    language: str,
    lexicon_cues: Cues,
    words: Words,
    names: Iterable[tuple[int, str]],
    extra: Iterable[str] = (),
) -> list[str]:
    """Bag-of-lemma features of the whole message for the classifiers (kind, stage,
    follow-up). ``names`` are (token index, "PER" or "ORG") of the names the tagger found:
    a name is replaced by its role, so "Kestrel" teaches nothing but "<ORG>" does."""
    roles = dict(names)
    lemmas: list[str] = []
    for index, token in enumerate(tokens):
        if index in roles:
            if not lemmas or lemmas[-1] != f"<{roles[index]}>":
                lemmas.append(f"<{roles[index]}>")
            continue
        if token.is_word and not token.text.isdigit():
            lemmas.append(words.lemma(token.folded, language))
        elif token.text.isdigit():
            lemmas.append("<num>")
        elif token.text in "?!:@/":
            lemmas.append(token.text)
    features = ["b", f"lang={language}", f"n={min(len(lemmas), 12) // 3}"]
    features += [f"l={lemma}" for lemma in lemmas]
    # A lemma's first letters carry across its unseen forms and cousins: "instal" is in
    # installed, instalada, instalacja; "negoc" in negociem, negociar, negocjujemy.
    features += [f"p5={lemma[:5]}" for lemma in lemmas if len(lemma) > 5 and lemma[0] != "<"]
    features += [f"bi={a}|{b}" for a, b in itertools.pairwise(lemmas)]
    if lemmas:
        features.append(f"first={lemmas[0]}")
    for classes in lexicon_cues.classes:
        features += [f"c={name}" for name in classes if name not in ("stop", "pcue", "ccue")]
    features += list(extra)
    return sorted(set(features))
