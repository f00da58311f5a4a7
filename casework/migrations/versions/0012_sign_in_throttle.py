"""Sign-in throttling per account and address, in place of locking the whole account: an
outsider's wrong guesses no longer lock its owner out.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 04:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sign_in_throttle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("held_until", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_sign_in_throttle_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_throttle")),
        sa.UniqueConstraint("user_id", "address", name=op.f("uq_sign_in_throttle_user_id_address")),
    )
    op.create_index(
        op.f("ix_sign_in_throttle_user_id"), "sign_in_throttle", ["user_id"], unique=False
    )
    # plain ALTER TABLE DROP COLUMN (SQLite 3.35+): no rebuild of a table every case refers to
    op.drop_column("user_account", "failed_logins")
    op.drop_column("user_account", "locked_until")


def downgrade():
    op.add_column("user_account", sa.Column("locked_until", sa.DateTime(timezone=True)))
    op.add_column(
        "user_account",
        sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"),
    )
    op.drop_index(op.f("ix_sign_in_throttle_user_id"), table_name="sign_in_throttle")
    op.drop_table("sign_in_throttle")
