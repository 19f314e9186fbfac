"""read -> analyse -> store, in batches, resumable.

Every document is stored in its own transaction under the hash of its text, and a
document already in the store is not analysed again. So a run that is killed half-way and
started again finishes the work with nothing lost and nothing stored twice. A bad item is
recorded with its reason and skipped; the run goes on.
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice

from .analysis import analyze_documents
from .model import Analysis, Document
from .read import Columns, Item, iter_items
from .store.db import Store, StoreError
from .store.save import record_pending, record_skip, save_analysis, stored

BATCH = 32


@dataclass
class IngestSummary:
    """What a run did: counts of stored, already-known, waiting and skipped items."""

    stored: int = 0
    known: int = 0
    non_english: int = 0
    waiting: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def documents_per_second(self) -> float:
        return (self.stored + self.non_english) / self.seconds if self.seconds else 0.0


Progress = Callable[[int], None]  # called with the number of items just handled


def ingest(
    paths: Iterable[str],
    store: Store,
    *,
    columns: Columns | None = None,
    fetch: bool = False,
    workers: int = 1,
    batch_size: int = BATCH,
    progress: Progress | None = None,
) -> IngestSummary:
    """Read every item under ``paths``, analyse the new English documents and store them.

    ``workers`` > 1 runs the analysis in that many processes; the store is written by this
    process only.
    """
    summary = IngestSummary()
    started = time.perf_counter()
    items = iter_items(paths, columns=columns, fetch=fetch)
    for batch in _batches(items, batch_size):
        documents = _triage(batch, store, summary)
        for analysis, source in _analyse(documents, workers, batch_size):
            try:
                saved = save_analysis(store, analysis, source=source)
            except StoreError as error:  # this document only; the run goes on
                _skip(store, summary, source, str(error))
                continue
            summary.stored += saved
            summary.known += not saved
        if progress is not None:
            progress(len(batch))
    summary.seconds = time.perf_counter() - started
    _shutdown_pool()
    return summary


def _batches(items: Iterator[Item], size: int) -> Iterator[list[Item]]:
    while batch := list(islice(items, size)):
        yield batch


def _triage(batch: list[Item], store: Store, summary: IngestSummary) -> list[tuple[Document, str]]:
    """Record skipped and waiting items; return the documents still to analyse."""
    known = stored(store, [i.document.hash for i in batch if i.document is not None])
    todo: list[tuple[Document, str]] = []
    seen: set[str] = set()
    for item in batch:
        if item.error is not None:
            _skip(store, summary, item.source, item.error)
        elif item.waiting_url is not None:
            summary.waiting += record_pending(store, item.waiting_url, feed=item.source)
        elif item.document.hash in known or item.document.hash in seen:
            summary.known += 1
        elif "\x00" in item.document.text:
            _skip(store, summary, item.source, f"{item.source} contains NUL characters, "
                  "which no article text has: check that it is a text file")
        elif item.document.language != "en":
            seen.add(item.document.hash)
            save_analysis(store, Analysis(item.document), status="non_english", source=item.source)
            summary.non_english += 1
        else:
            seen.add(item.document.hash)
            todo.append((item.document, item.source))
    return todo


def _skip(store: Store, summary: IngestSummary, source: str, error: str) -> None:
    record_skip(store, source, error)
    summary.skipped[reason(error, source)] += 1


def reason(error: str, source: str = "") -> str:
    """A short category for the summary: the message without its file names, up to its
    first colon or full stop ("FILE is a PNG image, not text")."""
    text = error.replace(source.split("#")[0], "FILE") if source else error
    text = re.sub(r"(?:[A-Za-z]:)?(?:/[^\s:/]+)+/?", "FILE", text)
    head = text.split(": ")[0].split(". ")[0]
    return head if len(head) < 60 else head[:57] + "…"


def _analyse(todo: list[tuple[Document, str]], workers: int, batch_size: int
             ) -> Iterator[tuple[Analysis, str]]:
    if not todo:
        return
    documents = [d for d, _ in todo]
    sources = [s for _, s in todo]
    if workers <= 1:
        yield from zip(analyze_documents(documents, batch_size=batch_size), sources)
        return
    pool = _pool(workers)
    size = max(1, len(documents) // workers)
    chunks = [documents[i:i + size] for i in range(0, len(documents), size)]
    analyses = [a for chunk in pool.map(_analyse_chunk, chunks) for a in chunk]
    yield from zip(analyses, sources)


def _analyse_chunk(documents: list[Document]) -> list[Analysis]:
    return list(analyze_documents(documents))


_POOL: ProcessPoolExecutor | None = None


def _pool(workers: int) -> ProcessPoolExecutor:
    global _POOL
    workers = min(workers, os.cpu_count() or 1)
    if _POOL is None or _POOL._max_workers != workers:  # noqa: SLF001
        _shutdown_pool()
        _POOL = ProcessPoolExecutor(max_workers=workers)
    return _POOL


def _shutdown_pool() -> None:
    global _POOL
    if _POOL is not None:
        _POOL.shutdown()
        _POOL = None
