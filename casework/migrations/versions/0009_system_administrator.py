"""The system administrator: a role of its own, apart from the administrators who manage the
accounts of one agency. Widens the CHECK constraint of user_account.role.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 03:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_TABLE = "user_account"
_CONSTRAINT = "ck_user_account_role"
_OLD = (
    "forensic_officer",
    "family_liaison",
    "consular_official",
    "supervisor",
    "administrator",
    "auditor",
)
_NEW = (*_OLD, "system_administrator")


def _values(roles):
    return ", ".join(f"'{role}'" for role in roles)


def _set_roles(old, new):
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.drop_constraint(op.f(_CONSTRAINT), _TABLE, type_="check")
        op.create_check_constraint(op.f(_CONSTRAINT), _TABLE, f"role IN ({_values(new)})")
        return
    # SQLite cannot alter a CHECK constraint. Rebuilding user_account would have to drop a table
    # that every case row references; changing the constraint's text in the schema is the
    # procedure SQLite documents for changes that leave the stored rows as they are.
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (_TABLE,)
    ).scalar_one()
    before, after = f"role IN ({_values(old)})", f"role IN ({_values(new)})"
    if before not in sql:
        raise RuntimeError(f"{_TABLE}: the role constraint is not the one this migration knows.")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
        (sql.replace(before, after), _TABLE),
    )
    bind.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade():
    _set_roles(_OLD, _NEW)


def downgrade():
    # system administrators become administrators of their own agency again
    op.execute(f"UPDATE {_TABLE} SET role = 'administrator' WHERE role = 'system_administrator'")
    _set_roles(_NEW, _OLD)
