"""Which claims state the same thing: by their words first, then by their meaning.

Claims are compared only when they share a content word or an entity. The word phase joins
two claims when their content words overlap enough (single linkage: it is precise). The
meaning phase then merges the word groups whose mean sentence embeddings are close, one
merge at a time, recomputing the means as groups grow (centroid linkage: a chain of
near neighbours cannot drift from one statement to another the way single linkage does).
"""

from __future__ import annotations

import bisect
import heapq
import re
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

K = TypeVar("K", bound=Hashable)
COMMON = 500  # a word or entity in more claims than this does not make them candidates
MEANINGFUL = 4  # content words a claim needs for its embedding to count


@dataclass(frozen=True)
class Grouping:
    """When two claims state the same thing.

    By their words: the Jaccard overlap of their content words is at least ``same``, or at
    least ``related`` and they name the same entity. By their meaning (when the claims have
    embeddings): the cosine of the mean embeddings of two groups is at least ``close``,
    chosen on Emergent's train claims for the best F0.5 (``allege eval propositions``):
    precision counts double, because a false merge manufactures a corroboration.
    """

    same: float = 0.5
    related: float = 0.3
    close: float = 0.7


_STOP = frozenset("""a an the and or but if of to in on at by for with from into over under as
is are was were be been being has have had do does did will would shall should can could may
might must that this these those there here it its they them their he him his she her we our
you your i me my not no than then so such also just only about after before said says say
told tell according report reports reported which who whom whose what when where while""".split())


def content_words(text: str) -> frozenset[str]:
    """The content words of a text, lower-cased and crudely stemmed."""
    words = re.findall(r"[^\W_]+", text.lower())
    return frozenset(_stem(w) for w in words if w not in _STOP and len(w) > 1)


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def same_words(a: Mapping[str, Any], b: Mapping[str, Any], grouping: Grouping = Grouping()) -> bool:
    """Whether two claims (each with its content ``words`` and the ``entities`` it names)
    share enough words to state the same thing."""
    wa, wb = a["words"], b["words"]
    if len(wa) < 2 or len(wb) < 2:
        return False
    overlap = len(wa & wb) / len(wa | wb)
    return overlap >= grouping.same or (overlap >= grouping.related
                                        and bool(a["entities"] & b["entities"]))


def group_claims(rows: Mapping[K, Mapping[str, Any]], grouping: Grouping = Grouping(), *,
                 joins: Iterable[tuple[K, K]] = ()) -> list[list[K]]:
    """Claims (key → ``words``, ``entities``, optionally a unit ``vector``) in groups that
    state the same thing; ``joins`` are pairs known to belong together (a response and the
    claim it answers). Groups and their members keep the order of ``rows``."""
    keys, items = list(rows), list(rows.values())
    position = {key: n for n, key in enumerate(keys)}
    sets = _Sets(len(items))
    index = _index(items)
    for n, row in enumerate(items):
        for m in _candidates(n, items, index, grouping.related):
            if sets.find(n) != sets.find(m) and same_words(row, items[m], grouping):
                sets.union(n, m)
    for a, b in joins:
        sets.union(position[a], position[b])
    if any(row.get("vector") is not None for row in items):
        _merge_by_meaning(items, sets, index, grouping)
    groups: dict[int, list[K]] = defaultdict(list)
    for n, key in enumerate(keys):
        groups[sets.find(n)].append(key)
    return list(groups.values())


def _merge_by_meaning(items: list[Mapping[str, Any]], sets: _Sets,
                      index: Mapping[Any, list[int]], grouping: Grouping) -> None:
    """Centroid linkage over the word groups: merge the closest pair while it is close."""
    sums: dict[int, np.ndarray] = {}
    for n, row in enumerate(items):
        if row.get("vector") is not None and len(row["words"]) >= MEANINGFUL:
            root = sets.find(n)
            sums[root] = sums.get(root, 0) + row["vector"]

    def cosine(a: int, b: int) -> float:
        va, vb = sums[a], sums[b]
        return float(va @ vb) / float(np.linalg.norm(va) * np.linalg.norm(vb) or 1.0)

    pairs: dict[int, set[int]] = defaultdict(set)
    for n in range(len(items)):
        a = sets.find(n)
        if a in sums:
            pairs[a].update(b for m in _candidates(n, items, index, 0.0)
                            if (b := sets.find(m)) != a and b in sums)
    heap: list[tuple[float, int, int]] = []
    for a, others in pairs.items():
        if not others:
            continue
        ordered = sorted(others)
        matrix = np.stack([sums[b] for b in ordered])
        values = matrix @ sums[a] / (np.linalg.norm(matrix, axis=1) * np.linalg.norm(sums[a]))
        heap.extend((-float(v), a, b) for b, v in zip(ordered, values) if v >= grouping.close)
    heapq.heapify(heap)
    while heap:
        negative, a, b = heapq.heappop(heap)
        a, b = sets.find(a), sets.find(b)
        if a == b:
            continue
        value = cosine(a, b)
        if value < grouping.close:
            continue
        if value < -negative - 1e-9:  # the groups changed since: retry at the current value
            heapq.heappush(heap, (-value, a, b))
            continue
        root = sets.union(a, b)
        sums[root] = sums[root] + sums.pop(b if root == a else a)


def _index(items: list[Mapping[str, Any]]) -> dict[Any, list[int]]:
    """Each word and entity → the positions of the claims with it, in increasing order."""
    index: dict[Any, list[int]] = defaultdict(list)
    for n, row in enumerate(items):
        for term in _terms(row):
            index[term].append(n)
    return index


def _terms(row: Mapping[str, Any]) -> tuple[Any, ...]:
    return (*row["words"], *(("entity", e) for e in row["entities"]))


def _candidates(n: int, items: list[Mapping[str, Any]], index: Mapping[Any, list[int]],
                share: float) -> list[int]:
    """The claims after claim ``n`` that share a word or an entity with it (one in more
    than :data:`COMMON` claims does not count), and may share at least ``share`` of the
    words of the longer of the two."""
    counts: Counter[int] = Counter()
    common = 0
    for term in _terms(items[n]):
        postings = index[term]
        if len(postings) > COMMON:
            common += 1
        else:
            counts.update(postings[bisect.bisect_right(postings, n):])
    size = len(items[n]["words"])
    return [m for m, shared in counts.items()
            if shared + common >= share * max(size, len(items[m]["words"]))]


class _Sets:
    """Union-find over the integers below ``size``."""

    def __init__(self, size: int):
        self.parent = list(range(size))

    def find(self, n: int) -> int:
        parent = self.parent
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    def union(self, a: int, b: int) -> int:
        """Join the sets of ``a`` and ``b``; the root of ``a``'s set stays the root."""
        root, other = self.find(a), self.find(b)
        self.parent[other] = root
        return root
