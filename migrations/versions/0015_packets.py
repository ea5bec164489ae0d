"""unit packets: documents a unit uploads once per campaign for all its dossiers (DOMAIN.md, "Unit packet")

Revision ID: 0015packets
Revises: 0014fields
"""
from alembic import op
import sqlalchemy as sa


revision = "0015packets"
down_revision = "0014fields"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "packet_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("storage_name", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=128), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name="fk_packet_documents_unit_id_units"),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"], name="fk_packet_documents_campaign_id_campaigns"),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["users.id"], name="fk_packet_documents_uploaded_by_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_packet_documents"),
        sa.UniqueConstraint("storage_name", name="uq_packet_documents_storage_name"),
    )
    op.create_index("ix_packet_documents_unit_campaign", "packet_documents", ["unit_id", "campaign_id", "kind"])
    op.create_index("ix_packet_documents_campaign_id", "packet_documents", ["campaign_id"])


def downgrade():
    op.drop_index("ix_packet_documents_campaign_id", table_name="packet_documents")
    op.drop_index("ix_packet_documents_unit_campaign", table_name="packet_documents")
    op.drop_table("packet_documents")
