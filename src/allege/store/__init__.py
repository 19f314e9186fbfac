"""The corpus store: documents, claims and entities in SQLite or PostgreSQL.

>>> store = connect("sqlite:///:memory:")       # or None: $ALLEGE_DB, else the default file
>>> save_analysis(store, analysis)              # doctest: +SKIP
>>> search(store, '"special forces" Syria')     # doctest: +SKIP
"""

from .db import Store, StoreError, connect, default_url, store_url, upgrade_to_head
from .entities import canonical_entity, merge_entities, resolve_corpus_entity, split_entity
from .queries import ClaimRow, EntityReport, RelationRow, Stats, claims, entity, stats
from .save import (
    Pending,
    is_stored,
    pending_items,
    record_pending,
    record_skip,
    save_analysis,
    stored,
)
from .search import Hit, search

__all__ = [
    "ClaimRow", "EntityReport", "Hit", "Pending", "RelationRow", "Stats", "Store", "StoreError",
    "canonical_entity", "claims", "connect", "default_url", "entity", "is_stored",
    "merge_entities", "pending_items", "record_pending", "record_skip", "resolve_corpus_entity",
    "save_analysis", "search", "split_entity", "stats", "store_url", "stored", "upgrade_to_head",
]
