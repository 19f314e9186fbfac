"""The FNC-1 stance protocol (DESIGN.md, "Evaluation protocols" → Stance).

Pairs of (headline, article body) carry the body's stance toward the headline: ``agree``,
``disagree``, ``discuss`` or ``unrelated``. Scores:

- the official weighted score: 0.25 for a correct ``unrelated``; for a related pair 0.25
  for calling it related and 0.75 more for its exact stance; reported as raw points and as
  a percentage of the maximum (the leaderboard's "relative score");
- macro-F1 over the four classes and each class's F1 (Hanselowski et al., COLING 2018);
- throughput: pairs labelled per second by :class:`~allege.corroborate.stance.StanceModel`,
  loading excluded, sentence embedding included.

Splits: ``train`` (all of train), ``dev-train`` / ``hold-out`` (the official baseline's
80/20 split of train by body, in ``splits/``) and ``test`` (the competition test set).
"""

from __future__ import annotations

import csv
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.table import Table

from ..errors import DataError

LABELS = ("agree", "disagree", "discuss", "unrelated")
RELATED = frozenset(LABELS[:3])
SPLITS = {
    "train": ("train_stances.csv", "train_bodies.csv", None),
    "dev-train": ("train_stances.csv", "train_bodies.csv", "baseline_training_body_ids.txt"),
    "hold-out": ("train_stances.csv", "train_bodies.csv", "baseline_hold_out_body_ids.txt"),
    "test": ("competition_test_stances.csv", "competition_test_bodies.csv", None),
}


@dataclass(frozen=True)
class Pair:
    """One labelled FNC-1 pair."""

    headline: str
    body_id: int
    body: str
    stance: str


# --- reading ---------------------------------------------------------------------------


def load_split(data_dir: Path | str, split: str = "test") -> list[Pair]:
    """Every pair of a split, in file order, with its body text."""
    if split not in SPLITS:
        raise DataError(f"Unknown FNC-1 split {split!r}; choose one of {', '.join(SPLITS)}.")
    stances_name, bodies_name, ids_name = SPLITS[split]
    root = Path(data_dir)
    stances_path, bodies_path = root / stances_name, root / bodies_name
    for path in (stances_path, bodies_path):
        if not path.is_file():
            raise DataError(
                f"{path} is missing. Point the data folder at fnc-1 (the one holding "
                "train_stances.csv and competition_test_stances.csv; see its FORMAT.md)."
            )
    bodies = {int(row["Body ID"]): row["articleBody"] for row in _rows(bodies_path)}
    keep = _body_ids(root / "splits" / ids_name) if ids_name else None
    pairs = []
    for row in _rows(stances_path):
        body_id = int(row["Body ID"])
        if keep is not None and body_id not in keep:
            continue
        if body_id not in bodies or row["Stance"] not in LABELS:
            raise DataError(f"{stances_path}: bad row {row!r} (unknown body or stance).")
        pairs.append(Pair(row["Headline"], body_id, bodies[body_id], row["Stance"]))
    return pairs


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _body_ids(path: Path) -> set[int]:
    if not path.is_file():
        raise DataError(f"{path} is missing: the baseline split lives in fnc-1/splits/.")
    return {int(line) for line in path.read_text().split()}


# --- scoring ---------------------------------------------------------------------------


def pair_points(gold: str, predicted: str) -> float:
    """The official points for one pair (the competition's ``scorer.py``, restated)."""
    points = 0.0
    if gold == predicted:
        points += 0.25
        if gold != "unrelated":
            points += 0.50
    if gold in RELATED and predicted in RELATED:
        points += 0.25
    return points


@dataclass
class Scores:
    """What ``allege eval fnc1`` reports."""

    split: str
    pairs: int
    raw: float
    maximum: float
    null: float
    f1: dict[str, float]
    confusion: dict[str, dict[str, int]]
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def relative(self) -> float:
        """The official score as a percentage of the maximum (the leaderboard figure)."""
        return 100 * self.raw / self.maximum if self.maximum else 0.0

    @property
    def macro_f1(self) -> float:
        return sum(self.f1.values()) / len(self.f1)

    @property
    def pairs_per_second(self) -> float:
        return self.pairs / self.seconds if self.seconds else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "split": self.split, "pairs": self.pairs, "raw": self.raw, "max": self.maximum,
            "null": self.null, "relative": self.relative, "macro_f1": self.macro_f1,
            "f1": self.f1, "confusion": self.confusion, "seconds": self.seconds,
            "pairs_per_second": self.pairs_per_second, **self.extra,
        }


def score(gold: Sequence[str], predicted: Sequence[str], *, split: str = "") -> Scores:
    """Score predicted stances against gold ones (same order)."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold labels but {len(predicted)} predictions")
    unknown = set(gold) - set(LABELS) | set(predicted) - set(LABELS)
    if unknown:
        raise ValueError(f"unknown stance labels: {sorted(unknown)}")
    counts = Counter(zip(gold, predicted))
    confusion = {g: {p: counts[g, p] for p in LABELS} for g in LABELS}
    f1 = {}
    for label in LABELS:
        correct = counts[label, label]
        n_gold = sum(confusion[label].values())
        n_predicted = sum(confusion[g][label] for g in LABELS)
        f1[label] = 2 * correct / (n_gold + n_predicted) if n_gold + n_predicted else 0.0
    raw = sum(pair_points(g, p) for g, p in zip(gold, predicted))
    maximum = sum(pair_points(g, g) for g in gold)
    null = sum(pair_points(g, "unrelated") for g in gold)
    return Scores(split, len(gold), raw, maximum, null, f1, confusion)


# --- presentation and the full run ------------------------------------------------------


def format_table(scores: Scores) -> list[Table]:
    """Two rich tables: the headline figures, and per-class F1 with the confusion matrix."""
    main = Table(title=f"FNC-1 stance, {scores.split} ({scores.pairs:,} pairs)")
    main.add_column("measure")
    main.add_column("value", justify="right")
    main.add_row("FNC score (% of max)", f"{scores.relative:.2f}")
    main.add_row("FNC score (raw / max)", f"{scores.raw:,.2f} / {scores.maximum:,.2f}")
    main.add_row("all-unrelated baseline (% of max)",
                 f"{100 * scores.null / scores.maximum:.2f}" if scores.maximum else "-")
    main.add_row("macro-F1", f"{scores.macro_f1:.3f}")
    if scores.seconds:
        main.add_row("throughput (pairs/s)", f"{scores.pairs_per_second:,.1f}")
    classes = Table(title="Per class (rows gold, columns predicted)")
    for column in ("class", "F1", *LABELS):
        classes.add_column(column, justify="left" if column == "class" else "right")
    for label in LABELS:
        classes.add_row(label, f"{scores.f1[label]:.3f}",
                        *(str(scores.confusion[label][p]) for p in LABELS))
    return [main, classes]


def evaluate(data_dir: Path | str, split: str = "test", *, limit: int | None = None,
             model: Any = None) -> Scores:
    """Label every pair of a split with the shipped stance model and score it.

    The clock covers :meth:`StanceModel.predict` only (the model and its sentence encoder
    are loaded first), so the throughput includes embedding every body and headline, as a
    fresh run would.
    """
    from ..corroborate.stance import StanceModel

    pairs = load_split(data_dir, split)[:limit]
    model = (model or StanceModel.load()).warm_up()
    start = time.perf_counter()
    predicted = model.predict([(p.headline, p.body) for p in pairs])
    seconds = time.perf_counter() - start
    scores = score([p.stance for p in pairs], predicted, split=split)
    scores.seconds = seconds
    return scores
