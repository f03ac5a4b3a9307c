"""Bulgarian and Russian typed in Latin letters, as reps do on a phone without a Cyrillic
keyboard: read as the rep's language, with its times, promises and kinds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from handlers.capture import read_message
from handlers.domain import ActivityKind

# Monday 23 November 2026, 10:00 in Sofia and 11:00 in Moscow.
MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
ZONES = {"bg": "Europe/Sofia", "ru": "Europe/Moscow"}


def read(text: str, language: str) -> tuple[str, str | None]:
    capture = read_message(text, now=MONDAY, timezone=ZONES[language], language=language)
    when = capture.follow_up_at.strftime("%Y-%m-%d %H:%M") if capture.follow_up_at else None
    return capture.language, when


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("bg", "govorih s Petrova, shte i se obadya v chetvartak v 11", "2026-11-26 11:00"),
        ("bg", "napomni mi utre v 3 da zvanna na kalin ot metalstroy", "2026-11-24 15:00"),
        ("bg", "da go potarsya sled 2 dni", "2026-11-25 09:00"),
        ("ru", "perezvonit' v pyatnitsu v 10", "2026-11-27 10:00"),
        ("ru", "napomni zavtra nabrat' Sergeya iz Severstali", "2026-11-24 09:00"),
        ("ru", "vstrecha proshla norm, cherez 2 dnya perezvonit", "2026-11-25 09:00"),
    ],
)
def test_the_promise_and_its_time_in_latin_letters(language: str, text: str, expected: str) -> None:
    assert read(text, language) == (language, expected)


@pytest.mark.parametrize(
    ("language", "text", "kind"),
    [
        ("bg", "sreshtnah se s Rumen Iliev ot Elprom", ActivityKind.MEETING),
        ("ru", "zvonil Andreyu iz Uralhima, vse ok", ActivityKind.CALL),
    ],
)
def test_the_kind_in_latin_letters(language: str, text: str, kind: ActivityKind) -> None:
    capture = read_message(text, now=MONDAY, timezone=ZONES[language], language=language)
    assert (capture.language, capture.kind) == (language, kind)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("shte mu zvanna v chetvartak v 11, iskat oferta za 20 laptopa", "bg"),
        ("perezvonit' Ivanovu v chetverg v 11, hotyat KP na 20 noutbukov", "ru"),
    ],
)
def test_a_rep_whose_app_speaks_english_may_still_type_latin_bulgarian_or_russian(
    text: str, language: str
) -> None:
    capture = read_message(text, now=MONDAY, timezone=ZONES[language], language="en")
    assert capture.language == language
    assert capture.follow_up_at is not None
    assert capture.follow_up_at.strftime("%a %H:%M") == "Thu 11:00"


def test_a_message_without_letters_is_in_the_reps_language() -> None:
    readings = {
        language: read_message("👍👍", now=MONDAY, timezone="UTC", language=language).language
        for language in ("en", "ro", "pl", "bg", "es", "ru")
    }
    assert readings == {language: language for language in readings}


def test_latin_letters_stay_the_other_languages_for_everyone_else() -> None:
    # A Polish rep's message is Polish, and a Bulgarian rep writing English writes English.
    polish = read_message("spotkanie z Anną, oddzwonię w piątek", now=MONDAY,
                          timezone="Europe/Warsaw", language="pl")  # fmt: skip
    english = read_message("call back Petrov on friday at 11", now=MONDAY,
                           timezone="Europe/Sofia", language="bg")  # fmt: skip
    assert (polish.language, english.language) == ("pl", "en")
    assert english.follow_up_at is not None
    assert english.follow_up_at.strftime("%a %H:%M") == "Fri 11:00"


@pytest.mark.parametrize(
    ("text", "contact", "company"),
    [
        ("obsudili skidku s Kirillom iz Lenteha", "Kirill", "Lenteh"),
        ("vstrecha s Tatyanoy Belovoy, vsyo horosho", "Tatyana Belova", None),
        ("otpravil KP Dmitriyu Sokolovu", "Dmitriy Sokolov", None),
    ],
)
def test_russian_names_in_latin_letters_in_their_dictionary_form(
    text: str, contact: str, company: str | None
) -> None:
    capture = read_message(text, now=MONDAY, timezone=ZONES["ru"], language="ru")
    assert (capture.contact, capture.company) == (contact, company)


@pytest.mark.parametrize(
    ("language", "text", "amount", "currency"),
    [
        ("bg", "podpisahme s Elprom za 8 hil. lv", "8000", "BGN"),
        ("bg", "platiha 1500 leva", "1500", "BGN"),
        ("ru", "soglasovali 2 mln rubley s Uralhimom", "2000000", "RUB"),
        ("ru", "KP na 300 tys. rub otpravil", "300000", "RUB"),
    ],
)
def test_money_in_latin_letters(language: str, text: str, amount: str, currency: str) -> None:
    capture = read_message(text, now=MONDAY, timezone=ZONES[language], language=language)
    assert (str(capture.amount), capture.currency) == (amount, currency)
