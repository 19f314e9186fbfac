"""Full-text search over documents and claims, ranked, with highlighted snippets.

The query language is the one of web search engines (PostgreSQL's
``websearch_to_tsquery``): words must all appear, ``"a phrase"`` in that order, ``OR``
between alternatives, ``-word`` to exclude. Anything else is taken as words, so no input
can break the query: on SQLite each word or phrase is passed to FTS5 as a quoted string
built from its word characters only, and on PostgreSQL the whole query is a bound parameter.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Connection, text

from .db import Store

#: The markers around matched words in snippets, unless the caller chooses others.
MARK = ("[", "]")

Kind = Literal["document", "claim"]

_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')


@dataclass(frozen=True)
class Hit:
    """A document or claim that matches a search, best first."""

    kind: Kind
    document: str  # Document.id: the first 16 hex digits of its hash
    claim: str | None  # the claim's id in its document ("C3"), for claim hits
    title: str | None
    outlet: str | None
    published: str | None
    url: str | None
    speaker: str | None  # for claim hits: the speaker's entity name, else as written
    stance: str | None
    snippet: str
    score: float  # higher is better; comparable between hits of one search only


def search(
    store: Store,
    query: str,
    *,
    limit: int = 20,
    kinds: Sequence[Kind] = ("document", "claim"),
    mark: tuple[str, str] = MARK,
) -> list[Hit]:
    """Documents and claims matching ``query``, best first, at most ``limit`` of them."""
    fts = fts5_query(query)
    if fts is None or limit <= 0:
        return []
    if any('"' in m for m in mark):
        raise ValueError('Snippet markers cannot contain a double quote (").')
    with store.read() as conn:
        if store.dialect == "sqlite":
            hits = _sqlite(conn, fts, limit, kinds, mark)
        else:
            hits = _postgresql(conn, query, limit, kinds, mark)
    hits.sort(key=lambda h: h.score, reverse=True)
    return hits[:limit]


def fts5_query(query: str) -> str | None:
    """The user's query as a safe FTS5 expression, or None when it asks for nothing.

    >>> fts5_query('kremlin "special forces" -troops')
    '("kremlin" AND "special forces") NOT "troops"'
    >>> fts5_query('peskov OR kremlin "unbalanced') is not None
    True
    """
    groups: list[list[str]] = []
    negatives: list[str] = []
    join = False
    for match in _TOKEN.finditer(query):
        negative, phrase, bare = match.groups()
        if bare == "OR":
            join = bool(groups)
            continue
        if bare is not None:
            negative = "-" if bare.startswith("-") and len(bare) > 1 else ""
            phrase = bare[1:] if negative else bare
        words = re.findall(r"\w+", phrase)
        if not words:
            continue
        term = '"' + " ".join(words) + '"'
        if negative:
            negatives.append(term)
        elif join:
            groups[-1].append(term)
        else:
            groups.append([term])
        join = False
    if not groups:
        return None
    expression = " AND ".join(g[0] if len(g) == 1 else "(" + " OR ".join(g) + ")" for g in groups)
    if negatives:
        expression = f"({expression}) NOT " + " NOT ".join(negatives)
    return expression


_SQLITE_DOCUMENTS = """
SELECT d.hash, d.title, d.outlet, d.published, d.url,
       snippet(documents_fts, -1, :a, :b, '…', 24) AS snippet,
       -bm25(documents_fts, 4.0, 1.0) AS score
FROM documents_fts JOIN documents d ON d.id = documents_fts.rowid
WHERE documents_fts MATCH :q ORDER BY score DESC LIMIT :n
"""

_SQLITE_CLAIMS = """
SELECT d.hash, d.title, d.outlet, d.published, d.url, c.local_id, c.stance,
       coalesce(e.name, c.speaker_text) AS speaker,
       snippet(claims_fts, -1, :a, :b, '…', 32) AS snippet,
       -bm25(claims_fts, 1.0, 2.0) AS score
FROM claims_fts JOIN claims c ON c.id = claims_fts.rowid
JOIN documents d ON d.id = c.document_id
LEFT JOIN entities e ON e.id = c.speaker_entity_id
WHERE claims_fts MATCH :q ORDER BY score DESC LIMIT :n
"""


def _sqlite(conn: Connection, fts: str, limit: int, kinds: Sequence[Kind],
            mark: tuple[str, str]) -> list[Hit]:
    params = {"q": fts, "n": limit, "a": mark[0], "b": mark[1]}
    hits = []
    if "document" in kinds:
        hits += [_document_hit(r) for r in conn.execute(text(_SQLITE_DOCUMENTS), params)]
    if "claim" in kinds:
        hits += [_claim_hit(r) for r in conn.execute(text(_SQLITE_CLAIMS), params)]
    return hits


# fts_vector is a stored, GIN-indexed tsvector column that only PostgreSQL stores have.
_PG_DOCUMENTS = """
SELECT hit.hash, hit.title, hit.outlet, hit.published, hit.url, hit.score,
       ts_headline('english'::regconfig, coalesce(hit.title, '') || ' ' || hit.text,
                   hit.query, :options) AS snippet
FROM (
  SELECT d.hash, d.title, d.outlet, d.published, d.url, d.text, query,
         ts_rank(d.fts_vector, query) AS score
  FROM documents d, websearch_to_tsquery('english'::regconfig, :q) AS query
  WHERE d.fts_vector @@ query
  ORDER BY score DESC LIMIT :n
) AS hit
"""

_PG_CLAIMS = """
SELECT hit.hash, hit.title, hit.outlet, hit.published, hit.url, hit.local_id, hit.stance,
       hit.speaker, hit.score,
       ts_headline('english'::regconfig, hit.content_text, hit.query, :options) AS snippet
FROM (
  SELECT d.hash, d.title, d.outlet, d.published, d.url, c.local_id, c.stance,
         c.content_text, coalesce(e.name, c.speaker_text) AS speaker, query,
         ts_rank(c.fts_vector, query) AS score
  FROM claims c JOIN documents d ON d.id = c.document_id
  LEFT JOIN entities e ON e.id = c.speaker_entity_id,
  websearch_to_tsquery('english'::regconfig, :q) AS query
  WHERE c.fts_vector @@ query
  ORDER BY score DESC LIMIT :n
) AS hit
"""


def _postgresql(conn: Connection, query: str, limit: int, kinds: Sequence[Kind],
                mark: tuple[str, str]) -> list[Hit]:
    options = (f'StartSel="{mark[0]}", StopSel="{mark[1]}", MaxWords=30, MinWords=12, '
               'MaxFragments=2, FragmentDelimiter=" … "')
    params = {"q": query, "n": limit, "options": options}
    hits = []
    if "document" in kinds:
        hits += [_document_hit(r) for r in conn.execute(text(_PG_DOCUMENTS), params)]
    if "claim" in kinds:
        hits += [_claim_hit(r) for r in conn.execute(text(_PG_CLAIMS), params)]
    return hits


def _document_hit(row: Any) -> Hit:
    return Hit("document", row.hash[:16], None, row.title, row.outlet, row.published, row.url,
               None, None, row.snippet, float(row.score))


def _claim_hit(row: Any) -> Hit:
    return Hit("claim", row.hash[:16], row.local_id, row.title, row.outlet, row.published,
               row.url, row.speaker, row.stance, row.snippet, float(row.score))
