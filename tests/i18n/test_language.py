"""/lang: the rep's language follows the platform until the rep picks one."""

from __future__ import annotations

from handlers.assistant import Assistant
from handlers.i18n import LANGUAGES
from tests.fakes import FakeDatabase
from tests.i18n.conftest import rep_named, say


async def test_the_platforms_language_is_followed_until_the_rep_picks_one(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await assistant.handle(say("/help", lang="en"))
    reply = await assistant.handle(say("/today", lang="ro-RO"))  # the app's language changed
    assert reply.text.startswith("Azi, luni, 23 noiembrie")
    assert rep_named(database, "ana").language == "ro-RO"

    asked = await assistant.handle(say("/lang", lang="ro"))
    labels = [button.label for button in asked.flat_buttons]
    assert labels == list(LANGUAGES.values())  # each language in its own name
    assert asked.text.startswith("Acum îți vorbesc în română")

    picked = await assistant.handle(say(button="lang:pl", lang="ro"))
    assert picked.text.startswith("Gotowe: od teraz mówię do Ciebie po polsku")
    rep = rep_named(database, "ana")
    assert (rep.language, rep.language_chosen) == ("pl", True)

    # The platform still says Romanian (or English): the pick wins from now on.
    for platform_language in ("ro", "en", None):
        reply = await assistant.handle(say("/today", lang=platform_language))
        assert reply.text.startswith("Dziś, poniedziałek, 23 listopada"), reply.text
    assert rep_named(database, "ana").language == "pl"


async def test_lang_takes_a_code_or_a_name_and_explains_an_unknown_one(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await assistant.handle(say("/help"))
    reply = await assistant.handle(say("/lang Español"))
    assert reply.text.startswith("Hecho: a partir de ahora te hablo en español")
    reply = await assistant.handle(say("/lang ru"))
    assert reply.text.startswith("Готово: теперь я говорю с вами по-русски")

    reply = await assistant.handle(say("/lang klingon"))
    assert "klingon" in reply.text
    assert len(reply.flat_buttons) == len(LANGUAGES)
    assert rep_named(database, "ana").language == "ru"  # nothing changed


async def test_capture_reads_every_language_whatever_the_reps_language(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await assistant.handle(say("/lang bg"))
    messages = {
        "Met Sam Reed from Northwind, call back tomorrow at 10": "Sam Reed",
        "Întâlnire cu Dan Ene de la Carrefour, revin joi la 14": "Dan Ene",
        "Звонил Борису Орлову из Пятёрочки, перезвонить в пятницу": "Борис Орлов",
        "Spotkanie z Martą Nowicką z Biedronki, zadzwonić jutro o 10": "Marta Nowicka",
        "Reunión con Lucía Gómez de Mercadona, llamar el viernes a las 9": "Lucía Gómez",
    }
    for message, person in messages.items():
        reply = await assistant.handle(say(message))
        assert person in reply.text
        assert "⏰ Обаждане: " in reply.text  # the callback, said in Bulgarian
    names = {contact.full_name for contact in database.state.contacts.values()}
    assert names == set(messages.values())


async def test_a_stranger_is_answered_in_the_platforms_language(assistant: Assistant) -> None:
    from handlers.messages import Incoming

    stranger = Incoming(platform="telegram", user_id="9", chat_id="9", text="hi", language="es")
    reply = await assistant.handle(stranger)
    assert reply.text.startswith("¡Hola!")
