"""`casework import` and `casework export`: legacy case files in, interchange CSV out."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import true

from casework.accounts.models import Agency
from casework.bulk.interchange import KINDS
from casework.bulk.services import MODELS, ImportReport, export_cases, import_file
from casework.console import act_as_cli, progress_bar
from casework.db import db
from casework.errors import CaseworkError
from casework.private_files import open_private


def print_report(report: ImportReport) -> None:
    for problem in report.problems:
        where = f"row {problem.row}" if problem.row else "file"
        column = f", column {problem.column}" if problem.column else ""
        click.echo(f"Problem: {where}{column}: {problem.reason}", err=True)
    for duplicate in report.duplicates:
        click.echo(
            f"Likely duplicate: row {duplicate.row} (ref {duplicate.ref}) and {duplicate.other}: "
            f"{duplicate.reason}"
        )
    unlisted = report.duplicates_total - len(report.duplicates)
    if unlisted > 0:
        click.echo(f"… and {unlisted} more likely duplicates not listed.")


@click.command("import")
@with_appcontext
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--agency", "agency_code", required=True, help="Code of the agency the cases join.")
@click.option("--dry-run", is_flag=True, help="Check every row and report; write nothing.")
@click.option(
    "--rematch/--no-rematch",
    default=True,
    show_default=True,
    help="Recompute the candidates of every open case after the import.",
)
def import_command(kind: str, path: Path, agency_code: str, dry_run: bool, rematch: bool) -> None:
    """Import legacy cases from a CSV or XLSX file (case interchange columns): all or nothing;
    rows whose ref the agency already holds are skipped."""
    act_as_cli(f"import {kind}")
    try:
        with progress_bar("Checking" if dry_run else "Importing") as progress:
            report = import_file(kind, path, agency_code, dry_run=dry_run, progress=progress)
    except CaseworkError as error:
        click.echo(f"Error: {error.message}", err=True)
        sys.exit(2)
    print_report(report)
    if not report.ok:
        click.echo(
            f"{len(report.problems)} problem(s) in {report.rows} rows: nothing imported.", err=True
        )
        sys.exit(1)
    flagged = (
        f"; {report.duplicates_total} likely duplicate(s) flagged"
        if report.duplicates_total
        else ""
    )
    if dry_run:
        click.echo(
            f"Dry run: {report.rows} rows are valid; {report.new} would be imported, "
            f"{report.already_imported} are already imported{flagged}. Nothing was written."
        )
        return
    click.echo(
        f"Imported {report.imported} {kind} cases for {report.agency}; "
        f"{report.already_imported} already imported were skipped{flagged}."
    )
    if report.imported and rematch:
        from casework.matches.services import rematch_all

        with progress_bar("Re-matching") as progress:
            stored = rematch_all(progress)
        click.echo(f"{stored} candidates stored.")
    elif report.imported:
        click.echo("Run `casework candidates rematch` to propose candidates for the new cases.")


@click.command("export")
@with_appcontext
@click.argument("kind", type=click.Choice(KINDS))
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Where to write the CSV.",
)
@click.option("--agency", "agency_code", default=None, help="Only this agency's cases.")
@click.option("--status", default=None, help="Only cases with this status.")
def export_command(kind: str, out_path: Path, agency_code: str | None, status: str | None) -> None:
    """Export cases as interchange CSV (personal data in clear: the export is audited)."""
    act_as_cli(f"export {kind}")
    model = MODELS[kind]
    condition = true()
    if agency_code:
        agency = db.session.query(Agency).filter_by(code=agency_code.upper()).one_or_none()
        if agency is None:
            click.echo(f"Error: no agency has the code {agency_code}.", err=True)
            sys.exit(2)
        condition = condition & (model.agency_id == agency.id)
    if status:
        statuses = {item.value for item in model.status.type.enum_class}
        if status not in statuses:
            click.echo(f"Error: the status is one of {', '.join(sorted(statuses))}.", err=True)
            sys.exit(2)
        condition = condition & (model.status == status)
    filters = {"agency": agency_code, "status": status}
    # personal data in clear: readable by the operator alone
    with open_private(out_path, encoding="utf-8", newline="") as handle:
        count = export_cases(kind, condition, handle, filters)
    click.echo(f"{count} {kind} cases written to {out_path}.")
