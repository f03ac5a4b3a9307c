"""The words of greetings and thanks, folded (no marks, lower case), in the six languages.

The reader uses them so "mersi frumos" is never a company; the chat reply so it can answer
thanks with "you're welcome"."""

from __future__ import annotations

import re

THANKS = frozenset(
    "thanks thank thx ty tnx cheers mersi multumesc multam dzieki dziekuje "
    "благодаря мерси gracias grac спасибо спс благодарю пасиб "
    "blagodarya blagodaria spasibo spasiba spasib".split()
)
GREETINGS = frozenset(
    "hi hello hey hiya morning evening yo buna salut servus neata czesc hej witam dzien "
    "здравей здрасти здравейте добро добър hola buenas buenos привет здравствуйте добрый "
    "доброе zdravey zdravei zdrasti privet zdravstvuyte".split()
)
_WORD = re.compile(r"[^\W\d_]+")


def words_of(folded: str) -> set[str]:
    return set(_WORD.findall(folded))


def only_pleasantries(name: str) -> bool:
    """Whether every word of ``name`` (folded) is a greeting or thanks: "Благодарю" or "Hola"
    read as a name is no one."""
    found = words_of(name)
    return bool(found) and found <= THANKS | GREETINGS


def is_small_talk(folded: str) -> bool:
    """Whether a folded message has a greeting or thanks in it."""
    return bool(words_of(folded) & (THANKS | GREETINGS))
