"""The initial store: documents, entities, claims, relations, disputes, decisions, full text.

Revision ID: 0001
Revises:
Create Date: 2025-01-01

The tables are written out here, not imported from ``schema.py``, so that this revision
keeps creating what it always created when the schema moves on.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

TZ = sa.DateTime(timezone=True)


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer, primary_key=True)


def _document_id(table: str) -> sa.Column[int]:
    fk = sa.ForeignKey("documents.id", ondelete="CASCADE",
                       name=f"fk_{table}_document_id_documents")
    return sa.Column("document_id", sa.Integer, fk, nullable=False)


def _entity_fk(column: str, table: str, nullable: bool = True) -> sa.Column[int]:
    fk = sa.ForeignKey("entities.id", name=f"fk_{table}_{column}_entities")
    return sa.Column(column, sa.Integer, fk, nullable=nullable)


def upgrade() -> None:
    """Create every table, index and full-text index."""
    _documents_and_entities()
    _claims_and_links()
    _bookkeeping()
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_fts()
    else:
        _postgresql_fts()


def _documents_and_entities() -> None:
    op.create_table(
        "documents", _id(),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("title", sa.Text), sa.Column("url", sa.Text), sa.Column("outlet", sa.Text),
        sa.Column("published", sa.Text),
        sa.Column("language", sa.String(20), nullable=False),
        sa.Column("author", sa.Text),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("source", sa.Text),
        sa.Column("ingested_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_documents"),
        sa.UniqueConstraint("hash", name="uq_documents_hash"),
    )
    op.create_index("ix_documents_outlet", "documents", ["outlet"])
    op.create_index("ix_documents_published", "documents", ["published"])
    op.create_table(
        "entities", _id(),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("surname", sa.Text),
        sa.Column("mention_count", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_entities"),
    )
    op.create_index("ix_entities_key", "entities", ["key"])
    op.create_index("ix_entities_surname", "entities", ["surname"])
    op.create_table(
        "entity_aliases",
        sa.Column("entity_id", sa.Integer, sa.ForeignKey(
            "entities.id", ondelete="CASCADE", name="fk_entity_aliases_entity_id_entities")),
        sa.Column("key", sa.Text), sa.Column("alias", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("entity_id", "key", name="pk_entity_aliases"),
    )
    op.create_index("ix_entity_aliases_key", "entity_aliases", ["key"])
    op.create_table(
        "document_entities",
        _document_id("document_entities"),
        sa.Column("local_id", sa.String(16), nullable=False),
        _entity_fk("entity_id", "document_entities", nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("aliases", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("document_id", "local_id", name="pk_document_entities"),
    )
    op.create_index("ix_document_entities_entity_id", "document_entities", ["entity_id"])
    op.create_table(
        "mentions", _id(),
        _document_id("mentions"),
        sa.Column("entity_local", sa.String(16), nullable=False),
        _entity_fk("entity_id", "mentions", nullable=False),
        sa.Column("start_char", sa.Integer, nullable=False),
        sa.Column("end_char", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_mentions"),
    )
    op.create_index("ix_mentions_entity_id", "mentions", ["entity_id"])
    op.create_index("ix_mentions_document_id_start_char", "mentions",
                    ["document_id", "start_char"])


def _claims_and_links() -> None:
    op.create_table(
        "claims", _id(),
        _document_id("claims"),
        sa.Column("local_id", sa.String(16), nullable=False),
        sa.Column("speaker_text", sa.Text),
        sa.Column("speaker_start", sa.Integer), sa.Column("speaker_end", sa.Integer),
        sa.Column("speaker_local", sa.String(16)),
        _entity_fk("speaker_entity_id", "claims"),
        sa.Column("cue_text", sa.Text, nullable=False),
        sa.Column("cue_lemma", sa.Text, nullable=False),
        sa.Column("cue_start", sa.Integer, nullable=False),
        sa.Column("cue_end", sa.Integer, nullable=False),
        sa.Column("content_text", sa.Text, nullable=False),
        sa.Column("content_start", sa.Integer, nullable=False),
        sa.Column("content_end", sa.Integer, nullable=False),
        sa.Column("content_segments", sa.JSON, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("stance", sa.String(30), nullable=False),
        sa.Column("about", sa.String(16)),
        sa.Column("via_local", sa.JSON, nullable=False),
        sa.Column("via", sa.JSON, nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("rule", sa.Text, nullable=False),
        sa.Column("sentence", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_claims"),
        sa.UniqueConstraint("document_id", "local_id", name="uq_claims_document_id_local_id"),
    )
    op.create_index("ix_claims_speaker_entity_id", "claims", ["speaker_entity_id"])
    op.create_index("ix_claims_stance", "claims", ["stance"])
    op.create_table(
        "relations", _id(),
        _document_id("relations"),
        sa.Column("subject_local", sa.String(16), nullable=False),
        _entity_fk("subject_id", "relations", nullable=False),
        sa.Column("predicate", sa.Text, nullable=False),
        sa.Column("object_local", sa.String(16), nullable=False),
        _entity_fk("object_id", "relations", nullable=False),
        sa.Column("evidence_start", sa.Integer, nullable=False),
        sa.Column("evidence_end", sa.Integer, nullable=False),
        sa.Column("evidence_text", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_relations"),
    )
    op.create_index("ix_relations_subject_id", "relations", ["subject_id"])
    op.create_index("ix_relations_object_id", "relations", ["object_id"])
    op.create_table(
        "disputes", _id(),
        _document_id("disputes"),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("claims", sa.JSON, nullable=False),
        sa.Column("explanation", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_disputes"),
    )


def _bookkeeping() -> None:
    op.create_table(
        "entity_decisions", _id(),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("entity_id", sa.Integer, nullable=False),
        sa.Column("entity_name", sa.Text, nullable=False),
        sa.Column("other_id", sa.Integer, nullable=False),
        sa.Column("other_name", sa.Text, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_entity_decisions"),
    )
    op.create_index("ix_entity_decisions_entity_id", "entity_decisions", ["entity_id"])
    op.create_index("ix_entity_decisions_key", "entity_decisions", ["key"])
    op.create_table(
        "skipped", _id(),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_skipped"),
    )
    op.create_table(
        "pending",
        sa.Column("url", sa.Text), sa.Column("title", sa.Text), sa.Column("feed", sa.Text),
        sa.Column("first_seen", TZ, nullable=False),
        sa.PrimaryKeyConstraint("url", name="pk_pending"),
    )


# External-content FTS5 tables read their text from documents and claims by rowid; the
# triggers keep the index in step with every insert, update and delete.
_SQLITE_FTS = {
    "documents": ("documents_fts", ("title", "text")),
    "claims": ("claims_fts", ("content_text", "speaker_text")),
}


def _sqlite_fts() -> None:
    for table, (fts, columns) in _SQLITE_FTS.items():
        cols = ", ".join(columns)
        new = ", ".join(f"new.{c}" for c in columns)
        old = ", ".join(f"old.{c}" for c in columns)
        op.execute(
            f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{table}', "
            "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')"
        )
        delete = f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old});"
        insert = f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new});"
        op.execute(f"CREATE TRIGGER {table}_fts_insert AFTER INSERT ON {table} BEGIN {insert} END")
        op.execute(f"CREATE TRIGGER {table}_fts_delete AFTER DELETE ON {table} BEGIN {delete} END")
        op.execute(
            f"CREATE TRIGGER {table}_fts_update AFTER UPDATE OF {cols} ON {table} "
            f"BEGIN {delete} {insert} END"
        )


# Each table gets a stored tsvector column (ranking reads it instead of re-parsing every
# matching text) and a GIN index on it. Neither is in ``schema.py``: SQLite has no such thing.
POSTGRESQL_FTS = {
    "documents": "coalesce(title, '') || ' ' || text",
    "claims": "coalesce(speaker_text, '') || ' ' || content_text",
}


def _postgresql_fts() -> None:
    for table, words in POSTGRESQL_FTS.items():
        op.execute(f"ALTER TABLE {table} ADD COLUMN fts_vector tsvector GENERATED ALWAYS AS "
                   f"(to_tsvector('english'::regconfig, {words})) STORED")
        op.execute(f"CREATE INDEX {table}_fts ON {table} USING gin (fts_vector)")


def downgrade() -> None:
    """Drop everything this revision created."""
    if op.get_bind().dialect.name == "sqlite":
        for fts, _ in _SQLITE_FTS.values():
            op.execute(f"DROP TABLE {fts}")
    for table in ("pending", "skipped", "entity_decisions", "disputes", "relations", "claims",
                  "mentions", "document_entities", "entity_aliases", "entities", "documents"):
        op.drop_table(table)
