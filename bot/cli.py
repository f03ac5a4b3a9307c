"""The ``crmbot`` command line."""

from __future__ import annotations

import asyncio
import getpass
import logging
import sys
from typing import Annotated

import typer

from bot.console import ConsoleSession, run_console
from bot.runtime import open_runtime
from bot.settings import Settings, check_timezone, local_timezone
from handlers.assistant import CoreConfig
from storage.database import DatabaseUrlError, describe
from storage.migrate import upgrade

app = typer.Typer(
    help="crmbot: log meetings, calls and callbacks to your CRM from a chat.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Manage the database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (default: $DATABASE_URL, else sqlite:///crmbot.db here).",
        show_default=False,
    ),
]


def _settings() -> Settings:
    try:
        return Settings()
    except ValueError as error:
        raise typer.BadParameter(str(error)) from error


def _fail(message: str) -> typer.Exit:
    typer.secho(f"Error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code=2)


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
            help="Your IANA time zone, e.g. Europe/Bucharest (default: this machine's).",
            callback=_timezone_option,
        ),
    ] = None,
    lang: Annotated[
        str | None, typer.Option(help="Your language code: en, ro, pl, bg, es, ru.")
    ] = None,
) -> None:
    """Chat with the bot in this terminal. Reads one message a line; [N] presses button N."""
    settings = _settings()
    url = db or settings.database_url
    name = user or getpass.getuser()
    timezone = tz or settings.default_timezone or local_timezone()
    config = CoreConfig(default_timezone=timezone, default_language=lang or "en")

    async def chat() -> None:
        async with open_runtime(url, config) as runtime:
            session = ConsoleSession(runtime.assistant, name, timezone, lang)
            await run_console(session, sys.stdin, sys.stdout)

    try:
        asyncio.run(chat())
    except DatabaseUrlError as error:
        raise _fail(str(error)) from error
    except KeyboardInterrupt:
        typer.echo()


@db_app.command("upgrade")
def db_upgrade(
    db: DbOption = None,
    revision: Annotated[str, typer.Option(help="Target revision.")] = "head",
) -> None:
    """Apply the database migrations (safe to run again)."""
    url = db or _settings().database_url
    try:
        upgrade(url, revision)
    except DatabaseUrlError as error:
        raise _fail(str(error)) from error
    typer.echo(f"Database {describe(url)} is at revision {revision}.")


def main() -> None:
    logging.basicConfig(
        level=_settings().log_level.upper(), format="%(levelname)s %(name)s: %(message)s"
    )
    app()
