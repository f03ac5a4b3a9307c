"""A company typed in another grammatical case is filed in the nominative, and only then."""

from __future__ import annotations

import pytest

from handlers.capture.naming import company


@pytest.mark.parametrize(
    ("words", "previous", "filed"),
    [
        # After a preposition: the head noun and the adjectives that agree with it.
        ("Zachodniej Hurtowni", "z", "Zachodnia Hurtownia"),
        ("Piekarni Złoty Kłos", "do", "Piekarnia Złoty Kłos"),
        ("Miejskiego Przedsiębiorstwa Wodociągów", "od", "Miejskie Przedsiębiorstwo Wodociągów"),
        ("Zakładu Mechanicznego", "z", "Zakład Mechaniczny"),
        ("Hurtowni Farmaceutycznej Medis", "w", "Hurtownia Farmaceutyczna Medis"),
        # After a noun that governs the genitive, a name the dictionary does not know.
        ("Stalmexu", "prezesa", "Stalmex"),
        ("Kronbudu", "dyrektorem", "Kronbud"),
        ("Agro-Polu", "z", "Agro-Pol"),
        # Nominatives and names the endings would break stay as typed.
        ("Kowalewski Transport", "z", "Kowalewski Transport"),
        ("Stalmex", None, "Stalmex"),
        ("Harvey Norman", "do", "Harvey Norman"),
    ],
)
def test_polish_company_names_in_the_nominative(
    words: str, previous: str | None, filed: str
) -> None:
    assert company(words.split(), "pl", previous=previous) == filed


@pytest.mark.parametrize(
    ("words", "previous", "filed"),
    [
        ("Зелёной долине", "в", "Зелёная долина"),
        ("Белого медведя", "из", "Белый медведь"),
        ("Южного порта", "от", "Южный порт"),
        # No nominative reading at all: the case is plain without a preposition.
        ("Рассвету", None, "Рассвет"),
        ("Уралстройснаба", "бухгалтерия", "Уралстройснаб"),
        # A word that may be a nominative stays: "Маяк отказался".
        ("Маяк", None, "Маяк"),
        ("Дом Книги", "из", "Дом Книги"),
    ],
)
def test_russian_company_names_in_the_nominative(
    words: str, previous: str | None, filed: str
) -> None:
    assert company(words.split(), "ru", previous=previous) == filed


def test_capitals_typed_mid_sentence_are_kept() -> None:
    assert company(["Белого", "медведя"], "ru", previous="из") == "Белый медведь"
    assert company(["белого", "медведя"], "ru", previous="из") == "Белый Медведь"
    assert company(["Green", "valley", "farms"], "en", previous=None) == "Green Valley Farms"
