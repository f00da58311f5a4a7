"""`casework match` on partners' CSV files (no database), and `casework candidates` over the
open cases."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from casework.clock import now
from casework.console import progress_bar
from matching import CandidateIndex, MatchingError, MatchSettings, match_files

candidates = AppGroup(
    "candidates", help="Candidate matches between the open cases in the database."
)


@click.command("match")
@click.option(
    "--missing",
    "missing_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Missing-person CSV (case interchange columns).",
)
@click.option(
    "--remains",
    "remains_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Remains CSV (case interchange columns).",
)
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Where to write the candidates CSV.",
)
@click.option(
    "--top",
    "top_k",
    default=10,
    show_default=True,
    type=click.IntRange(1, 1000),
    help="Most candidates per remains.",
)
@click.option(
    "--reported-share",
    type=click.FloatRange(0.0, 1.0, min_open=True),
    default=None,
    help="Share of remains whose person is ever reported, the prior of the probabilities "
    "(default: CASEWORK_MATCH_REPORTED_SHARE, else CASEWORK_MATCH_REPORTED_SHARE_DEFAULT: "
    "files carry no history to estimate it from).",
)
@with_appcontext
def match(
    missing_path: Path, remains_path: Path, out_path: Path, top_k: int, reported_share: float | None
) -> None:
    """Match remains against missing persons from two CSV files; no database needed."""
    config = current_app.config
    share = (
        reported_share or config["MATCH_REPORTED_SHARE"] or config["MATCH_REPORTED_SHARE_DEFAULT"]
    )
    index = CandidateIndex(settings=MatchSettings(reported_share=float(share)))
    try:
        with progress_bar("Matching") as progress:
            report = match_files(
                missing_path,
                remains_path,
                out_path,
                top_k=top_k,
                as_of=now().date(),
                index=index,
                progress=progress,
            )
    except (MatchingError, UnicodeDecodeError, OSError) as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(2)
    for label, errors in (("missing", report.missing_errors), ("remains", report.remains_errors)):
        for error in errors:
            click.echo(
                f"Skipped {label} row {error.row}, column {error.column}: {error.reason}", err=True
            )
    click.echo(
        f"{report.candidates} candidates for {report.remains_read} remains against "
        f"{report.missing_read} missing persons written to {out_path}"
        + (
            f"; {len(report.missing_errors) + len(report.remains_errors)} bad rows skipped."
            if report.missing_errors or report.remains_errors
            else "."
        )
    )


@candidates.command("rematch")
def rematch() -> None:
    """Recompute the candidates of every open case."""
    from casework.matches.services import rematch_all

    with progress_bar("Re-matching") as progress:
        stored = rematch_all(progress)
    click.echo(f"{stored} candidates stored.")


@candidates.command("refresh-pending")
def refresh_pending() -> None:
    """Recompute the candidates of the cases whose recomputation after a save failed."""
    from casework.matches.services import refresh_pending as run

    done, failed = run()
    click.echo(f"{done} cases brought up to date; {failed} still failing (see the log).")
    if failed:
        sys.exit(1)


@candidates.command("reestimate")
@click.option(
    "--smoothing", default=100.0, show_default=True, type=click.FloatRange(min=0, min_open=True)
)
def reestimate(smoothing: float) -> None:
    """Re-estimate the engine's weights from the pairs officers confirmed and excluded."""
    from casework.matches.services import reestimate_weights

    stored = reestimate_weights(smoothing)
    click.echo(
        f"New weights from {stored.confirmed_pairs} confirmed and "
        f"{stored.excluded_pairs} excluded pairs "
        "are in use from now on."
    )
