"""the one text policy on stored rows, and room for the name keys

Text typed into the product is now NFC without control characters (line breaks and tabs only in
multi-line text), and names carry no invisible characters; rows stored before are cleaned the same
way, so that exports, searches and comparisons see what new input would give. Each nominee's
comparison and search keys are recomputed with the one key (one tone-mark placement, invisible
characters removed), in columns wide enough for case folding, which can triple a name's length.

History rows and finalised honours lists are left as they are: their hashes cover the very text
(exports make such text printable instead). The cleaning uses the product's own functions
(`workflow.text`), so the keys are the ones new rows get.

Revision ID: 0008textpolicy
Revises: 0007historyhead
"""
from functools import partial

from alembic import op
import sqlalchemy as sa

from workflow.text import display_name, name_key, scrub_line, scrub_lines, search_key


revision = "0008textpolicy"
down_revision = "0007historyhead"
branch_labels = None
depends_on = None

NAME_LENGTH = 255
KEY_LENGTH = 3 * NAME_LENGTH
KEY_COLUMNS = ("nominee_name_key", "nominee_search")
BATCH = 1000
# The text columns people type into, each with how its stored text is cleaned.
CLEANERS = {
    "dossiers": {"nominee_name": display_name, "nominee_position": scrub_line, "nominee_workplace": scrub_line,
                 "achievements": scrub_lines, "decision_number": scrub_line},
    "campaigns": {"name": scrub_line, "ceremony_time": scrub_line, "ceremony_place": scrub_line},
    "award_types": {"name": scrub_line, "legal_basis": scrub_lines},
    "units": {"name": scrub_line},
    "users": {"full_name": partial(scrub_line, name=True), "email": scrub_line},
    "holidays": {"name": scrub_line},
}


def _nominee_keys(values: dict) -> dict:
    return {"nominee_name_key": name_key(values["nominee_name"]), "nominee_search": search_key(values["nominee_name"])}


def clean_rows(connection) -> int:
    """Clean every table's text columns in place, a batch of rows at a time; the number of rows changed."""
    changed = 0
    for name, cleaners in CLEANERS.items():
        derived = _nominee_keys if name == "dossiers" else None
        columns = [*cleaners, *(KEY_COLUMNS if derived else ())]
        table = sa.table(name, sa.column("id"), *(sa.column(column) for column in columns))
        update = (table.update().where(table.c.id == sa.bindparam("row_id"))
                  .values({column: sa.bindparam(column) for column in columns}))
        last = 0
        while True:
            rows = connection.execute(sa.select(table).where(table.c.id > last).order_by(table.c.id)
                                      .limit(BATCH)).mappings().all()
            if not rows:
                break
            updates = []
            for row in rows:
                values = {column: None if row[column] is None else clean(row[column])
                          for column, clean in cleaners.items()}
                if derived:
                    values.update(derived(values))
                if any(values[column] != row[column] for column in columns):
                    updates.append({"row_id": row["id"], **values})
            if updates:
                connection.execute(update, updates)
                changed += len(updates)
            last = rows[-1]["id"]
    return changed


def upgrade():
    # On SQLite the lengths are not enforced, and a batch rebuild of `dossiers` would trip its foreign keys.
    if op.get_bind().dialect.name == "postgresql":
        for column in KEY_COLUMNS:
            op.alter_column("dossiers", column, type_=sa.String(length=KEY_LENGTH),
                            existing_type=sa.String(length=NAME_LENGTH), existing_nullable=False)
    clean_rows(op.get_bind())


def downgrade():
    # The cleaned text stays clean; only the key columns go back to their former width.
    if op.get_bind().dialect.name == "postgresql":
        for column in KEY_COLUMNS:
            op.alter_column("dossiers", column, type_=sa.String(length=NAME_LENGTH),
                            existing_type=sa.String(length=KEY_LENGTH), existing_nullable=False,
                            postgresql_using=f"left({column}, {NAME_LENGTH})")
