"""`casework audit`: check the hash chain of the audit trail, and print its end to keep apart
(the verification page does the same check as a background job)."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from casework.audit.services import chain_head
from casework.audit.verification import check_trail, parse_anchor
from casework.db import db

audit = AppGroup("audit", help="The audit trail.")


def _parse_anchor(value: str | None) -> tuple[int, bytes] | None:
    if value is None:
        return None
    try:
        return parse_anchor(value)
    except ValueError:
        raise click.BadParameter(
            "give the anchor as `casework audit anchor` printed it: the entry number, a colon "
            "and 64 hexadecimal digits.",
            param_hint="--anchor",
        ) from None


@audit.command("verify")
@click.option(
    "--anchor",
    default=None,
    metavar="SEQ:HASH",
    help="An anchor printed earlier by `casework audit anchor` and kept apart from the database.",
)
def audit_verify(anchor: str | None) -> None:
    """Check the hash chain of the audit trail, that none of its end was cut off, and the anchor
    when one is given; then that every custody event and status change is the one the chain
    recorded and every case has the status the chain last recorded. Exit 1 on any problem."""
    found = check_trail(_parse_anchor(anchor))
    for problem in found.chain:
        click.echo(f"Entry {problem.seq}: {problem.reason}")
    for row in found.rows:
        click.echo(f"{row.kind} {row.object_id}: {row.reason}")
    if found.problems:
        click.echo(
            f"Audit trail DAMAGED: {found.problems} problem(s) in {found.entries} entries "
            "and the rows they vouch for."
        )
        sys.exit(1)
    click.echo(
        f"Audit trail intact: {found.entries} entries verified, with the custody events, status "
        "changes and case statuses they vouch for."
    )


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
