"""Exchange v2: sequence resets under fresh keys (who signed each receipt, and the reset epoch it
counts in), the new message kinds, sequences up to 2^53 - 1 on PostgreSQL, the format version of
foreign records, name queries (ours pending, peers' counted) and our names as each peer blinds
them.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 06:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

OLD_KINDS = ("bundle", "disclosure-request", "disclosure-decision", "disclosure-response")
NEW_KINDS = (
    *OLD_KINDS,
    "sequence-reset",
    "name-query",
    "name-answer",
    "dna-search",
    "dna-answer",
)


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

    with op.batch_alter_table("foreign_record") as batch_op:
        batch_op.add_column(
            sa.Column("format_version", sa.Integer(), nullable=False, server_default="1")
        )
        batch_op.add_column(sa.Column("coarsening", sa.String(length=200), nullable=True))
    with op.batch_alter_table("exported_record") as batch_op:
        batch_op.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "name_query",
        sa.Column(
            "direction",
            sa.Enum(
                "outgoing",
                "incoming",
                name="namequerydirection",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("peer_id", sa.Uuid(), nullable=False),
        sa.Column("query_id", sa.String(length=36), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("elements", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pending_ct", sa.LargeBinary(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["peer_id"],
            ["peer_authority.id"],
            name=op.f("fk_name_query_peer_id_peer_authority"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_name_query")),
        sa.UniqueConstraint(
            "direction",
            "peer_id",
            "query_id",
            name=op.f("uq_name_query_direction_peer_id_query_id"),
        ),
    )
    op.create_index(op.f("ix_name_query_peer_id"), "name_query", ["peer_id"], unique=False)
    op.create_index(op.f("ix_name_query_created_at"), "name_query", ["created_at"], unique=False)
    op.create_table(
        "own_name_keys",
        sa.Column("peer_id", sa.Uuid(), nullable=False),
        sa.Column("case_ref", sa.String(length=64), nullable=False),
        sa.Column("names_digest", sa.String(length=64), nullable=False),
        sa.Column("elements_ct", sa.LargeBinary(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["peer_id"],
            ["peer_authority.id"],
            name=op.f("fk_own_name_keys_peer_id_peer_authority"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_own_name_keys")),
        sa.UniqueConstraint("peer_id", "case_ref", name=op.f("uq_own_name_keys_peer_id_case_ref")),
    )
    op.create_index(op.f("ix_own_name_keys_peer_id"), "own_name_keys", ["peer_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_own_name_keys_peer_id"), table_name="own_name_keys")
    op.drop_table("own_name_keys")
    op.drop_index(op.f("ix_name_query_created_at"), table_name="name_query")
    op.drop_index(op.f("ix_name_query_peer_id"), table_name="name_query")
    op.drop_table("name_query")
    with op.batch_alter_table("foreign_record") as batch_op:
        batch_op.drop_column("coarsening")
    with op.batch_alter_table("exported_record") as batch_op:
        batch_op.drop_column("withdrawn_at")
        batch_op.drop_column("format_version")
    op.drop_table("sequence_reset")
    with op.batch_alter_table("imported_message") as batch_op:
        batch_op.drop_column("epoch")
        batch_op.drop_column("signer_fingerprint")
    _retype(OLD_KINDS, sa.Integer())
