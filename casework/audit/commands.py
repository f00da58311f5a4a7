"""`casework audit verify`: check the hash chain of the audit trail."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from casework.audit.services import verify_chain
from casework.db import db
from casework.keystore import audit_chain_key

audit = AppGroup("audit", help="The audit trail.")


@audit.command("verify")
def audit_verify() -> None:
    """Check the hash chain of the audit trail; exit 1 if any entry was changed or removed."""
    count, problems = verify_chain(db.session, audit_chain_key())
    for problem in problems:
        click.echo(f"Entry {problem.seq}: {problem.reason}")
    if problems:
        click.echo(f"Audit trail DAMAGED: {len(problems)} problem(s) in {count} entries.")
        sys.exit(1)
    click.echo(f"Audit trail intact: {count} entries verified.")
