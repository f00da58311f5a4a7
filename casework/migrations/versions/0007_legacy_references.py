"""Legacy references: the ref a case carried in the system it was imported from, unique per
agency, so that importing the same file twice adds nothing.

Revision ID: 0007
Revises: 0003
Create Date: 2026-11-23 15:10:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_TABLES = ("missing_person", "unidentified_remains")


def upgrade():
    # plain ALTER TABLE ADD COLUMN and a unique index: no table rebuild, which SpatiaLite's
    # geometry triggers would not survive
    for table in _TABLES:
        op.add_column(table, sa.Column("external_reference", sa.String(length=64), nullable=True))
        op.create_index(
            f"ix_{table}_agency_external_reference",
            table,
            ["agency_id", "external_reference"],
            unique=True,
        )


def downgrade():
    for table in reversed(_TABLES):
        op.drop_index(f"ix_{table}_agency_external_reference", table_name=table)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("external_reference")
