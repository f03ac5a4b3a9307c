"""Time phrases for generated messages, each with the moment it means, worked out here from
the capture rules (tests/capture/README.md), never by the engine that is trained on them."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

Moment = Callable[[datetime], datetime]
"""The local moment a phrase means, given the local "now"."""


@dataclass(frozen=True)
class Phrase:
    text: str
    at: datetime


def _at(day: date, clock: time, now: datetime) -> datetime:
    return datetime.combine(day, clock, tzinfo=now.tzinfo)


def _next_weekday(now: datetime, weekday: int) -> date:
    ahead = (weekday - now.weekday() - 1) % 7 + 1  # strictly after today
    return now.date() + timedelta(days=ahead)


def _upcoming(now: datetime, month: int, day: int) -> date:
    year = now.year if (month, day) >= (now.month, now.day) else now.year + 1
    return date(year, month, day)


def _bare_hour(hour: int) -> int:
    return hour + 12 if 1 <= hour <= 7 else hour


@dataclass(frozen=True)
class Words:
    """How one language says the parts of a time."""

    tomorrow: tuple[str, ...]
    after_tomorrow: tuple[str, ...]
    weekdays: tuple[tuple[str, ...], ...]
    """Per weekday (Monday first), the phrases naming it with their preposition."""
    in_hours: tuple[str, ...]
    """Templates with {n}: "in {n} hours"."""
    in_days: tuple[str, ...]
    next_week: tuple[str, ...]
    months: tuple[tuple[str, ...], ...]
    date_forms: tuple[str, ...]
    """Templates with {d} and {m}: "{d} {m}", "on {m} {d}"."""
    clock_forms: tuple[str, ...]
    """Templates with {h} (bare hour), {hm} (15:30): "at {h}", "at {hm}"."""
    pm_forms: tuple[str, ...] = ()
    """English only: "at {h12}pm"."""
    tonight: tuple[str, ...] = ()


LANGUAGE_WORDS: dict[str, Words] = {
    "en": Words(
        tomorrow=("tomorrow", "tmrw", "tomorrow", "tmr"),
        after_tomorrow=("day after tomorrow", "the day after tomorrow"),
        weekdays=(
            ("monday", "mon", "on monday"), ("tuesday", "tue", "tues", "on tuesday"),
            ("wednesday", "wed", "on wed"), ("thursday", "thu", "thurs", "on thursday"),
            ("friday", "fri", "on friday"), ("saturday", "on saturday"), ("sunday",),
        ),
        in_hours=("in {n} hours", "in {n} hrs", "in {n}h"),
        in_days=("in {n} days",),
        next_week=("next week",),
        months=(
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept"),
            ("oct", "october"), ("nov", "november"), ("dec", "december"),
        ),
        date_forms=("on {d} {m}", "{m} {d}", "on {m} {d}", "{d} {m}"),
        clock_forms=("at {h}", "at {hm}", "@ {hm}", "around {h}"),
        pm_forms=("at {h12}pm", "{h12}pm", "at {h12} pm"),
        tonight=("tonight",),
    ),
    "ro": Words(
        tomorrow=("mâine", "maine", "mine"),
        after_tomorrow=("poimâine", "poimaine"),
        weekdays=(
            ("luni",), ("marți", "marti"), ("miercuri",), ("joi",), ("vineri",),
            ("sâmbătă", "sambata"), ("duminică", "duminica"),
        ),
        in_hours=("peste {n} ore", "în {n} ore", "in {n} ore"),
        in_days=("peste {n} zile", "in {n} zile"),
        next_week=("săptămâna viitoare", "saptamana viitoare"),
        months=(
            ("ianuarie", "ian"), ("februarie", "feb"), ("martie", "mar"), ("aprilie", "apr"),
            ("mai",), ("iunie",), ("iulie",), ("august", "aug"), ("septembrie", "sept"),
            ("octombrie", "oct"), ("noiembrie", "nov"), ("decembrie", "dec"),
        ),
        date_forms=("pe {d} {m}", "{d} {m}", "în {d} {m}"),
        clock_forms=("la {h}", "la ora {h}", "la {hm}", "ora {hm}"),
        tonight=("diseară", "diseara", "deseara"),
    ),
    "pl": Words(
        tomorrow=("jutro",),
        after_tomorrow=("pojutrze",),
        weekdays=(
            ("w poniedziałek", "w poniedzialek", "w pon"), ("we wtorek", "wtorek"),
            ("w środę", "w srode"), ("w czwartek", "czwartek"), ("w piątek", "w piatek", "piatek"),
            ("w sobotę", "w sobote"), ("w niedzielę", "w niedziele"),
        ),
        in_hours=("za {n} godziny", "za {n} godz", "za {n}h"),
        in_days=("za {n} dni",),
        next_week=("w przyszłym tygodniu", "w przyszlym tygodniu"),
        months=(
            ("stycznia",), ("lutego",), ("marca",), ("kwietnia",), ("maja",), ("czerwca",),
            ("lipca",), ("sierpnia",), ("września", "wrzesnia"), ("października", "pazdziernika"),
            ("listopada",), ("grudnia",),
        ),
        date_forms=("{d} {m}",),
        clock_forms=("o {h}", "o {hm}", "o godz. {h}", "około {h}"),
        tonight=("wieczorem", "dziś wieczorem"),
    ),
    "bg": Words(
        tomorrow=("утре",),
        after_tomorrow=("вдругиден",),
        weekdays=(
            ("в понеделник", "понеделник"), ("във вторник", "вторник"), ("в сряда", "сряда"),
            ("в четвъртък", "четвъртък"), ("в петък", "петък"), ("в събота",), ("в неделя",),
        ),
        in_hours=("след {n} часа",),
        in_days=("след {n} дни", "след {n} дена"),
        next_week=("следващата седмица", "другата седмица"),
        months=(
            ("януари",), ("февруари",), ("март",), ("април",), ("май",), ("юни",), ("юли",),
            ("август",), ("септември",), ("октомври",), ("ноември",), ("декември",),
        ),
        date_forms=("на {d} {m}", "{d} {m}"),
        clock_forms=("в {h}", "в {hm}", "в {h} ч.", "към {h}"),
        tonight=("довечера",),
    ),
    "es": Words(
        tomorrow=("mañana", "manana"),
        after_tomorrow=("pasado mañana", "pasado manana"),
        weekdays=(
            ("el lunes", "lunes"), ("el martes", "martes"), ("el miércoles", "el miercoles"),
            ("el jueves", "jueves"), ("el viernes", "viernes"), ("el sábado", "el sabado"),
            ("el domingo",),
        ),
        in_hours=("en {n} horas", "dentro de {n} horas"),
        in_days=("en {n} días", "en {n} dias", "dentro de {n} días"),
        next_week=("la semana que viene", "la próxima semana", "la proxima semana"),
        months=(
            ("enero",), ("febrero",), ("marzo",), ("abril",), ("mayo",), ("junio",), ("julio",),
            ("agosto",), ("septiembre",), ("octubre",), ("noviembre",), ("diciembre",),
        ),
        date_forms=("el {d} de {m}", "{d} de {m}"),
        clock_forms=("a las {h}", "a las {hm}", "sobre las {h}"),
        tonight=("esta noche",),
    ),
    "ru": Words(
        tomorrow=("завтра",),
        after_tomorrow=("послезавтра",),
        weekdays=(
            ("в понедельник", "в пн"), ("во вторник", "во вт"), ("в среду",), ("в четверг",),
            ("в пятницу", "в пт"), ("в субботу",), ("в воскресенье",),
        ),
        in_hours=("через {n} часа", "через {n} ч"),
        in_days=("через {n} дня",),
        next_week=("на следующей неделе", "на след неделе"),
        months=(
            ("января",), ("февраля",), ("марта",), ("апреля",), ("мая",), ("июня",), ("июля",),
            ("августа",), ("сентября",), ("октября",), ("ноября",), ("декабря",),
        ),
        date_forms=("{d} {m}",),
        clock_forms=("в {h}", "в {hm}", "к {h}", "около {h}"),
        tonight=("вечером", "сегодня вечером"),
    ),
}  # fmt: skip


def _clock(words: Words, rng: random.Random) -> tuple[str, time]:
    if words.pm_forms and rng.random() < 0.4:
        hour12 = rng.choice([1, 2, 3, 4, 5, 6])
        return rng.choice(words.pm_forms).format(h12=hour12), time(hour12 + 12)
    form = rng.choice(words.clock_forms)
    if "{hm}" in form:
        hour, minute = rng.choice(range(8, 19)), rng.choice([0, 15, 30, 45])
        return form.format(hm=f"{hour}:{minute:02d}"), time(hour, minute)
    hour = rng.choice([8, 9, 10, 11, 12, 1, 2, 3, 4, 5])
    return form.format(h=hour), time(_bare_hour(hour))


def phrase(language: str, now: datetime, rng: random.Random) -> Phrase:
    """A random time phrase of ``language`` and the local moment it means at ``now``."""
    words = LANGUAGE_WORDS[language]
    kind = rng.choice(
        ["tomorrow", "tomorrow", "after", "weekday", "weekday", "weekday", "hours", "days",
         "week", "date", "clock", "tonight"]
    )  # fmt: skip
    with_clock = rng.random() < 0.5
    clock_text, clock = _clock(words, rng) if with_clock else ("", time(9))
    suffix = f" {clock_text}" if with_clock else ""
    if kind == "tomorrow":
        return Phrase(
            rng.choice(words.tomorrow) + suffix, _at(now.date() + timedelta(1), clock, now)
        )
    if kind == "after":
        day = now.date() + timedelta(2)
        return Phrase(rng.choice(words.after_tomorrow) + suffix, _at(day, clock, now))
    if kind == "weekday":
        weekday = rng.randrange(7)
        day = _next_weekday(now, weekday)
        return Phrase(rng.choice(words.weekdays[weekday]) + suffix, _at(day, clock, now))
    if kind == "hours":
        count = rng.choice([2, 3, 4])
        text = rng.choice(words.in_hours).format(n=count)
        return Phrase(text, (now + timedelta(hours=count)).replace(second=0, microsecond=0))
    if kind == "days":
        count = rng.choice([2, 3, 4, 5, 10])
        day = now.date() + timedelta(count)
        text = rng.choice(words.in_days).format(n=count)
        if language == "ru" and count >= 5:
            text = text.replace("дня", "дней")  # через 5 дней, through 2-4 дня
        return Phrase(text + suffix, _at(day, clock, now))
    if kind == "week":
        day = now.date() + timedelta(7)
        return Phrase(rng.choice(words.next_week), _at(day, time(9), now))
    if kind == "date":
        day = (now + timedelta(days=rng.randrange(1, 40))).date()
        month = rng.choice(words.months[day.month - 1])
        text = rng.choice(words.date_forms).format(d=day.day, m=month)
        return Phrase(text + suffix, _at(_upcoming(now, day.month, day.day), clock, now))
    if kind == "tonight" and words.tonight and now.hour < 18:
        return Phrase(rng.choice(words.tonight), _at(now.date(), time(19), now))
    clock_text, clock = _clock(words, rng)
    moment = _at(now.date(), clock, now)
    if moment <= now:
        moment += timedelta(days=1)
    return Phrase(clock_text, moment)


def fact_date(language: str, now: datetime, rng: random.Random) -> str:
    """A calendar date stated as a fact ("on 5 May"): the engine must set nothing from it."""
    words = LANGUAGE_WORDS[language]
    month = rng.randrange(12)
    form = rng.choice(words.date_forms)
    return form.format(d=rng.randrange(1, 29), m=rng.choice(words.months[month]))


_LAST_WEEK = {
    "en": ("last monday", "last tuesday", "last wed", "last thursday", "last friday"),
    "ro": ("lunea trecută", "marțea trecută", "miercurea trecuta", "joia trecută",
           "vinerea trecuta"),
    "pl": ("w zeszły poniedziałek", "w zeszły wtorek", "w zeszłą środę", "w zeszły czwartek",
           "w zeszły piątek"),
    "bg": ("миналия понеделник", "миналия вторник", "миналата сряда", "миналия четвъртък",
           "миналия петък"),
    "es": ("el lunes pasado", "el martes pasado", "el miércoles pasado", "el jueves pasado",
           "el viernes pasado"),
    "ru": ("в прошлый понедельник", "в прошлый вторник", "в прошлую среду", "в прошлый четверг",
           "в прошлую пятницу"),
}  # fmt: skip


def past_day(language: str, rng: random.Random) -> str:
    """A working day stated as when something already happened ("met her on Friday")."""
    day = rng.randrange(5)
    if rng.random() < 0.5:
        return _LAST_WEEK[language][day]
    return rng.choice(LANGUAGE_WORDS[language].weekdays[day])
