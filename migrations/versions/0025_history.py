"""the award history of each nominee (conferred or imported), collectives' emulation ratings, and the eligibility
rules grouped in sets by legal basis and the dates they are in force

Revision ID: 0025history
Revises: 0026privacy
"""
from alembic import op
import sqlalchemy as sa

revision = "0025history"
down_revision = "0026privacy"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "award_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nominee_id", sa.Integer(), nullable=False),
        sa.Column("award_type_id", sa.Integer(), nullable=True),
        sa.Column("form", sa.String(length=255), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("title_key", sa.String(length=1500), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("decision_number", sa.String(length=64), nullable=False),
        sa.Column("decision_date", sa.Date(), nullable=True),
        sa.Column("issuer", sa.String(length=255), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("revocation_number", sa.String(length=64), nullable=True),
        sa.Column("revoked_on", sa.Date(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["nominee_id"], ["nominees.id"], name="fk_award_records_nominee_id_nominees"),
        sa.ForeignKeyConstraint(["award_type_id"], ["award_types.id"],
                                name="fk_award_records_award_type_id_award_types"),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossiers.id"], name="fk_award_records_dossier_id_dossiers"),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name="fk_award_records_recorded_by_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_award_records"),
        sa.UniqueConstraint("dossier_id", name="uq_award_records_dossier_id"),
    )
    op.create_index("ix_award_records_nominee_type_year", "award_records", ["nominee_id", "award_type_id", "year"])
    op.create_index("ix_award_records_nominee_title_year", "award_records", ["nominee_id", "title_key", "year"])
    op.create_table(
        "emulation_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nominee_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("rating", sa.String(length=255), nullable=False),
        sa.Column("rating_key", sa.String(length=765), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["nominee_id"], ["nominees.id"], name="fk_emulation_ratings_nominee_id_nominees"),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name="fk_emulation_ratings_recorded_by_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_emulation_ratings"),
        sa.UniqueConstraint("nominee_id", "year", name="uq_emulation_ratings_nominee_year"),
    )
    op.create_table(
        "rule_sets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("in_force_from", sa.Date(), nullable=False),
        sa.Column("in_force_until", sa.Date(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name="fk_rule_sets_created_by_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_rule_sets"),
    )
    op.create_table(
        "eligibility_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_set_id", sa.Integer(), nullable=False),
        sa.Column("award_type_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("years", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=True),
        sa.Column("title_key", sa.String(length=1500), nullable=True),
        sa.Column("article", sa.String(length=255), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["rule_set_id"], ["rule_sets.id"], name="fk_eligibility_rules_rule_set_id_rule_sets"),
        sa.ForeignKeyConstraint(["award_type_id"], ["award_types.id"],
                                name="fk_eligibility_rules_award_type_id_award_types"),
        sa.PrimaryKeyConstraint("id", name="pk_eligibility_rules"),
    )
    op.create_index("ix_eligibility_rules_rule_set_id", "eligibility_rules", ["rule_set_id"])


def downgrade():
    op.drop_index("ix_eligibility_rules_rule_set_id", table_name="eligibility_rules")
    op.drop_table("eligibility_rules")
    op.drop_table("rule_sets")
    op.drop_table("emulation_ratings")
    op.drop_index("ix_award_records_nominee_title_year", table_name="award_records")
    op.drop_index("ix_award_records_nominee_type_year", table_name="award_records")
    op.drop_table("award_records")
