"""procedures as data: the procedure an award type follows, the procedure version a dossier moves on

Existing award types follow the reference procedure, and existing dossiers its first version, which is the
workflow they were created under.

Revision ID: 0012procedures
Revises: 0011ruleaudit
"""
from alembic import op
import sqlalchemy as sa


revision = "0012procedures"
down_revision = "0011ruleaudit"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE, also on SQLite: a batch rebuild of `dossiers` would trip its foreign keys.
    op.add_column("award_types", sa.Column("procedure", sa.String(length=64), nullable=False,
                                           server_default="reference"))
    op.add_column("dossiers", sa.Column("procedure", sa.String(length=64), nullable=False,
                                        server_default="reference"))
    op.add_column("dossiers", sa.Column("procedure_version", sa.Integer(), nullable=False, server_default="1"))


def downgrade():
    op.drop_column("dossiers", "procedure_version")
    op.drop_column("dossiers", "procedure")
    op.drop_column("award_types", "procedure")
