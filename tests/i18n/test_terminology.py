"""Team terminology: an admin renames stages and kinds and adds words capture understands."""

from __future__ import annotations

from datetime import timedelta

from handlers.assistant import Assistant
from handlers.clock import FixedClock
from handlers.digest import compose
from handlers.digest_data import DigestData, DigestKind, DigestSchedule, Period, StageTotal
from handlers.domain import ActivityKind, Role, Stage
from handlers.i18n import use_locale
from handlers.terms import Terms, use_terms
from tests.fakes import FakeDatabase
from tests.i18n.conftest import add_member, rep_named, say


def deal_stage(database: FakeDatabase) -> Stage:
    (deal,) = database.state.deals.values()
    return deal.stage


async def test_a_renamed_stage_shows_everywhere_and_history_keeps_its_key(
    assistant: Assistant, database: FakeDatabase, clock: FixedClock
) -> None:
    await assistant.handle(say("Met Sam Reed from Northwind, sent the offer, call back Friday"))
    assert deal_stage(database) is Stage.OFFER

    reply = await assistant.handle(say("/stages offer = KP"))
    assert "• offer: KP" in reply.text
    assert deal_stage(database) is Stage.OFFER  # records keep the key

    pipeline = await assistant.handle(say("/pipeline"))
    assert "KP (1): Northwind" in pipeline.text
    assert "Offer sent" not in pipeline.text
    history = await assistant.handle(say("/history Sam Reed"))
    assert "Deal: KP." in history.text
    moved = await assistant.handle(say("Northwind is negotiating now"))
    assert "KP → negotiation" in moved.text

    # The digest reads the same words (the sender sets them per team).
    rep = rep_named(database, "ana")
    async with database() as uow:
        terms = Terms.of(await uow.terms.for_team(rep.team_id))
    now = clock.now()
    schedule = DigestSchedule(rep.team_id, "Acme", "UTC", "18:00", "MON 08:00", "08:30", True, now)
    data = DigestData(
        schedule, DigestKind.DAY, Period(now - timedelta(days=1), now), None, now,
        (), (), (), (), (StageTotal(Stage.OFFER, "EUR", 2, None),), (), (), (), 0,
    )  # fmt: skip
    with use_terms(terms):
        assert "• KP: 2" in compose(data).text

    # In Romanian too: the team's word is the team's, whatever the rep's language.
    await assistant.handle(say("/lang ro"))
    await assistant.handle(say("/stages negotiation ="))  # not renamed: a no-op rename back
    listing = await assistant.handle(say("/stages"))
    assert "• offer: KP" in listing.text
    assert "• negotiation: Negociere" in listing.text


async def test_renaming_back_restores_the_default_label(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await assistant.handle(say("/stages offer = KP"))
    reply = await assistant.handle(say("/stages KP ="))  # named by its label
    assert "• offer: Offer sent" in reply.text


async def test_synonyms_feed_capture_in_any_language(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await assistant.handle(say("/stages offer = KP"))
    await assistant.handle(say("/stages offer + Angebot"))
    await assistant.handle(say("/kinds meeting + Besuch"))
    # Acme is the team's client: whether an unknown one-word name is a person or a company is
    # the tagger's guess, and not what this test is about.
    async with database() as uow:
        await uow.companies.add(rep_named(database, "ana").team_id, "Acme")
        await uow.commit()

    reply = await assistant.handle(say("sent the KP to Acme"))
    assert deal_stage(database) is Stage.OFFER
    assert "New deal with Acme: KP" in reply.text

    await assistant.handle(say("Angebot sent to Globex"))
    offers = {deal.stage for deal in database.state.deals.values()}
    assert offers == {Stage.OFFER}
    assert len(database.state.deals) == 2

    reply = await assistant.handle(say("Besuch with Sam Reed from Initech"))
    kinds = [activity.kind for activity in database.state.activities.values()]
    assert kinds[-1] is ActivityKind.MEETING
    assert reply.text.startswith("✓ Meeting")

    listing = await assistant.handle(say("/kinds"))
    assert "• meeting: Meeting (also: Besuch)" in listing.text
    await assistant.handle(say("/stages offer - Angebot"))
    listing = await assistant.handle(say("/stages"))
    assert "• offer: KP\n" in listing.text  # no "(also: Angebot)" any more


async def test_a_renamed_kind_shows_on_cards_and_counts(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await assistant.handle(say("/kinds meeting = Visit"))
    reply = await assistant.handle(say("Met Sam Reed from Northwind"))
    assert reply.text.startswith("✓ Visit with Sam Reed (Northwind) saved.")
    today = await assistant.handle(say("/today"))
    assert "Logged today: Visit: 1." in today.text
    log = await assistant.handle(say("/log"))
    assert log.flat_buttons[0].label == "Visit"


async def test_only_admins_change_the_words_and_a_refusal_changes_nothing(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await assistant.handle(say("/help"))
    admin = rep_named(database, "ana")
    await add_member(database, admin.team_id, "dan", Role.REP)
    await add_member(database, admin.team_id, "mia", Role.MANAGER)

    for user in ("dan", "mia"):
        refused = await assistant.handle(say("/stages offer = KP", user=user))
        assert refused.text.startswith("Only your team's admin can rename")
        shown = await assistant.handle(say("/stages", user=user))
        assert "• offer: Offer sent" in shown.text  # anyone may look
        assert "Rename one" not in shown.text
    assert database.state.terms == {}


async def test_bad_changes_are_explained_and_change_nothing(
    assistant: Assistant, database: FakeDatabase
) -> None:
    await assistant.handle(say("/stages offer = KP"))
    cases = {
        "/stages bogus = X": "There is no “bogus” here.",
        "/stages needs = KP": "“KP” already means KP.",
        "/stages needs + kp": "“kp” already means KP.",
        "/stages offer = " + "x" * 41: "A name needs a letter",
        "/stages offer + 123": "A name needs a letter",
        "/stages offer - nothing": "“nothing” was not on the list.",
        "/stages whatever": "I didn't get that.",
    }
    before = dict(database.state.terms)
    for command, answer in cases.items():
        reply = await assistant.handle(say(command))
        assert answer in reply.text, command
        assert "Nothing was changed." in reply.text
    assert database.state.terms == before


async def test_the_words_are_audited(assistant: Assistant, database: FakeDatabase) -> None:
    await assistant.handle(say("/stages offer = KP"))
    (entry,) = [row for row in database.state.audit if row["entity"] == "team_terms"]
    assert entry["before"]["label"] is None
    assert entry["after"] == {"subject": "stage", "key": "offer", "label": "KP", "synonyms": []}


def test_default_labels_follow_the_locale() -> None:
    from handlers.terms import kind_count, stage_label

    with use_locale("ru"):
        assert stage_label(Stage.NEGOTIATION) == "Переговоры"
        assert [kind_count(ActivityKind.CALL, n) for n in (1, 2, 5, 21)] == [
            "1 звонок", "2 звонка", "5 звонков", "21 звонок",
        ]  # fmt: skip
    with use_locale("pl"):
        assert [kind_count(ActivityKind.MEETING, n) for n in (1, 3, 5, 22)] == [
            "1 spotkanie", "3 spotkania", "5 spotkań", "22 spotkania",
        ]  # fmt: skip
    with use_locale("ro"):
        assert [kind_count(ActivityKind.CALL, n) for n in (1, 2, 20)] == [
            "1 apel", "2 apeluri", "20 de apeluri",
        ]  # fmt: skip


async def test_a_name_with_a_hyphen_is_still_a_name(assistant: Assistant) -> None:
    reply = await assistant.handle(say("/kinds E-mail + mail"))
    assert "• email: E-mail (also: mail)" in reply.text
    reply = await assistant.handle(say("/kinds E-mail = Mail-out"))
    assert "• email: Mail-out (also: mail)" in reply.text
