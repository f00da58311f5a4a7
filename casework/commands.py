"""Commands for the installation as a whole: set-up, data keys, the demo world. Each area
keeps its own commands (`accounts/commands.py`, `matches/commands.py`...); the app factory
registers them all."""

from __future__ import annotations

import secrets

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from flask_migrate import upgrade
from sqlalchemy import func, select

from casework.accounts import services as accounts
from casework.accounts.models import Agency, AgencyKind, Role, User
from casework.audit.services import AuditAction, append
from casework.console import act_as_cli, fail
from casework.db import db, transaction
from casework.demo import build_world
from casework.demo.review import REPATRIATIONS_COMPLETE, REPATRIATIONS_OPEN
from casework.errors import CaseworkError
from casework.key_rotation import census, reencrypt, rotate
from casework.keystore import DataKey, add_data_key, forget_keyring
from casework.matches.models import CandidateStatus

keys = AppGroup("keys", help="Data encryption keys: create, rotate, inspect.")


def ensure_data_key() -> bool:
    if db.session.scalar(select(func.count()).select_from(DataKey)):
        return False
    with transaction():
        add_data_key(current_app.config["MASTER_KEY"])
    forget_keyring()
    return True


@keys.command("init")
def keys_init() -> None:
    """Create the first data key if none exists."""
    click.echo("Created data key version 1." if ensure_data_key() else "A data key exists already.")


@keys.command("rotate")
@click.option("--resume", is_flag=True, help="Finish an interrupted rotation without adding a key.")
@click.option("--batch", type=click.IntRange(1, 100000), default=None, help="Rows per transaction.")
def keys_rotate(resume: bool, batch: int | None) -> None:
    """Add a data-key version and re-encrypt all personal data under it, in batches."""
    act_as_cli("keys rotate")
    size = batch or current_app.config["KEY_ROTATION_BATCH"]
    step = reencrypt if resume else rotate
    report = step(size, lambda table, n: click.echo(f"  {table}: {n} rows checked", err=True))
    with transaction():
        append(
            db.session,
            AuditAction.KEYS,
            details={
                "event": "resumed" if resume else "rotated",
                "version": report.version,
                "rewritten": report.rewritten,
            },
        )
    click.echo(
        f"Active key version {report.version}: {report.rewritten} values re-encrypted"
        + (
            f", {report.skipped_changed} changed meanwhile (already current)."
            if report.skipped_changed
            else "."
        )
    )


@keys.command("status")
def keys_status() -> None:
    """How many encrypted values each key version protects."""
    versions = db.session.scalars(select(DataKey).order_by(DataKey.version)).all()
    if not versions:
        click.echo("No data key yet: run `casework keys init`.")
        return
    click.echo(f"Active version: {versions[-1].version}")
    for (table, version), count in sorted(census().items()):
        click.echo(f"  {table}: {count} values under version {version}")


@click.command("setup")
@with_appcontext
@click.option("--agency-code", default="LOCAL", show_default=True)
@click.option("--agency-name", default="Local forensic office", show_default=True)
@click.option(
    "--country", default="USA", show_default=True, help="ISO 3166 alpha-3 of this authority."
)
@click.option("--admin-email", default="admin@casework.local", show_default=True)
@click.option(
    "--admin-password",
    envvar="CASEWORK_ADMIN_PASSWORD",
    default=None,
    help="Default: a random one, printed once.",
)
def setup(
    agency_code: str, agency_name: str, country: str, admin_email: str, admin_password: str | None
) -> None:
    """Build or upgrade the database, create the data key and a first (system) administrator."""
    act_as_cli("setup")
    upgrade()
    if ensure_data_key():
        click.echo("Created the first data encryption key.")
    if db.session.scalar(select(func.count()).select_from(User)):
        click.echo("Accounts exist already; nothing else to do.")
        return
    try:
        agency = db.session.scalar(select(Agency).where(Agency.code == agency_code.upper())) or (
            accounts.create_agency(agency_code, country, agency_name, AgencyKind.MEDICAL_EXAMINER)
        )
        password = admin_password or secrets.token_urlsafe(12)
        accounts.create_user(
            agency=agency,
            email=admin_email,
            display_name="System administrator",
            role=Role.SYSTEM_ADMINISTRATOR,
            password=password,
        )
    except CaseworkError as error:
        fail(error)
    click.echo(f"First administrator: {admin_email} (system administrator)")
    if not admin_password:
        click.echo(f"Password (shown once): {password}")


@click.command("demo")
@with_appcontext
@click.option(
    "--cases",
    type=click.IntRange(10, 20000),
    default=300,
    show_default=True,
    help="Missing persons, and as many remains.",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same world.")
@click.option(
    "--password",
    envvar="CASEWORK_DEMO_PASSWORD",
    default=None,
    help="Shared by every demo account (12+ characters). Default: a random one, printed once.",
)
def demo(cases: int, seed: int, password: str | None) -> None:
    """Fill an empty database with a synthetic world: agencies, accounts, cases, candidates."""
    act_as_cli("demo")
    ensure_data_key()
    chosen = password or secrets.token_urlsafe(12)
    try:
        world = build_world(cases, seed, chosen)
    except CaseworkError as error:
        fail(error)
    stages = world.stages
    repatriations = stages[REPATRIATIONS_OPEN] + stages[REPATRIATIONS_COMPLETE]
    click.echo(
        f"Demo world: {world.missing} missing persons, {world.remains} remains, "
        f"{world.candidates} candidates ({stages[CandidateStatus.EXCLUDED]} excluded, "
        f"{stages[CandidateStatus.IDENTIFICATION_PROPOSED]} identifications proposed, "
        f"{stages[CandidateStatus.CONFIRMED]} confirmed), "
        f"{repatriations} repatriations ({stages[REPATRIATIONS_COMPLETE]} complete)."
    )
    click.echo("Demo accounts:")
    width = max(len(account.email) for account in world.accounts)
    for account in world.accounts:
        click.echo(f"  {account.email:<{width}}  {account.role.value:<18}  {account.agency}")
    if password:
        click.echo("Every demo account uses the password you gave.")
    else:
        click.echo(f"Password of every demo account (shown once): {chosen}")
