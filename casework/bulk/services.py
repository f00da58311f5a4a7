"""Bulk import of legacy cases (all or nothing, idempotent) and export of cases, both in the
case interchange columns.

An import reads its file twice, never holding it whole: the first pass checks every row and
notes likely duplicates; only when no row is wrong does the second pass (parsing the rows
again, and making sure the file reads the same) insert the cases in batches of multi-row
INSERTs inside one transaction.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect, select
from sqlalchemy.orm import selectinload

from casework.accounts.models import Agency
from casework.audit.services import AuditAction, append, chain_staged, record, stage_created
from casework.bulk.interchange import (
    CheckedRow,
    build_case,
    case_row,
    check_row,
    export_columns,
    header_problems,
    parse_checked_row,
)
from casework.bulk.sources import FileProblem, check_file, read_rows
from casework.cases.models import CaseKind
from casework.cases.references import next_references
from casework.clock import now
from casework.db import db, transaction
from casework.errors import ValidationError
from casework.matches.records import birth_parts
from casework.matches.services import OPEN_MISSING, OPEN_REMAINS
from casework.missing.models import MissingPerson
from casework.personal_data import NameToken, name_token_rows
from casework.remains.models import UnidentifiedRemains
from matching import BlockedNameSearch, MissingRecord, RemainsRecord, RowError, name_keys

Progress = Callable[[int, int], None]
MODELS: dict[str, Any] = {CaseKind.MISSING: MissingPerson, CaseKind.REMAINS: UnidentifiedRemains}
PREFIXES = {CaseKind.MISSING: "MP", CaseKind.REMAINS: "UR"}
BATCH = 500
# names of open cases a row's name is compared with at most (those sharing its rarest keys)
FUZZY_CANDIDATES = 500
FUZZY_MIN_SCORE = 90.0
# common names would otherwise flag every pair of thousands of rows: a few flags a row, the
# latest few rows a name, and a bounded list in the report (the total is still counted)
_FLAGS_PER_ROW = 5
_ROWS_PER_KEY = 20
MAX_LISTED_DUPLICATES = 2000
_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Duplicate:
    """A row that likely reports a person (or remains) already in the file or the database."""

    row: int
    ref: str
    other: str  # "row 12 ()" or a case reference
    reason: str


@dataclass
class ImportReport:
    kind: str
    agency: str
    dry_run: bool
    rows: int = 0
    new: int = 0
    already_imported: int = 0
    imported: int = 0
    problems: list[RowError] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    duplicates_total: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Person:
    row: int
    ref: str
    sex: str
    year: int | None


def _agency(code: str) -> Agency:
    agency = db.session.scalar(select(Agency).where(Agency.code == (code or "").strip().upper()))
    if agency is None:
        raise ValidationError(_l("No agency has the code %(code)s.", code=code), field="agency")
    return agency


def _kind(kind: str) -> Any:
    if kind not in MODELS:
        raise ValidationError(_l("Say what the file holds: missing or remains."), field="kind")
    return MODELS[kind]


def _compatible(first: _Person, second: _Person) -> bool:
    if "U" not in (first.sex, second.sex) and first.sex != second.sex:
        return False
    return first.year is None or second.year is None or abs(first.year - second.year) <= 2


def _person(record: MissingRecord | RemainsRecord, row: int) -> _Person:
    if isinstance(record, MissingRecord):
        year = record.birth_year or (record.birth_date.year if record.birth_date else None)
    else:
        year = None
    return _Person(row, record.ref, record.sex.value, year)


def _names(record: MissingRecord | RemainsRecord) -> list[str]:
    if isinstance(record, MissingRecord):
        full = " ".join([*record.given_names, *record.surnames])
        return [name for name in (full, *record.aliases) if name.strip()]
    return [name for name in record.document_names if name.strip()]


def _name_key(name: str) -> str:
    return " ".join(sorted(name_keys(name)))


def _place_key(record: RemainsRecord) -> str | None:
    if record.found_date is None or record.found_lat is None or record.found_lon is None:
        return None
    # same day, within about a hundred metres
    return f"{record.found_date}|{record.found_lat:.3f}|{record.found_lon:.3f}"


class _DuplicateFinder:
    """Likely duplicates inside the file (names folding to the same keys, or for remains the
    same recovery day and place) and against the agency's open cases (the matching library's
    fuzzy name search, blocked on name keys so that it stays linear in the rows)."""

    def __init__(self, kind: str, agency_id: int) -> None:
        self.kind = kind
        self.found: list[Duplicate] = []
        self.total = 0
        self._seen: dict[str, list[_Person]] = defaultdict(list)
        model = MODELS[kind]
        statuses = OPEN_MISSING if kind == CaseKind.MISSING else OPEN_REMAINS
        cases = db.session.scalars(
            select(model).where(model.agency_id == agency_id, model.status.in_(statuses))
        )
        self._existing: dict[str, _Person] = {}
        self._existing_keys: dict[str, list[str]] = defaultdict(list)
        people: list[tuple[str, list[str]]] = []
        for case in cases:
            names = _case_names(case)
            if kind == CaseKind.MISSING:
                _, year = birth_parts(case.birth_date)
                full_date, _ = birth_parts(case.birth_date)
                year = year or (full_date.year if full_date else None)
                sex = case.sex.value
            else:
                year, sex = None, case.estimated_sex.value
            self._existing[case.reference] = _Person(0, case.reference, sex, year)
            people.append((case.reference, names))
            for name in names:
                self._existing_keys[_name_key(name)].append(case.reference)
            if kind == CaseKind.REMAINS and case.recovery_date and case.recovery_point is not None:
                from geoalchemy2.shape import to_shape

                point = to_shape(case.recovery_point)
                key = f"{case.recovery_date}|{point.y:.3f}|{point.x:.3f}"
                self._existing_keys["@" + key].append(case.reference)
        self.decrypted = len(people)
        self._search = BlockedNameSearch(people, FUZZY_CANDIDATES) if people else None

    def check(
        self, record: MissingRecord | RemainsRecord, row: int, against_cases: bool = True
    ) -> None:
        """Flag the row's likely duplicates among the rows before it and, unless
        `against_cases` is false (a row already imported, skipped), among the open cases."""
        person = _person(record, row)
        keys = [_name_key(name) for name in _names(record)]
        keys = [key for key in keys if key]
        if isinstance(record, RemainsRecord) and (place := _place_key(record)):
            keys.append("@" + place)
        flagged: set[str] = set()

        def flag(other: str, reason: str) -> None:
            if other in flagged or len(flagged) >= _FLAGS_PER_ROW:
                return
            flagged.add(other)
            self.total += 1
            if len(self.found) < MAX_LISTED_DUPLICATES:
                self.found.append(Duplicate(row, record.ref, other, reason))

        for key in keys:
            reason = "same recovery day and place" if key.startswith("@") else "same name"
            for reference in self._existing_keys.get(key, []) if against_cases else ():
                if _compatible(person, self._existing[reference]):
                    flag(reference, reason)
            seen = self._seen[key]
            for other in reversed(seen):
                if _compatible(person, other):
                    flag(f"row {other.row} (ref {other.ref})", reason)
            seen.append(person)
            if len(seen) > _ROWS_PER_KEY:
                del seen[0]
        if self._search is not None and against_cases:
            for name in _names(record):
                for hit in self._search.search(name, limit=5, min_score=FUZZY_MIN_SCORE):
                    if _compatible(person, self._existing[hit.ref]):
                        flag(hit.ref, f"similar name ({hit.score:g}%)")


def _case_names(case: Any) -> list[str]:
    names: list[str] = []
    for name in case.__name_fields__:
        value = getattr(case, name)
        names.extend(value if isinstance(value, list) else [value] if value else [])
    if case.__case_kind__ is CaseKind.MISSING and (case.given_names or case.surnames):
        full = " ".join(part for part in (case.given_names, case.surnames) if part)
        names = [full, *case.aliases]
    return names


def _checked_rows(
    kind: str, path: Path, report: ImportReport, fingerprint: Any = None, trusted: bool = False
) -> Iterator[tuple[int, dict[str, str], CheckedRow | None]]:
    """Every row of the file, checked; problems go to the report (rows with problems come out
    with None). `fingerprint` (a hashlib object) takes in every row read; `trusted` rows were
    checked already (same fingerprint) and are only parsed again."""
    header, stream = read_rows(path)
    with closing(stream) as rows:
        report.problems.extend(header_problems(kind, header))
        if fingerprint is not None:
            fingerprint.update(repr(header).encode())
        if report.problems:
            return
        yield from _checked(kind, rows, report, fingerprint, trusted)


def _checked(
    kind: str,
    rows: Iterable[Any],
    report: ImportReport,
    fingerprint: Any = None,
    trusted: bool = False,
) -> Iterator[tuple[int, dict[str, str], CheckedRow | None]]:
    today = now().date()
    for source in rows:
        if fingerprint is not None:
            # repr: unambiguous however the cells are cut
            cells = repr((source.number, source.extra_cells, *source.cells.values()))
            fingerprint.update(cells.encode())
        if source.extra_cells:
            report.problems.append(RowError(source.number, "", "more cells than header columns"))
            yield source.number, source.cells, None
            continue
        if trusted:
            checked = parse_checked_row(kind, source.cells, source.number)
        else:
            checked = check_row(kind, source.cells, source.number, today)
        if isinstance(checked, list):
            report.problems.extend(checked)
            yield source.number, source.cells, None
        else:
            yield source.number, source.cells, checked


def _existing_refs(model: Any, agency_id: int, refs: list[str]) -> set[str]:
    """The refs the agency holds already: as a legacy ref, or as its own case reference (a file
    it exported earlier)."""
    found: set[str] = set()
    for start in range(0, len(refs), 500):
        chunk = refs[start : start + 500]
        for column in (model.external_reference, model.reference):
            found.update(
                db.session.scalars(
                    select(column).where(model.agency_id == agency_id, column.in_(chunk))
                )
            )
    return found


def _count_rows(path: Path) -> int:
    _, stream = read_rows(path)
    with closing(stream) as rows:
        return sum(1 for _ in rows)


def validate_file(
    kind: str,
    path: Path,
    agency_code: str,
    progress: Progress | None = None,
    *,
    fingerprint: Any = None,
) -> tuple[ImportReport, set[str]]:
    """First pass: check every row, find duplicates; returns the report and the refs already
    imported (to be skipped). Writes no case. `fingerprint` (a hashlib object) takes in every
    row read, so that a second pass can tell the file is unchanged."""
    model = _kind(kind)
    agency = _agency(agency_code)
    report = ImportReport(kind=kind, agency=agency.code, dry_run=True)
    try:
        check_file(path, current_app.config["IMPORT_MAX_BYTES"])
        # the rows are counted first only for a progress bar to show
        total = _count_rows(path) if progress is not None else 0
        finder = _DuplicateFinder(kind, agency.id)
        refs: dict[str, int] = {}
        already: set[str] = set()
        waiting: list[tuple[MissingRecord | RemainsRecord, int]] = []

        def check_waiting() -> None:
            # a batch at a time: which refs are imported already, then their duplicates (a
            # row skipped as imported already is not compared with the open cases again)
            found = _existing_refs(model, agency.id, [record.ref for record, _ in waiting])
            already.update(found)
            for record, number in waiting:
                finder.check(record, number, against_cases=record.ref not in found)
            waiting.clear()

        for number, _cells, checked in _checked_rows(kind, path, report, fingerprint):
            report.rows += 1
            if progress is not None and report.rows % 200 == 0:
                progress(report.rows, total)
            if checked is None:
                continue
            ref = checked.record.ref
            if ref in refs:
                report.problems.append(
                    RowError(number, "ref", f"ref {ref} is also on row {refs[ref]}")
                )
                continue
            refs[ref] = number
            waiting.append((checked.record, number))
            if len(waiting) >= BATCH:
                check_waiting()
        check_waiting()
    except FileProblem as problem:
        report.problems.append(RowError(0, "", problem.message))
        return report, set()
    if progress is not None:
        progress(report.rows, total)
    if report.rows == 0 and not report.problems:
        report.problems.append(RowError(2, "", "the file has a header row but no cases"))
    report.already_imported = len(already)
    report.new = len(refs) - len(already)
    report.duplicates = [d for d in finder.found if d.ref not in already]
    report.duplicates_total = finder.total - (len(finder.found) - len(report.duplicates))
    if finder.decrypted:
        # names of open cases were decrypted (in memory) to look for duplicates
        with transaction():
            record(
                AuditAction.VIEW,
                None,
                search="import duplicate check",
                kind=kind,
                cases=finder.decrypted,
                duplicates=len(report.duplicates),
            )
    return report, already


def import_file(
    kind: str,
    path: Path,
    agency_code: str,
    *,
    dry_run: bool = False,
    created_by: Any = None,
    progress: Progress | None = None,
    batch_size: int = BATCH,
) -> ImportReport:
    """Import a case file for an agency: all rows or none; rows whose ref the agency already
    holds are skipped, so importing the same file again adds nothing.

    Example:
        >>> import_file("missing", Path("legacy.csv"), "PCOME", dry_run=True)  # doctest: +SKIP
    """
    # the bar runs twice on a terminal: through the check, then through the insert
    checked_file = hashlib.blake2b()
    report, already = validate_file(
        kind, path, agency_code, progress, fingerprint=None if dry_run else checked_file
    )
    if dry_run or not report.ok:
        return report
    report.dry_run = False
    model = MODELS[kind]
    agency = _agency(agency_code)
    agency_id, country = agency.id, agency.country
    creator_id = getattr(created_by, "id", created_by)
    session = db.session
    total = report.rows
    pending: list[Any] = []

    def store_batch() -> None:
        # references are taken a batch at a time: one sequence look-up per year, not per case
        by_year: dict[int, list[Any]] = defaultdict(list)
        for case in pending:
            if kind == CaseKind.REMAINS and case.recovery_date is not None:
                by_year[case.recovery_date.year].append(case)
            else:
                by_year[now().year].append(case)
        for year, cases in sorted(by_year.items()):
            for case, reference in zip(
                cases, next_references(PREFIXES[kind], country, year, len(cases)), strict=True
            ):
                case.reference = reference
        _insert_new(session, pending)
        pending.clear()  # bounded memory: the batch lives on in the transaction only

    with transaction():
        done = 0
        # the rows were checked a moment ago: parsed again only, and the whole file must read
        # the same as then (else nothing is saved)
        read_again = hashlib.blake2b()
        rows = _checked_rows(kind, path, ImportReport(kind, "", False), read_again, trusted=True)
        for number, cells, checked in rows:
            done += 1
            if checked is None:
                raise ValidationError(
                    _l("Row %(row)s changed since it was checked: nothing saved.", row=number)
                )
            if checked.record.ref in already:
                continue
            case = build_case(kind, checked, cells, agency_id)
            case.created_by_id = creator_id
            pending.append(case)
            report.imported += 1
            if len(pending) >= batch_size:
                store_batch()
                if progress is not None:
                    progress(done, total)
        if pending:
            store_batch()
        if read_again.digest() != checked_file.digest():
            raise ValidationError(_l("The file changed while it was imported: nothing saved."))
        chain_staged(session)
        append(
            session,
            "import",
            object_type=model.__name__,
            details={
                "file": path.name,
                "agency": report.agency,
                "imported": report.imported,
                "already_imported": report.already_imported,
                "duplicates_flagged": len(report.duplicates),
            },
        )
    if progress is not None:
        progress(total, total)
    return report


def _column_values(obj: Any) -> dict[str, Any]:
    """The column values an object was given (the database fills in the defaults), and the
    first version number the unit of work would have set."""
    mapper = inspect(obj).mapper
    values = {
        prop.columns[0].key: obj.__dict__[prop.key]
        for prop in mapper.column_attrs
        if prop.key in obj.__dict__
    }
    if mapper.version_id_col is not None:
        values[mapper.version_id_col.key] = 1
    return values


def _insert_new(session: Any, cases: list[Any]) -> None:
    """Store new cases and their marks, effects and dental charts with a few multi-row INSERTs
    instead of a flush of every object: the same rows, name tokens (blind index) and audit
    entries a flush writes (its hooks do not run here, so both are written explicitly)."""
    children: dict[Any, list[Any]] = defaultdict(list)
    audited: list[Any] = []
    tokens: list[dict[str, Any]] = []
    for case in cases:
        audited.append(case)
        tokens.extend(name_token_rows(case))
        for name in ("marks", "effects", "dental"):
            for child in getattr(case, name):
                children[type(child)].append(child)
                audited.append(child)
    _insert_rows(session, type(cases[0]), [_column_values(case) for case in cases])
    for model, objects in children.items():
        _insert_rows(session, model, [_column_values(child) for child in objects])
    _insert_rows(session, NameToken, tokens)
    stage_created(session, audited)  # chained at the end of the import (PostgreSQL)


def _insert_rows(session: Any, model: Any, rows: list[dict[str, Any]]) -> None:
    """Core multi-row INSERTs, one per set of columns given (the rest take their defaults)."""
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_columns[tuple(row)].append(row)
    for group in by_columns.values():
        session.execute(model.__table__.insert(), group)


def cases_for_export(model: Any, condition: Any) -> Iterator[Any]:
    """The cases under `condition`, streamed with their marks, effects and dental chart."""
    query = (
        select(model)
        .where(condition)
        .order_by(model.created_at, model.id)
        .options(*(selectinload(getattr(model, name)) for name in ("marks", "effects", "dental")))
        .execution_options(yield_per=500)
    )
    yield from db.session.scalars(query)


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def safe_cell(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection): text starting with
    = + - @ (or a tab or carriage return) gets a leading apostrophe; plain numbers such as a
    negative longitude stay as they are. The import takes the apostrophe off again.

    Example:
        >>> safe_cell("=HYPERLINK(1)"), safe_cell("-111.54")
        ("'=HYPERLINK(1)", '-111.54')
    """
    if value.startswith(_DANGEROUS_START) and not _is_number(value):
        return "'" + value
    return value


def write_cases_csv(kind: str, cases: Iterable[Any], target: IO[str]) -> int:
    """Write cases as interchange CSV; return the row count."""
    columns = export_columns(kind)
    writer = csv.DictWriter(target, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    count = 0
    for case in cases:
        writer.writerow({key: safe_cell(value) for key, value in case_row(case).items()})
        count += 1
    return count


def export_cases(kind: str, condition: Any, target: IO[str], filters: dict[str, Any]) -> int:
    """Export the cases of `kind` under `condition` to `target`, with one audit entry naming
    the filter and the row count (committed)."""
    model = _kind(kind)
    count = write_cases_csv(kind, cases_for_export(model, condition), target)
    with transaction():
        record(AuditAction.EXPORT, None, kind=kind, format="csv", filters=filters, rows=count)
    return count


def export_to_text(kind: str, condition: Any, filters: dict[str, Any]) -> tuple[str, int]:
    buffer = io.StringIO()
    count = export_cases(kind, condition, buffer, filters)
    return buffer.getvalue(), count
