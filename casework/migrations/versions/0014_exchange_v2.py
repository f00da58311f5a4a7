"""Exchange v2: sequence resets under fresh keys (who signed each receipt, and the reset epoch it
counts in), the new message kinds, and sequences up to 2^53 - 1 on PostgreSQL.

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-07 06:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0012"
branch_labels = None
depends_on = None

OLD_KINDS = ("bundle", "disclosure-request", "disclosure-decision", "disclosure-response")
NEW_KINDS = (*OLD_KINDS, "sequence-reset", "name-query", "name-answer")


def _kind(kinds):
    return sa.Enum(*kinds, name="messagekind", native_enum=False, create_constraint=True, length=24)


def _kind_check(kinds):
    return "kind IN (" + ", ".join(f"'{kind}'" for kind in kinds) + ")"


def _retype(kinds, sequence_type):
    """Swap the CHECK constraint of the message kind (and the sequence type) on both tables."""
    for table in ("outgoing_message", "imported_message"):
        if op.get_bind().dialect.name == "postgresql":
            op.drop_constraint(op.f(f"ck_{table}_messagekind"), table, type_="check")
            op.create_check_constraint("messagekind", table, _kind_check(kinds))
            op.alter_column(table, "sequence", type_=sequence_type, existing_nullable=False)
        else:
            # SQLite: the table is rebuilt; its integers are 64-bit whatever the declared type
            with op.batch_alter_table(table, recreate="always") as batch_op:
                batch_op.drop_constraint(op.f(f"ck_{table}_messagekind"), type_="check")
                batch_op.create_check_constraint("messagekind", _kind_check(kinds))
                batch_op.alter_column("sequence", type_=sequence_type, existing_nullable=False)


def upgrade():
    _retype(NEW_KINDS, sa.BigInteger())
    with op.batch_alter_table("imported_message") as batch_op:
        batch_op.add_column(sa.Column("signer_fingerprint", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("epoch", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "sequence_reset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(length=64), nullable=False),
        sa.Column("kind", _kind(NEW_KINDS), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("continue_after", sa.BigInteger(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=36), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sequence_reset")),
        sa.UniqueConstraint(
            "sender_id", "kind", "epoch", name=op.f("uq_sequence_reset_sender_id_kind_epoch")
        ),
        sa.UniqueConstraint(
            "sender_id",
            "kind",
            "fingerprint",
            name=op.f("uq_sequence_reset_sender_id_kind_fingerprint"),
        ),
    )


def downgrade():
    op.drop_table("sequence_reset")
    with op.batch_alter_table("imported_message") as batch_op:
        batch_op.drop_column("epoch")
        batch_op.drop_column("signer_fingerprint")
    _retype(OLD_KINDS, sa.Integer())
