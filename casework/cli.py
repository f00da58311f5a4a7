"""The `casework` console script: Flask's CLI with our commands (`casework --help`)."""

from __future__ import annotations

import sys

import click
from flask.cli import FlaskGroup

from casework import create_app
from casework.kinship_commands import kinship
from casework.server import serve
from config import ConfigurationError, load_settings


def build_cli() -> FlaskGroup:
    """The command group. Commands that need no app (`kinship`, on a laboratory's files) are
    added to the group itself, so they run without a database, keys or an instance folder."""
    group = FlaskGroup(
        create_app=lambda: create_app(), help="Missing-migrant search and forensic case management."
    )
    group.add_command(kinship)
    group.add_command(serve)  # gunicorn builds the app in each of its processes
    return group


def main() -> None:
    group = build_cli()
    # kinship reads a laboratory's files and needs no settings; every other command does
    if sys.argv[1:2] != [kinship.name]:
        try:
            load_settings()  # checked before any command: an unusable setting is one sentence
        except ConfigurationError as error:
            click.echo(f"Error: the configuration cannot be used. {error}", err=True)
            sys.exit(2)
    group()
