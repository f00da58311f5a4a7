"""DNA in the casework: the DNA analyst role, profiles on samples, the families' consent on
reference samples, DNA hits, relatives' place in the pedigree, the population of a case.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 14:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
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
    "system_administrator",
)
_NEW = (
    "forensic_officer",
    "family_liaison",
    "consular_official",
    "supervisor",
    "administrator",
    "auditor",
    "dna_analyst",
    "system_administrator",
)
_POSITIONS = (
    "mother",
    "father",
    "full_sibling",
    "maternal_half_sibling",
    "paternal_half_sibling",
    "child",
    "child_other_parent",
    "paternal_grandparent",
    "maternal_grandparent",
    "paternal_aunt_uncle",
    "maternal_aunt_uncle",
    "spouse",
)


def _values(roles):
    return ", ".join(f"'{role}'" for role in roles)


def _set_roles(old, new):
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.drop_constraint(op.f(_CONSTRAINT), _TABLE, type_="check")
        op.create_check_constraint(op.f(_CONSTRAINT), _TABLE, f"role IN ({_values(new)})")
        return
    # SQLite cannot alter a CHECK constraint: its text is changed in the schema (see 0009)
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


def _enum(name, values, length):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=length)


def upgrade():
    _set_roles(_OLD, _NEW)
    with op.batch_alter_table("agency") as batch_op:
        batch_op.add_column(sa.Column("dna_population", sa.String(length=64), nullable=True))
    with op.batch_alter_table("missing_person") as batch_op:
        batch_op.add_column(sa.Column("dna_population", sa.String(length=64), nullable=True))
    with op.batch_alter_table("relative") as batch_op:
        batch_op.add_column(
            sa.Column("position", _enum("familyposition", _POSITIONS, 32), nullable=True)
        )
        batch_op.add_column(
            sa.Column("sex", _enum("sex", ("M", "F", "U"), 1), nullable=False, server_default="U")
        )
    op.create_table(
        "dna_profile",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("sample_id", sa.Uuid(), nullable=False),
        sa.Column("system", _enum("markersystem", ("str", "y_str", "mtdna"), 8), nullable=False),
        sa.Column(
            "source", _enum("profilesource", ("form", "import", "consensus"), 16), nullable=False
        ),
        sa.Column("lab", sa.String(length=200), nullable=True),
        sa.Column("kit", sa.String(length=100), nullable=True),
        sa.Column("typed_on", sa.Date(), nullable=True),
        sa.Column("loci", sa.Integer(), nullable=False),
        sa.Column("genotypes_ct", sa.LargeBinary(), nullable=True),
        sa.Column("content_digest", sa.String(length=64), nullable=False),
        sa.Column("consensus", sa.Boolean(), nullable=False),
        sa.Column("confirmed_by_id", sa.Uuid(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("superseded", sa.Boolean(), nullable=False),
        sa.Column("destroyed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["sample_id"],
            ["sample.id"],
            name=op.f("fk_dna_profile_sample_id_sample"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"],
            ["user_account.id"],
            name=op.f("fk_dna_profile_confirmed_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_dna_profile_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dna_profile")),
        sa.UniqueConstraint(
            "sample_id", "content_digest", name=op.f("uq_dna_profile_sample_id_content_digest")
        ),
    )
    op.create_index(op.f("ix_dna_profile_sample_id"), "dna_profile", ["sample_id"])
    op.create_index(op.f("ix_dna_profile_consensus"), "dna_profile", ["consensus"])
    op.create_table(
        "reference_consent",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("sample_id", sa.Uuid(), nullable=False),
        sa.Column("search_here", sa.Boolean(), nullable=False),
        sa.Column("search_abroad", sa.Boolean(), nullable=False),
        sa.Column("countries", sa.String(length=400), nullable=True),
        sa.Column("keep_after_identification", sa.Boolean(), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by_id", sa.Uuid(), nullable=True),
        sa.Column("withdrawal_reason_ct", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["sample_id"],
            ["sample.id"],
            name=op.f("fk_reference_consent_sample_id_sample"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user_account.id"],
            name=op.f("fk_reference_consent_recorded_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by_id"],
            ["user_account.id"],
            name=op.f("fk_reference_consent_withdrawn_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_consent")),
        sa.UniqueConstraint("sample_id", name=op.f("uq_reference_consent_sample_id")),
    )
    op.create_table(
        "dna_hit",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("missing_person_id", sa.Uuid(), nullable=False),
        sa.Column("remains_id", sa.Uuid(), nullable=False),
        sa.Column("remains_barcode", sa.String(length=64), nullable=False),
        sa.Column("reference_barcodes", sa.String(length=400), nullable=False),
        sa.Column("log10_lr", sa.Float(), nullable=False),
        sa.Column("loci", sa.Integer(), nullable=False),
        sa.Column("relatives", sa.String(length=400), nullable=False),
        sa.Column("population", sa.String(length=64), nullable=False),
        sa.Column("prior", sa.Float(), nullable=False),
        sa.Column("open_missing", sa.Integer(), nullable=False),
        sa.Column("posterior", sa.Float(), nullable=False),
        sa.Column("lineage_excluded", sa.Boolean(), nullable=False),
        sa.Column("lineage_note_ct", sa.LargeBinary(), nullable=True),
        sa.Column("per_locus_ct", sa.LargeBinary(), nullable=True),
        sa.Column("override_reason_ct", sa.LargeBinary(), nullable=True),
        sa.Column("overridden_by_id", sa.Uuid(), nullable=True),
        sa.Column("overridden_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["missing_person_id"],
            ["missing_person.id"],
            name=op.f("fk_dna_hit_missing_person_id_missing_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["remains_id"],
            ["unidentified_remains.id"],
            name=op.f("fk_dna_hit_remains_id_unidentified_remains"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["overridden_by_id"],
            ["user_account.id"],
            name=op.f("fk_dna_hit_overridden_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dna_hit")),
        sa.UniqueConstraint(
            "missing_person_id", "remains_id", name=op.f("uq_dna_hit_missing_person_id_remains_id")
        ),
    )
    op.create_index(op.f("ix_dna_hit_missing_person_id"), "dna_hit", ["missing_person_id"])
    op.create_index(op.f("ix_dna_hit_remains_id"), "dna_hit", ["remains_id"])


def downgrade():
    op.drop_table("dna_hit")
    op.drop_table("reference_consent")
    op.drop_table("dna_profile")
    with op.batch_alter_table("relative") as batch_op:
        batch_op.drop_column("sex")
        batch_op.drop_column("position")
    with op.batch_alter_table("missing_person") as batch_op:
        batch_op.drop_column("dna_population")
    with op.batch_alter_table("agency") as batch_op:
        batch_op.drop_column("dna_population")
    op.execute(f"DELETE FROM {_TABLE} WHERE role = 'dna_analyst'")
    _set_roles(_NEW, _OLD)
