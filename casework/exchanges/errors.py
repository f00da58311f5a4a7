"""The refusal of a message or a step of the exchange, with the library's stable code, said to
the people of this installation in their language.

The exchange library is independent of the application and words its errors in English, for
logs and for peers; what casework shows is chosen here, at the boundary, by the error's code
(one sentence a code of the wire specification, docs/exchange-format.md §9)."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from casework.errors import Message, ValidationError
from exchange import ErrorCode, ExchangeError

REFUSALS: dict[str, Message] = {
    ErrorCode.TOO_LARGE: _l("The message is larger than the exchange allows."),
    ErrorCode.MALFORMED: _l("The file is not an exchange message: it cannot be read."),
    ErrorCode.SCHEMA_VIOLATION: _l("The message breaks a rule of the exchange format."),
    ErrorCode.UNSUPPORTED_VERSION: _l(
        "The message uses a version of the exchange format this installation does not read."
    ),
    ErrorCode.WRONG_KIND: _l("The message is not of the kind expected here."),
    ErrorCode.WRONG_RECIPIENT: _l("The message is addressed to another authority."),
    ErrorCode.UNKNOWN_SENDER: _l("The sender is not on our list of trusted authorities."),
    ErrorCode.SENDER_REVOKED: _l("The sender's keys were revoked: nothing from it is accepted."),
    ErrorCode.SENDER_NOT_VALID: _l("Our trust in the sender has expired or has not begun yet."),
    ErrorCode.RECIPIENT_REVOKED: _l("The recipient's keys were revoked: nothing can go to it."),
    ErrorCode.RECIPIENT_NOT_VALID: _l(
        "Our trust in the recipient has expired or has not begun yet."
    ),
    ErrorCode.BAD_SIGNATURE: _l(
        "The signature does not match: the message was altered, or its sender did not sign it."
    ),
    ErrorCode.DECRYPTION_FAILED: _l("The message cannot be decrypted with our key."),
    ErrorCode.NOT_YET_VALID: _l(
        "The message says it was written in the future: check the clocks of both installations."
    ),
    ErrorCode.EXPIRED: _l("The message has expired: ask the sender to send it again."),
    ErrorCode.LIFETIME_TOO_LONG: _l("The message stays valid for longer than the exchange allows."),
    ErrorCode.OUT_OF_ORDER: _l(
        "A later message from this sender was accepted already: this one is a replay or came "
        "out of order."
    ),
    ErrorCode.ID_REUSED: _l("A different message with the same id was imported already."),
    ErrorCode.ALREADY_IMPORTED: _l("This message was imported already, at the same moment."),
    ErrorCode.RESET_REFUSED: _l(
        "The sequence reset is refused: it must come under new keys, once for each kind."
    ),
    ErrorCode.QUERY_LIMIT: _l(
        "The query asks more than we answer: it is too large, or the sender's daily budget is "
        "spent."
    ),
    ErrorCode.BAD_KEY_FILE: _l("The key file is damaged or of an unsupported kind."),
    ErrorCode.WRONG_PASSPHRASE: _l("The passphrase does not open the key file."),
    ErrorCode.BAD_TRUST_LIST: _l("The trust list is damaged or inconsistent."),
    ErrorCode.FINGERPRINT_MISMATCH: _l("A fingerprint in the trust list does not match its keys."),
    ErrorCode.INVALID_LOCAL_RECORD: _l("A case holds a value that cannot be shared."),
    ErrorCode.INVALID_ARGUMENT: _l("The message could not be prepared."),
}


def refusal(error: ExchangeError) -> Message:
    """What the library's `error` says to the people of this installation, in their language:
    the sentence of its code (the library's own words are for the log and for peers)."""
    return REFUSALS.get(str(error.code), error.message)


class ExchangeRefused(ValidationError):
    """A message or an export was refused; `code` is the wire error code (spec §9), `detail`
    the library's words when the library refused it (what a peer's inbox is answered)."""

    def __init__(
        self, message: Message, *, code: str, field: str | None = None, detail: str | None = None
    ) -> None:
        super().__init__(message, field=field)
        self.code = code
        self.detail = detail

    @classmethod
    def of(cls, error: ExchangeError, field: str | None = None) -> ExchangeRefused:
        reason, code = refusal(error), str(error.code)
        return cls(
            LazyString(lambda: f"{reason} ({code})"),
            code=str(error.code),
            field=field,
            detail=error.message,
        )
