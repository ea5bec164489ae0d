"""the registry's look-up while typing at a million entries: the search key's prefix and its order from one index

On PostgreSQL the key is indexed in byte order (COLLATE "C"), with the id after it and only the live (not merged)
entries: `LIKE 'abc%'` is then a range of the index, which also gives the rows in the order the look-up lists them,
so it reads 20 rows however many share the prefix, whatever the database's own collation. A submitter looks up her
unit's entries: the unit first. SQLite (the embedded setup) gets the same columns in its byte order.

Revision ID: 0026privacy
Revises: 0030forwarding
"""
from alembic import op

revision = "0026privacy"
down_revision = "0030forwarding"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_nominees_search_key", table_name="nominees")
    if op.get_bind().dialect.name == "postgresql":
        op.execute('CREATE INDEX ix_nominees_lookup ON nominees (search_key COLLATE "C", id) '
                   "WHERE merged_into_id IS NULL")
        op.execute('CREATE INDEX ix_nominees_unit_lookup ON nominees (unit_id, search_key COLLATE "C", id) '
                   "WHERE merged_into_id IS NULL")
    else:
        op.create_index("ix_nominees_lookup", "nominees", ["search_key", "id"])
        op.create_index("ix_nominees_unit_lookup", "nominees", ["unit_id", "search_key", "id"])


def downgrade():
    op.drop_index("ix_nominees_unit_lookup", table_name="nominees")
    op.drop_index("ix_nominees_lookup", table_name="nominees")
    op.create_index("ix_nominees_search_key", "nominees", ["search_key"],
                    postgresql_ops={"search_key": "varchar_pattern_ops"})
