"""Cross-border DNA search (spec §7.7): each of our families in a search sent to a peer, and the
peer's answer (hit with its LR and the remains' pseudonym, or no hit). No genotypes, no names.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 15:50:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

STATUSES = ("pending", "hit", "no_hit")


def upgrade():
    op.create_table(
        "dna_search_result",
        sa.Column("peer_id", sa.Uuid(), nullable=False),
        sa.Column("search_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("pseudonym", sa.String(length=43), nullable=False),
        sa.Column("missing_person_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                *STATUSES,
                name="dnasearchstatus",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("log10_lr", sa.Float(), nullable=True),
        sa.Column("remains_pseudonym", sa.String(length=43), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["peer_id"],
            ["peer_authority.id"],
            name=op.f("fk_dna_search_result_peer_id_peer_authority"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["missing_person_id"],
            ["missing_person.id"],
            name=op.f("fk_dna_search_result_missing_person_id_missing_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dna_search_result")),
        sa.UniqueConstraint(
            "peer_id",
            "search_id",
            "pseudonym",
            name=op.f("uq_dna_search_result_peer_id_search_id_pseudonym"),
        ),
    )
    with op.batch_alter_table("dna_search_result", schema=None) as batch_op:
        for column in ("missing_person_id", "peer_id"):
            batch_op.create_index(
                batch_op.f(f"ix_dna_search_result_{column}"), [column], unique=False
            )


def downgrade():
    with op.batch_alter_table("dna_search_result", schema=None) as batch_op:
        for column in ("missing_person_id", "peer_id"):
            batch_op.drop_index(batch_op.f(f"ix_dna_search_result_{column}"))
    op.drop_table("dna_search_result")
