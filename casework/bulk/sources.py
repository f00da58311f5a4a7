"""Reading case files row by row (UTF-8 CSV, or an XLSX workbook of one sheet) without
holding the file in memory; problems with the file as a whole raise `FileProblem`."""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l

from casework.errors import ValidationError

SUFFIXES = (".csv", ".xlsx")
# An .xlsx is a zip of XML. A "zip bomb" packs a sheet of gigabytes into a small file and keeps
# an import busy for minutes: the sizes the zip declares are checked before anything is parsed
# (they are upper bounds: the zip reader stops at the declared size).
XLSX_MAX_UNPACKED_BYTES = 400_000_000  # about a million rows of cases: far beyond any real file
XLSX_MAX_RATIO = 200  # real sheets compress ten to fifty times; bombs a thousand times and more
_RATIO_FROM_BYTES = 1_000_000  # small parts (styles, an empty sheet) may compress very well


class FileProblem(ValidationError):
    """The file cannot be read as a case file at all (format, encoding, size, sheets)."""


_ESCAPED_START = ("'=", "'+", "'-", "'@", "'\t", "'\r")


def unescape_cell(value: str) -> str:
    """Undo the apostrophe our export puts before a cell a spreadsheet could run as a formula."""
    return value[1:] if value.startswith(_ESCAPED_START) else value


@dataclass(frozen=True)
class SourceRow:
    number: int  # the line (CSV) or row (XLSX) number; the header is 1
    cells: dict[str, str]
    extra_cells: bool = False  # more cells than header columns


def check_file(path: Path, max_bytes: int) -> None:
    if path.suffix.lower() not in SUFFIXES:
        raise FileProblem(_l("Give a .csv or an .xlsx file."))
    size = path.stat().st_size
    if size == 0:
        raise FileProblem(_l("The file is empty."))
    if size > max_bytes:
        raise FileProblem(
            _l(
                "The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files.",
                size=f"{size / 1e6:.1f}",
                limit=f"{max_bytes / 1e6:.1f}",
            )
        )


class RowStream:
    """The rows after the header (blank rows skipped); `close()` releases the file."""

    def __init__(self, rows: Iterator[SourceRow], release: Callable[[], None]) -> None:
        self._rows = rows
        self._release = release

    def __iter__(self) -> Iterator[SourceRow]:
        return self._rows

    def close(self) -> None:
        self._rows.close()  # type: ignore[attr-defined]
        self._release()


def read_rows(path: Path) -> tuple[list[str], RowStream]:
    """The header row and the rows after it; close the stream (`contextlib.closing`)."""
    if path.suffix.lower() == ".xlsx":
        return _xlsx(path)
    return _csv(path)


def _not_utf8(line: int | None = None) -> FileProblem:
    if line:
        return FileProblem(
            _l(
                "The file is not UTF-8 text (near line %(line)s): save it from the spreadsheet "
                "as “CSV UTF-8”, or as .xlsx.",
                line=line,
            )
        )
    return FileProblem(
        _l("The file is not UTF-8 text: save it from the spreadsheet as “CSV UTF-8”, or as .xlsx.")
    )


def _csv(path: Path) -> tuple[list[str], RowStream]:
    handle = open(path, encoding="utf-8-sig", newline="")  # closed by RowStream.close
    reader = csv.reader(handle)
    try:
        header = next(reader)
    except StopIteration:
        handle.close()
        raise FileProblem(_l("The file is empty.")) from None
    except UnicodeDecodeError:
        handle.close()
        raise _not_utf8(1) from None
    except csv.Error as error:
        handle.close()
        raise FileProblem(
            _l("The file is not a readable CSV file: %(error)s.", error=error)
        ) from None

    def rows() -> Iterator[SourceRow]:
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError:
                raise _not_utf8(reader.line_num + 1) from None
            except csv.Error as error:
                raise FileProblem(
                    _l(
                        "Line %(line)s: not readable as CSV (%(error)s).",
                        line=reader.line_num,
                        error=error,
                    )
                ) from None
            if not any(cell.strip() for cell in cells):
                continue
            padded = [unescape_cell(cell) for cell in cells[: len(header)]]
            padded += [""] * (len(header) - len(padded))
            yield SourceRow(
                reader.line_num,
                dict(zip(header, padded, strict=True)),
                extra_cells=len(cells) > len(header),
            )

    return [name.strip() for name in header], RowStream(rows(), handle.close)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def check_workbook(
    path: Path,
    max_unpacked: int = XLSX_MAX_UNPACKED_BYTES,
    max_ratio: int = XLSX_MAX_RATIO,
) -> None:
    """Refuse a workbook that would unpack to far more than it weighs, before parsing it."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise FileProblem(_l("The file is not a readable .xlsx workbook.")) from None
    unpacked = sum(part.file_size for part in parts)
    if unpacked > max_unpacked:
        raise FileProblem(
            _l(
                "The workbook would unpack to %(size)s MB (the limit is %(limit)s MB): it is "
                "not a sheet of cases as a spreadsheet writes one. Save the sheet again, or "
                "split it.",
                size=f"{unpacked / 1e6:,.0f}",
                limit=f"{max_unpacked / 1e6:,.0f}",
            )
        )
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size >= _RATIO_FROM_BYTES and ratio > max_ratio:
            raise FileProblem(
                _l(
                    "The workbook's part %(part)s unpacks %(ratio)s times larger than it is "
                    "stored (more than %(limit)s times is not a real sheet): the file looks "
                    "built to exhaust the server and was not opened.",
                    part=part.filename,
                    ratio=f"{ratio:,.0f}",
                    limit=max_ratio,
                )
            )


def _xlsx(path: Path) -> tuple[list[str], RowStream]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    check_workbook(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise FileProblem(_l("The file is not a readable .xlsx workbook.")) from None
    sheets = book.worksheets
    if len(sheets) != 1:
        book.close()
        raise FileProblem(
            _l(
                "The workbook has %(count)s sheets; give a workbook with exactly one sheet of "
                "cases.",
                count=len(sheets),
            )
        )
    values = sheets[0].iter_rows(values_only=True)
    first = next(values, None)
    if first is None or not any(_cell_text(cell).strip() for cell in first):
        book.close()
        raise FileProblem(_l("The sheet is empty: its first row must be the header row."))
    header = [_cell_text(cell).strip() for cell in first]
    while header and not header[-1]:
        header.pop()  # trailing empty columns of a formatted sheet

    def rows() -> Iterator[SourceRow]:
        for number, row in enumerate(values, start=2):
            texts = [_cell_text(cell) for cell in row]
            if not any(text.strip() for text in texts):
                continue
            extra = any(text.strip() for text in texts[len(header) :])
            padded = [unescape_cell(text) for text in texts[: len(header)]]
            padded += [""] * (len(header) - len(padded))
            yield SourceRow(number, dict(zip(header, padded, strict=True)), extra)

    return header, RowStream(rows(), book.close)
