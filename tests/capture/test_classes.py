"""The kinds of message capture used to get wrong, each in the six languages, through the
reader. The messages are written here for the class they stand for: none is in the training
data or the held-out set."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from handlers.capture import Capture, read_message
from handlers.capture.engine import CHAT
from handlers.capture.known import Known, KnownContact
from handlers.capture.models import KIND, Decision, Models
from handlers.capture.resources import MODEL_DIR
from handlers.domain import ActivityKind

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # a Monday
ZONE = "Europe/Bucharest"


def read(text: str, language: str | None = None, known: Known | None = None) -> Capture:
    """Read as the bot reads a rep's message: ``language`` is the rep's own."""
    return read_message(text, now=NOW, timezone=ZONE, language=language, known=known)


def lang(request: pytest.FixtureRequest) -> str:
    """The test's language, from its id ("en", "ro-...")."""
    return request.node.callspec.id.split("-")[0]


def local(capture: Capture) -> str | None:
    at = capture.follow_up_at
    return at.strftime("%Y-%m-%dT%H:%M") if at else None


@pytest.mark.parametrize(
    ("text", "contact"),
    [
        pytest.param("note: ana's son plays rugby for the county, proud dad", "Ana", id="en"),
        pytest.param("nota: fiica lui radu ionescu se marita in iunie", "Radu Ionescu", id="ro"),
        pytest.param("notatka: pan Zieliński zbiera stare zegarki", "Zieliński", id="pl"),
        pytest.param("бележка: Калина Петрова има внучка от вчера", "Калина Петрова", id="bg"),
        pytest.param("nota: a Marta Vidal le encanta el flamenco", "Marta Vidal", id="es"),
        pytest.param("заметка: у Игоря Белова сын пошёл в первый класс", "Игорь Белов", id="ru"),
    ],
)
def test_a_note_about_a_person_names_only_that_person(
    text: str, contact: str, request: pytest.FixtureRequest
) -> None:
    capture = read(text, lang(request))

    assert capture.kind is not None
    assert capture.kind.value == "note"
    assert capture.contact == contact
    assert capture.company is None  # no word of the fact becomes a company


@pytest.mark.parametrize(
    ("text", "contact", "company"),
    [
        pytest.param(
            "Rang Halden Foods, spoke with Grace Tully about the spring order",
            "Grace Tully",
            "Halden Foods",
            id="en",
        ),
        pytest.param(
            "am sunat la Dacia Service, am vorbit cu Sorin Matei",
            "Sorin Matei",
            "Dacia Service",
            id="ro",
        ),
        pytest.param(
            "dzwoniłem do Polmleku, rozmawiałem z Adamem Kurkiem",
            "Adam Kurek",
            "Polmlek",
            id="pl",
        ),
        pytest.param(
            "звъннах в Булмаркет, говорих с Христо Колев",
            "Христо Колев",
            "Булмаркет",
            id="bg",
        ),
        pytest.param(
            "llamé a Frutas Sol, hablé con Nuria Pons",
            "Nuria Pons",
            "Frutas Sol",
            id="es",
        ),
        pytest.param(
            "звонил в Агроторг, говорил с Павлом Зуевым",
            "Павел Зуев",
            "Агроторг",
            id="ru",
        ),
    ],
)
def test_company_first_then_the_person(
    text: str, contact: str, company: str, request: pytest.FixtureRequest
) -> None:
    capture = read(text, lang(request))

    assert (capture.contact, capture.company) == (contact, company)


@pytest.mark.parametrize(
    ("text", "due"),
    [
        pytest.param("next call with Grace Tully on 3 Dec", "2026-12-03T09:00", id="en"),
        pytest.param("urmatorul apel cu Sorin Matei pe 3 decembrie", "2026-12-03T09:00", id="ro"),
        pytest.param("kolejny telefon do Adama Kurka 3 grudnia", "2026-12-03T09:00", id="pl"),
        pytest.param("следващо обаждане с Христо Колев на 3 декември", "2026-12-03T09:00", id="bg"),
        pytest.param(
            "próxima llamada con Nuria Pons el 3 de diciembre", "2026-12-03T09:00", id="es"
        ),
        pytest.param(
            "следующий звонок Павлу Зуеву 3 декабря",
            "2026-12-03T09:00",
            id="ru",
        ),
    ],
)
def test_a_next_call_on_a_date_is_a_follow_up(
    text: str, due: str, request: pytest.FixtureRequest
) -> None:
    assert local(read(text, lang(request))) == due


@pytest.mark.parametrize(
    ("text", "due"),
    [
        pytest.param("check back with grace the day after tomorrow", "2026-11-25T09:00", id="en"),
        pytest.param("mai incerc la sorin poimaine", "2026-11-25T09:00", id="ro"),
        pytest.param("spróbuję jeszcze raz u Adama pojutrze", "2026-11-25T09:00", id="pl"),
        pytest.param("ще опитам пак с Христо вдругиден", "2026-11-25T09:00", id="bg"),
        pytest.param("vuelvo a intentar con Nuria pasado mañana", "2026-11-25T09:00", id="es"),
        pytest.param("попробую ещё раз набрать Павла послезавтра", "2026-11-25T09:00", id="ru"),
    ],
)
def test_trying_again_later_is_a_follow_up(
    text: str, due: str, request: pytest.FixtureRequest
) -> None:
    assert local(read(text, lang(request))) == due


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        pytest.param("had coffee w/ grace tully this morning", "meeting", id="en-coffee"),
        pytest.param("quick call w dan about the renewal", "call", id="en-call"),
        pytest.param("sedinta cu sorin la ei la birou", "meeting", id="ro"),
        pytest.param("byłem na spotkaniu w Polmleku", "meeting", id="pl"),
        pytest.param("Обаждане с Христо Колев, всичко е наред", "call", id="bg"),
        pytest.param("tuve una reunión con Nuria esta mañana", "meeting", id="es"),
        pytest.param("Был на встрече в Агроторге", "meeting", id="ru"),
    ],
)
def test_casual_and_inflected_kinds(text: str, kind: str, request: pytest.FixtureRequest) -> None:
    capture = read(text, lang(request))

    assert capture.kind is not None
    assert capture.kind.value == kind


TEAM = Known(
    contacts=(KnownContact("Grace Tully", "Halden Foods"), KnownContact("Sorin Matei", "Dacia")),
    companies=("Halden Foods", "Kestrel Energy", "Dacia Service"),
)


@pytest.mark.parametrize(
    ("text", "contact", "company"),
    [
        pytest.param("spoke w halden again, still negotiating", None, "Halden Foods", id="en"),
        pytest.param("lost kestrel this morning", None, "Kestrel Energy", id="en-news"),
        pytest.param("am vorbit cu grace, vrea oferta", "Grace Tully", "Halden Foods", id="ro"),
    ],
)
def test_a_known_client_is_found_by_a_short_name(
    text: str, contact: str | None, company: str, request: pytest.FixtureRequest
) -> None:
    capture = read(text, lang(request), TEAM)

    assert (capture.contact, capture.company) == (contact, company)


@pytest.mark.parametrize(
    ("text", "contact", "company"),
    [
        pytest.param("Called Ana Popescu @Acme, call back Monday", "Ana Popescu", "Acme", id="en"),
        pytest.param("am vorbit cu Ion @Altex, vrea oferta", "Ion", "Altex", id="ro"),
        pytest.param("hablé con Lucía @Bimbo, quiere precios", "Lucía", "Bimbo", id="es"),
    ],
)
def test_an_at_sign_glued_to_a_name_marks_the_company(
    text: str, contact: str, company: str, request: pytest.FixtureRequest
) -> None:
    capture = read(text, lang(request))

    assert (capture.contact, capture.company) == (contact, company)


PEOPLE = Known(
    contacts=(
        KnownContact("Samantha Reyes", "Northwind"),
        KnownContact("Cristian Pop", "Altex"),
        KnownContact("Tomasz Wróbel", "Agropasz"),
        KnownContact("Десислава Ангелова", "Мляко"),
        KnownContact("Javier Ortega", "Electroiberia"),
        KnownContact("Виктория Орлова", "Сфера"),
        KnownContact("Daniel Pop", "Altex"),
        KnownContact("Daniela Ionescu", "Emag"),
    ),
    companies=("Northwind", "Altex", "Agropasz", "Мляко", "Electroiberia", "Сфера", "Emag"),
)


@pytest.mark.parametrize(
    ("text", "contact"),
    [
        pytest.param("called sam, they want 2 more licences", "Samantha Reyes", id="en"),
        pytest.param("am vorbit cu cristi, vrea oferta", "Cristian Pop", id="ro"),
        pytest.param("kawa z Tomkiem, wszystko ok", "Tomasz Wróbel", id="pl"),
        pytest.param("пихме кафе с деси, всичко е наред", "Десислава Ангелова", id="bg"),
        pytest.param("hablé con javi, todo bien", "Javier Ortega", id="es"),
        pytest.param("созвонился с Викой, всё в силе", "Виктория Орлова", id="ru"),
    ],
)
def test_a_known_contact_is_found_by_a_short_first_name(
    text: str, contact: str, request: pytest.FixtureRequest
) -> None:
    capture = read(text, lang(request), PEOPLE)

    assert capture.contact == contact


def test_a_short_name_two_known_contacts_share_is_neither() -> None:
    capture = read("called dan about the order", "en", PEOPLE)

    assert capture.contact not in ("Daniel Pop", "Daniela Ionescu")


CLIENTS = Known(
    contacts=(KnownContact("Grace Tully", "Halden Foods"),),
    companies=("Halden Foods", "Kestrel Energy", "Dacia Service", "Вектор Строй", "Полюс Групп",
               "Ortiz Logística", "Ferrum Stal"),
)  # fmt: skip


@pytest.mark.parametrize(
    ("text", "company"),
    [
        pytest.param("sent the offer to kestrel", "Kestrel Energy", id="en"),
        pytest.param("am vorbit cu dacia despre discount", "Dacia Service", id="ro"),
        pytest.param("wysłałem ofertę do ferrum", "Ferrum Stal", id="pl"),
        pytest.param("пратих оферта на вектор", "Вектор Строй", id="bg"),
        pytest.param("mandé la cotización a ortiz", "Ortiz Logística", id="es"),
        pytest.param("отправил КП Полюсу", "Полюс Групп", id="ru"),
    ],
)
def test_a_known_company_is_never_filed_as_a_person(
    text: str, company: str, request: pytest.FixtureRequest
) -> None:
    capture = read(text, lang(request), CLIENTS)

    assert (capture.contact, capture.company) == (None, company)


@pytest.mark.parametrize(
    ("text", "contact", "company"),
    [
        pytest.param("met tom o'reilly at hale & co", "Tom O'Reilly", None, id="en-apostrophe"),
        pytest.param("lunch w angus mcdonald", "Angus McDonald", None, id="en-mc"),
        pytest.param("visited pkp cargo yesterday", None, "PKP Cargo", id="en-acronym"),
        pytest.param("spotkanie z markiem nowakiem z orlenu", "Marek Nowak", "Orlen", id="pl"),
        pytest.param("встреча с ольгой смирновой из пятёрочки", "Ольга Смирнова", "Пятёрочка",
                     id="ru"),
    ],
)  # fmt: skip
def test_names_in_their_dictionary_form_and_proper_case(
    text: str, contact: str | None, company: str | None, request: pytest.FixtureRequest
) -> None:
    capture = read(text, lang(request))

    if contact is not None:
        assert capture.contact == contact
    if company is not None:
        assert capture.company == company


def test_a_clitic_on_the_verb_keeps_the_day() -> None:
    for text in ("llamarla mañana a las 5", "escribirle mañana a las 5", "llamar mañana a las 5"):
        assert local(read(text, "es")) == "2026-11-24T17:00", text


@pytest.mark.parametrize(
    "text",
    ["thanks a lot!", "mersi frumos", "dzięki!", "благодаря ти", "muchas gracias", "спасибо!",
     "good morning", "bună dimineața", "cześć", "здравей", "hola", "привет", "ok 👍", "ок"],
)  # fmt: skip
def test_small_talk_is_no_work(text: str) -> None:
    assert read(text).is_chat


class _SaysChat(Models):
    """The shipped models, but the kind model calls every message small talk: what a retrained
    model may do with words it has not seen."""

    def classify(self, model: str, features: list[str]) -> Decision:
        decision = super().classify(model, features)
        if model != KIND:
            return decision
        return Decision(CHAT, 0.9, ((CHAT, 0.9), (decision.label, 0.1)))


@pytest.mark.parametrize(
    "text",
    ["they want the blue one after all", "mi-a zis ca prefera culoarea albastra",
     "решили всё-таки взять синий вариант"],
)  # fmt: skip
def test_words_with_substance_are_never_thrown_away_as_small_talk(text: str) -> None:
    capture = read_message(text, now=NOW, timezone=ZONE, models=_SaysChat(MODEL_DIR))

    assert not capture.is_chat
    assert capture.kind is ActivityKind.NOTE


def test_a_short_acknowledgement_is_still_small_talk() -> None:
    capture = read_message("ok 👍", now=NOW, timezone=ZONE, models=_SaysChat(MODEL_DIR))

    assert capture.is_chat
