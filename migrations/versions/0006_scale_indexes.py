"""indexes for the dossier lists and the dashboard at 100,000 dossiers

The lists count every dossier that matches (their `total`), and the dashboard counts a campaign's
dossiers per unit, award type and state. With every column they filter on and that the visibility
rule reads in one index, those counts are index-only scans instead of reads of the whole table;
the due date after the state gives the dashboard a campaign's overdue returns in due order.
The nominee search (`%name%`, any part of the name) is served by a trigram index on PostgreSQL.

Revision ID: 0006scale
Revises: 0005honours
"""
from alembic import op


revision = "0006scale"
down_revision = "0005honours"
branch_labels = None
depends_on = None

FILTER_COLUMNS = ["campaign_id", "state", "due_date", "unit_id", "award_type_id", "ever_submitted"]


def upgrade():
    op.drop_index("ix_dossiers_campaign_state", table_name="dossiers")
    op.create_index("ix_dossiers_filters", "dossiers", FILTER_COLUMNS, unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.create_index("ix_dossiers_nominee_search_trigrams", "dossiers", ["nominee_search"], unique=False,
                        postgresql_using="gin", postgresql_ops={"nominee_search": "gin_trgm_ops"})


def downgrade():
    # The pg_trgm extension stays: other objects of the database may have come to use it.
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_dossiers_nominee_search_trigrams", table_name="dossiers")
    op.drop_index("ix_dossiers_filters", table_name="dossiers")
    op.create_index("ix_dossiers_campaign_state", "dossiers", ["campaign_id", "state"], unique=False)
