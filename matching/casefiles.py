"""Case files: read missing-person and remains CSV files into records, write candidates out.

The same columns are the interchange format for bulk import, so each row parser is usable on
its own: one row dict in, a record or a list of ``RowError`` out. Bad rows are reported and the
rest are matched.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, TypeVar

import shapely
from shapely.geometry import LineString

from matching.candidates import Candidate
from matching.errors import RecordError, RowError
from matching.index import CandidateIndex, Progress
from matching.records import (
    DentalEntry,
    LastSeenKind,
    Mark,
    MissingRecord,
    RemainsRecord,
    Sex,
    ToothState,
)
from matching.vocabulary import parse_mark

MISSING_FIELDS: tuple[str, ...] = (
    "ref",
    "given_names",
    "surnames",
    "aliases",
    "sex",
    "birth_date",
    "age",
    "height_cm",
    "nationality",
    "last_seen_date",
    "last_seen_lat",
    "last_seen_lon",
    "last_seen_place",
    "route",
    "marks",
    "effects",
    "dental",
)
REMAINS_FIELDS: tuple[str, ...] = (
    "ref",
    "sex",
    "age_min",
    "age_max",
    "stature_min_cm",
    "stature_max_cm",
    "found_date",
    "found_lat",
    "found_lon",
    "found_place",
    "pmi_min_days",
    "pmi_max_days",
    "document_names",
    "marks",
    "effects",
    "dental",
)
CANDIDATE_FIELDS: tuple[str, ...] = (
    "remains_ref",
    "missing_ref",
    "rank",
    "score",
    "review",
    "explanation",
)

T = TypeVar("T")

_SEX_WORDS = {
    "m": Sex.MALE,
    "male": Sex.MALE,
    "f": Sex.FEMALE,
    "female": Sex.FEMALE,
    "u": Sex.UNKNOWN,
    "unknown": Sex.UNKNOWN,
}
Record = TypeVar("Record", MissingRecord, RemainsRecord)


class _Row:
    """Reads typed cells out of one CSV row, collecting errors instead of stopping at the first."""

    def __init__(self, number: int, cells: Mapping[str, str | None]) -> None:
        self.number = number
        self.cells = {
            (key or "").strip().lower(): (value or "").strip() for key, value in cells.items()
        }
        self.errors: list[RowError] = []

    def text(self, column: str) -> str:
        return self.cells.get(column, "")

    def items(self, column: str) -> tuple[str, ...]:
        return tuple(part.strip() for part in self.text(column).split(";") if part.strip())

    def _parse(self, column: str, parse: Callable[[str], T], reason: str) -> T | None:
        value = self.text(column)
        if not value:
            return None
        try:
            return parse(value)
        except (ValueError, KeyError, RecordError):
            self.errors.append(RowError(self.number, column, reason))
            return None

    def number_in(self, column: str, low: float, high: float) -> float | None:
        def parse(value: str) -> float:
            number = float(value.replace(",", "."))
            if not (low <= number <= high) or math.isnan(number):
                raise ValueError(value)
            return number

        return self._parse(column, parse, f"not a number from {low:g} to {high:g}")

    def day(self, column: str) -> date | None:
        return self._parse(column, date.fromisoformat, "not a date (YYYY-MM-DD)")

    def sex(self) -> Sex:
        value = self._parse("sex", lambda v: _SEX_WORDS[v.lower()], "not a sex code (M, F or U)")
        return value or Sex.UNKNOWN

    def last_seen_kind(self) -> LastSeenKind:
        value = self._parse(
            "last_seen_kind",
            lambda v: LastSeenKind(v.lower()),
            "not a kind of last-seen place (home, departure, route or unknown)",
        )
        return value or LastSeenKind.UNKNOWN

    def dental(self) -> tuple[DentalEntry, ...]:
        def parse(value: str) -> tuple[DentalEntry, ...]:
            entries = []
            for part in value.split(";"):
                if part.strip():
                    tooth, _, state = part.partition(":")
                    entries.append(DentalEntry(int(tooth), ToothState(state.strip().upper())))
            return tuple(entries)

        reason = "not a dental chart (tooth:state; FDI 11–48; V, M, F or C)"
        return self._parse("dental", parse, reason) or ()

    def marks(self) -> tuple[Mark, ...]:
        found = []
        for text in self.items("marks"):
            mark = parse_mark(text)
            found.append(mark if mark is not None else Mark(kind="other", description=text))
        return tuple(found)

    def route(self) -> LineString | None:
        def parse(value: str) -> LineString:
            geometry = shapely.from_wkt(value)
            if not isinstance(geometry, LineString) or geometry.is_empty:
                raise ValueError(value)
            for lon, lat in geometry.coords:
                if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                    raise ValueError(value)
            return geometry

        try:
            return self._parse("route", parse, "not a WKT LINESTRING in lon lat order")
        except shapely.errors.GEOSException:
            self.errors.append(
                RowError(self.number, "route", "not a WKT LINESTRING in lon lat order")
            )
            return None

    def flag(self, column: str) -> bool | None:
        value = self.text(column).lower()
        if not value:
            return None
        if value in ("1", "true", "yes", "y"):
            return True
        if value in ("0", "false", "no", "n"):
            return False
        self.errors.append(RowError(self.number, column, "not a yes/no flag (1 or 0)"))
        return None

    def point(self, lat_column: str, lon_column: str) -> tuple[float | None, float | None]:
        lat = self.number_in(lat_column, -90, 90)
        lon = self.number_in(lon_column, -180, 180)
        if (lat is None) != (lon is None) and not self.errors:
            column = lon_column if lat is not None else lat_column
            self.errors.append(RowError(self.number, column, "a position needs both lat and lon"))
        return (lat, lon) if lat is not None and lon is not None else (None, None)


def _in_column_order(errors: list[RowError], columns: tuple[str, ...]) -> list[RowError]:
    order = {column: i for i, column in enumerate(columns)}
    return sorted(errors, key=lambda error: order.get(error.column, len(order)))


def _bloom(row: _Row) -> bytes | None:
    value = row.text("name_bloom")
    if not value:
        return None
    try:
        return bytes.fromhex(value)
    except ValueError:
        row.errors.append(RowError(row.number, "name_bloom", "not a hexadecimal Bloom filter"))
        return None


def parse_missing_row(
    cells: Mapping[str, str | None], row: int = 2
) -> MissingRecord | list[RowError]:
    """Read one missing-person row (column names as in ``MISSING_FIELDS``).

    Extra columns ``sea_crossing`` (1/0), ``last_seen_kind`` (home, departure, route or
    unknown) and ``name_bloom`` (hex) are read when present; other unknown columns are ignored.

    Args:
        cells: column name -> cell text; any cell may be empty.
        row: the row's line number, for error messages.

    Returns:
        the record, or the list of everything wrong with the row.

    Example:
        >>> parse_missing_row({"ref": "M1", "birth_date": "1999", "age": "x"})
        [RowError(row=2, column='age', reason='not a number from 0 to 120')]
    """
    reader = _Row(row, cells)
    ref = reader.text("ref")
    if not ref:
        reader.errors.append(RowError(row, "ref", "empty: every case needs a ref"))
    birth_text = reader.text("birth_date")
    birth_date: date | None = None
    birth_year: int | None = None
    if re.fullmatch(r"\d{4}", birth_text):
        birth_year = int(birth_text)
    else:
        birth_date = reader.day("birth_date")
    lat, lon = reader.point("last_seen_lat", "last_seen_lon")
    fields = {
        "given_names": reader.items("given_names"),
        "surnames": reader.items("surnames"),
        "aliases": reader.items("aliases"),
        "sex": reader.sex(),
        "birth_date": birth_date,
        "birth_year": birth_year,
        "age": reader.number_in("age", 0, 120),
        "height_cm": reader.number_in("height_cm", 40, 250),
        "nationality": reader.text("nationality").upper() or None,
        "last_seen_date": reader.day("last_seen_date"),
        "last_seen_lat": lat,
        "last_seen_lon": lon,
        "last_seen_place": reader.text("last_seen_place"),
        "last_seen_kind": reader.last_seen_kind(),
        "route": reader.route(),
        "sea_crossing": reader.flag("sea_crossing"),
        "marks": reader.marks(),
        "effects": reader.items("effects"),
        "dental": reader.dental(),
        "name_bloom": _bloom(reader),
    }
    if reader.errors:
        return _in_column_order(reader.errors, MISSING_FIELDS)
    return MissingRecord(ref=ref, **fields)  # type: ignore[arg-type]


def parse_remains_row(
    cells: Mapping[str, str | None], row: int = 2
) -> RemainsRecord | list[RowError]:
    """Read one remains row (column names as in ``REMAINS_FIELDS``).

    Extra columns ``at_sea`` (1/0) and ``name_bloom`` (hex) are read when present.

    Example:
        >>> parse_remains_row({"ref": "R1", "found_date": "2024-13-01"})
        [RowError(row=2, column='found_date', reason='not a date (YYYY-MM-DD)')]
    """
    reader = _Row(row, cells)
    ref = reader.text("ref")
    if not ref:
        reader.errors.append(RowError(row, "ref", "empty: every case needs a ref"))
    lat, lon = reader.point("found_lat", "found_lon")
    fields = {
        "sex": reader.sex(),
        "age_min": reader.number_in("age_min", 0, 120),
        "age_max": reader.number_in("age_max", 0, 120),
        "stature_min_cm": reader.number_in("stature_min_cm", 40, 250),
        "stature_max_cm": reader.number_in("stature_max_cm", 40, 250),
        "found_date": reader.day("found_date"),
        "found_lat": lat,
        "found_lon": lon,
        "found_place": reader.text("found_place"),
        "pmi_min_days": reader.number_in("pmi_min_days", 0, 36500),
        "pmi_max_days": reader.number_in("pmi_max_days", 0, 36500),
        "document_names": reader.items("document_names"),
        "marks": reader.marks(),
        "effects": reader.items("effects"),
        "dental": reader.dental(),
        "name_bloom": _bloom(reader),
        "at_sea": reader.flag("at_sea"),
    }
    for low, high in (
        ("age_min", "age_max"),
        ("stature_min_cm", "stature_max_cm"),
        ("pmi_min_days", "pmi_max_days"),
    ):
        if fields[low] is not None and fields[high] is not None and fields[low] > fields[high]:  # type: ignore[operator]
            reader.errors.append(RowError(row, high, f"smaller than {low}"))
    if reader.errors:
        return _in_column_order(reader.errors, REMAINS_FIELDS)
    return RemainsRecord(ref=ref, **fields)  # type: ignore[arg-type]


def _read(
    source: str | Path | IO[str],
    parse: Callable[[Mapping[str, str | None], int], Record | list[RowError]],
) -> tuple[list[Record], list[RowError]]:
    if isinstance(source, (str, Path)):
        with open(source, encoding="utf-8-sig", newline="") as handle:
            return _read(handle, parse)
    text = source.read()
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    records: list[Record] = []
    errors: list[RowError] = []
    if reader.fieldnames is None or "ref" not in [n.strip().lower() for n in reader.fieldnames]:
        return [], [RowError(1, "ref", "no header row with a ref column")]
    seen: set[str] = set()
    for cells in reader:
        line = reader.line_num
        if None in cells:
            errors.append(RowError(line, "", "more cells than header columns"))
            continue
        if not any((value or "").strip() for value in cells.values()):
            continue
        parsed = parse(cells, line)
        if isinstance(parsed, list):
            errors.extend(parsed)
        elif parsed.ref in seen:
            errors.append(RowError(line, "ref", f"ref {parsed.ref} appears more than once"))
        else:
            seen.add(parsed.ref)
            records.append(parsed)
    return records, errors


def read_missing_csv(source: str | Path | IO[str]) -> tuple[list[MissingRecord], list[RowError]]:
    """Read a missing-person case file (UTF-8 CSV with a header row, BOM accepted).

    Returns:
        the records read, and one ``RowError`` per problem in the rows skipped.

    Example:
        >>> records, errors = read_missing_csv(io.StringIO("ref,sex\\nM1,F\\nM2,X\\n"))
        >>> [r.ref for r in records], [str(e) for e in errors]
        (['M1'], ['row 3, column sex: not a sex code (M, F or U)'])
    """
    return _read(source, parse_missing_row)


def read_remains_csv(source: str | Path | IO[str]) -> tuple[list[RemainsRecord], list[RowError]]:
    """Read a remains case file (UTF-8 CSV with a header row, BOM accepted).

    Example:
        >>> records, errors = read_remains_csv(io.StringIO("ref,found_date\\nR1,2024-05-01\\n"))
        >>> records[0].found_date
        datetime.date(2024, 5, 1)
    """
    return _read(source, parse_remains_row)


def candidate_rows(
    candidates: Iterable[Candidate], explanation_items: int = 3
) -> list[dict[str, str]]:
    """Output rows for candidates: ranked per remains (1 = best), best first.

    Example:
        >>> candidate_rows([Candidate("M1", "R1", 0.75, True, ())])[0]["rank"]
        '1'
    """
    by_remains: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        by_remains.setdefault(candidate.remains_ref, []).append(candidate)
    rows = []
    for remains_ref, group in by_remains.items():
        group.sort(key=lambda c: -c.score)
        for rank, candidate in enumerate(group, start=1):
            rows.append(
                {
                    "remains_ref": remains_ref,
                    "missing_ref": candidate.missing_ref,
                    "rank": str(rank),
                    "score": f"{candidate.score:.4f}",
                    "review": "1" if candidate.review else "0",
                    "explanation": candidate.summary(explanation_items),
                }
            )
    return rows


def write_candidates_csv(candidates: Iterable[Candidate], target: str | Path | IO[str]) -> int:
    """Write candidates as a UTF-8 CSV (columns ``CANDIDATE_FIELDS``); return the row count.

    Example:
        >>> out = io.StringIO()
        >>> write_candidates_csv([Candidate("M1", "R1", 0.75, True, ())], out)
        1
        >>> out.getvalue().splitlines()[1]
        'R1,M1,1,0.7500,1,p=0.75: no criterion could be compared'
    """
    if isinstance(target, (str, Path)):
        with open(target, "w", encoding="utf-8", newline="") as handle:
            return write_candidates_csv(candidates, handle)
    rows = candidate_rows(candidates)
    writer = csv.DictWriter(target, fieldnames=list(CANDIDATE_FIELDS))
    writer.writeheader()
    writer.writerows(rows)
    return len(rows)


@dataclass(frozen=True)
class MatchReport:
    """What a bulk match did: rows written and rows skipped in each input file."""

    candidates: int
    missing_read: int
    remains_read: int
    missing_errors: Sequence[RowError]
    remains_errors: Sequence[RowError]


def match_files(
    missing_path: str | Path,
    remains_path: str | Path,
    out_path: str | Path,
    top_k: int = 10,
    as_of: date | None = None,
    index: CandidateIndex | None = None,
    progress: Progress | None = None,
    processes: int | None = None,
) -> MatchReport:
    """Match every remains in one file against every missing person in another; write the top K.

    Args:
        missing_path: missing-person CSV.
        remains_path: remains CSV.
        out_path: where the candidates CSV goes.
        top_k: most candidates per remains.
        as_of: today's date (passed in, never read from the clock).
        index: an empty index carrying the weights and settings to use; a default one if None.
        progress: called as ``progress(done, total)`` while matching.
        processes: worker processes for the match (None: one per core).

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     m, r, out = (Path(folder) / name for name in ("m.csv", "r.csv", "o.csv"))
        ...     _ = m.write_text("ref,sex\\nM1,F\\n"), r.write_text("ref,sex\\nR1,F\\n")
        ...     match_files(m, r, out, processes=1).candidates
        1
    """
    missing, missing_errors = read_missing_csv(missing_path)
    remains, remains_errors = read_remains_csv(remains_path)
    index = index if index is not None else CandidateIndex()  # an empty index is falsy
    index.add_many([*missing, *remains])
    candidates = index.match_all(top_k=top_k, as_of=as_of, progress=progress, processes=processes)
    written = write_candidates_csv(candidates, out_path)
    return MatchReport(written, len(missing), len(remains), missing_errors, remains_errors)
