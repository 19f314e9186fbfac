"""Fit the claims' confidence model on PolNeAR dev and print how well it is calibrated.

Every scorable claim allege finds in the dev articles is labelled right or wrong (does it
match a gold attribution under the linked protocol?) and described by
allege.extract.confidence.features. A logistic regression (scikit-learn, `pip install -e
'.[train]'`) is fitted to those labels; its weights go to src/allege/data/confidence.toml.
Dev, not train, because the tagger was trained on train and is overconfident there.

Before writing, the script prints the calibration table of the same model fitted with each
sixth of the articles held out and scored on it: out-of-fold, so it is not in-sample.

    python scripts/calibrate_confidence.py --data ../shared/data/polnear
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

import numpy as np

from allege.analysis import analyze_documents
from allege.eval.polnear import load_split, match, predicted_from_analysis, scored_claims
from allege.extract.confidence import features
from allege.model import Document

OUT = Path(__file__).resolve().parents[1] / "src" / "allege" / "data" / "confidence.toml"
MIN_CUE = 10  # claims a cue needs on dev for a weight of its own; rarer ones are "cue=other"
C = 0.3  # inverse regularisation strength, chosen by out-of-fold log loss (0.1, 0.3, 1, 3)
FOLDS = 6
BINS = (0.0, 0.5, 0.7, 0.8, 0.9)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="the PolNeAR folder")
    parser.add_argument("--split", default="dev", help="split to fit on (default: dev)")
    parser.add_argument("--out", type=Path, default=OUT, help="where to write the weights")
    args = parser.parse_args()

    rows, right, articles = claims(args.data, args.split)
    cues = Counter(k for r in rows for k in r if k.startswith("cue="))
    for row in rows:
        for name in [k for k in row if k.startswith("cue=") and cues[k] < MIN_CUE]:
            row["cue=other"] = row.pop(name)
    names = sorted({k for r in rows for k in r})
    x = np.array([[r.get(n, 0.0) for n in names] for r in rows])
    y, groups = np.array(right), np.array(articles)

    held_out = out_of_fold(x, y, groups)
    print(f"{len(y)} claims in {len(set(articles))} articles, {y.mean():.3f} right; "
          f"calibration out of fold ({FOLDS} folds by article):")
    print(calibration_table(held_out, y))
    print(f"log loss out of fold: {log_loss(held_out, y):.4f}")

    model = fit(x, y)
    lines = ["# Weights of the claim confidence model (allege.extract.confidence), a logistic",
             f"# regression fitted on PolNeAR {args.split} ({len(y)} claims, "
             f"{len(set(articles))} articles) by",
             "# scripts/calibrate_confidence.py, which prints its out-of-fold calibration.",
             "", f"intercept = {model.intercept_[0]:.4f}", "", "[weights]"]
    lines += [f'"{n}" = {w:.4f}' for n, w in zip(names, model.coef_[0])]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


def claims(data: Path, split: str) -> tuple[list[dict[str, float]], list[bool], list[int]]:
    """Each scorable claim's features, whether it is right, and its article's number."""
    golds = load_split(data, split)
    rows, right, articles = [], [], []
    analyses = analyze_documents(Document(text=g.text) for g in golds)
    for n, (gold, analysis) in enumerate(zip(golds, analyses)):
        matched = match(gold.text, gold.relations, predicted_from_analysis(analysis))
        types = {e.id: e.type for e in analysis.entities}
        for k, claim in enumerate(scored_claims(analysis)):
            rows.append(features(claim, analysis.document.text, types))
            right.append(k in matched)
            articles.append(n)
    return rows, right, articles


def fit(x: np.ndarray, y: np.ndarray):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, max_iter=5000).fit(x, y)


def out_of_fold(x: np.ndarray, y: np.ndarray, groups: np.ndarray) -> np.ndarray:
    from sklearn.model_selection import GroupKFold

    predicted = np.zeros(len(y))
    for train, test in GroupKFold(FOLDS).split(x, y, groups):
        predicted[test] = fit(x[train], y[train]).predict_proba(x[test])[:, 1]
    return predicted


def calibration_table(predicted: np.ndarray, y: np.ndarray) -> str:
    lines = ["confidence   claims  right  share right"]
    for low, high in zip(BINS, (*BINS[1:], 1.01)):
        chosen = (predicted >= low) & (predicted < high)
        count = int(chosen.sum())
        share = f"{100 * y[chosen].mean():.1f}%" if count else "-"
        label = f"≥ {low:.1f}" if high > 1 else f"{low:.1f}–{high:.1f}"
        lines.append(f"{label:11s} {count:7d} {int(y[chosen].sum()):6d}  {share:>10s}")
    return "\n".join(lines)


def log_loss(predicted: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(predicted, 1e-6, 1 - 1e-6)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


if __name__ == "__main__":
    main()
