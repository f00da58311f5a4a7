"""Free text of marks, effects and places encrypted at rest: a mark's description, an effect's
description, where a person was last seen and where remains were recovered move from clear
text columns to ciphertext columns (the mark's kind and body region and the effect's category
stay in clear: matching and statistics read them). Existing values are encrypted here, under
the active data key, with the master key the application was started with; a database holding
such values cannot be upgraded without it.

Also: the status history (append-only) lets a key rotation re-encrypt the reason of a change,
and nothing else: the database still refuses any other change to a row, and any deletion.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 14:15:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

# table, the clear column, its ciphertext column, the clear column's type (for a downgrade)
MOVED = (
    ("distinguishing_mark", "description", "description_ct", sa.String(500)),
    ("effect", "description", "description_ct", sa.String(500)),
    ("missing_person", "last_seen_place", "last_seen_place_ct", sa.String(300)),
    ("unidentified_remains", "recovery_place", "recovery_place_ct", sa.String(300)),
)
_PAGE = 1000


def _keyring():
    """The application's key ring, read through this migration's connection (the app's own
    session would wait for the lock this migration holds on SQLite)."""
    from flask import current_app, has_app_context

    from casework.crypto import KeyRing, derive_key, unwrap_key

    if not has_app_context():
        raise RuntimeError(
            "Encrypting the existing free text needs the master key: run this upgrade with "
            "`casework db upgrade` (or `casework setup`), not with alembic alone."
        )
    master = current_app.config["MASTER_KEY"]
    rows = op.get_bind().execute(sa.text("SELECT version, wrapped FROM data_key")).all()
    if not rows:
        raise RuntimeError("Free text is stored but no data key exists: run `casework keys init`.")
    keys = {row.version: unwrap_key(master, row.wrapped, f"data v{row.version}") for row in rows}
    return KeyRing(keys=keys, active_version=max(keys), index_key=derive_key(master, "blind index"))


def _convert(table_name, source, target, source_type, target_type, transform):
    """Copy `source` into `target` through `transform(ring, table, column, id, value)`, a
    page at a time (by id), for the rows where it is set."""
    from casework.crypto import field_context

    table = sa.table(
        table_name,
        sa.column("id", sa.Uuid()),
        sa.column(source, source_type),
        sa.column(target, target_type),
    )
    bind = op.get_bind()
    ring = None
    last = None
    while True:
        query = (
            sa.select(table.c.id, table.c[source])
            .where(table.c[source].is_not(None))
            .order_by(table.c.id)
            .limit(_PAGE)
        )
        if last is not None:
            query = query.where(table.c.id > last)
        rows = bind.execute(query).all()
        if not rows:
            return
        ring = ring or _keyring()
        for row_id, value in rows:
            context_column = target if target.endswith("_ct") else source
            context = field_context(table_name, context_column, row_id)
            bind.execute(
                table.update()
                .where(table.c.id == row_id)
                .values({target: transform(ring, context, value)})
            )
        last = rows[-1][0]


def _encrypt(ring, context, value):
    return ring.encrypt(value.encode(), context) if value.strip() else None


def _decrypt(ring, context, blob):
    return ring.decrypt(blob, context).decode()


# every column of the status history but the reason's ciphertext, which a key rotation rewrites
STATUS_CHANGE_CONTENT = (
    "id, missing_person_id, remains_id, from_status, to_status, via, changed_by_id, changed_at"
)


def _status_history_guard(update_columns):
    """The append-only guard of case_status_change, refusing an UPDATE of `update_columns`
    (None: of any column) and every DELETE."""
    table = "case_status_change"
    of = f" OF {update_columns}" if update_columns else ""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE{of} OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION casework_append_only()"
        )
    else:
        for event, columns in (("update", of), ("delete", "")):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{event}")
            op.execute(
                f"CREATE TRIGGER {table}_no_{event} BEFORE {event.upper()}{columns} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )


def upgrade():
    for table, clear, cipher, clear_type in MOVED:
        op.add_column(table, sa.Column(cipher, sa.LargeBinary(), nullable=True))
        _convert(table, clear, cipher, clear_type, sa.LargeBinary(), _encrypt)
        op.drop_column(table, clear)
    _status_history_guard(STATUS_CHANGE_CONTENT)


def downgrade():
    _status_history_guard(None)
    for table, clear, cipher, clear_type in MOVED:
        op.add_column(table, sa.Column(clear, clear_type, nullable=True))
        _convert(table, cipher, clear, sa.LargeBinary(), clear_type, _decrypt)
        op.drop_column(table, cipher)
