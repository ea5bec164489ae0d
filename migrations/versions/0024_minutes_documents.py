"""a document's file may be shared: the council's minutes, generated once when a session closes, are one file
attached to every dossier of its agenda

Revision ID: 0024minutesdocs
Revises: 0023registry
"""
from alembic import op

revision = "0024minutesdocs"
down_revision = "0023registry"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("documents") as batch:
        batch.drop_constraint("uq_documents_storage_name", type_="unique")
        batch.create_index("ix_documents_storage_name", ["storage_name"])


def downgrade():
    with op.batch_alter_table("documents") as batch:
        batch.drop_index("ix_documents_storage_name")
        batch.create_unique_constraint("uq_documents_storage_name", ["storage_name"])
