"""``/stages`` and ``/kinds``: the team's own names for stages and activity kinds.

``/stages`` lists them; an admin renames one (``/stages offer = KP``), adds a word capture
should understand (``/stages offer + Angebot``), removes it (``/stages offer - Angebot``) or
goes back to the default (``/stages offer =``). ``/kinds`` does the same for meeting, call,
e-mail and note. A stage or kind is named by its key or by any of its labels. Every change is
audited (entity ``team``, before and after).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import replace

from handlers.domain import PIPELINE, ActivityKind, Rep, TeamTerm
from handlers.i18n import _
from handlers.messages import Reply
from handlers.permissions import Action, allowed
from handlers.ports import UnitOfWork
from handlers.terms import (
    KIND_LABELS,
    STAGE,
    STAGE_LABELS,
    Terms,
    kind_label,
    stage_label,
    use_terms,
)

MAX_WORD = 40
"""Labels and synonyms are short words or phrases, not sentences."""
MAX_SYNONYMS = 20

_OPERATOR = re.compile(r"\s*([=+\-])\s*")


def _split(args: str, subject: str, terms: Terms) -> tuple[str, str, str] | None:
    """``offer = KP`` as (name, operator, word). A name may hold an operator's character
    ("E-mail + mail"), so the first operator after a name that means something wins."""
    splits = [
        (args[: found.start()], found.group(1), args[found.end() :])
        for found in _OPERATOR.finditer(args)
        if found.start() > 0
    ]
    known = [split for split in splits if _find_key(subject, split[0], terms) is not None]
    found = known or splits
    return found[0] if found else None


def _keys(subject: str) -> list[str]:
    if subject == STAGE:
        return [stage.value for stage in PIPELINE]
    return [kind.value for kind in ActivityKind]


def _label(subject: str, key: str) -> str:
    if subject == STAGE:
        return stage_label(next(stage for stage in PIPELINE if stage.value == key))
    return kind_label(key)


def _defaults(subject: str, key: str) -> set[str]:
    """Every way to name the key without the team's words: the key, the English default
    and the default in the rep's language."""
    source = (
        STAGE_LABELS[next(s for s in PIPELINE if s.value == key)]
        if subject == STAGE
        else KIND_LABELS[ActivityKind(key)]
    )
    return {key, source.casefold(), _(source).casefold()}


def _find_key(subject: str, name: str, terms: Terms) -> str | None:
    wanted = " ".join(name.split()).casefold()
    for key in _keys(subject):
        own = terms.labels.get((subject, key))
        if wanted in _defaults(subject, key) or (own and own.casefold() == wanted):
            return key
    return None


def _listing(subject: str, command: str, terms: Terms, rep: Rep) -> str:
    with use_terms(terms):
        title = _("Your team's stages:") if subject == STAGE else _("Your team's activity kinds:")
        lines = [title]
        for key in _keys(subject):
            line = f"• {key}: {_label(subject, key)}"
            synonyms = terms.synonyms.get((subject, key))
            if synonyms:
                line += " " + _("(also: {words})").format(words=", ".join(synonyms))
            lines.append(line)
    example = ("offer", "KP", "Angebot") if subject == STAGE else ("meeting", "Visit", "visit")
    if allowed(rep, Action.CONFIGURE_TEAM):
        lines.append("")
        lines.append(
            _(
                "Rename one: {command} {key} = {label}\n"
                "Add a word I should understand: {command} {key} + {word}\n"
                "Remove that word: {command} {key} - {word}\n"
                "Back to the default name: {command} {key} ="
            ).format(command=command, key=example[0], label=example[1], word=example[2])
        )
    return "\n".join(lines)


def _valid_word(word: str) -> str | None:
    word = " ".join(word.split()).strip(" .,;:!?\"'“”«»")
    if not word or len(word) > MAX_WORD or not any(char.isalpha() for char in word):
        return None
    return word


async def terms_command(uow: UnitOfWork, rep: Rep, subject: str, args: str) -> Reply:
    """``/stages [change]`` or ``/kinds [change]``; only admins change them."""
    command = "/stages" if subject == STAGE else "/kinds"
    rows = await uow.terms.for_team(rep.team_id)
    terms = Terms.of(rows)
    if not args.strip():
        return Reply(_listing(subject, command, terms, rep))
    if not allowed(rep, Action.CONFIGURE_TEAM):
        return Reply(_("Only your team's admin can rename stages and kinds. Nothing was changed."))
    change = _split(args.strip(), subject, terms)
    if change is None:
        return Reply(
            _("I didn't get that. Nothing was changed.")
            + "\n\n"
            + _listing(subject, command, terms, rep)
        )
    name, op, typed = change
    key = _find_key(subject, name, terms)
    if key is None:
        return Reply(
            _("There is no “{name}” here. Nothing was changed.").format(name=name.strip())
            + "\n\n"
            + _listing(subject, command, terms, rep)
        )
    before = next(
        (row for row in rows if (row.subject, row.key) == (subject, key)),
        TeamTerm(subject, key, None, ()),
    )
    if op == "=" and not typed.strip():
        after = replace(before, label=None)
    else:
        word = _valid_word(typed)
        if word is None:
            return Reply(
                _(
                    "A name needs a letter and at most {limit} characters. Nothing was changed."
                ).format(limit=MAX_WORD)
            )
        taken = _find_key(subject, word, terms)
        folded = word.casefold()
        for other in _keys(subject):
            if other != key and any(
                s.casefold() == folded for s in terms.synonyms.get((subject, other), ())
            ):
                taken = other
        if taken is not None and taken != key:
            with use_terms(terms):
                return Reply(
                    _("“{word}” already means {label}. Nothing was changed.").format(
                        word=word, label=_label(subject, taken)
                    )
                )
        if op == "=":
            after = replace(before, label=word)
        elif op == "+":
            if any(s.casefold() == folded for s in before.synonyms):
                return Reply(
                    _("I already understand “{word}”. Nothing was changed.").format(word=word)
                )
            if len(before.synonyms) >= MAX_SYNONYMS:
                return Reply(
                    _(
                        "That is {limit} words already; remove one first. Nothing was changed."
                    ).format(limit=MAX_SYNONYMS)
                )
            after = replace(before, synonyms=(*before.synonyms, word))
        else:
            kept = tuple(s for s in before.synonyms if s.casefold() != folded)
            if kept == before.synonyms:
                return Reply(
                    _("“{word}” was not on the list. Nothing was changed.").format(word=word)
                )
            after = replace(before, synonyms=kept)
    await uow.terms.save(rep.team_id, after)
    await uow.audit.record(
        team_id=rep.team_id,
        rep_id=rep.id,
        change_id=uuid.uuid4().hex,
        action="update",
        entity="team_terms",
        entity_id=rep.team_id,
        before={"subject": subject, "key": key, "label": before.label,
                "synonyms": list(before.synonyms)},
        after={"subject": subject, "key": key, "label": after.label,
               "synonyms": list(after.synonyms)},
    )  # fmt: skip
    fresh = Terms.of(await uow.terms.for_team(rep.team_id))
    return Reply(_("Saved.") + "\n\n" + _listing(subject, command, fresh, rep))
