"""The refusal of a message or a step of the exchange, with the library's stable code."""

from __future__ import annotations

from casework.errors import ValidationError
from exchange import ExchangeError


class ExchangeRefused(ValidationError):
    """A message or an export was refused; `code` is the wire error code (spec §9)."""

    def __init__(self, message: str, *, code: str, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.code = code

    @classmethod
    def of(cls, error: ExchangeError, field: str | None = None) -> ExchangeRefused:
        return cls(f"{error.message} ({error.code})", code=str(error.code), field=field)
