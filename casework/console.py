"""What the console commands share: who they act as in the audit trail, how they refuse, and a
progress bar."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NoReturn

import click
from flask import g
from tqdm import tqdm

from casework.audit.services import Actor
from casework.errors import CaseworkError


def act_as_cli(command: str) -> None:
    """Audit what follows as done by this console command (no account, no address)."""
    g.audit_actor = Actor(None, f"cli:{command}", None, None)


def fail(error: CaseworkError) -> NoReturn:
    """Print the refusal for the operator and exit with status 2 (bad input)."""
    click.echo(f"Error: {error.message}", err=True)
    sys.exit(2)


@contextmanager
def progress_bar(label: str, unit: str = "case") -> Iterator[Callable[[int, int], None]]:
    """A progress bar on a terminal, counting `unit`s; silence when the output is a file or a
    pipe (a log, a cron job's mail)."""
    if not sys.stderr.isatty():
        yield lambda done, total: None
        return
    bar = tqdm(total=0, desc=label, unit=unit, file=sys.stderr)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    try:
        yield update
    finally:
        bar.close()


__all__ = ["act_as_cli", "fail", "progress_bar"]
