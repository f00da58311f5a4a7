"""`casework users`: accounts from the command line."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from casework.accounts import services as accounts
from casework.accounts.models import Agency, Role
from casework.console import act_as_cli, fail
from casework.db import db
from casework.errors import CaseworkError

users = AppGroup("users", help="Accounts.")


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--agency", "agency_code", required=True, help="Agency code.")
@click.password_option(help="At least 12 characters.")
def users_create(email: str, display_name: str, role: str, agency_code: str, password: str) -> None:
    """Create an account."""
    act_as_cli("users create")
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
        fail(error)
    click.echo(f"Created {email} ({role}).")
