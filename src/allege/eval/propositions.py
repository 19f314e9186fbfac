"""Proposition grouping on Emergent: do the headlines about one claim end up together?

Every article headline of Emergent is taken as a claim; the gold groups are Emergent's
rumoured claims (a headline that denies a claim belongs to it too: a proposition holds its
denials). Headlines are grouped with :func:`allege.corroborate.propositions.group_claims`,
entities being the names spaCy finds, and scored with B-cubed precision, recall and F1. The
embedding thresholds are chosen on the train claims for the best F0.5 (a false merge
manufactures a corroboration, so precision counts double); the scores are on the 60 test
claims, grouped among themselves.
"""

from __future__ import annotations

import csv
import itertools
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..corroborate.grouping import Grouping, content_words, group_claims
from ..errors import DataError
from ..nlp import load_pipeline
from ..store.entities import name_key

_ALL = "url-versions-2015-06-14-clean.csv"
_TEST = "url-versions-2015-06-14-clean-test.csv"
_NAMED = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART"}
BETA = 0.5  # precision counts double: a false merge manufactures a corroboration


@dataclass(frozen=True)
class BCubed:
    precision: float
    recall: float

    def f(self, beta: float = 1.0) -> float:
        """The F-measure; ``beta`` < 1 weighs precision more."""
        total = beta * beta * self.precision + self.recall
        return (1 + beta * beta) * self.precision * self.recall / total if total else 0.0

    def __str__(self) -> str:
        return (f"P {100 * self.precision:.1f}  R {100 * self.recall:.1f}  "
                f"F1 {100 * self.f():.1f}  F0.5 {100 * self.f(BETA):.1f}")


@dataclass
class Scores:
    """B-cubed scores on the test headlines: words only, and words with embeddings."""

    headlines: int
    claims: int
    words: BCubed
    embeddings: BCubed
    grouping: Grouping
    train_f: float

    def __str__(self) -> str:
        g = self.grouping
        return (f"Emergent test: {self.headlines} headlines of {self.claims} claims, B-cubed\n"
                f"  words only:            {self.words}\n"
                f"  words and embeddings:  {self.embeddings}\n"
                f"embedding thresholds from train (F0.5 {100 * self.train_f:.1f}): "
                f"close {g.close}, floor {g.floor} (words: same {g.same}, "
                f"related {g.related})")


def load(data_dir: str | Path) -> tuple[list[dict[str, str]], set[str]]:
    """Emergent's claim/headline rows, and the ids of the test claims."""
    folder = Path(data_dir)
    if not (folder / _ALL).exists() or not (folder / _TEST).exists():
        raise DataError(f"{folder} lacks {_ALL} or {_TEST}: point --data at the Emergent "
                        "folder (../shared/data/emergent).")
    with open(folder / _ALL, encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    with open(folder / _TEST, encoding="utf-8", newline="") as file:
        test = {row["claimId"] for row in csv.DictReader(file)}
    return rows, test


def headline_rows(headlines: Sequence[str]) -> list[dict[str, Any]]:
    """Each headline's content words, named entities and sentence embedding."""
    from ..corroborate.stance import shared_encoder

    vectors = shared_encoder().encode(list(headlines))
    docs = load_pipeline().pipe(headlines, disable=["parser", "lemmatizer"])
    return [{"words": content_words(text),
             "entities": {name_key(e.text) for e in doc.ents if e.label_ in _NAMED},
             "vector": vector}
            for text, doc, vector in zip(headlines, docs, vectors)]


def bcubed(gold: Mapping[Hashable, Hashable], groups: Sequence[Sequence[Hashable]]) -> BCubed:
    """B-cubed precision and recall of ``groups`` against the gold label of each item."""
    gold_sizes: dict[Hashable, int] = defaultdict(int)
    for label in gold.values():
        gold_sizes[label] += 1
    precision = recall = 0.0
    for group in groups:
        counts: dict[Hashable, int] = defaultdict(int)
        for item in group:
            counts[gold[item]] += 1
        for item in group:
            right = counts[gold[item]]
            precision += right / len(group)
            recall += right / gold_sizes[gold[item]]
    return BCubed(precision / len(gold), recall / len(gold))


def score(rows: Mapping[int, Mapping[str, Any]], gold: Mapping[int, str],
          grouping: Grouping) -> BCubed:
    return bcubed(gold, group_claims(rows, grouping))


def fit_grouping(rows: Mapping[int, Mapping[str, Any]],
                 gold: Mapping[int, str]) -> tuple[Grouping, float]:
    """The embedding thresholds with the best B-cubed F0.5 on these headlines."""
    best = (-1.0, Grouping())
    for close, floor in itertools.product((0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75),
                                          (0.0, 0.3, 0.4, 0.5, 0.6, 0.7)):
        grouping = Grouping(close=close, floor=floor)
        value = score(rows, gold, grouping).f(BETA)
        if value > best[0] + 1e-9:
            best = (value, grouping)
    return best[1], best[0]


def evaluate(data_dir: str | Path) -> Scores:
    """Choose the embedding thresholds on the train claims; score the test claims."""
    data, test = load(data_dir)
    features = headline_rows([row["articleHeadline"] for row in data])
    splits: dict[bool, tuple[dict[int, Any], dict[int, str]]] = {True: ({}, {}), False: ({}, {})}
    for n, (row, feature) in enumerate(zip(data, features)):
        rows, gold = splits[row["claimId"] in test]
        rows[n], gold[n] = feature, row["claimId"]
    grouping, train_f = fit_grouping(*splits[False])
    rows, gold = splits[True]
    words_only = Grouping(same=grouping.same, related=grouping.related, close=2.0, floor=0.0)
    return Scores(headlines=len(rows), claims=len(set(gold.values())),
                  words=score(rows, gold, words_only), embeddings=score(rows, gold, grouping),
                  grouping=grouping, train_f=train_f)
