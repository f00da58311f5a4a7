"""Data keys: wrapped by the master key, stored by version, loaded into the app's key ring."""

from __future__ import annotations

import os
import time
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, LargeBinary, select
from sqlalchemy.orm import Mapped, mapped_column

from casework.crypto import KEY_BYTES, KeyRing, derive_key, unwrap_key, wrap_key
from casework.db import Base, UtcDateTime, db, utcnow
from casework.errors import SetupError

_EXTENSION = "casework.keyring"


class DataKey(Base):
    __tablename__ = "data_key"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


def _label(version: int) -> str:
    return f"data v{version}"


def add_data_key(master_key: bytes) -> DataKey:
    """Create the next data-key version in the current session (the caller commits)."""
    latest = db.session.scalar(select(DataKey.version).order_by(DataKey.version.desc()).limit(1))
    version = (latest or 0) + 1
    key = DataKey(
        version=version, wrapped=wrap_key(master_key, os.urandom(KEY_BYTES), _label(version))
    )
    db.session.add(key)
    return key


def load_keyring(master_key: bytes) -> KeyRing:
    with db.session.no_autoflush:
        rows = db.session.scalars(select(DataKey).order_by(DataKey.version)).all()
    if not rows:
        raise SetupError(
            _l("No data encryption key exists yet: run `casework setup` (or `casework keys init`).")
        )
    keys = {row.version: unwrap_key(master_key, row.wrapped, _label(row.version)) for row in rows}
    return KeyRing(
        keys=keys,
        active_version=max(keys),
        index_key=derive_key(master_key, "blind index"),
        loaded_at=time.monotonic(),
    )


def current_keyring(*, need_version: int | None = None) -> KeyRing:
    """The app's key ring, reloaded when stale or when a ciphertext names an unknown version."""
    ring: KeyRing | None = current_app.extensions.get(_EXTENSION)
    refresh = current_app.config["KEYRING_REFRESH_SECONDS"]
    if (
        ring is None
        or time.monotonic() - ring.loaded_at > refresh
        or (need_version is not None and need_version not in ring.keys)
    ):
        ring = load_keyring(current_app.config["MASTER_KEY"])
        current_app.extensions[_EXTENSION] = ring
    return ring


def forget_keyring() -> None:
    current_app.extensions.pop(_EXTENSION, None)


def audit_chain_key() -> bytes:
    return derive_key(current_app.config["MASTER_KEY"], "audit chain")
