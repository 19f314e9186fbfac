"""read -> analyse -> store, in batches, resumable.

Every document is stored in its own transaction under the hash of its text, and a
document already in the store is not analysed again. So a run that is killed half-way and
started again finishes the work with nothing lost and nothing stored twice. A bad item is
recorded with its reason and skipped; the run goes on.
"""

from __future__ import annotations

import ctypes
import os
import re
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice

from .analysis import analyze_documents
from .model import Analysis, Document
from .read import Columns, Item, iter_items
from .store.db import Store, StoreError
from .store.save import record_pending, record_skip, save_analysis, stored

BATCH = 64


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

    The analysis runs in ``workers`` processes (at least one) while this process reads the
    next batch and writes the previous one to the store, which only it writes.
    """
    summary = IngestSummary()
    started = time.perf_counter()
    pool = _pool(workers)
    items = iter_items(paths, columns=columns, fetch=fetch)
    previous: _Batch | None = None
    for batch in _batches(items, batch_size):
        todo = _triage(batch, store, summary)
        current = _Batch(_submit(pool, [d for d, _ in todo], workers), [s for _, s in todo],
                         len(batch))
        if previous is not None:
            _save(store, summary, previous, progress)
        previous = current
    if previous is not None:
        _save(store, summary, previous, progress)
    summary.seconds = time.perf_counter() - started
    return summary


@dataclass
class _Batch:
    """A batch on its way: analyses being computed, their sources, and its item count."""

    analyses: list[Future[list[Analysis]]]
    sources: list[str]
    items: int


def _save(store: Store, summary: IngestSummary, batch: _Batch, progress: Progress | None) -> None:
    analyses = [a for future in batch.analyses for a in future.result()]
    for analysis, source in zip(analyses, batch.sources):
        try:
            saved = save_analysis(store, analysis, source=source)
        except StoreError as error:  # this document only; the run goes on
            _skip(store, summary, source, str(error))
            continue
        summary.stored += saved
        summary.known += not saved
    if progress is not None:
        progress(batch.items)


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


def _submit(pool: ProcessPoolExecutor, documents: list[Document], workers: int
            ) -> list[Future[list[Analysis]]]:
    """Start analysing ``documents``, split among the workers."""
    if not documents:
        return []
    size = -(-len(documents) // max(1, workers))
    return [pool.submit(_analyse_chunk, documents[i:i + size])
            for i in range(0, len(documents), size)]


def _analyse_chunk(documents: list[Document]) -> list[Analysis]:
    return list(analyze_documents(documents))


_POOL: ProcessPoolExecutor | None = None


def _pool(workers: int) -> ProcessPoolExecutor:
    """One pool per process, reused by later runs with the same number of workers."""
    global _POOL
    workers = max(1, min(workers, os.cpu_count() or 1))
    if _POOL is None or _POOL._max_workers != workers:  # noqa: SLF001
        _shutdown_pool()
        _POOL = ProcessPoolExecutor(max_workers=workers, initializer=_die_with_parent)
    return _POOL


def _die_with_parent() -> None:
    """In a worker: end when the ingest process ends, even when it is killed (Linux)."""
    try:
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (AttributeError, OSError):  # not Linux: the worker ends when its queue closes
        pass


_PR_SET_PDEATHSIG = 1


def _shutdown_pool() -> None:
    global _POOL
    if _POOL is not None:
        _POOL.shutdown()
        _POOL = None
