"""How far PolNeAR's own annotators agree, under the attribution protocol, next to allege.

Most PolNeAR articles were annotated once, but some were annotated by every annotator
(to train them and to check their agreement). Scoring each annotator's relations against
each other's, with the very protocol allege is scored by (:mod:`allege.eval.polnear`),
tells what an exact-span F1 can be expected to reach: a second careful human's. allege is
scored against every annotator of the same articles, so the two rows compare like with
like.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import permutations
from pathlib import Path
from typing import Any

from rich.table import Table

from ..errors import DataError
from .polnear import (
    GoldArticle,
    Predicted,
    Scores,
    annotators_of,
    gold_as_predicted,
    read_article,
    score,
)

# the splits of articles allege never trained on or chose models by
UNSEEN = ("dev", "annotator-training")


@dataclass
class Agreement:
    """Human agreement and allege's scores on the same multiply annotated articles."""

    articles: int
    annotations: int
    humans: Scores  # every annotator scored against every other (ordered pairs)
    allege: Scores | None  # allege scored against every annotator

    def to_dict(self) -> dict[str, Any]:
        return {
            "articles": self.articles,
            "annotations": self.annotations,
            "humans": _roles(self.humans),
            "allege": None if self.allege is None else _roles(self.allege),
        }


def load_annotations(data_dir: Path, split: str) -> list[list[GoldArticle]]:
    """Every article of ``<data_dir>/<split>`` annotated more than once, as each of its
    annotators annotated it (in annotator order)."""
    text_dir = Path(data_dir) / split / "text"
    ann_dir = Path(data_dir) / split / "attributions"
    if not text_dir.is_dir() or not ann_dir.is_dir():
        raise DataError(
            f"No PolNeAR split {split!r} in {data_dir} (expected {text_dir} and {ann_dir})."
        )
    return [
        [read_article(text_dir / f"{article}.txt", ann_dir / f"{article}_{annotator}.ann",
                      annotator=annotator) for annotator in sorted(found)]
        for article, found in sorted(annotators_of(ann_dir).items()) if len(found) > 1
    ]


def agreement(
    articles: list[list[GoldArticle]], predictions: list[list[Predicted]] | None = None
) -> Agreement:
    """Score every annotator of each article against every other, pooled over the ordered
    pairs; and ``predictions`` (one list per article, if given) against every annotator."""
    if predictions is not None and len(predictions) != len(articles):
        raise ValueError(f"{len(articles)} articles but {len(predictions)} prediction lists")
    gold: list[GoldArticle] = []
    other: list[list[Predicted]] = []
    for versions in articles:
        for first, second in permutations(versions, 2):
            gold.append(first)
            other.append(gold_as_predicted(second))
    allege = None
    if predictions is not None:
        allege = score([v for versions in articles for v in versions],
                       [p for versions, p in zip(articles, predictions) for _ in versions])
    return Agreement(len(articles), sum(map(len, articles)), score(gold, other), allege)


def evaluate_agreement(
    data_dir: Path, splits: Iterable[str] = UNSEEN, *, encoder: str | bool | None = None,
    analyse: bool = True,
) -> Agreement:
    """:func:`agreement` on the multiply annotated articles of ``splits``, with allege's
    analyses of them unless ``analyse`` is false (``encoder``: as for
    :func:`allege.analysis.analyze_documents`)."""
    splits = list(splits)
    articles = [versions for split in splits for versions in load_annotations(data_dir, split)]
    if not articles:
        raise DataError(f"No article of {', '.join(splits)} in {data_dir} has two annotators.")
    predictions = None
    if analyse:
        from ..analysis import analyze_documents
        from ..model import Document
        from .polnear import predicted_from_analysis

        analyses = analyze_documents((Document(text=v[0].text) for v in articles),
                                     encoder=encoder)
        predictions = [predicted_from_analysis(a) for a in analyses]
    return agreement(articles, predictions)


def format_agreement(result: Agreement) -> Table:
    """F1 per role and linked, for the annotators among themselves and for allege."""
    table = Table(title=f"Agreement on {result.articles} articles with several annotators "
                        f"({result.annotations} annotations)")
    for column in ("", "source", "cue", "content", "linked", "linked P", "linked R",
                   "content, cue exact", "source, cue exact"):
        table.add_column(column, justify="left" if not column else "right")
    rows = [("annotators vs each other", result.humans)]
    if result.allege is not None:
        rows.append(("allege vs each annotator", result.allege))
    for name, scores in rows:
        linked = scores.linked
        exact = scores.exact_cue
        table.add_row(name, *(f"{100 * prf.f1:.1f}" for prf in scores.roles.values()),
                      *(f"{100 * v:.1f}" for v in (linked.f1, linked.precision, linked.recall)),
                      *(f"{100 * exact.share(role):.1f}" for role in ("content", "source")))
    table.caption = ("The last two columns: among the claims (or relations) whose cue is "
                     "exactly the other's, the share whose content, and whose source, is "
                     "exactly the other's too.")
    return table


def _roles(scores: Scores) -> dict[str, Any]:
    return {**{role: prf.to_dict() for role, prf in scores.roles.items()},
            "linked": scores.linked.to_dict(), "exact_cue": scores.exact_cue.to_dict()}
