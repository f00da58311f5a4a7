"""Command-line commands: set-up, accounts, keys, audit verification."""

from __future__ import annotations

import secrets
import sys

import click
from flask import Flask, current_app, g
from flask.cli import AppGroup, with_appcontext
from flask_migrate import upgrade
from sqlalchemy import func, select

from casework.accounts import services as accounts
from casework.accounts.models import Agency, AgencyKind, Role, User
from casework.audit.services import Actor, AuditAction, append, chain_head, verify_chain
from casework.db import db, transaction
from casework.demo import build_world
from casework.errors import CaseworkError
from casework.key_rotation import census, reencrypt, rotate
from casework.keystore import DataKey, add_data_key, audit_chain_key, forget_keyring

keys = AppGroup("keys", help="Data encryption keys: create, rotate, inspect.")
audit = AppGroup("audit", help="The audit trail.")
users = AppGroup("users", help="Accounts.")


def _as_cli(command: str) -> None:
    g.audit_actor = Actor(None, f"cli:{command}", None, None)


def _fail(error: CaseworkError) -> None:
    click.echo(f"Error: {error.message}", err=True)
    sys.exit(2)


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
    _as_cli("keys rotate")
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


def _parse_anchor(value: str | None) -> tuple[int, bytes] | None:
    if value is None:
        return None
    seq, _, digest = value.strip().partition(":")
    try:
        parsed = (int(seq), bytes.fromhex(digest))
    except ValueError:
        parsed = None
    if parsed is None or parsed[0] < 1 or len(parsed[1]) != 32:
        raise click.BadParameter(
            "give the anchor as `casework audit anchor` printed it: the entry number, a colon "
            "and 64 hexadecimal digits.",
            param_hint="--anchor",
        )
    return parsed


@audit.command("verify")
@click.option(
    "--anchor",
    default=None,
    metavar="SEQ:HASH",
    help="An anchor printed earlier by `casework audit anchor` and kept apart from the database.",
)
def audit_verify(anchor: str | None) -> None:
    """Check the hash chain of the audit trail, that none of its end was cut off, and the anchor
    when one is given; exit 1 if any entry was changed or removed."""
    count, problems = verify_chain(db.session, audit_chain_key(), _parse_anchor(anchor))
    for problem in problems:
        click.echo(f"Entry {problem.seq}: {problem.reason}")
    if problems:
        click.echo(f"Audit trail DAMAGED: {len(problems)} problem(s) in {count} entries.")
        sys.exit(1)
    click.echo(f"Audit trail intact: {count} entries verified.")


@audit.command("anchor")
def audit_anchor() -> None:
    """Print the chain's end (entry number and hash) to keep apart from the database, in a log,
    a ticket or on paper; `casework audit verify --anchor` later proves nothing up to it was
    removed or changed."""
    seq, digest = chain_head(db.session)
    if seq == 0:
        click.echo("The audit trail is empty: nothing to anchor yet.")
        return
    click.echo(f"{seq}:{digest.hex()}")


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--agency", "agency_code", required=True, help="Agency code.")
@click.password_option(help="At least 12 characters.")
def users_create(email: str, display_name: str, role: str, agency_code: str, password: str) -> None:
    """Create an account."""
    _as_cli("users create")
    agency = db.session.scalar(select(Agency).where(Agency.code == agency_code.upper()))
    if agency is None:
        click.echo(f"Error: no agency has the code {agency_code}.", err=True)
        sys.exit(2)
    try:
        accounts.create_user(
            agency=agency,
            email=email,
            display_name=display_name,
            role=Role(role),
            password=password,
        )
    except CaseworkError as error:
        _fail(error)
    click.echo(f"Created {email} ({role}).")


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
    _as_cli("setup")
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
        _fail(error)
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
    _as_cli("demo")
    ensure_data_key()
    chosen = password or secrets.token_urlsafe(12)
    try:
        world = build_world(cases, seed, chosen)
    except CaseworkError as error:
        _fail(error)
    stages = world.stages
    click.echo(
        f"Demo world: {world.missing} missing persons, {world.remains} remains, "
        f"{world.candidates} candidates ({stages['excluded']} excluded, "
        f"{stages['identification_proposed']} identifications proposed, "
        f"{stages['confirmed']} confirmed), "
        f"{stages['repatriations_open'] + stages['repatriations_complete']} repatriations "
        f"({stages['repatriations_complete']} complete)."
    )
    click.echo("Demo accounts:")
    width = max(len(account.email) for account in world.accounts)
    for account in world.accounts:
        click.echo(f"  {account.email:<{width}}  {account.role.value:<18}  {account.agency}")
    if password:
        click.echo("Every demo account uses the password you gave.")
    else:
        click.echo(f"Password of every demo account (shown once): {chosen}")


def register(app: Flask) -> None:
    from casework.api.commands import tokens
    from casework.backup import backup_command, restore_command
    from casework.bulk.commands import export_command, import_command
    from casework.exchanges.commands import exchange
    from casework.matching_commands import candidates, match

    for command in (
        keys,
        audit,
        users,
        setup,
        demo,
        match,
        candidates,
        exchange,
        import_command,
        export_command,
        backup_command,
        restore_command,
        tokens,
    ):
        app.cli.add_command(command)
