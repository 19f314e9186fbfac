"""Corpus entities: resolving a document's entities to canonical ones, merging and splitting.

:func:`canonical_entity` is the default resolver and is deliberately simple: a name or alias
already known with the same type, else a person known by the same surname when exactly one
fits (given names must not disagree), else a new entity. An analyst's decisions win over it:
a merged-away name resolves to the entity it was merged into, and a name split off an
entity never resolves to that entity again. Decisions are kept in ``entity_decisions`` and
survive re-ingesting.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, delete, func, insert, select, union, update

from ..model import Document, Entity
from .db import Store, StoreError
from .schema import (
    claims,
    document_entities,
    entities,
    entity_aliases,
    entity_decisions,
    mentions,
    relations,
)

#: ``resolve(conn, entity, document) -> corpus entity id``; see :func:`resolve_corpus_entity`.
Resolver = Callable[[Connection, Entity, Document], int]

_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_CHUNK = 500  # ids per IN (...) list, well under SQLite's limit on bound parameters


def name_key(name: str) -> str:
    """A name normalised for matching: case, accents, "the", possessives and punctuation go.

    >>> name_key("the Kremlin's")
    'kremlin'
    >>> name_key("Erdoğan")
    'erdogan'
    """
    text = unicodedata.normalize("NFKD", name.strip())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[\W_]+", " ", _POSSESSIVE.sub("", text).lower()).strip()
    return re.sub(r"^the ", "", text) or name.strip().lower()


def _surname(key: str, type_: str) -> str | None:
    return key.split()[-1] if type_ == "PERSON" and key else None


def resolve_corpus_entity(conn: Connection, entity: Entity, document: Document) -> int:
    """The default resolver: :func:`canonical_entity`, which ignores the document."""
    return canonical_entity(conn, entity)


def canonical_entity(conn: Connection, entity: Entity) -> int:
    """The id of the corpus entity that ``entity`` names, created when none fits."""
    if entity.role:
        bearer = _by_role(conn, entity.role)
        if bearer is not None:
            return bearer
    keys = list(dict.fromkeys(name_key(n) for n in [entity.name, *entity.aliases]))
    split_from: dict[str, set[int]] = {key: set() for key in keys}
    merged_into = None
    for row in conn.execute(_DECISIONS, {"keys": keys}):
        if row.kind == "split":
            split_from[row.key].add(row.entity_id)
        elif row.key == keys[0] and row.present:
            merged_into = row.entity_id  # the latest merge of this name comes last
    if merged_into is not None and merged_into not in split_from[keys[0]]:
        return int(merged_into)
    known = conn.execute(_EXACT, {"keys": keys, "type": entity.type}).all()
    for key in keys:
        found = sorted(r.id for r in known if r.key == key and r.id not in split_from[key])
        if found:
            return int(found[0])
    if entity.type == "PERSON":
        found_person = _by_surname(conn, keys[0], split_from[keys[0]])
        if found_person is not None:
            return found_person
    return create_entity(conn, entity.name, entity.type)


# Resolution runs for every entity of every document, so its statements are built once.
_DECISIONS = (
    select(entity_decisions.c.kind, entity_decisions.c.entity_id, entity_decisions.c.key,
           entities.c.id.is_not(None).label("present"))
    .outerjoin(entities, entities.c.id == entity_decisions.c.entity_id)
    .where(entity_decisions.c.key.in_(bindparam("keys", expanding=True)))
    .order_by(entity_decisions.c.id)
)
_EXACT = union(
    select(entities.c.id, entities.c.key)
    .where(entities.c.key.in_(bindparam("keys", expanding=True)),
           entities.c.type == bindparam("type")),
    select(entities.c.id, entity_aliases.c.key)
    .join(entity_aliases, entity_aliases.c.entity_id == entities.c.id)
    .where(entity_aliases.c.key.in_(bindparam("keys", expanding=True)),
           entities.c.type == bindparam("type")),
)
_SURNAME = select(entities.c.id, entities.c.key).where(
    entities.c.type == "PERSON", entities.c.surname == bindparam("surname"))


def _by_role(conn: Connection, role: dict[str, str]) -> int | None:
    """The one entity the corpus knows in this role ("Putin's spokesman" -> Peskov)."""
    keys = [name_key(role["of_name"])]
    holders = {r.id for r in conn.execute(_EXACT, {"keys": keys, "type": role["of_type"]})}
    if not holders:
        return None
    bearers = set(conn.scalars(select(relations.c.subject_id).where(
        relations.c.predicate == role["predicate"], relations.c.object_id.in_(holders))))
    return int(bearers.pop()) if len(bearers) == 1 else None


def _by_surname(conn: Connection, key: str, forbidden: set[int]) -> int | None:
    """The one person with this surname whose given name does not disagree, if only one."""
    given = key.split()[:-1]
    fits = [
        row.id for row in conn.execute(_SURNAME, {"surname": _surname(key, "PERSON")})
        if row.id not in forbidden and _given_names_agree(given, row.key.split()[:-1])
    ]
    return int(fits[0]) if len(fits) == 1 else None


def _given_names_agree(one: list[str], other: list[str]) -> bool:
    """"Dmitry" and "Dmitri" agree, as does a missing name; "Ramzan" and "Akhmad" do not."""
    return not one or not other or one[0][0] == other[0][0]


def create_entity(conn: Connection, name: str, type_: str) -> int:
    """A new corpus entity with no mentions yet; returns its id."""
    key = name_key(name)
    return int(conn.execute(
        insert(entities).values(
            name=name, type=type_, key=key, surname=_surname(key, type_), mention_count=0
        ).returning(entities.c.id)
    ).scalar_one())


_ENTITY = select(entities).where(entities.c.id == bindparam("id"))
_NAMES_KNOWN = union(
    select(entity_aliases.c.key).where(entity_aliases.c.entity_id == bindparam("id")),
    select(entity_decisions.c.key).where(entity_decisions.c.kind == "split",
                                         entity_decisions.c.entity_id == bindparam("id")),
)


def attach_names(conn: Connection, entity_id: int, names: Iterable[str]) -> None:
    """Record ``names`` as aliases of the entity; a person takes the longest full name.

    Names an analyst split off the entity are not added back.
    """
    row = conn.execute(_ENTITY, {"id": entity_id}).one()
    current_name, current_key = row.name, row.key
    names = [n for n in names if name_key(n) != current_key]
    if not names:
        return
    # A name an analyst split off this entity counts as known, so it is never added back.
    known = set(conn.scalars(_NAMES_KNOWN, {"id": entity_id})) | {current_key}
    for name in names:
        key = name_key(name)
        if key in known:
            continue
        if row.type == "PERSON" and key.split()[-1:] == current_key.split()[-1:] \
                and len(key.split()) > len(current_key.split()):
            # A fuller name for the same person becomes its name; the old one an alias.
            conn.execute(insert(entity_aliases).values(
                entity_id=entity_id, alias=current_name, key=current_key))
            current_name, current_key = name, key
            conn.execute(update(entities).where(entities.c.id == entity_id).values(
                name=name, key=key, surname=_surname(key, "PERSON")))
            known.add(key)
        else:
            _add_alias(conn, entity_id, name, key, known)


def _add_alias(conn: Connection, entity_id: int, alias: str, key: str, known: set[str]) -> None:
    if key not in known:
        conn.execute(insert(entity_aliases).values(entity_id=entity_id, alias=alias, key=key))
        known.add(key)


def find_entities(conn: Connection, name: str) -> list[Row[Any]]:
    """Entities called ``name`` (by name first, else by alias), most mentioned first."""
    key = name_key(name)
    order = (entities.c.mention_count.desc(), entities.c.id)
    rows = list(conn.execute(select(entities).where(entities.c.key == key).order_by(*order)))
    if not rows:
        rows = list(conn.execute(
            select(entities)
            .where(entities.c.id.in_(
                select(entity_aliases.c.entity_id).where(entity_aliases.c.key == key)))
            .order_by(*order)
        ))
    return rows


def _one_entity(conn: Connection, ref: int | str) -> Row[Any]:
    if isinstance(ref, int):
        row = conn.execute(select(entities).where(entities.c.id == ref)).first()
        if row is None:
            raise StoreError(f"No entity has id {ref}. Find it with `allege entity NAME`.")
        return row
    rows = find_entities(conn, ref)
    if not rows:
        raise StoreError(f"No entity is called {ref!r}. Check the spelling with `allege entity`.")
    if len(rows) > 1:
        listed = ", ".join(f"{r.id} ({r.name}, {r.type})" for r in rows)
        raise StoreError(f"{ref!r} names {len(rows)} entities: {listed}. Give one by its id.")
    return rows[0]


def merge_entities(store: Store, keep: int | str, other: int | str) -> int:
    """Merge ``other`` into ``keep`` (ids or names) and record it; returns ``keep``'s id."""
    with store.write() as conn:
        a, b = _one_entity(conn, keep), _one_entity(conn, other)
        if a.id == b.id:
            return int(a.id)
        docs = list(conn.scalars(select(document_entities.c.document_id).distinct()
                                 .where(document_entities.c.entity_id == b.id)))
        aliases = list(conn.scalars(
            select(entity_aliases.c.alias).where(entity_aliases.c.entity_id == b.id)))
        conn.execute(update(document_entities).where(document_entities.c.entity_id == b.id)
                     .values(entity_id=a.id))
        conn.execute(update(entity_decisions).where(entity_decisions.c.entity_id == b.id)
                     .values(entity_id=a.id))
        _record(conn, "merge", a, b.id, b.name)
        refresh_links(conn, docs)
        conn.execute(delete(entity_aliases).where(entity_aliases.c.entity_id == b.id))
        conn.execute(delete(entities).where(entities.c.id == b.id))
        known = _alias_keys(conn, a.id) | {a.key}
        for alias in [b.name, *aliases]:
            _add_alias(conn, a.id, alias, name_key(alias), known)
        recount(conn, [a.id])
        return int(a.id)


def split_entity(store: Store, entity: int | str, alias: str) -> int:
    """Split the documents that call ``entity`` by ``alias`` off into a new entity.

    Every document entity named ``alias`` moves to the new entity, and the alias is never
    resolved to ``entity`` again. Returns the new entity's id.
    """
    key = name_key(alias)
    with store.write() as conn:
        row = _one_entity(conn, entity)
        if key == row.key:
            raise StoreError(f"{alias!r} is the name of {row.name!r}; split off one of its "
                             "aliases, or rename the entity by merging.")
        moving = [
            (d.document_id, d.local_id, d.aliases)
            for d in conn.execute(select(document_entities)
                                  .where(document_entities.c.entity_id == row.id))
            if name_key(d.name) == key
        ]
        known = _alias_keys(conn, row.id)
        if not moving and key not in known:
            raise StoreError(f"{row.name!r} is never called {alias!r}; "
                             "see its aliases with `allege entity`.")
        new_id = create_entity(conn, alias, row.type)
        for document_id, local_id, _ in moving:
            conn.execute(update(document_entities).where(
                document_entities.c.document_id == document_id,
                document_entities.c.local_id == local_id).values(entity_id=new_id))
        conn.execute(delete(entity_aliases).where(
            entity_aliases.c.entity_id == row.id, entity_aliases.c.key == key))
        attach_names(conn, new_id, [a for *_, names in moving for a in names])
        _record(conn, "split", row, new_id, alias)
        refresh_links(conn, sorted({d for d, *_ in moving}))
        recount(conn, [row.id, new_id])
        return new_id


def _alias_keys(conn: Connection, entity_id: int) -> set[str]:
    return set(conn.scalars(
        select(entity_aliases.c.key).where(entity_aliases.c.entity_id == entity_id)))


def _record(conn: Connection, kind: str, entity: Row[Any], other_id: int, other_name: str) -> None:
    conn.execute(insert(entity_decisions).values(
        kind=kind, entity_id=entity.id, entity_name=entity.name, other_id=other_id,
        other_name=other_name, key=name_key(other_name), created_at=datetime.now(UTC),
    ))


def refresh_links(conn: Connection, document_ids: Sequence[int]) -> None:
    """Re-point the documents' mentions, speakers, relations and chains at corpus entities.

    ``document_entities`` says which corpus entity each document entity is; everything
    else in a document follows from it.
    """
    links = [(mentions, "entity_local", "entity_id"), (claims, "speaker_local",
             "speaker_entity_id"), (relations, "subject_local", "subject_id"),
             (relations, "object_local", "object_id")]
    de = document_entities
    for start in range(0, len(document_ids), _CHUNK):
        chunk = list(document_ids[start:start + _CHUNK])
        for table, local, target in links:
            corpus_id = select(de.c.entity_id).where(
                de.c.document_id == table.c.document_id, de.c.local_id == table.c[local]
            ).scalar_subquery()
            conn.execute(update(table).where(table.c.document_id.in_(chunk))
                         .values({target: corpus_id}))
        _refresh_chains(conn, chunk)


def _refresh_chains(conn: Connection, document_ids: list[int]) -> None:
    de = document_entities
    corpus = {(r.document_id, r.local_id): r.entity_id for r in conn.execute(
        select(de.c.document_id, de.c.local_id, de.c.entity_id)
        .where(de.c.document_id.in_(document_ids)))}
    rows = conn.execute(select(claims.c.id, claims.c.document_id, claims.c.via_local, claims.c.via)
                        .where(claims.c.document_id.in_(document_ids)))
    for row in rows.all():
        via = [corpus[(row.document_id, local)] for local in row.via_local]
        if via != row.via:
            conn.execute(update(claims).where(claims.c.id == row.id).values(via=via))


def recount(conn: Connection, entity_ids: Iterable[int]) -> None:
    """Set the entities' mention counts from their mentions."""
    ids = sorted(set(entity_ids))
    count = select(func.count()).where(mentions.c.entity_id == entities.c.id).scalar_subquery()
    for start in range(0, len(ids), _CHUNK):
        conn.execute(update(entities).where(entities.c.id.in_(ids[start:start + _CHUNK]))
                     .values(mention_count=count))
