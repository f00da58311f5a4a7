"""Errors users can cause, each with a message meant for them; `casework/error_handlers.py` is
the one handler for all of them (a page, or under /api/ the API's JSON envelope).

A message is translated when it is read, not when it is raised. Services raise with a lazy
string (`flask_babel.lazy_gettext`, imported as `_l`) that carries its parameters:

    raise ValidationError(
        _l("Keep this under %(limit)s characters.", limit=max_length), field="notes"
    )

`make translations` extracts the `_l(...)` texts into the es/fr/ar catalogues. `error.message`
renders the text in the language of the request that reads it: the page or the API body
(`{error: {code, message, fields}}`) is in the user's language; outside a request (the CLI,
background jobs, bulk import reports, tests) it is English. So:

- never an f-string, `%` or `.format` on the message, nor a bare string: the catalogues would
  not know it (`tests/casework/test_error_messages.py` fails);
- parameters are values that read the same in every language (references, barcodes, numbers,
  ISO dates); a stored code (status, step, kind) goes in as `casework.vocabulary.word(code)`,
  the word the pages show, itself rendered when read;
- the exchange library's messages are English (for logs and peers): its errors are shown by
  their stable code, through the sentences of `casework/exchanges/errors.py`;
- views show `error.message` as it is: it is translated already.
"""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

Message = str | LazyString


class CaseworkError(Exception):
    """Base of the errors a user or operator can cause; `message` is shown to them."""

    status_code = 400
    title: Message = _l("Not done")

    def __init__(self, message: Message, *, field: str | None = None) -> None:
        super().__init__(message)
        self._message = message
        self.field = field

    @property
    def message(self) -> str:
        """The message in the reader's language: the request's, or English outside one."""
        return str(self._message)


def sentences(parts: list[Message]) -> LazyString:
    """Several messages shown as one, each rendered when read (every problem of a field at once).

    Example:
        >>> str(sentences(["Tooth 19 is not a tooth.", "Tooth 11 is given twice."]))
        'Tooth 19 is not a tooth. Tooth 11 is given twice.'
    """
    return LazyString(lambda: " ".join(str(part) for part in parts))


class ValidationError(CaseworkError):
    status_code = 400
    title = _l("Not accepted")


class NotAllowed(CaseworkError):
    status_code = 403
    title = _l("Not allowed")


class NotFound(CaseworkError):
    status_code = 404
    title = _l("Not found")


class ConflictError(CaseworkError):
    """Somebody else changed the record since it was loaded."""

    status_code = 409
    title = _l("Changed meanwhile")


class Unavailable(CaseworkError):
    """The database is busy or unreachable for a moment; the request can simply be retried."""

    status_code = 503
    title = _l("Try again in a moment")
    retry_after_seconds = 5


class SetupError(CaseworkError):
    """The installation is not ready (no keys, no schema); the operator must act."""

    status_code = 503
    title = _l("Not ready")


def readable_size(size: int) -> str:
    """A byte count as people say it.

    Example:
        >>> readable_size(10 * 1024 * 1024), readable_size(4000)
        ('10 MB', '4 KB')
    """
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.0f} MB"
    return f"{max(1, round(size / 1024))} KB"
