"""The core's front door: one incoming update in, one reply out.

Adapters call :meth:`Assistant.handle` for every update. It identifies the rep, routes
commands, button presses and free text, and runs each update in one unit of work.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from handlers import agenda, onboarding, recall, teams, texts, voice_notes
from handlers.capture import read_message
from handlers.chat import chat_reply
from handlers.corrections import (
    AWAITING_CONTACT,
    CHANGE_ID,
    CORRECTION_BUTTON,
    WHICH_BUTTON,
    Corrections,
)
from handlers.deal_card import CARD_BUTTON, MOVE_BUTTON, DealDesk
from handlers.digest_settings import digests_command
from handlers.domain import Rep, Role, Team
from handlers.i18n import _, use_locale
from handlers.idle_limits import idle_command
from handlers.known_names import known_names
from handlers.language import LANG_BUTTON, choose, lang_command
from handlers.log_flow import AWAITING_LOG, LOG_BUTTON, GuidedLog
from handlers.messages import Incoming, Reply
from handlers.pipeline import pipeline, quiet_deal_action
from handlers.ports import Clock, TryAgain, UnitOfWork, UnitOfWorkFactory
from handlers.privacy import FORGET_BUTTON, forget_command, forget_press
from handlers.recording import CaptureRecorder
from handlers.reminder_actions import AWAITING_TIME, ReminderActions
from handlers.terminology import terms_command
from handlers.terms import KIND, STAGE, Terms, current_terms, use_terms
from handlers.undo import undo_last

log = logging.getLogger(__name__)

MAX_MESSAGE_LENGTH = 4000
"""Longer texts are almost always pastes by mistake; they are refused, not cut."""

_COMMAND = re.compile(r"^/(?P<name>[A-Za-z_]+)(?:@\S+)?(?:\s+(?P<args>.*))?$", re.DOTALL)


@dataclass(frozen=True, slots=True)
class CoreConfig:
    default_timezone: str = "UTC"
    default_language: str = "en"
    self_service_platforms: frozenset[str] = field(default=frozenset({"console"}))
    """Platforms where an unknown user gets a one-person team of their own (the local console)."""
    zone_guessed: bool = False
    """``default_timezone`` is a guess (a machine set to UTC, no zone given): a rep it is given
    to is told so in the welcome, with how to change it."""
    telegram_bot_username: str | None = None
    """The bot's @username, for invite deep links (``https://t.me/<bot>?start=CODE``)."""


def clean_text(text: str) -> str:
    """Drop control and format characters (keeping line breaks and tabs) and outer blanks."""
    return "".join(
        char
        for char in text
        if char in "\n\t" or unicodedata.category(char) not in ("Cc", "Cf", "Cs", "Co")
    ).strip()


_WORDLIKE = re.compile(r"[^\W_]")
_REMINDER_BUTTON = re.compile(r"^r:(?P<action>[a-z]+):(?P<id>\d{1,18})$")
_DEAL_BUTTON = re.compile(r"d:(?P<action>cb|lost):(?P<id>\d{1,18})")


@dataclass(slots=True)
class _Context:
    uow: UnitOfWork
    rep: Rep
    incoming: Incoming
    text: str
    scheduled: list[datetime] = field(default_factory=list)
    """Reminder due times this update set; the dispatcher is woken for them after commit."""


_Handler = Callable[["Assistant", _Context, str], Awaitable[Reply]]


class Assistant:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        config: CoreConfig | None = None,
        on_reminder_set: Callable[[datetime], None] | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._config = config or CoreConfig()
        self._on_reminder_set = on_reminder_set
        self._commands: dict[str, _Handler] = {
            "start": Assistant._start,
            "help": Assistant._help,
            "today": Assistant._today,
            "reminders": Assistant._reminders,
            "pipeline": Assistant._pipeline,
            "agenda": Assistant._agenda,
            "log": Assistant._log,
            "cancel": Assistant._cancel,
            "history": lambda _, context, args: recall.history(
                context.uow, context.rep, clock.now(), args
            ),
            "find": lambda _, context, args: recall.find(
                context.uow, context.rep, clock.now(), args
            ),
            "digests": lambda self, context, args: digests_command(context.uow, context.rep, args),
            "undo": lambda self, context, args: undo_last(context.uow, context.rep, clock.now()),
            "forget": lambda self, context, args: forget_command(context.uow, context.rep, args),
            "join": Assistant._join,
            "invite": Assistant._invite,
            "team": Assistant._team_command,
            "role": Assistant._role,
            "deal": lambda self, context, args: DealDesk(
                context.uow, context.rep, clock.now()
            ).command(args),
            "idle": lambda self, context, args: idle_command(context.uow, context.rep, args),
            "lang": lambda self, context, args: lang_command(context.uow, context.rep, args),
            "tz": Assistant._zone,
            "stages": lambda self, context, args: terms_command(
                context.uow, context.rep, STAGE, args
            ),
            "kinds": lambda self, context, args: terms_command(
                context.uow, context.rep, KIND, args
            ),
        }

    async def handle(self, incoming: Incoming) -> Reply | None:
        """Answer one update; None for a redelivered update, which must not be answered twice.

        Never raises: a failure rolls back and says so.
        """
        # The platform's language until the rep is known (a stranger, a failure before that).
        with use_locale(incoming.language or self._config.default_language):
            try:
                try:
                    reply = await self._handle(incoming)
                except TryAgain as failure:
                    # Nothing was stored: another update changed what this one built on (a
                    # company undone meanwhile is simply created again), or the database
                    # connection broke (the pool opens a fresh one).
                    log.info("update from %s runs again: %s",
                             incoming.platform, failure)  # fmt: skip
                    reply = await self._handle(incoming)
            except Exception:
                log.exception("update from %s:%s failed", incoming.platform, incoming.user_id)
                reply = Reply(_(texts.FAILED))
        if reply is None:
            return None
        # Commands as the rep types them there: "/crm today" on Slack.
        return replace(reply, text=texts.for_platform(reply.text, incoming.platform))

    async def _handle(self, incoming: Incoming) -> Reply | None:
        text = clean_text(incoming.text)
        async with self._uow_factory() as uow:
            if incoming.update_id is not None and not await uow.updates.first_delivery(
                incoming.platform, incoming.update_id, self._clock.now()
            ):
                return None
            if len(text) > MAX_MESSAGE_LENGTH:
                await uow.commit()  # remember the update, so a redelivery is not answered
                return Reply(_(texts.TOO_LONG).format(length=len(text), limit=MAX_MESSAGE_LENGTH))
            joined = await teams.join_unknown(
                uow, incoming, text, self._clock.now(), self._config.default_language
            )
            if isinstance(joined, Reply):  # a code that lets nobody in: nothing is stored
                return joined
            if joined is not None:
                await uow.commit()
                return joined[1]
            rep, is_new = await self._identify(uow, incoming)
            if rep is None:  # a stranger: one polite answer, and nothing about them stored
                return Reply(_(texts.STRANGER))
            terms = Terms.of(await uow.terms.for_team(rep.team_id))
            context = _Context(uow, rep, incoming, text)
            with use_locale(rep.language), use_terms(terms):
                reply = await self._route(context)
                if is_new:
                    reply = self._welcome(rep, reply)
            await uow.commit()
        if self._on_reminder_set is not None:
            for due_at in context.scheduled:
                self._on_reminder_set(due_at)
        return reply

    async def _route(self, context: _Context) -> Reply:
        if context.incoming.button is not None:
            return await self._button(context, context.incoming.button)
        if not context.text:
            if context.incoming.voice_file_id:
                return await self._voice_note(context, context.incoming.voice_file_id)
            if context.incoming.attachment:
                return Reply(_(texts.NOT_TEXT).format(attachment=_(context.incoming.attachment)))
            return Reply(_(texts.EMPTY))
        if not _WORDLIKE.search(context.text):
            return Reply(_(texts.NO_WORDS))  # "👍", "???": nothing to keep, and nothing kept
        awaiting = context.rep.awaiting
        if awaiting and not context.text.startswith("/"):
            return await self._answer(context, awaiting)
        if awaiting:
            # A command means the rep moved on: stop waiting for the answer.
            await context.uow.reps.set_awaiting(context.rep.id, None)
            if awaiting.startswith(f"{AWAITING_LOG}:"):
                await context.uow.reps.set_draft(context.rep.id, None)
        if command := _COMMAND.match(context.text):
            handler = self._commands.get(command.group("name").lower())
            if handler is None:
                return Reply(_(texts.UNKNOWN_COMMAND).format(command=context.text.split()[0]))
            return await handler(self, context, (command.group("args") or "").strip())
        if context.text.startswith("/"):
            return Reply(_(texts.UNKNOWN_COMMAND).format(command=context.text.split()[0]))
        return await self._capture(context)

    def _welcome(self, rep: Rep, reply: Reply) -> Reply:
        text = _(texts.WELCOME).format(name=rep.display_name or rep.external_id)
        if self._config.zone_guessed and rep.timezone == self._config.default_timezone:
            text += _(texts.ZONE_GUESSED).format(zone=rep.timezone)
        return Reply(text + reply.text, reply.buttons)

    async def _identify(self, uow: UnitOfWork, incoming: Incoming) -> tuple[Rep | None, bool]:
        """The rep behind an update, creating a one-person team where self-service is allowed."""
        rep = await uow.reps.by_identity(incoming.platform, incoming.user_id)
        if rep is not None:
            # The platform's word on language and zone holds until the rep picks their own
            # (/lang for the language).
            timezone = incoming.timezone or rep.timezone
            language = rep.language if rep.language_chosen else incoming.language or rep.language
            display_name = incoming.display_name or rep.display_name
            profile = (incoming.chat_id, display_name, language, timezone)
            if profile != (rep.chat_id, rep.display_name, rep.language, rep.timezone):
                rep = await uow.reps.update_profile(
                    rep.id,
                    chat_id=incoming.chat_id,
                    display_name=display_name,
                    language=language,
                    timezone=timezone,
                )
            return rep, False
        if incoming.platform not in self._config.self_service_platforms:
            return None, False
        name = incoming.display_name or incoming.user_id
        timezone = incoming.timezone or self._config.default_timezone
        # Named in the platform's language (the locale of this update); digests on its
        # founder's clock.
        team = await uow.teams.add(_("{name}'s team").format(name=name), timezone)
        rep = await uow.reps.add(
            team_id=team.id,
            platform=incoming.platform,
            external_id=incoming.user_id,
            chat_id=incoming.chat_id,
            display_name=name,
            language=incoming.language or self._config.default_language,
            timezone=timezone,
            role=Role.ADMIN,
        )
        return rep, True

    async def _button(self, context: _Context, payload: str) -> Reply:
        """A button press. Stale, forged or foreign payloads change nothing."""
        if correction := CORRECTION_BUTTON.fullmatch(payload):
            corrections = Corrections(context.uow, context.rep, self._clock.now())
            return await corrections.press(correction["action"], correction["change_id"])
        if which := WHICH_BUTTON.fullmatch(payload):
            corrections = Corrections(context.uow, context.rep, self._clock.now())
            return await corrections.choose(
                which["change_id"], int(which["question"]), which["choice"]
            )
        if log_button := LOG_BUTTON.fullmatch(payload):
            flow = await self._guided_log(context)
            reply = await flow.press(log_button["flow"], log_button["value"])
            context.scheduled += flow.scheduled
            return reply
        if lang_button := LANG_BUTTON.fullmatch(payload):
            return await choose(context.uow, context.rep, lang_button["code"])
        if card := CARD_BUTTON.fullmatch(payload):
            return await DealDesk(context.uow, context.rep, self._clock.now()).card(int(card["id"]))
        if move := MOVE_BUTTON.fullmatch(payload):
            desk = DealDesk(context.uow, context.rep, self._clock.now())
            return await desk.move(int(move["id"]), move["from"], move["to"])
        if forget := FORGET_BUTTON.fullmatch(payload):
            return await forget_press(context.uow, context.rep, forget["choice"])
        if deal_button := _DEAL_BUTTON.fullmatch(payload):
            return await self._deal_button(
                context, deal_button.group("action"), int(deal_button.group("id"))
            )
        if teams.BUTTON.fullmatch(payload):
            team = await self._team(context)
            return await teams.press(context.uow, context.rep, team, payload) or Reply(
                _(texts.UNKNOWN_BUTTON)
            )
        if onboarding.BUTTON.fullmatch(payload):
            team = await self._team(context)
            pressed = await onboarding.press(
                context.uow, context.rep, team, payload, self._clock.now()
            )
            return pressed or Reply(_(texts.UNKNOWN_BUTTON))
        history = await recall.press(context.uow, context.rep, self._clock.now(), payload)
        if history is not None:
            return history
        match = _REMINDER_BUTTON.match(payload)
        if match is None:
            return Reply(_(texts.UNKNOWN_BUTTON))
        actions = await self._reminder_actions(context)
        reply = await actions.press(match.group("action"), int(match.group("id")))
        context.scheduled += actions.scheduled
        return reply

    async def _answer(self, context: _Context, awaiting: str) -> Reply:
        """A typed answer to a question the bot asked: "Pick a time" or "Who was it?"."""
        kind, _, subject = awaiting.partition(":")
        if kind == AWAITING_LOG:
            flow = await self._guided_log(context)
            answered = await flow.typed(subject, context.text)
            context.scheduled += flow.scheduled
            # None: the flow asked for a tap and got a message; it is read as one.
            return answered if answered is not None else await self._capture(context)
        if kind == AWAITING_CONTACT and CHANGE_ID.fullmatch(subject):
            corrections = Corrections(context.uow, context.rep, self._clock.now())
            answered = await corrections.typed_contact(subject, context.text)
            # None: what the question was about is gone, so this is a new message.
            return answered if answered is not None else await self._capture(context)
        if kind == onboarding.AWAITING_TZ:
            team = await self._team(context)
            zone = await onboarding.typed(
                context.uow, context.rep, team, context.text, self._clock.now()
            )
            # None: not an answer but a message (the question is dropped); it is captured.
            return zone if zone is not None else await self._capture(context)
        if kind != AWAITING_TIME or not subject.isdigit():
            await context.uow.reps.set_awaiting(context.rep.id, None)
            return await self._capture(context)
        actions = await self._reminder_actions(context)
        reply = await actions.typed_time(int(subject), context.text)
        context.scheduled += actions.scheduled
        return reply

    async def _guided_log(self, context: _Context) -> GuidedLog:
        return GuidedLog(context.uow, context.rep, await self._team(context), self._clock.now())

    async def _log(self, context: _Context, args: str) -> Reply:
        return await (await self._guided_log(context)).start()

    async def _reminder_actions(self, context: _Context) -> ReminderActions:
        team = await self._team(context)
        return ReminderActions(context.uow, context.rep, team, self._clock.now())

    async def _team(self, context: _Context) -> Team:
        team = await context.uow.teams.get(context.rep.team_id)
        if team is None:  # a rep's team is a foreign key; this is a broken database
            raise LookupError(f"team {context.rep.team_id} of rep {context.rep.id} is missing")
        return team

    async def _zone(self, context: _Context, args: str) -> Reply:
        team = await self._team(context)
        return await onboarding.zone_command(
            context.uow, context.rep, team, args, self._clock.now()
        )

    async def _agenda(self, context: _Context, args: str) -> Reply:
        return await agenda.switch(context.uow, context.rep, args)

    async def _pipeline(self, context: _Context, args: str) -> Reply:
        return await pipeline(context.uow, context.rep, self._clock.now())

    async def _deal_button(self, context: _Context, action: str, deal_id: int) -> Reply:
        team = await self._team(context)
        done = await quiet_deal_action(
            context.uow, context.rep, team, action, deal_id, self._clock.now()
        )
        if done is None:
            return Reply(_(texts.UNKNOWN_BUTTON))
        reply, due_at = done
        if due_at is not None:
            context.scheduled.append(due_at)
        return reply

    async def _reminders(self, context: _Context, args: str) -> Reply:
        return await (await self._reminder_actions(context)).listing()

    async def _cancel(self, context: _Context, args: str) -> Reply:
        if context.rep.awaiting:
            if context.rep.awaiting.startswith(f"{AWAITING_CONTACT}:"):
                return Reply(_("OK, the contact stays as it was."))
            if context.rep.awaiting.startswith(f"{AWAITING_LOG}:"):
                return Reply(_("OK, nothing was logged."))
            if context.rep.awaiting == onboarding.AWAITING_TZ:
                zone = context.rep.timezone
                return Reply(_("OK, your time zone stays {zone}.").format(zone=zone))
            return Reply(_("OK, the reminder stays as it was."))
        return Reply(_("There is nothing to cancel."))

    def learn_telegram_username(self, username: str) -> None:
        """The bot's @name as Telegram reported it on start (getMe), for invite links, unless
        the settings named one already."""
        if self._config.telegram_bot_username is None and username:
            self._config = replace(self._config, telegram_bot_username=username)

    @property
    def command_names(self) -> frozenset[str]:
        """The commands the core knows, for adapters that route them (Slack's /crm <word>)."""
        return frozenset(self._commands)

    async def _start(self, context: _Context, args: str) -> Reply:
        if args:  # Telegram's invite deep link: /start CODE
            return await self._join(context, args)
        return await self._help(context, args)

    async def _join(self, context: _Context, args: str) -> Reply:
        if not args:
            return Reply(_("Type the invite code after the command: /join K7PMQX3R9T."))
        team = await self._team(context)
        return await teams.join_known(context.uow, context.rep, team, args, self._clock.now())

    async def _invite(self, context: _Context, args: str) -> Reply:
        team = await self._team(context)
        return await teams.invite(
            context.uow,
            context.rep,
            team,
            args,
            self._clock.now(),
            self._config.telegram_bot_username,
        )

    async def _team_command(self, context: _Context, args: str) -> Reply:
        return await teams.team_card(context.uow, context.rep, await self._team(context))

    async def _role(self, context: _Context, args: str) -> Reply:
        return await teams.role_command(context.uow, context.rep, await self._team(context), args)

    async def _help(self, context: _Context, args: str) -> Reply:
        return Reply(_(texts.HELP))

    async def _today(self, context: _Context, args: str) -> Reply:
        return await agenda.today(context.uow, context.rep, self._clock.now())

    async def _voice_note(self, context: _Context, file_id: str) -> Reply:
        kept = await voice_notes.keep_voice_note(
            context.uow, context.rep, self._clock.now(), context.incoming.platform, file_id
        )
        return kept if kept is not None else voice_notes.without_capture()

    async def _capture(self, context: _Context) -> Reply:
        team = await self._team(context)
        now = self._clock.now()
        capture = read_message(
            context.text,
            now=now,
            timezone=context.rep.timezone,
            language=context.rep.language,
            default_hour=team.default_hour,
            date_order=team.date_order,
            vocabulary=current_terms().vocabulary(),
            known=await known_names(context.uow, team.id, context.text),
        )
        if capture.is_chat:
            return chat_reply(context.text)
        recorder = CaptureRecorder(context.uow, context.rep, now)
        reply = await recorder.record(context.text, capture)
        context.scheduled += recorder.scheduled
        return reply
