"""What a process needs before it can serve: the database, its schema at the newest migration,
and data keys the master key unwraps. Each check answers None when ready, else the reason (for
operators and load balancers, in English: nothing of a case, nothing of a user)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from alembic.config import Config
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import text

from casework import ROOT
from casework.db import db
from casework.keystore import load_keyring


@cache
def migration_heads() -> frozenset[str]:
    """The newest revisions the code carries (read once: they change only with the code)."""
    config = Config()
    config.set_main_option("script_location", str(ROOT / "casework" / "migrations"))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def database_reachable() -> str | None:
    # each check that may fail a statement takes its own connection: the request's session
    # stays clean, with nothing to roll back
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        return f"the database cannot be reached ({type(error).__name__})"
    return None


def migrations_at_head() -> str | None:
    try:
        with db.engine.connect() as connection:
            applied = frozenset(
                connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
            )
    except Exception:
        return "the database has no schema yet: run `casework setup` or `casework db upgrade`"
    expected = migration_heads()
    if applied != expected:
        return (
            f"the database schema is at {', '.join(sorted(applied)) or 'nothing'}, the code at "
            f"{', '.join(sorted(expected))}: run `casework db upgrade`"
        )
    return None


def keys_present() -> str | None:
    try:
        load_keyring(current_app.config["MASTER_KEY"])
    except Exception as error:
        name = type(error).__name__
        if name == "SetupError":
            return "no data encryption key exists yet: run `casework setup`"
        return f"the master key does not unwrap the stored data keys ({name})"
    return None


CHECKS: dict[str, Callable[[], str | None]] = {
    "database": database_reachable,
    "migrations": migrations_at_head,
    "keys": keys_present,
}


def readiness() -> dict[str, str]:
    """The checks that failed, by name, with their reasons; empty when the process is ready.
    Once the database is unreachable the checks that read it are not run."""
    problems: dict[str, str] = {}
    for name, check in CHECKS.items():
        reason = check()
        if reason is not None:
            problems[name] = reason
            if name == "database":
                break
    return problems
