"""The `casework` console script: Flask's CLI with our commands (`casework --help`)."""

from __future__ import annotations

from flask.cli import FlaskGroup

from casework import create_app


def main() -> None:
    FlaskGroup(
        create_app=lambda: create_app(), help="Missing-migrant search and forensic case management."
    )()
