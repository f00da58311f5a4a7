"""Audit trail verifications started from the browser run as background jobs: the job kind
`audit_verify` is allowed by the job table's kind constraint.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 21:50:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

_TABLE = "job"
_CONSTRAINT = "ck_job_jobkind"
_OLD = ("import", "refresh", "rematch", "exchange_push", "dna_search")
_NEW = ("import", "refresh", "rematch", "exchange_push", "dna_search", "audit_verify")


def _values(kinds):
    return ", ".join(f"'{kind}'" for kind in kinds)


def _set_kinds(old, new):
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.drop_constraint(op.f(_CONSTRAINT), _TABLE, type_="check")
        op.create_check_constraint(op.f(_CONSTRAINT), _TABLE, f"kind IN ({_values(new)})")
        return
    # SQLite cannot alter a CHECK constraint: its text is changed in the schema (see 0009)
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (_TABLE,)
    ).scalar_one()
    before, after = f"kind IN ({_values(old)})", f"kind IN ({_values(new)})"
    if before not in sql:
        raise RuntimeError(f"{_TABLE}: the kind constraint is not the one this migration knows.")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
        (sql.replace(before, after), _TABLE),
    )
    bind.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade():
    _set_kinds(_OLD, _NEW)


def downgrade():
    op.execute(f"DELETE FROM {_TABLE} WHERE kind = 'audit_verify'")
    _set_kinds(_NEW, _OLD)
