"""The capture engine: one message in, what it records out. Pure and deterministic.

Exact things are read by rules that hold up on messages nobody has seen: money and quantities
(:mod:`amounts`), so their numbers are never read as dates, and the time of a follow-up
(:mod:`when`). Who, which company, what kind of activity and which stage move are read by
models trained on labelled messages (:mod:`models`, built by ``training/capture``), from
features that carry to unseen text (:mod:`features`), with the team's own contacts and
companies in view (:mod:`known`). Names come back in their dictionary form (:mod:`naming`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from handlers.capture.analysis import Analysis, analyse
from handlers.capture.known import Known
from handlers.capture.lexicon import fold
from handlers.capture.models import FOLLOW_UP, KIND, STAGE, Models, shipped
from handlers.capture.names_found import NameSpan, best_spans, spans_of
from handlers.capture.naming import company as company_name
from handlers.capture.naming import person as person_name
from handlers.capture.small_talk import is_small_talk, only_pleasantries
from handlers.capture.vocabulary import Vocabulary, first_said, team_words
from handlers.domain import ActivityKind, Stage

NONE = "none"
"""The classifiers' label for "no kind" and "no stage move"."""
CHAT = "chat"
"""The kind classifier's label for small talk: a greeting, thanks, an "ok"."""
PROMISE = "yes"

UNSURE = 0.6
"""Below this confidence a new contact or company read is offered with the likeliest other
reading, as a button, instead of being filed as a sure thing."""
DEAL_UNSURE = 0.8
"""Below this confidence one unknown word read as a person in a stage move is taken as the
company, which a stage move needs (the person is the one-tap alternative)."""


@dataclass(frozen=True, slots=True)
class Reading:
    """Another way to read who and which company, offered as one tap when unsure."""

    contact: str | None
    company: str | None


@dataclass(frozen=True, slots=True)
class Capture:
    """What one message says happened. Absent parts are None."""

    kind: ActivityKind | None
    contact: str | None
    company: str | None
    follow_up_at: datetime | None
    """Timezone-aware, in the rep's zone."""
    follow_up_text: str | None
    stage: Stage | None
    amount: Decimal | None
    currency: str | None
    language: str
    confidence: dict[str, float] = field(default_factory=dict)
    """Per field read by a model (kind, contact, company, follow_up_at, stage), how sure."""
    alternatives: tuple[Reading, ...] = ()
    """The likeliest other readings of contact and company, when the one above is unsure."""
    chat: bool = False
    """The words read as small talk rather than work."""

    @property
    def is_empty(self) -> bool:
        """Nothing recognised but the words themselves (kept as a note)."""
        recognised = (self.contact, self.company, self.follow_up_at, self.stage, self.amount)
        return self.kind in (None, ActivityKind.NOTE) and not any(recognised)

    @property
    def is_chat(self) -> bool:
        """Nothing to file: a greeting, thanks, an "ok"."""
        recognised = (self.contact, self.company, self.follow_up_at, self.stage, self.amount)
        return self.chat and self.kind is None and all(value is None for value in recognised)


def read_message(
    text: str,
    *,
    now: datetime,
    timezone: str,
    language: str | None = None,
    default_hour: int = 9,
    date_order: str = "DMY",
    vocabulary: Vocabulary | None = None,
    known: Known | None = None,
    models: Models | None = None,
) -> Capture:
    """Read ``text`` as written by a rep at ``now`` (aware) in ``timezone`` (IANA name).

    ``language`` is the rep's; the message's own language wins when it is clearly another.
    ``vocabulary`` is the team's own words for kinds and stages, on top of the language's.
    ``known`` is the team's contacts and companies the message could mean.
    """
    models = models or shipped()
    analysis = analyse(text, models, language, known, vocabulary)
    local_now = now.astimezone(ZoneInfo(timezone))

    tagged = models.tag(analysis.token_features())
    spans = spans_of(analysis.tokens, tagged)
    person, organisation = best_spans(spans)
    contact, company, confidence, alternatives = _who(analysis, person, organisation)
    names = [
        (index, span.role) for span in (person, organisation) if span for index in span.indexes
    ]

    features = analysis.message_features(names)
    kind_decision = models.classify(KIND, features)
    stage_decision = models.classify(STAGE, features)
    # Small talk stores nothing, so the model alone may not say so of words with substance
    # ("they want the blue one after all"): a greeting or thanks, or a word or three ("ok 👍").
    chat = kind_decision.label == CHAT and (
        is_small_talk(analysis.folded) or sum(token.is_word for token in analysis.tokens) <= 3
    )
    if (
        chat
        and is_small_talk(analysis.folded)
        and not _names_a_record(analysis.known, contact, company)
    ):
        contact, company, alternatives = None, None, ()  # "mersi frumos", "hola maria"
    confidence["kind"] = kind_decision.probability
    confidence["stage"] = stage_decision.probability
    kind = ActivityKind(kind_decision.label) if kind_decision.label not in (NONE, CHAT) else None
    stage = Stage(stage_decision.label) if stage_decision.label != NONE else None
    # What the models leave empty, a phrase of the lexicon may fill: "sent the offer" is an
    # offer even in a message shaped like none the models were trained on.
    if analysis.opens_as_note:
        kind = ActivityKind.NOTE  # "note: ..." : the rep said what it is
    elif kind is None and kind_decision.label != CHAT and (said := analysis.lexicon_says("kinds")):
        kind = ActivityKind(said)
    if stage is None and (said := analysis.lexicon_says("stages")):
        stage = Stage(said)
    if vocabulary is not None:
        team = team_words(vocabulary)
        kind = first_said(analysis.folded, team.kinds) or kind
        stage = first_said(analysis.folded, team.stages) or stage

    if stage is not None and company is None:
        contact, company, alternatives = _company_for_the_deal(
            analysis, person, contact, alternatives
        )
    follow_up_at, follow_up_text = None, None
    found = analysis.time(local_now, default_hour, date_order)
    if found is not None:
        promise = models.classify(FOLLOW_UP, analysis.follow_up_features(names, found))
        confidence["follow_up_at"] = promise.probability
        if promise.label == PROMISE:
            follow_up_at = found.at
            follow_up_text = _promise_text(analysis, found.span)
    amount = analysis.amount
    says_more = follow_up_at or stage or amount
    if kind is None and not says_more and not (chat and contact is None and company is None):
        # Words with substance and nothing else to file are a note, the way they are stored.
        kind = ActivityKind.NOTE
    return Capture(
        kind=kind,
        contact=contact,
        company=company,
        follow_up_at=follow_up_at,
        follow_up_text=follow_up_text,
        stage=stage,
        amount=amount.value if amount else None,
        currency=amount.currency if amount else None,
        language=analysis.language,
        confidence=confidence,
        alternatives=alternatives,
        chat=chat,
    )


def _names_a_record(known: Known, contact: str | None, company: str | None) -> bool:
    return bool(
        (contact and known.contact(contact, company)) or (company and known.company(company))
    )


def _company_for_the_deal(
    analysis: Analysis,
    person: NameSpan | None,
    contact: str | None,
    alternatives: tuple[Reading, ...],
) -> tuple[str | None, str | None, tuple[Reading, ...]]:
    """A stage move is a company's, and a person alone cannot move a deal. When the one name
    was read as a person without much conviction, or short of sure and one word no list of
    names knows ("sent the KP to Acme"), it is read as the company and the person is offered
    as the one-tap alternative. A known contact, a known name ("sent the offer to Ana") or a
    person the tagger is sure of ("торгуемся с Мироновым") stays."""
    if len(alternatives) == 2 and (swapped := alternatives[1]).company and not swapped.contact:
        return None, swapped.company, (swapped, alternatives[0])
    if (
        person is not None
        and contact is not None
        and person.confidence < DEAL_UNSURE
        and len(person.indexes) == 1
        and not analysis.is_personal_name(person.indexes[0])
        and analysis.known.contact(contact, None) is None
    ):
        company = _company_of(analysis, person)
        return None, company, (Reading(None, company), Reading(contact, None))
    return contact, None, alternatives


def _promise_text(analysis: Analysis, span: tuple[int, int]) -> str:
    intent = analysis.intent
    start, end = span
    if intent is not None:
        start, end = min(start, intent.start()), max(end, intent.end())
    return analysis.text[start:end].strip(" ,.;")


def _who(
    analysis: Analysis, person: NameSpan | None, organisation: NameSpan | None
) -> tuple[str | None, str | None, dict[str, float], tuple[Reading, ...]]:
    """The contact and company as filed: dictionary forms, the team's records where they are
    meant, a known person never filed as a company nor a known company as a person."""
    known = analysis.known
    if person and only_pleasantries(fold(" ".join(person.words))):
        person = None
    if organisation and only_pleasantries(fold(" ".join(organisation.words))):
        organisation = None
    contact = _person_of(analysis, person) if person else None
    company = _company_of(analysis, organisation) if organisation else None
    confidence = {
        "contact": person.confidence if person else 1.0,
        "company": organisation.confidence if organisation else 1.0,
    }
    # A known person is never filed as a company: "spoke to reed" may tag Reed as one; nor
    # a known company as a person ("sent the offer to kestrel").
    if company and contact is None and known.is_contact_only(company):
        contact, company = company, None
    elif contact and company is None and known.is_company_only(contact):
        contact, company = None, contact
    if company:
        company = known.company(company) or company
    known_contact = known.contact(contact, company) if contact else None
    if known_contact is not None:
        contact = known_contact.name
        company = company or known_contact.company
    alternatives: tuple[Reading, ...] = ()
    unsure = [span for span in (person, organisation) if span and span.confidence < UNSURE]
    if unsure and known_contact is None:
        span = unsure[0]
        if span.role == "PER":
            swapped = Reading(None, _company_of(analysis, span))
        else:
            swapped = Reading(_person_of(analysis, span), None)
        alternatives = (Reading(contact, company), swapped)
    return contact or None, company or None, confidence, alternatives


def _person_of(analysis: Analysis, span: NameSpan) -> str:
    first_names = analysis.words.first_names.get(analysis.language, frozenset())
    return person_name(
        span.words,
        analysis.language,
        opens=span.opens,
        first_names=first_names,
        romanised=analysis.romanised,
    )


def _company_of(analysis: Analysis, span: NameSpan) -> str:
    return company_name(
        span.words,
        analysis.language,
        previous=span.previous,
        opens=span.opens,
        romanised=analysis.romanised,
    )


def read_who(
    text: str,
    *,
    language: str | None = None,
    known: Known | None = None,
    models: Models | None = None,
) -> tuple[str | None, str | None]:
    """Who and which company a typed answer to "Who was it?" names ("sam reed from
    northwind"), read like any message; (None, None) when it names neither."""
    models = models or shipped()
    analysis = analyse(text, models, language, known)
    person, organisation = best_spans(
        spans_of(analysis.tokens, models.tag(analysis.token_features()))
    )
    contact, company, _confidence, _alternatives = _who(analysis, person, organisation)
    return contact, company


def read_time(
    text: str,
    *,
    now: datetime,
    timezone: str,
    language: str | None = None,
    default_hour: int = 9,
    date_order: str = "DMY",
    models: Models | None = None,
) -> datetime | None:
    """A time alone, as a rep answers "when?" ("friday at 4pm", "peste 2 ore"); None if none."""
    analysis = analyse(text, models or shipped(), language)
    local_now = now.astimezone(ZoneInfo(timezone))
    found = analysis.time(local_now, default_hour, date_order)
    return found.at if found else None
