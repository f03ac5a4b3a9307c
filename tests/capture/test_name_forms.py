"""A name typed in another grammatical case is filed in the nominative, and only then."""

from __future__ import annotations

import pytest

from handlers.capture.models import shipped
from handlers.capture.naming import company, person


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
    assert company(["Green", "valley", "farms"], "en", opens=True) == "Green Valley Farms"
    assert company(["Green", "valley", "farms"], "en", previous="at") == "Green valley farms"


@pytest.mark.parametrize(
    ("words", "language", "opens", "filed"),
    [
        # Opening a clause, a name that reads as a nominative is one: a woman, not a man's
        # genitive.
        ("Кристина Баранова", "ru", True, "Кристина Баранова"),
        ("Баранова", "ru", True, "Баранова"),
        ("Halina Wróbel", "pl", True, "Halina Wróbel"),
        # After a preposition the same forms are a man's genitive.
        ("Баранова", "ru", False, "Баранов"),
        ("Борису Орлову", "ru", True, "Борис Орлов"),
    ],
)
def test_a_name_opening_a_clause_is_read_as_its_subject(
    words: str, language: str, opens: bool, filed: str
) -> None:
    assert person(words.split(), language, opens=opens) == filed


@pytest.mark.parametrize(
    ("words", "filed"),
    [
        ("Ioanei Ionescu", "Ioana Ionescu"),  # a woman's name in the dative
        ("Elenei Dumitru", "Elena Dumitru"),
        ("Ralucăi Mihai", "Raluca Mihai"),
        ("Matei Stan", "Matei Stan"),  # a man's name that only looks like one
        ("Andrei Vlad", "Andrei Vlad"),
    ],
)
def test_romanian_dative_names_against_the_name_list(words: str, filed: str) -> None:
    first_names = shipped().words.first_names["ro"]
    assert person(words.split(), "ro", first_names=first_names) == filed
