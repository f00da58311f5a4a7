"""Sign-in sessions kept on the server, so that signing out ends a session in every application
process and a copied cookie stops working.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 03:20:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sign_in_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_digest", sa.LargeBinary(length=32), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_sign_in_session_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_session")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_sign_in_session_token_digest")),
    )
    op.create_index(
        op.f("ix_sign_in_session_user_id"), "sign_in_session", ["user_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_sign_in_session_user_id"), table_name="sign_in_session")
    op.drop_table("sign_in_session")
