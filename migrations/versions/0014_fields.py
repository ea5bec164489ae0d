"""dossier fields: what a dossier of a procedure holds besides the nominee (the procedure file's `fields`)

Revision ID: 0014fields
Revises: 0013disclosure
"""
from alembic import op
import sqlalchemy as sa


revision = "0014fields"
down_revision = "0013disclosure"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE, also on SQLite: a batch rebuild of `dossiers` would trip its foreign keys.
    op.add_column("dossiers", sa.Column("details", sa.JSON(), nullable=False, server_default="{}"))


def downgrade():
    op.drop_column("dossiers", "details")
