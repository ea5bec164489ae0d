"""users' and units' name keys, so that the person rule of a conflict of interest is a query

A council member who is the nominee, or whose unit is the nominated collective, does not vote on the dossier
(DOMAIN.md, "Roles"). Names are compared by the one key nominees are compared by (`workflow.text.name_key`); keeping
that key beside each user's full name and each unit's name lets the council without conflict be counted in SQL, in
the statement that counts the ballots, instead of loading the council and comparing in Python for every tally.

Revision ID: 0017namekeys
Revises: 0016council
"""
from alembic import op
import sqlalchemy as sa

from workflow.text import name_key


revision = "0017namekeys"
down_revision = "0016council"
branch_labels = None
depends_on = None

KEY_LENGTH = 3 * 255
# Each table with the column its key is computed from.
SOURCES = {"users": "full_name", "units": "name"}


def upgrade():
    connection = op.get_bind()
    for name, source in SOURCES.items():
        op.add_column(name, sa.Column("name_key", sa.String(length=KEY_LENGTH), nullable=False, server_default=""))
        table = sa.table(name, sa.column("id"), sa.column(source), sa.column("name_key"))
        rows = connection.execute(sa.select(table.c.id, table.c[source])).all()
        keyed = [{"row_id": row_id, "key": name_key(value or "")} for row_id, value in rows]
        if keyed:
            connection.execute(table.update().where(table.c.id == sa.bindparam("row_id"))
                               .values(name_key=sa.bindparam("key")), keyed)
    op.create_index("ix_users_name_key", "users", ["name_key"])
    op.create_index("ix_units_name_key", "units", ["name_key"])


def downgrade():
    op.drop_index("ix_units_name_key", table_name="units")
    op.drop_index("ix_users_name_key", table_name="users")
    for name in SOURCES:
        op.drop_column(name, "name_key")
