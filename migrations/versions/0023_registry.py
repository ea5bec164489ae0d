"""the nominee registry: persons and collectives that live across campaigns, each dossier referring to one; merges
of two entries found to be one nominee

The existing dossiers get one entry per distinct (kind, name key, year of birth, unit), made from the earliest of
them, and refer to it; the work goes in batches of dossier ids, each a few set-based statements.

Revision ID: 0023registry
Revises: 0022amend
"""
from alembic import op
import sqlalchemy as sa

revision = "0023registry"
down_revision = "0022amend"
branch_labels = None
depends_on = None

KEY_LENGTH = 3 * 255
BATCH = 20_000

dossiers = sa.table("dossiers", *(sa.column(name) for name in (
    "id", "unit_id", "nominee_id", "nominee_kind", "nominee_name", "nominee_name_key", "nominee_search",
    "nominee_birth_year", "nominee_gender", "nominee_position", "created_by_id", "created_at")))
nominees = sa.table("nominees", *(sa.column(name) for name in (
    "id", "kind", "name", "name_key", "search_key", "unit_id", "birth_year", "gender", "position", "merged_into_id",
    "created_by_id", "created_at")))


def link_dossiers(connection) -> int:
    """Give every dossier without an entry the entry of its (kind, name key, year of birth, unit), made from the
    earliest such dossier when there is none; returns how many dossiers were linked."""
    d, n = dossiers, nominees
    fits = sa.and_(n.c.unit_id == d.c.unit_id, n.c.kind == d.c.nominee_kind, n.c.name_key == d.c.nominee_name_key,
                   n.c.birth_year.is_not_distinct_from(d.c.nominee_birth_year), n.c.merged_into_id.is_(None))
    last = connection.scalar(sa.select(sa.func.max(d.c.id))) or 0
    linked = 0
    for start in range(0, last, BATCH):
        window = (d.c.id > start, d.c.id <= start + BATCH, d.c.nominee_id.is_(None))
        firsts = (sa.select(sa.func.min(d.c.id)).where(*window)
                  .group_by(d.c.unit_id, d.c.nominee_kind, d.c.nominee_name_key, d.c.nominee_birth_year))
        connection.execute(n.insert().from_select(
            ["kind", "name", "name_key", "search_key", "unit_id", "birth_year", "gender", "position",
             "created_by_id", "created_at"],
            sa.select(d.c.nominee_kind, d.c.nominee_name, d.c.nominee_name_key, d.c.nominee_search, d.c.unit_id,
                      d.c.nominee_birth_year, d.c.nominee_gender, d.c.nominee_position, d.c.created_by_id,
                      d.c.created_at)
            .where(d.c.id.in_(firsts), ~sa.exists().where(fits)).order_by(d.c.id)))
        linked += connection.execute(d.update().where(*window).values(
            nominee_id=sa.select(n.c.id).where(fits).order_by(n.c.id).limit(1).scalar_subquery())).rowcount
    return linked


def upgrade():
    op.create_table(
        "nominees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("name_key", sa.String(length=KEY_LENGTH), nullable=False),
        sa.Column("search_key", sa.String(length=KEY_LENGTH), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("gender", sa.String(length=8), nullable=True),
        sa.Column("position", sa.String(length=255), nullable=True),
        sa.Column("identity_number", sa.String(length=12), nullable=True),
        sa.Column("collective_kind", sa.String(length=20), nullable=True),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name="fk_nominees_unit_id_units"),
        sa.ForeignKeyConstraint(["merged_into_id"], ["nominees.id"], name="fk_nominees_merged_into_id_nominees"),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name="fk_nominees_created_by_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_nominees"),
    )
    op.create_index("ix_nominees_match", "nominees", ["unit_id", "kind", "name_key"])
    op.create_index("ix_nominees_search_key", "nominees", ["search_key"],
                    postgresql_ops={"search_key": "varchar_pattern_ops"})
    op.create_index("ix_nominees_merged_into_id", "nominees", ["merged_into_id"])
    op.create_table(
        "nominee_merges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kept_id", sa.Integer(), nullable=False),
        sa.Column("merged_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kept_before", sa.JSON(), nullable=False),
        sa.Column("merged_before", sa.JSON(), nullable=False),
        sa.Column("dossier_ids", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["kept_id"], ["nominees.id"], name="fk_nominee_merges_kept_id_nominees"),
        sa.ForeignKeyConstraint(["merged_id"], ["nominees.id"], name="fk_nominee_merges_merged_id_nominees"),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name="fk_nominee_merges_actor_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_nominee_merges"),
    )
    op.create_index("ix_nominee_merges_kept_id", "nominee_merges", ["kept_id"])
    op.create_index("ix_nominee_merges_merged_id", "nominee_merges", ["merged_id"])
    postgresql = op.get_bind().dialect.name == "postgresql"
    # SQLite (the embedded setup) rebuilds a table to add a constraint, which the rows referring to the dossiers
    # forbid: there the column is added without one, and the application always fills it.
    op.add_column("dossiers", sa.Column("nominee_id", sa.Integer(), nullable=True))
    link_dossiers(op.get_bind())
    if postgresql:
        op.alter_column("dossiers", "nominee_id", existing_type=sa.Integer(), nullable=False)
        op.create_foreign_key("fk_dossiers_nominee_id_nominees", "dossiers", "nominees", ["nominee_id"], ["id"])
    op.create_index("ix_dossiers_nominee_id", "dossiers", ["nominee_id"])


def downgrade():
    op.drop_index("ix_dossiers_nominee_id", table_name="dossiers")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("fk_dossiers_nominee_id_nominees", "dossiers", type_="foreignkey")
    op.drop_column("dossiers", "nominee_id")
    op.drop_table("nominee_merges")
    op.drop_table("nominees")
