"""Remains: the day a burial is planned (the dashboard's remains at risk put them first), and a
supervisor's override of the DNA sample hold before the remains are released (when and
why; who is in the audit trail). Cross-border DNA results: the lineage systems (mtDNA, Y-STR)
that the answering authority says exclude a hit; and the peers' DNA searches we answered (their
daily budget of families counts them).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 17:50:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "incoming_dna_search",
        sa.Column("peer_id", sa.Uuid(), nullable=False),
        sa.Column("search_id", sa.String(length=36), nullable=False),
        sa.Column("families", sa.Integer(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["peer_id"],
            ["peer_authority.id"],
            name=op.f("fk_incoming_dna_search_peer_id_peer_authority"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incoming_dna_search")),
        sa.UniqueConstraint(
            "peer_id", "search_id", name=op.f("uq_incoming_dna_search_peer_id_search_id")
        ),
    )
    with op.batch_alter_table("incoming_dna_search", schema=None) as batch_op:
        for column in ("answered_at", "peer_id"):
            batch_op.create_index(
                batch_op.f(f"ix_incoming_dna_search_{column}"), [column], unique=False
            )
    # plain ADD COLUMN on both databases: no table rebuild on SQLite (SpatiaLite's geometry
    # triggers and the foreign keys pointing at this table make one costly), none needed
    op.add_column("unidentified_remains", sa.Column("burial_planned_on", sa.Date(), nullable=True))
    op.add_column(
        "unidentified_remains", sa.Column("dna_hold_waived_at", sa.DateTime(timezone=True))
    )
    op.add_column("unidentified_remains", sa.Column("dna_hold_waiver_reason_ct", sa.LargeBinary()))
    op.add_column(
        "dna_search_result", sa.Column("lineage_exclusion", sa.String(length=16), nullable=True)
    )
    op.create_index(
        op.f("ix_unidentified_remains_burial_planned_on"),
        "unidentified_remains",
        ["burial_planned_on"],
        unique=False,
    )


def downgrade():
    with op.batch_alter_table("incoming_dna_search", schema=None) as batch_op:
        for column in ("answered_at", "peer_id"):
            batch_op.drop_index(batch_op.f(f"ix_incoming_dna_search_{column}"))
    op.drop_table("incoming_dna_search")
    op.drop_column("dna_search_result", "lineage_exclusion")
    op.drop_index(op.f("ix_unidentified_remains_burial_planned_on"), "unidentified_remains")
    for column in ("dna_hold_waiver_reason_ct", "dna_hold_waived_at", "burial_planned_on"):
        op.drop_column("unidentified_remains", column)
