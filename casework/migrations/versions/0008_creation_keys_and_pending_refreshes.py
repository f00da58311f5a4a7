"""Creation keys (a retried create answers with the case it made the first time) and pending
candidate recomputations (a save whose after-commit recomputation failed is not forgotten).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 03:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _case_links() -> list[sa.Column]:
    return [
        sa.Column("missing_person_id", sa.Uuid(), nullable=True),
        sa.Column("remains_id", sa.Uuid(), nullable=True),
    ]


def _case_foreign_keys(table: str) -> list[sa.ForeignKeyConstraint]:
    return [
        sa.ForeignKeyConstraint(
            ["missing_person_id"],
            ["missing_person.id"],
            name=op.f(f"fk_{table}_missing_person_id_missing_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["remains_id"],
            ["unidentified_remains.id"],
            name=op.f(f"fk_{table}_remains_id_unidentified_remains"),
            ondelete="CASCADE",
        ),
    ]


def upgrade():
    op.create_table(
        "creation_key",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("request_digest", sa.String(length=64), nullable=True),
        *_case_links(),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_creation_key_user_id_user_account"),
            ondelete="CASCADE",
        ),
        *_case_foreign_keys("creation_key"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_creation_key")),
        sa.UniqueConstraint("user_id", "key", name=op.f("uq_creation_key_user_id_key")),
    )
    op.create_table(
        "pending_refresh",
        *_case_links(),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure", sa.String(length=100), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        *_case_foreign_keys("pending_refresh"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_refresh")),
    )
    with op.batch_alter_table("pending_refresh", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pending_refresh_missing_person_id"), ["missing_person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_pending_refresh_remains_id"), ["remains_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("pending_refresh", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_refresh_remains_id"))
        batch_op.drop_index(batch_op.f("ix_pending_refresh_missing_person_id"))
    op.drop_table("pending_refresh")
    op.drop_table("creation_key")
