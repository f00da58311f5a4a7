"""The `casework` console script: Flask's CLI with our commands (`casework --help`)."""

from __future__ import annotations

from flask.cli import FlaskGroup

from casework import create_app
from casework.kinship_commands import kinship


def build_cli() -> FlaskGroup:
    """The command group. Commands that need no app (`kinship`, on a laboratory's files) are
    added to the group itself, so they run without a database, keys or an instance folder."""
    group = FlaskGroup(
        create_app=lambda: create_app(), help="Missing-migrant search and forensic case management."
    )
    group.add_command(kinship)
    return group


def main() -> None:
    build_cli()()
