"""Personal data at rest: encrypted attributes on models, and keyed blind indexes of names.

`Encrypted("given_names_ct")` on a model exposes the plaintext as an attribute while only the
ciphertext column is stored. Models listing `__name_fields__` get their name tokens indexed by
keyed digest (`NameToken`) so a case can be found by surname without storing the name.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any, Literal

from sqlalchemy import Integer, LargeBinary, String, Uuid, delete
from sqlalchemy.orm import Mapped, Session, mapped_column

from casework.crypto import blind_digest, field_context, key_version
from casework.db import Base
from casework.keystore import current_keyring
from matching import fold_accents

_MISSING = object()


class Encrypted:
    """Descriptor: plaintext in Python, AES-GCM ciphertext in the column named `column`.

    `kind="list"` stores a list of strings (aliases, document names) as one ciphertext.
    """

    def __init__(self, column: str, *, kind: Literal["text", "list"] = "text") -> None:
        self.column = column
        self.kind = kind
        self.name = ""

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name

    def _context(self, obj: Any) -> bytes:
        table = obj.__table__
        column = table.columns[self.column].name if self.column in table.columns else self.column
        return field_context(table.name, column, obj.id)

    def _empty(self) -> Any:
        return [] if self.kind == "list" else None

    def __get__(self, obj: Any, owner: type[Any] | None = None) -> Any:
        if obj is None:
            return self
        blob = getattr(obj, self.column)
        cache: dict[str, tuple[bytes | None, Any]] = obj.__dict__.setdefault("_plaintext", {})
        cached = cache.get(self.name, (_MISSING, None))
        if cached[0] is blob or cached[0] == blob:
            return cached[1]
        if blob is None:
            value = self._empty()
        else:
            ring = current_keyring(need_version=key_version(blob))
            raw = ring.decrypt(blob, self._context(obj)).decode()
            value = json.loads(raw) if self.kind == "list" else raw
        cache[self.name] = (blob, value)
        return value

    def __set__(self, obj: Any, value: Any) -> None:
        if self.kind == "list":
            items = [str(item).strip() for item in (value or []) if str(item).strip()]
            value = items
            plaintext = json.dumps(items, ensure_ascii=False) if items else None
        else:
            value = None if value is None or str(value).strip() == "" else str(value)
            plaintext = value
        if obj.id is None:
            obj.id = uuid.uuid4()
        if getattr(obj, self.column) is not None and self.__get__(obj) == value:
            return  # unchanged: keep the ciphertext, so no change is recorded
        blob = (
            None
            if plaintext is None
            else current_keyring().encrypt(plaintext.encode(), self._context(obj))
        )
        setattr(obj, self.column, blob)
        obj.__dict__.setdefault("_plaintext", {})[self.name] = (blob, value)
        if self.name in getattr(type(obj), "__name_fields__", ()):
            obj.__dict__["_names_changed"] = True


def normalise_name(value: str) -> list[str]:
    """Tokens of a name for exact look-up: case, accents and punctuation folded away.

    Example:
        >>> normalise_name("José  de la Cruz-Pérez")
        ['jose', 'de', 'la', 'cruz', 'perez']
    """
    stripped = fold_accents(value.casefold())
    return [token for token in re.split(r"[^\w]+|_", stripped) if token]


class NameToken(Base):
    """One keyed digest of one name token of one case."""

    __tablename__ = "name_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_kind: Mapped[str] = mapped_column(String(16))
    case_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    field: Mapped[str] = mapped_column(String(32))
    digest: Mapped[bytes] = mapped_column(LargeBinary(16), index=True)


def name_digests(value: str) -> list[bytes]:
    key = current_keyring().index_key
    return [blind_digest(key, token) for token in normalise_name(value)]


def name_token_rows(obj: Any) -> list[dict[str, Any]]:
    """The `NameToken` rows of a case's names (one per distinct token and field), as column
    values: what a flush indexes, for a bulk insert that bypasses the flush."""
    kind = obj.__case_kind__
    key = current_keyring().index_key
    rows: list[dict[str, Any]] = []
    for field_name in obj.__name_fields__:
        value = getattr(obj, field_name)
        values = value if isinstance(value, list) else [value] if value else []
        seen: set[bytes] = set()
        for text in values:
            for token in normalise_name(text):
                digest = blind_digest(key, token)
                if digest not in seen:
                    seen.add(digest)
                    row = {"case_kind": kind, "case_id": obj.id, "field": field_name}
                    rows.append({**row, "digest": digest})
    return rows


def _reindex(session: Session, obj: Any, new: bool = False) -> None:
    kind = obj.__case_kind__
    if not new:  # a case not yet stored has no tokens to replace
        session.execute(
            delete(NameToken).where(NameToken.case_kind == kind, NameToken.case_id == obj.id)
        )
    for row in name_token_rows(obj):
        session.add(NameToken(**row))
    obj.__dict__.pop("_names_changed", None)


def reindex_changed_names(session: Session) -> None:
    """Before a flush: rebuild the name tokens of cases whose names changed."""
    for obj in list(session.new):
        if obj.__dict__.get("_names_changed"):
            _reindex(session, obj, new=True)
    for obj in list(session.dirty):
        if obj.__dict__.get("_names_changed"):
            _reindex(session, obj)
    for obj in session.deleted:
        if hasattr(obj, "__name_fields__"):
            session.execute(
                delete(NameToken).where(
                    NameToken.case_kind == obj.__case_kind__, NameToken.case_id == obj.id
                )
            )


__all__ = [
    "Encrypted",
    "NameToken",
    "name_digests",
    "name_token_rows",
    "normalise_name",
    "reindex_changed_names",
]
