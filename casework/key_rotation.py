"""Re-encrypting every encrypted cell under the active data key, in resumable batches.

Cells are rewritten with a compare-and-set update (only if unchanged since read), so the app
keeps serving while this runs and a user's concurrent save is never overwritten.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select, update

from casework.crypto import field_context, key_version
from casework.db import Base, db, transaction
from casework.keystore import add_data_key, current_keyring, forget_keyring
from casework.personal_data import Encrypted


def encrypted_columns() -> Iterator[tuple[type[Any], list[str]]]:
    """Each model with encrypted attributes, and the names of its ciphertext columns."""
    for mapper in sorted(Base.registry.mappers, key=lambda m: m.class_.__name__):
        model = mapper.class_
        columns = sorted(
            {
                value.column
                for klass in model.__mro__
                for value in vars(klass).values()
                if isinstance(value, Encrypted)
            }
        )
        if columns:
            yield model, columns


@dataclass
class RotationReport:
    version: int
    rewritten: int
    skipped_changed: int


def census() -> Counter[tuple[str, int]]:
    """How many ciphertexts each (table, key version) holds."""
    counts: Counter[tuple[str, int]] = Counter()
    for model, columns in encrypted_columns():
        for row in db.session.execute(select(*[getattr(model, c) for c in columns])):
            for blob in row:
                if blob is not None:
                    counts[(model.__tablename__, key_version(blob))] += 1
    return counts


def reencrypt(
    batch_size: int, progress: Callable[[str, int], None] | None = None
) -> RotationReport:
    """Bring every ciphertext to the active version. Safe to stop and run again."""
    forget_keyring()
    ring = current_keyring()
    rewritten = skipped = 0
    for model, columns in encrypted_columns():
        table = model.__table__
        last_id = None
        while True:
            query = (
                select(model.id, *[getattr(model, c) for c in columns])
                .order_by(model.id)
                .limit(batch_size)
            )
            if last_id is not None:
                query = query.where(model.id > last_id)
            with transaction():  # one batch: stopped anywhere, it starts again cleanly
                rows = db.session.execute(query).all()
                if not rows:
                    break
                for row in rows:
                    for column, blob in zip(columns, row[1:], strict=True):
                        if blob is None or key_version(blob) == ring.active_version:
                            continue
                        context = field_context(table.name, table.columns[column].name, row.id)
                        fresh = ring.encrypt(ring.decrypt(blob, context), context)
                        result = db.session.execute(
                            update(table)
                            .where(table.c.id == row.id, table.c[column] == blob)
                            .values({column: fresh})
                        )
                        if result.rowcount == 1:
                            rewritten += 1
                        else:
                            skipped += 1  # changed meanwhile by a save, which used a current key
            last_id = rows[-1].id
            if progress:
                progress(model.__tablename__, len(rows))
    return RotationReport(version=ring.active_version, rewritten=rewritten, skipped_changed=skipped)


def rotate(batch_size: int, progress: Callable[[str, int], None] | None = None) -> RotationReport:
    """Add a new data-key version, then re-encrypt everything under it."""
    with transaction():
        add_data_key(current_app.config["MASTER_KEY"])
    return reencrypt(batch_size, progress)
