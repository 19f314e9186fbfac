"""Alembic environment: migrate the connection that ``upgrade_to_head`` hands over.

Write a new revision by hand in ``versions/`` from the change to
:mod:`allege.store.schema`; ``tests/test_store.py`` checks that the migrated database and
the schema agree on both SQLite and PostgreSQL.
"""

from __future__ import annotations

from alembic import context

from allege.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run allege's migrations with allege.store.db.upgrade_to_head(engine).")



def _not_full_text(name: str | None, _type: str, _parent: object) -> bool:
    """Full-text tables, columns and indexes live in the migrations only, not in ``schema``."""
    return "fts" not in (name or "")


context.configure(
    connection=connection,
    target_metadata=metadata,
    include_name=_not_full_text,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying
)
with context.begin_transaction():
    context.run_migrations()
