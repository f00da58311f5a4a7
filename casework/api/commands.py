"""`casework tokens create`: issue a personal API token from the command line."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from casework.accounts.models import User
from casework.api.services import issue_token, parse_scopes
from casework.console import act_as_cli
from casework.db import db
from casework.errors import CaseworkError

tokens = AppGroup("tokens", help="Personal API tokens.")


@tokens.command("create")
@click.option("--email", required=True, help="The account the token acts as.")
@click.option("--name", required=True, help="What the token is for.")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(["read", "write"]),
    default=("read",),
    show_default=True,
    help="Repeat for both.",
)
@click.option(
    "--days", type=int, default=None, help="Expire after this many days (default: never)."
)
def create(email: str, name: str, scopes: tuple[str, ...], days: int | None) -> None:
    """Create a token and print its secret once (only a hash is kept)."""
    act_as_cli("tokens create")
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or not user.is_active:
        click.echo(f"Error: no active account has the e-mail {email}.", err=True)
        sys.exit(2)
    try:
        issued = issue_token(user, name, parse_scopes(list(scopes)), days)
    except CaseworkError as error:
        click.echo(f"Error: {error.message}", err=True)
        sys.exit(2)
    click.echo(f"Token for {user.email} ({', '.join(sorted(scopes))}), shown once:")
    click.echo(issued.secret)
