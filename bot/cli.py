"""The ``crmbot`` command line."""

from __future__ import annotations

import asyncio
import getpass
import json
import logging
import shlex
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from pydantic import ValidationError
from pydantic_core import ErrorDetails
from sqlalchemy.exc import DBAPIError

from bot.console import PLATFORM, ConsoleNotifier, ConsoleSession, read_lines
from bot.demo import DEMO_TEAM, DemoError, DemoSummary, seed_demo
from bot.parsing import ParseInputError, local_now, parse_batch, parse_one
from bot.runtime import open_runtime
from bot.settings import SECRET_VARIABLES, Settings, check_timezone, local_timezone
from bot.teams_cli import (
    MadeInvite,
    TeamCliError,
    create_team,
    describe_invite,
    find_team,
    make_invite,
)
from handlers.assistant import CoreConfig
from handlers.clock import SystemClock
from handlers.digest import period_ending
from handlers.digest_data import DigestData, DigestKind, DigestSchedule
from handlers.domain import Contact, Recipients, Team
from handlers.invite_codes import parse_duration, parse_role
from handlers.messages import Reply
from handlers.ports import DispatchHealth, Erasure
from handlers.reminder_card import LATE_AFTER
from reminders.digests import compose_digest
from storage.database import DatabaseUrlError, create_engine, describe
from storage.digests import SqlDigestSource
from storage.migrate import upgrade
from storage.reminder_queue import SqlReminderQueue

app = typer.Typer(
    help="crmbot: log meetings, calls and callbacks to your CRM from a chat.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Manage the database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
team_app = typer.Typer(help="Set up teams.", no_args_is_help=True)
app.add_typer(team_app, name="team")

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (default: $DATABASE_URL, else sqlite:///crmbot.db here).",
        show_default=False,
    ),
]


class SettingsError(Exception):
    """A setting from the environment or .env is invalid."""


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        problems = "; ".join(_problem(problem) for problem in error.errors())
        raise SettingsError(f"invalid setting: {problems}") from error


def _problem(problem: ErrorDetails) -> str:
    """One invalid setting, for an error message; a secret's value stays hidden."""
    name = ".".join(str(part) for part in problem["loc"]).upper()
    value = "**********" if name in SECRET_VARIABLES else repr(problem.get("input"))
    return f"{name}={value}: {problem['msg']}"


def _fail(message: str) -> typer.Exit:
    typer.secho(f"Error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code=2)


@contextmanager
def _database_errors(url: str) -> Iterator[None]:
    """Turn database problems into one clear line instead of a traceback."""
    try:
        yield
    except DatabaseUrlError as error:
        raise _fail(str(error)) from error
    except DBAPIError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise _fail(f"cannot use the database {describe(url)}: {reason}") from error


def _timezone_option(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return check_timezone(value)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from error


@app.command()
def console(
    db: DbOption = None,
    user: Annotated[
        str | None, typer.Option(help="Who you are in the chat (default: your login name).")
    ] = None,
    tz: Annotated[
        str | None,
        typer.Option(
            help="Your IANA time zone, e.g. Europe/Bucharest (default: "
            "$CRMBOT_DEFAULT_TIMEZONE, else this machine's).",
            callback=_timezone_option,
        ),
    ] = None,
    lang: Annotated[
        str | None, typer.Option(help="Your language code: en, ro, pl, bg, es, ru (default: en).")
    ] = None,
) -> None:
    """Chat with the bot in this terminal. Reads one message a line; [N] presses button N."""
    settings = load_settings()
    url = db or settings.database_url
    name = user or getpass.getuser()
    timezone = tz or settings.default_timezone or local_timezone()
    # A laptop set to UTC is more often a server or a fresh VM than a rep in London.
    guessed = not (tz or settings.default_timezone) and timezone in ("UTC", "Etc/UTC")
    config = CoreConfig(
        default_timezone=timezone, default_language=lang or "en", zone_guessed=guessed
    )

    async def chat() -> None:
        async with open_runtime(url, config) as runtime:
            session = ConsoleSession(
                runtime.assistant,
                sys.stdout,
                user=name,
                timezone=tz,  # only a zone the user gave; a new team's comes from config
                language=lang,
                spaced=not sys.stdin.isatty(),
            )
            # Reminders of this user that fell due while the console was closed print first.
            await runtime.start_reminders(
                ConsoleNotifier(session), recipients=Recipients(frozenset({PLATFORM}), name)
            )
            await read_lines(session, sys.stdin, sys.stdout)

    with _database_errors(url):
        try:
            asyncio.run(chat())
        except KeyboardInterrupt:
            typer.echo()


@app.command()
def run(db: DbOption = None) -> None:
    """Run the bot for the team, with reminders and digests, until Ctrl-C or SIGTERM.

    Telegram when TELEGRAM_BOT_TOKEN is set, Slack when SLACK_BOT_TOKEN is, or both.
    """
    settings = load_settings()
    url = db or settings.database_url
    # The service (Telegram's and maybe Slack's libraries) is imported by this command only.
    from bot.service import StartupError, serve

    # serve() checks the platforms' settings before it touches the database.
    config = CoreConfig(
        default_timezone=settings.default_timezone or local_timezone(),
        telegram_bot_username=settings.telegram_bot_username,
    )
    with _database_errors(url):
        try:
            asyncio.run(serve(settings, url, config, announce=typer.echo))
        except StartupError as error:
            raise _fail(str(error)) from error
        except KeyboardInterrupt:  # Ctrl-C before the signal handlers were in place
            raise typer.Exit(code=130) from None


@app.command()
def parse(
    text: Annotated[str | None, typer.Argument(help="The message to read.")] = None,
    now: Annotated[
        str | None,
        typer.Option(help="The rep's local time, e.g. 2026-11-23T10:00 (default: now)."),
    ] = None,
    tz: Annotated[
        str | None,
        typer.Option(
            help="The rep's IANA time zone (default: this machine's).", callback=_timezone_option
        ),
    ] = None,
    lang: Annotated[
        str | None, typer.Option(help="The rep's language; the message's own wins if clear.")
    ] = None,
    batch: Annotated[
        bool,
        typer.Option(
            "--batch",
            help='Read JSON lines {"id", "text", "now", "tz", "lang"?} from standard input.',
        ),
    ] = False,
    default_hour: Annotated[int, typer.Option(min=0, max=23, help="Hour for a bare day.")] = 9,
    date_order: Annotated[
        str, typer.Option(help="How numeric dates read: DMY, or MDY (en-US).")
    ] = "DMY",
) -> None:
    """Read a message with the capture engine and print what it found, as JSON."""
    if date_order not in ("DMY", "MDY"):
        raise typer.BadParameter("use DMY or MDY", param_hint="--date-order")
    timezone = tz or local_timezone()
    clock_now = SystemClock().now()
    if batch:
        if text is not None:
            raise typer.BadParameter("give either TEXT or --batch, not both")
        for reading in parse_batch(
            sys.stdin,
            default_now=clock_now,
            default_timezone=timezone,
            default_hour=default_hour,
            date_order=date_order,
        ):
            typer.echo(json.dumps(reading, ensure_ascii=False))
        return
    if text is None:
        raise typer.BadParameter("give the message to read, or --batch")
    try:
        moment = local_now(now, timezone, clock_now)
    except ParseInputError as error:
        raise _fail(str(error)) from error
    reading = parse_one(
        text,
        now=moment,
        timezone=timezone,
        language=lang,
        default_hour=default_hour,
        date_order=date_order,
    )
    typer.echo(json.dumps(reading, ensure_ascii=False))


@app.command()
def digest(
    team: Annotated[
        str | None,
        typer.Option(help="The team's name (or id); may be left out when there is one team."),
    ] = None,
    period: Annotated[
        str, typer.Option(help="day (the daily digest) or week (the weekly one, with KPIs).")
    ] = "day",
    at: Annotated[
        str | None,
        typer.Option(
            help="Compose it as of this moment, ISO 8601 (2026-11-23T18:00, in the team's zone "
            "unless it has an offset); it covers the time since the digest due before it. "
            "Default: now."
        ),
    ] = None,
    preview: Annotated[
        bool,
        typer.Option(
            "--preview", help="Print the digest here (required: crmbot run sends them on schedule)."
        ),
    ] = False,
    chart: Annotated[
        Path | None, typer.Option(help="Write the digest's chart (PNG) to this file.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Preview a team's manager digest: print its text and write its chart, sending nothing."""
    if period not in ("day", "week"):
        raise typer.BadParameter("use day or week", param_hint="--period")
    if not preview:
        raise _fail(
            "`crmbot run` sends the digests on their schedule; here, add --preview to print "
            "one without sending it."
        )
    url = db or load_settings().database_url
    kind = DigestKind(period)

    async def make() -> tuple[DigestData, Reply]:
        engine = create_engine(url)
        try:
            source = SqlDigestSource(engine)
            schedule = _pick_team(await source.schedules(), team)
            moment = _moment(at, schedule.timezone) if at else SystemClock().now()
            span = period_ending(schedule, kind, moment)
            return await compose_digest(source, schedule, kind, span, moment, chart=None)
        finally:
            await engine.dispose()

    with _database_errors(url):
        upgrade(url)
        data, reply = asyncio.run(make())
    typer.echo(reply.text)
    if chart is not None:
        from reminders.charts import digest_chart  # matplotlib: only when a chart is asked for

        image = digest_chart(data)
        try:
            chart.write_bytes(image)
        except OSError as error:
            raise _fail(f"cannot write the chart to {chart}: {error.strerror}") from error
        typer.echo(f"Chart: {chart} ({len(image):,} bytes, PNG).", err=True)


def _pick_team(schedules: list[DigestSchedule], name: str | None) -> DigestSchedule:
    listed = ", ".join(f"{s.team_name} (id {s.team_id})" for s in schedules)
    if name is None:
        if len(schedules) == 1:
            return schedules[0]
        if not schedules:
            raise _fail("the database has no team yet.")
        raise _fail(f"there are {len(schedules)} teams; pick one with --team NAME: {listed}.")
    named = [s for s in schedules if s.team_name.casefold() == name.strip().casefold()]
    if not named and name.strip().isdigit():
        named = [s for s in schedules if s.team_id == int(name)]
    if len(named) == 1:
        return named[0]
    if named:
        ids = ", ".join(str(s.team_id) for s in named)
        raise _fail(f"{len(named)} teams are called {name!r} (ids {ids}); pass --team ID.")
    raise _fail(f"no team is called {name!r}. Teams: {listed or 'none yet'}.")


def _moment(text: str, timezone: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise typer.BadParameter(
            f"cannot read {text!r} as a time; use e.g. 2026-11-23T18:00", param_hint="--at"
        ) from error
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=ZoneInfo(timezone))


@app.command()
def demo(
    db: DbOption = None,
    team: Annotated[str, typer.Option(help="The demo team's name.")] = DEMO_TEAM,
) -> None:
    """Seed a demo team (a manager, 4 reps, 3 weeks of work) to try digests and /pipeline on."""
    url = db or load_settings().database_url
    name = team.strip()
    if not name:
        raise typer.BadParameter("give the team a name", param_hint="--team")
    where = f" --db {shlex.quote(db)}" if db else ""
    preview = (
        f"crmbot digest --team {shlex.quote(name)} --period week --preview --chart chart.png"
        + where
    )

    async def seed() -> DemoSummary:
        engine = create_engine(url)
        try:
            return await seed_demo(engine, name, SystemClock().now())
        finally:
            await engine.dispose()

    with _database_errors(url):
        upgrade(url)
        try:
            summary = asyncio.run(seed())
        except DemoError as error:
            raise _fail(
                f"{error} to {describe(url)}. Preview it with: {preview}; "
                "or seed another with --team NAME."
            ) from error
    for line in summary.lines():
        typer.echo(line)
    typer.echo(f"Database: {describe(url)}")
    typer.echo("\nPreview this week's digest (text here, chart into chart.png):")
    typer.echo(f"  {preview}")
    typer.echo("The last full week, as the weekly digest was sent on Monday morning:")
    typer.echo(f"  {preview} --at {summary.last_weekly_at}")
    typer.echo("Chat as the manager:")
    typer.echo(f"  crmbot console --user {summary.manager_user}{where}")


@db_app.command("upgrade")
def db_upgrade(
    db: DbOption = None,
    revision: Annotated[str, typer.Option(help="Target revision.")] = "head",
) -> None:
    """Apply the database migrations (safe to run again)."""
    url = db or load_settings().database_url
    with _database_errors(url):
        upgrade(url, revision)
    typer.echo(f"Database {describe(url)} is at revision {revision}.")


@app.command()
def status(db: DbOption = None) -> None:
    """Reminder health: the dispatcher's last run, and reminders due, late and failed."""
    url = db or load_settings().database_url
    now = SystemClock().now()

    async def probe() -> DispatchHealth:
        engine = create_engine(url)
        try:
            return await SqlReminderQueue(engine).dispatch_health(now, LATE_AFTER)
        finally:
            await engine.dispose()

    with _database_errors(url):
        upgrade(url)
        health = asyncio.run(probe())
    if health.last_tick is None:
        tick = "never"
    else:
        tick = f"{health.last_tick:%Y-%m-%d %H:%M:%S} UTC ({_ago(now - health.last_tick)} ago)"
    typer.echo(f"Database:             {describe(url)}")
    typer.echo(f"Dispatcher last ran:  {tick}")
    typer.echo(f"Reminders due now:    {health.due}")
    typer.echo(f"Overdue (late):       {health.late}")
    typer.echo(f"Failed to deliver:    {health.failed}")


def _ago(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"


def _print_invite(made: MadeInvite, settings: Settings) -> None:
    for line in describe_invite(made, settings.telegram_bot_username):
        typer.echo(line)


@team_app.command("create")
def team_create(
    name: Annotated[str, typer.Argument(help="The team's name, e.g. Acme Sales.")],
    timezone: Annotated[
        str | None,
        typer.Option(
            help="The team's IANA zone, for its digests (default: $CRMBOT_DEFAULT_TIMEZONE, "
            "else this machine's).",
            callback=_timezone_option,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Create a team and print a single-use invite for its first admin."""
    settings = load_settings()
    url = db or settings.database_url
    if not name.strip():
        raise typer.BadParameter("give the team a name", param_hint="NAME")
    zone = timezone or settings.default_timezone or local_timezone()

    async def create() -> MadeInvite:
        engine = create_engine(url)
        try:
            return await create_team(engine, name.strip(), zone, SystemClock().now())
        finally:
            await engine.dispose()

    with _database_errors(url):
        upgrade(url)
        try:
            made = asyncio.run(create())
        except TeamCliError as error:
            raise _fail(str(error)) from error
    typer.echo(f"Team {made.team.name} created (id {made.team.id}, time zone {zone}).")
    _print_invite(made, settings)
    typer.echo("Whoever joins with it is the team's admin, and invites the others with /invite.")


@app.command()
def invite(
    team: Annotated[str, typer.Option(help="The team's name (or id).")],
    role: Annotated[
        str, typer.Option(help="What the code makes its user: rep, manager or admin.")
    ] = "rep",
    uses: Annotated[int, typer.Option(min=1, max=1000, help="How many people may use it.")] = 1,
    expires: Annotated[
        str | None,
        typer.Option(help="How long it stays valid: 30m, 12h, 7d, 2w (default: no expiry)."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Make an invite code for a team and print how to use it."""
    settings = load_settings()
    url = db or settings.database_url
    granted = parse_role(role)
    if granted is None:
        raise typer.BadParameter("use rep, manager or admin", param_hint="--role")
    try:
        valid_for = parse_duration(expires) if expires is not None else None
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--expires") from error

    async def make() -> MadeInvite:
        engine = create_engine(url)
        try:
            found = await find_team(engine, team)
            made = await make_invite(
                engine, found, granted, now=SystemClock().now(), uses=uses, valid_for=valid_for
            )
            return MadeInvite(found, made)
        finally:
            await engine.dispose()

    with _database_errors(url):
        upgrade(url)
        try:
            made = asyncio.run(make())
        except TeamCliError as error:
            raise _fail(str(error)) from error
    _print_invite(made, settings)


import_app = typer.Typer(help="Import data from CSV files.", no_args_is_help=True)
app.add_typer(import_app, name="import")


@import_app.command("contacts")
def import_contacts_command(
    file: Annotated[Path, typer.Argument(help="The CSV file (from Excel, Google Sheets, a CRM).")],
    team: Annotated[str, typer.Option(help="The team's name (or id) to import into.")],
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="COLUMN=FIELD, repeatable: read a column as a field (name, first_name, "
            "last_name, company, deal_title, deal_stage, deal_amount, deal_currency, "
            "deal_expected_close, deal_owner, email, phone, title, notes), or COLUMN=- to "
            "ignore it. Columns are otherwise recognised by their headings.",
        ),
    ] = None,
    owner: Annotated[
        str | None,
        typer.Option(
            help="The rep who owns imported deals when a row names none (default: the "
            "team's first admin, then manager, then rep)."
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report what would happen; write nothing.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Import contacts, their companies and open deals from a CSV file.

    Merges with what the team has and prints a report row by row. Exit code 0: all rows
    read; 1: some rows were rejected (the others imported); 2: nothing imported.
    """
    from bot.transfer_cli import TransferInputError, import_report, open_contacts_file, run_import
    from storage.transfer import TransferError

    url = db or load_settings().database_url
    try:
        contacts_file = open_contacts_file(file, map_ or [])
    except TransferInputError as error:
        raise _fail(str(error)) from error
    with _database_errors(url):
        upgrade(url)
        try:
            result = run_import(url, contacts_file, team, owner=owner, dry_run=dry_run)
        except TransferError as error:
            raise _fail(str(error)) from error
    for line in import_report(contacts_file, result, dry_run=dry_run):
        typer.echo(line)
    if result.plan.rejected:
        raise typer.Exit(code=1)


@app.command("export")
def export_command(
    directory: Annotated[Path, typer.Argument(help="Where to write the CSV files.")],
    team: Annotated[str, typer.Option(help="The team's name (or id).")],
    db: DbOption = None,
) -> None:
    """Write everything of a team to CSV files that open in Excel.

    contacts.csv (importable back), companies, deals, stage history, activities, reminders
    and reps; UTF-8, times in UTC.
    """
    from bot.transfer_cli import TransferInputError, run_export
    from storage.transfer import TransferError

    url = db or load_settings().database_url
    with _database_errors(url):
        upgrade(url)
        try:
            found, files = run_export(url, team, directory)
        except (TransferError, TransferInputError) as error:
            raise _fail(str(error)) from error
    from handlers.i18n import _, ngettext

    typer.echo(
        _("Exported {team} (id {id}) to {directory}:").format(
            team=found.name, id=found.id, directory=directory
        )
    )
    for exported in files:
        rows = ngettext("{count} row", "{count} rows", exported.rows).format(count=exported.rows)
        typer.echo(f"  {exported.name}: {rows}")


forget_app = typer.Typer(help="Erase personal data on request (GDPR).", no_args_is_help=True)
app.add_typer(forget_app, name="forget")


@forget_app.command("contact")
def forget_contact_command(
    name: Annotated[str, typer.Argument(help="The contact's full name, or #ID.")],
    team: Annotated[str, typer.Option(help="The team's name (or id).")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Erase without asking.")] = False,
    db: DbOption = None,
) -> None:
    """Erase a contact's name and the texts about them for good; activity counts stay."""
    from bot.forget_cli import ForgetError, erase_contact, find_contact
    from handlers.privacy import describe as describe_erasure

    url = db or load_settings().database_url

    async def look_up() -> tuple[Team, Contact, str]:
        engine = create_engine(url)
        try:
            found = await find_team(engine, team)
            return (found, *await find_contact(engine, found, name))
        finally:
            await engine.dispose()

    async def erase(found: Team, contact: Contact) -> Erasure:
        engine = create_engine(url)
        try:
            return await erase_contact(engine, found, contact)
        finally:
            await engine.dispose()

    with _database_errors(url):
        upgrade(url)
        try:
            found, contact, label = asyncio.run(look_up())
        except (TeamCliError, ForgetError) as error:
            raise _fail(str(error)) from error
        if not yes:
            question = (
                f"Erase {label} (#{contact.id}) of {found.name} for good? It cannot be undone."
            )
            try:
                confirmed = typer.confirm(question, default=False)
            except typer.Abort:  # no terminal and no answer: CI, a pipe
                confirmed = False
            if not confirmed:
                raise _fail(
                    "not confirmed, so nothing was erased. Add --yes to erase without asking."
                )
        try:
            erasure = asyncio.run(erase(found, contact))
        except ForgetError as error:
            raise _fail(str(error)) from error
    typer.echo(describe_erasure(contact.id, erasure))


def main() -> None:
    try:
        level = load_settings().log_level
    except SettingsError as error:
        raise SystemExit(f"Error: {error}") from None
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    app()
