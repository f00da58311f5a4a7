"""The `casework` console script: Flask's CLI with our commands (`casework --help`)."""

from __future__ import annotations

import sys

import click
from flask.cli import FlaskGroup

from casework import create_app


def main() -> None:
    from config import ConfigurationError, load_settings

    try:
        load_settings()  # checked before any command: an unusable setting is one sentence
    except ConfigurationError as error:
        click.echo(f"Error: the configuration cannot be used. {error}", err=True)
        sys.exit(2)
    FlaskGroup(
        create_app=lambda: create_app(), help="Missing-migrant search and forensic case management."
    )()
