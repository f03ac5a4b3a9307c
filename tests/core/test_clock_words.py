"""Clock times and days said the way reps say them, in each language: half hours, a day of
the month alone, a part of the day after the hour, abbreviated weekdays."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from handlers.capture import read_message

ZONE = "Europe/Bucharest"
# Monday 23 November 2026, 10:00 in Bucharest.
MONDAY_10 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def follow_up(text: str, language: str) -> str | None:
    capture = read_message(text, now=MONDAY_10, timezone=ZONE, language=language)
    return capture.follow_up_at.strftime("%Y-%m-%d %H:%M") if capture.follow_up_at else None


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "ring her back half 4", "2026-11-23 16:30"),
        ("en", "call back tomorrow quarter to 9", "2026-11-24 08:45"),
        ("es", "llamarla mañana a las 10 y media", "2026-11-24 10:30"),
        ("es", "recuérdame el jueves a las 9 y cuarto", "2026-11-26 09:15"),
        ("ro", "sun-o mâine la 11 și jumătate", "2026-11-24 11:30"),
        ("ro", "suna-l joi la 5 jumate", "2026-11-26 17:30"),
        ("pl", "oddzwonić jutro o wpół do jedenastej", "2026-11-24 10:30"),
        ("pl", "zadzwonic w piatek o wpol do 9", "2026-11-27 08:30"),
        ("bg", "да му звънна утре в 3 и половина", "2026-11-24 15:30"),
        ("bg", "да се обадя в сряда в 9 и 45", "2026-11-25 09:45"),
        ("ru", "перезвонить завтра в пол одиннадцатого", "2026-11-24 10:30"),
        ("ru", "набрать в среду в половине третьего", "2026-11-25 14:30"),
    ],
)
def test_half_hours_and_quarters(language: str, text: str, expected: str) -> None:
    assert follow_up(text, language) == expected


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "follow up on the 3rd", "2026-12-03 09:00"),  # the 3rd has passed this month
        ("en", "chase them the 25th", "2026-11-25 09:00"),
        ("es", "volver a llamar el día 2", "2026-12-02 09:00"),
        ("pl", "przypomnij 28-go", "2026-11-28 09:00"),
        ("bg", "напомни ми на 30-ти", "2026-11-30 09:00"),
        ("ru", "перезвонить 5-го в 11", "2026-12-05 11:00"),
    ],
)
def test_a_day_of_the_month_without_the_month(language: str, text: str, expected: str) -> None:
    assert follow_up(text, language) == expected


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "call back weds at 8 in the evening", "2026-11-25 20:00"),
        ("en", "call back tmrw after 3", "2026-11-24 15:00"),
        ("es", "llamar el vie a las 8 de la noche", "2026-11-27 20:00"),
        ("ru", "перезвонить в пятницу в 9 вечера", "2026-11-27 21:00"),
        ("ru", "напомни в чт в полдень", "2026-11-26 12:00"),
        ("pl", "zadzwonić w czw po 15", "2026-11-26 15:00"),
        ("ro", "revin vinerea viitoare", "2026-11-27 09:00"),
        ("ro", "suna-l peste 30 de minute", "2026-11-23 10:30"),
        ("ro", "s-o sun vineri dupa-amiaza la 3", "2026-11-27 15:00"),
    ],
)
def test_parts_of_the_day_and_short_weekdays(language: str, text: str, expected: str) -> None:
    assert follow_up(text, language) == expected


def test_a_promise_alone_in_its_clause_takes_the_time_before_it() -> None:
    assert follow_up("в пт в 11 созвон с Ивановым, напомни", "ru") == "2026-11-27 11:00"
    assert follow_up("w pon o 12 ma czas na rozmowe, przypomnij mi", "pl") == "2026-11-30 12:00"


def test_a_date_with_dots_beside_a_clock_time_is_a_date() -> None:
    assert follow_up("rozmowa na 10.12 o 11:00, przypomnij", "pl") == "2026-12-10 11:00"
    assert follow_up("zadzwonić o 10.30", "pl") == "2026-11-23 10:30"


def test_a_number_of_months_is_no_clock_time() -> None:
    text = "хотят пилот на 3 мес, перезвонить в четверг в 15:30"
    assert follow_up(text, "ru") == "2026-11-26 15:30"


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("ru", "напомни двадцать пятого декабря позвонить Орлову", "2026-12-25 09:00"),
        ("ru", "перезвонить тридцатого ноября", "2026-11-30 09:00"),
        ("pl", "odezwać się dwudziestego ósmego listopada", "2026-11-28 09:00"),
        ("bg", "напомни ми на трети декември да звънна", "2026-12-03 09:00"),
    ],
)
def test_a_day_said_in_words(language: str, text: str, expected: str) -> None:
    assert follow_up(text, language) == expected


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "call back fri 2", "2026-11-27 14:00"),  # a bare hour right after the day
        ("en", "ring her back tmrw 11", "2026-11-24 11:00"),
        ("en", "follow up in 2 wks", "2026-12-07 09:00"),
        ("en", "follow up day after tmrw", "2026-11-25 09:00"),
        ("es", "llamar el martes 19 a las 5 y media", "2026-12-19 17:30"),  # the date wins
    ],
)
def test_short_forms_of_days(language: str, text: str, expected: str) -> None:
    assert follow_up(text, language) == expected


def test_the_last_promise_with_a_time_is_the_one_kept() -> None:
    text = "am incercat sa-l sun pe horia azi, nimic. mai incerc joi"
    assert follow_up(text, "ro") == "2026-11-26 09:00"


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        # Monday 23 November: "thursday 3 dec" is the 3rd of December, not the coming Thursday.
        ("en", "call back thu 3 dec", "2026-12-03 09:00"),
        ("en", "follow up Friday the 11th at 2", "2026-12-11 14:00"),
        ("ro", "revin joi, 3 decembrie la 10", "2026-12-03 10:00"),
        ("pl", "zadzwonić w czwartek 3 grudnia", "2026-12-03 09:00"),
        ("bg", "да се обадя в четвъртък, 3 декември", "2026-12-03 09:00"),
        ("es", "llamar el jueves 3 de diciembre a las 11", "2026-12-03 11:00"),
        ("ru", "перезвонить в четверг 3 декабря", "2026-12-03 09:00"),
        ("en", "call back thursday", "2026-11-26 09:00"),  # a weekday alone stays the next one
    ],
)
def test_a_weekday_with_its_date_goes_by_the_date(language: str, text: str, expected: str) -> None:
    assert follow_up(text, language) == expected


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        # The day before the promise and the hour after it make one time.
        ("en", "thursday call her back at 4", "2026-11-26 16:00"),
        ("ro", "joi s-o sun la 11", "2026-11-26 11:00"),
        ("pl", "w czwartek zadzwonić o 11", "2026-11-26 11:00"),
        ("bg", "в четвъртък да се обадя в 11", "2026-11-26 11:00"),
        ("es", "el jueves llamarla a las 11", "2026-11-26 11:00"),
        ("ru", "в четверг перезвонить в 17.00", "2026-11-26 17:00"),
        ("ru", "через 3 дня набрать в 11", "2026-11-26 11:00"),
    ],
)
def test_a_day_before_the_promise_and_an_hour_after_it(
    language: str, text: str, expected: str
) -> None:
    assert follow_up(text, language) == expected


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "f/u next wk", "2026-11-30 09:00"),
        ("es", "volver a llamarlo la semana q viene", "2026-11-30 09:00"),
        ("ro", "revin sapt viit", "2026-11-30 09:00"),
        ("pl", "oddzwonić w przysz. tyg.", "2026-11-30 09:00"),
        ("bg", "да се обадя следващата седм", "2026-11-30 09:00"),
        ("ru", "перезвонить на след. неделе", "2026-11-30 09:00"),
    ],
)
def test_next_week_abbreviated(language: str, text: str, expected: str) -> None:
    assert follow_up(text, language) == expected


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("ru", "напомни завтра без четверти 10", "2026-11-24 09:45"),
        ("ru", "перезвонить в четверть третьего", "2026-11-23 14:15"),
        ("en", "call back 4.30 tmrw", "2026-11-24 16:30"),
        ("en", "chase them on 05/01, they will know by then", "2027-01-05 09:00"),
        ("es", "lo quieren para el 14 de febrero, le marco mañana a las 10", "2026-11-24 10:00"),
        ("bg", "решават до 1 декември, ще го потърся на 2 декември", "2026-12-02 09:00"),
    ],
)
def test_quarters_dotted_hours_and_casual_promises(language: str, text: str, expected: str) -> None:
    assert follow_up(text, language) == expected
