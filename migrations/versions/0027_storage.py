"""an export's file is an object of the store, checked against the size and SHA-256 kept in its job's row

Revision ID: 0027storage
Revises: 0025history
"""
import sqlalchemy as sa
from alembic import op

revision = "0027storage"
down_revision = "0025history"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("export_jobs") as batch:
        batch.add_column(sa.Column("size", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("sha256", sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table("export_jobs") as batch:
        batch.drop_column("sha256")
        batch.drop_column("size")
