"""Exceptions raised by the matching library, all under one base class."""

from __future__ import annotations

from dataclasses import dataclass


class MatchingError(Exception):
    """Base class of every error the matching library raises on purpose."""


class RecordError(MatchingError, ValueError):
    """A record or one of its fields is not valid (bad tooth number, unknown sex code...)."""


class WeightsError(MatchingError, ValueError):
    """A weights table is incomplete or cannot be read."""


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem found in one row of a case file.

    Attributes:
        row: 1-based line number in the file, the header being line 1.
        column: the column at fault, or "" when the row as a whole is at fault.
        reason: what is wrong, in words a person can act on.
    """

    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.reason}"
