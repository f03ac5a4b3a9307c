"""Applying the Alembic migrations from code (the CLI and the bot's start-up use this).

Every start of the bot asks for the newest schema. When the database already has it, the
answer comes from one read of ``alembic_version`` and the revision ids written in the
migration files, without importing Alembic (and Mako, Pygments, the DDL of every dialect)
or running its environment: that took about a second of a bot's start on this machine.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, pool, text

from storage.database import ensure_sqlite_directory, sync_url

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser treats % specially; a password may contain one.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` up to ``revision`` (idempotent)."""
    ensure_sqlite_directory(url)
    if revision == "head" and is_at_head(url):
        return
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def revision(url: str, message: str) -> None:
    """Autogenerate a new migration from the models (for developers)."""
    from alembic import command

    command.revision(alembic_config(url), message=message, autogenerate=True)


def is_at_head(url: str) -> bool:
    """Whether the database's revisions are exactly the migrations' heads. False whenever
    that is not certain (no version table, files Alembic would have to read itself, no
    connection), so the caller runs Alembic, which upgrades or reports the problem."""
    heads = script_heads()
    if heads is None:
        return False
    engine = create_engine(sync_url(url), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version"))
            current = {version for (version,) in rows}
    except Exception:  # no version table yet, or no database: Alembic will say which
        return False
    finally:
        engine.dispose()
    return current == heads


def script_heads(versions: Path = MIGRATIONS / "versions") -> set[str] | None:
    """The head revisions of the migration files, read from their ``revision`` and
    ``down_revision`` assignments without importing them; None if a file does not spell
    them as plain literals (Alembic then decides)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in versions.glob("*.py"):
        values = _literal_assignments(path, ("revision", "down_revision"))
        revision = values.get("revision")
        if not isinstance(revision, str) or "down_revision" not in values:
            return None
        down = values["down_revision"]
        if down is None:
            pass
        elif isinstance(down, str):
            parents.add(down)
        elif isinstance(down, tuple) and all(isinstance(item, str) for item in down):
            parents.update(down)  # a merge of branches
        else:
            return None
        revisions.add(revision)
    return (revisions - parents) or None


def _literal_assignments(path: Path, names: tuple[str, ...]) -> dict[str, object]:
    """Module-level ``name = literal`` / ``name: type = literal`` assignments of a file."""
    found: dict[str, object] = {}
    for node in ast.parse(path.read_text(encoding="utf-8"), str(path)).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id in names:
            try:
                found[target.id] = ast.literal_eval(value)
            except ValueError:
                return {}
    return found
