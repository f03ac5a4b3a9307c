"""Money and quantities: "12k EUR" is an amount, "12 licences" a quantity, neither a date."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache

from handlers.capture.lexicon import Lexicon

Span = tuple[int, int]

# Folded spellings of currencies (see lexicon.fold), longest first where they overlap.
_CURRENCIES: dict[str, str] = {
    "eur": "EUR", "euro": "EUR", "euros": "EUR", "evro": "EUR", "евро": "EUR", "€": "EUR",
    "usd": "USD", "dollars": "USD", "dolari": "USD", "dolares": "USD", "$": "USD",
    "долларов": "USD", "долл": "USD",
    "ron": "RON", "lei": "RON", "leu": "RON",
    "pln": "PLN", "zl": "PLN", "zlotych": "PLN", "zloty": "PLN", "zlote": "PLN",
    "bgn": "BGN", "лв": "BGN", "лева": "BGN", "лев": "BGN", "lv": "BGN", "leva": "BGN",
    "rub": "RUB", "руб": "RUB", "рублей": "RUB", "рубля": "RUB", "₽": "RUB", "р": "RUB",
    "rubley": "RUB", "rublei": "RUB", "rublya": "RUB",
    "mxn": "MXN", "pesos": "MXN",
    "gbp": "GBP", "£": "GBP", "pounds": "GBP",
}  # fmt: skip
_SCALES: dict[str, int] = {
    "k": 1_000, "к": 1_000, "тыс": 1_000, "тысяч": 1_000, "хил": 1_000, "хиляди": 1_000,
    "mil": 1_000, "mii": 1_000, "tys": 1_000, "m": 1_000_000, "mln": 1_000_000, "млн": 1_000_000,
    "tis": 1_000, "tysyach": 1_000, "hil": 1_000, "hilyadi": 1_000,
    "mio": 1_000_000, "million": 1_000_000, "millones": 1_000_000, "milioane": 1_000_000,
}  # fmt: skip

_NUMBER = r"(?P<number>\d{1,3}(?:[ \u00a0.,]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)"
_SCALE = (
    r"(?:\s?(?P<scale>"
    + "|".join(sorted(map(re.escape, _SCALES), key=len, reverse=True))
    + r")\.?)?"
)
_CURRENCY_NAMES = "|".join(sorted(map(re.escape, _CURRENCIES), key=len, reverse=True))
_AFTER = re.compile(rf"(?<![\w.,]){_NUMBER}{_SCALE}\s?(?P<currency>{_CURRENCY_NAMES})(?!\w)")
_CURRENCY_WORD = re.compile(rf"\s?({_CURRENCY_NAMES})(?!\w)")
_BEFORE = re.compile(rf"(?<!\w)(?P<currency>[$€£]|usd|eur|gbp)\s?{_NUMBER}{_SCALE}(?![\w.,]\d)")


@dataclass(frozen=True, slots=True)
class Amount:
    value: Decimal
    currency: str
    span: Span


def _number(text: str) -> Decimal | None:
    digits = text.replace("\u00a0", " ")
    # "4,000" and "15.000" and "20 000" group thousands; "1,5" and "4000.50" have decimals.
    grouped = re.fullmatch(r"\d{1,3}(?:([ .,])\d{3})+(?:([.,])\d{1,2})?", digits)
    if grouped:
        separator = grouped.group(1)
        whole, _, fraction = (
            digits.rpartition(grouped.group(2)) if grouped.group(2) else (digits, "", "")
        )
        whole = whole.replace(separator, "")
        digits = f"{whole}.{fraction}" if fraction else whole
    else:
        digits = digits.replace(",", ".")
    try:
        return Decimal(digits)
    except InvalidOperation:
        return None


def find_amount(folded: str) -> Amount | None:
    """The first sum of money in the (folded) text."""
    for pattern in (_BEFORE, _AFTER):
        for match in pattern.finditer(folded):
            value = _number(match.group("number"))
            if value is None:
                continue
            scale = match.group("scale")
            currency = _CURRENCIES[match.group("currency")]
            if scale:
                # "1,2 mil lei" is a million in Romanian; "850 mil pesos" a thousand in Spanish.
                value *= 1_000_000 if (scale, currency) == ("mil", "RON") else _SCALES[scale]
            after = _CURRENCY_WORD.match(folded, match.end())
            if pattern is _BEFORE and after:  # "$250,000 pesos": the word says which dollar
                currency = _CURRENCIES[after.group(1)]
            if value == value.to_integral_value():
                value = value.quantize(Decimal(1))
            return Amount(value, currency, match.span())
    return None


@cache
def _quantity(lexicon: Lexicon) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w.,])\d[\d ., ]*\s?(?:de\s+)?(?:{lexicon.quantity_units})(?!\w)")


_BARE_BIG_NUMBER = re.compile(r"(?<![\w.,:/])(?!20\d\d\b)\d{3,}(?![\w.,:/]\d)")  # not years


def taken_by_numbers(folded: str, lexicon: Lexicon, amount: Amount | None) -> list[Span]:
    """Spans that are money, quantities or plain large numbers: never read as times."""
    spans = [match.span() for match in _quantity(lexicon).finditer(folded)]
    spans += [match.span() for match in _BARE_BIG_NUMBER.finditer(folded)]
    if amount is not None:
        spans.append(amount.span)
    return spans
