"""The team's own words: labels for stages and activity kinds, and synonyms capture reads.

Keys (``offer``, ``meeting``) never change; what a team calls them does. A team that renamed
*offer* to "KP" sees KP in /pipeline, on deal cards, in /history and in digests, and "sent the
KP to Acme" moves Acme's deal to offer. A label not renamed is the default, in the rep's
language.

The terms in force are a context variable, set next to the locale by whoever answers (the
assistant per update, the digest sender per team), so every reply reads them without passing
them around.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from handlers.capture import Vocabulary
from handlers.domain import PIPELINE, ActivityKind, Stage, TeamTerm
from handlers.i18n import N_, _, ngettext

STAGE = "stage"
KIND = "kind"

STAGE_LABELS: dict[Stage, str] = {
    Stage.PROSPECT: N_("Prospect"),
    Stage.CONTACT: N_("First contact"),
    Stage.NEEDS: N_("Needs"),
    Stage.OFFER: N_("Offer sent"),
    Stage.NEGOTIATION: N_("Negotiation"),
    Stage.CONTRACT: N_("Contract"),
    Stage.DELIVERY: N_("Delivery"),
    Stage.COMPLETED: N_("Completed"),
    Stage.LOST: N_("Lost"),
}
"""Default labels (English source; translated where shown)."""

KIND_LABELS: dict[ActivityKind, str] = {
    ActivityKind.MEETING: N_("Meeting"),
    ActivityKind.CALL: N_("Call"),
    ActivityKind.EMAIL: N_("E-mail"),
    ActivityKind.NOTE: N_("Note"),
}


@dataclass(frozen=True)
class Terms:
    """One team's labels and synonyms, by (subject, key)."""

    labels: Mapping[tuple[str, str], str] = field(default_factory=dict)
    synonyms: Mapping[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: Iterable[TeamTerm]) -> Terms:
        labels, synonyms = {}, {}
        for row in rows:
            if row.label:
                labels[row.subject, row.key] = row.label
            if row.synonyms:
                synonyms[row.subject, row.key] = tuple(row.synonyms)
        return cls(labels, synonyms)

    def vocabulary(self) -> Vocabulary | None:
        """What capture reads on top of each language's words: the labels and synonyms."""
        if not self.labels and not self.synonyms:
            return None

        def words(subject: str, key: str) -> tuple[str, ...]:
            label = self.labels.get((subject, key))
            return ((label,) if label else ()) + self.synonyms.get((subject, key), ())

        kinds = tuple((kind, found) for kind in ActivityKind if (found := words(KIND, kind.value)))
        stages = tuple((stage, found) for stage in PIPELINE if (found := words(STAGE, stage.value)))
        return Vocabulary(kinds=kinds, stages=stages)


_NO_TERMS = Terms()
_terms: ContextVar[Terms | None] = ContextVar("crmbot_terms", default=None)


def current_terms() -> Terms:
    return _terms.get() or _NO_TERMS


@contextmanager
def use_terms(terms: Terms) -> Iterator[None]:
    """Show ``terms`` inside the block (a reply to a rep of the team, a digest for it)."""
    token = _terms.set(terms)
    try:
        yield
    finally:
        _terms.reset(token)


def stage_label(stage: Stage, *, lowercase: bool = False) -> str:
    """The team's name for ``stage``, else the default in the current language (lowercased
    on request, for the middle of a sentence; a team's own word is kept as written)."""
    own = current_terms().labels.get((STAGE, stage.value))
    if own:
        return own
    label = _(STAGE_LABELS[stage])
    return label.lower() if lowercase else label


def kind_label(kind: ActivityKind | str, *, lowercase: bool = False) -> str:
    """The team's name for an activity kind, else the default in the current language."""
    kind = ActivityKind(kind)
    own = current_terms().labels.get((KIND, kind.value))
    if own:
        return own
    label = _(KIND_LABELS[kind])
    return label.lower() if lowercase else label


def kind_count(kind: ActivityKind | str, count: int) -> str:
    """``2 meetings``, ``5 звонков``; a team's own word as ``Visit: 2`` (its plural forms are
    not known)."""
    kind = ActivityKind(kind)
    own = current_terms().labels.get((KIND, kind.value))
    number = f"{count:,}"
    if own:
        return _("{label}: {count}").format(label=own, count=number)
    if kind is ActivityKind.MEETING:
        text = ngettext("{count} meeting", "{count} meetings", count)
    elif kind is ActivityKind.CALL:
        text = ngettext("{count} call", "{count} calls", count)
    elif kind is ActivityKind.EMAIL:
        text = ngettext("{count} e-mail", "{count} e-mails", count)
    else:
        text = ngettext("{count} note", "{count} notes", count)
    return text.format(count=number)
