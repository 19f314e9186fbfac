"""The store's tables, declared once for SQLite and PostgreSQL.

The tables follow :mod:`allege.model`. Each document keeps its own entity ids ("E1") and
claim ids ("C1") next to the corpus-level entity ids they resolve to, so an analyst's merge
or split can re-point a document's links without re-analysing it.

Full-text indexes are not declared here: they differ between the two databases and live in
the migrations (FTS5 tables and triggers on SQLite; a stored tsvector column with a GIN
index on PostgreSQL).
The migrations are the source of truth for a live database; a test checks that they and
this module agree.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

#: What became of a document: analysed, or stored unanalysed and why.
STATUSES = ("analysed", "non_english", "waiting_for_page")


def _document_fk() -> Column[int]:
    return Column(
        "document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False
    )


documents = Table(
    "documents", metadata,
    Column("id", Integer, primary_key=True),  # a stable integer rowid for SQLite's FTS5
    Column("hash", String(64), nullable=False, unique=True),  # Document.hash: the identity
    Column("text", Text, nullable=False),
    Column("title", Text),
    Column("url", Text),
    Column("outlet", Text, index=True),
    Column("published", Text, index=True),  # ISO 8601 as read; compared as text
    Column("language", String(20), nullable=False),
    Column("author", Text),
    Column("status", String(20), nullable=False),
    Column("source", Text),  # the path or URI it was read from
    Column("ingested_at", DateTime(timezone=True), nullable=False),
)

entities = Table(
    "entities", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("type", String(20), nullable=False),
    Column("key", Text, nullable=False, index=True),  # the normalised name
    Column("surname", Text, index=True),  # last word of a PERSON's key
    Column("mention_count", Integer, nullable=False, default=0),
)

entity_aliases = Table(
    "entity_aliases", metadata,
    Column(
        "entity_id", Integer, ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("key", Text, primary_key=True, index=True),
    Column("alias", Text, nullable=False),
)

document_entities = Table(
    "document_entities", metadata,
    Column(
        "document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("local_id", String(16), primary_key=True),  # Entity.id within the document
    Column("entity_id", Integer, ForeignKey("entities.id"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("type", String(20), nullable=False),
    Column("aliases", JSON, nullable=False),
)

mentions = Table(
    "mentions", metadata,
    Column("id", Integer, primary_key=True),
    _document_fk(),
    Column("entity_local", String(16), nullable=False),
    Column("entity_id", Integer, ForeignKey("entities.id"), nullable=False, index=True),
    Column("start_char", Integer, nullable=False),
    Column("end_char", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Index(None, "document_id", "start_char"),
)

claims = Table(
    "claims", metadata,
    Column("id", Integer, primary_key=True),  # a stable integer rowid for SQLite's FTS5
    _document_fk(),
    Column("local_id", String(16), nullable=False),  # Claim.id within the document
    Column("speaker_text", Text),
    Column("speaker_start", Integer),
    Column("speaker_end", Integer),
    Column("speaker_local", String(16)),
    Column("speaker_entity_id", Integer, ForeignKey("entities.id"), index=True),
    Column("cue_text", Text, nullable=False),
    Column("cue_lemma", Text, nullable=False),
    Column("cue_start", Integer, nullable=False),
    Column("cue_end", Integer, nullable=False),
    Column("content_text", Text, nullable=False),
    Column("content_start", Integer, nullable=False),
    Column("content_end", Integer, nullable=False),
    Column("content_segments", JSON, nullable=False),  # [[start, end], ...]
    Column("kind", String(20), nullable=False),
    Column("stance", String(30), nullable=False, index=True),
    Column("about", String(16)),  # a claim's local id in the same document
    Column("via_local", JSON, nullable=False),  # document entity ids, innermost first
    Column("via", JSON, nullable=False),  # the same chain as corpus entity ids
    Column("confidence", Float, nullable=False),
    Column("rule", Text, nullable=False),
    Column("sentence", Integer, nullable=False),
    UniqueConstraint("document_id", "local_id"),
)

relations = Table(
    "relations", metadata,
    Column("id", Integer, primary_key=True),
    _document_fk(),
    Column("subject_local", String(16), nullable=False),
    Column("subject_id", Integer, ForeignKey("entities.id"), nullable=False, index=True),
    Column("predicate", Text, nullable=False),
    Column("object_local", String(16), nullable=False),
    Column("object_id", Integer, ForeignKey("entities.id"), nullable=False, index=True),
    Column("evidence_start", Integer, nullable=False),
    Column("evidence_end", Integer, nullable=False),
    Column("evidence_text", Text, nullable=False),
)

disputes = Table(
    "disputes", metadata,
    Column("id", Integer, primary_key=True),
    _document_fk(),
    Column("kind", String(30), nullable=False),
    Column("claims", JSON, nullable=False),  # claim local ids in the document
    Column("explanation", Text, nullable=False),
)

entity_decisions = Table(
    "entity_decisions", metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(10), nullable=False),  # "merge" or "split"
    Column("entity_id", Integer, nullable=False, index=True),  # kept (merge) / split from
    Column("entity_name", Text, nullable=False),
    Column("other_id", Integer, nullable=False),  # merged away (merge) / split off (split)
    Column("other_name", Text, nullable=False),
    Column("key", Text, nullable=False, index=True),  # the other name, normalised
    Column("created_at", DateTime(timezone=True), nullable=False),
)

skipped = Table(
    "skipped", metadata,
    Column("id", Integer, primary_key=True),
    Column("source", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

pending = Table(
    "pending", metadata,
    Column("url", Text, primary_key=True),
    Column("title", Text),
    Column("feed", Text),
    Column("first_seen", DateTime(timezone=True), nullable=False),
)


# Propositions (corroborate/propositions.py): claims across documents that state the same
# thing, each with its member's stance. Rebuilt as a whole; created by migration 0002.
propositions = Table(
    "propositions", metadata,
    Column("id", Integer, primary_key=True),
    Column("text", Text, nullable=False),
    Column("built_at", DateTime(timezone=True), nullable=False),
)
proposition_members = Table(
    "proposition_members", metadata,
    Column("proposition_id", Integer,
           ForeignKey("propositions.id", ondelete="CASCADE"), primary_key=True),
    Column("claim_id", Integer, ForeignKey("claims.id", ondelete="CASCADE"),
           primary_key=True, index=True),
    Column("stance", String(30), nullable=False),
    # the document's stance as a whole toward the proposition (agree, disagree, discuss,
    # unrelated), for members that only report it; added by migration 0003
    Column("article_stance", String(12)),
)

# Sentence embeddings of claim contents (corroborate/vectors.py), kept so that each claim is
# embedded once; float16, unit length. Created by migration 0003.
claim_vectors = Table(
    "claim_vectors", metadata,
    Column("claim_id", Integer, ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True),
    Column("model", String(100), nullable=False),
    Column("vector", LargeBinary, nullable=False),
)
