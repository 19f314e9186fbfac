"""Where a claim's content (and its source) begins and ends, given its cue: small heads on
the encoder's states.

The taggers mark contents without knowing which cue each belongs to, so a content's extent
is decided token by token ("challenging [the rules] before 10 judges": does "before 10
judges" belong to what is claimed or to the challenging?). The pointer looks from the cue:
for every token within reach of a claim's cue it scores how likely the content starts and
ends there, from the token's state in the fast encoder, the cue's states and where the
token lies from the cue: how many tokens, sentences and paragraphs away, and whether it
begins or ends its sentence. Small convolutions over these per-token rows then let each
score see the tokens around it (since stop 25). A second pointer, the same model without
the convolutions, does the same for the claim's source ("[Hillary Clinton], who served as
secretary of state, conceded …"). Both are trained on PolNeAR train
(``scripts/train_content_pointer.py --role content|source``); weights in
``models/attribution-encoder-4/{role}-pointer.safetensors``, each an ensemble of two
pointers trained alike whose scores are averaged. The source pointer looks less far from
the cue (:data:`REACH`).

A claim keeps the extent it has unless the pointer's best extent scores ``margin`` (log
probability) above it: the rules and taggers are right more often than the pointer alone,
but where the pointer is sure it is right more often than they are.

The first layer is linear in its inputs, so the encoder's worker projects each token's state
once (by :meth:`Pointer.project_weight`, in torch; the cue's part of that layer only for
the cue's tokens, here) and each claim costs a few small sums here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from spacy.tokens import Doc

from .eval.polnear import trimmed_extent
from .extract.quotes import Quote
from .extract.spans import Found, Segment, overlaps, token_segments
from .nlp import text_of

REACH_BEFORE = 120  # tokens before the cue's first where a content may start
REACH_AFTER = 200  # tokens after the cue's last where a content may end
# How far each pointer looks at use, (before, after), at most the reach above. A source lies
# nearer than a content: in PolNeAR train 99.9 % of them within 37 words before the cue and
# all within 35 after (on dev, the source pointer at 64 moves exactly what it did at 120/200).
REACH = {"content": (REACH_BEFORE, REACH_AFTER), "source": (64, 64)}
POSITIONS = 17  # buckets of signed log distance from the cue
AWAY = 3  # sentences (and paragraphs) before or after the cue's told apart; beyond, as far
HIDDEN = 256
# The context layers: (channels, kernel width, dilation of each residual convolution). Each
# token's start and end scores then also see its neighbours' rows, 7 tokens either way:
# whether a clause or sentence closes nearby, or another claim's cue comes in between.
CONTEXT = (32, 3, (1, 2, 4))
STATES_KEY = "allege.pointer"  # doc.user_data: PointerStates
ROLES = ("content", "source")  # what the pointers find, in the order their states are projected
_EDGES = " \n\t,;:“”«»\""


def bucket(distance: int) -> int:
    """The position bucket of a token ``distance`` tokens after (or before) the cue:
    8 at the cue, then one per doubling of the distance, up to 7 each way."""
    if distance == 0:
        return 8
    size = min(7, int(math.log2(abs(distance) + 1)))
    return 8 + size if distance > 0 else 8 - size


def buckets(distances: np.ndarray) -> np.ndarray:
    """:func:`bucket` of each distance."""
    size = np.minimum(7, np.log2(np.abs(distances) + 1).astype(int))
    return 8 + np.sign(distances) * size


def away(numbers: np.ndarray, cue: int) -> np.ndarray:
    """How many sentences (or paragraphs) each token lies after the cue's (negative:
    before), clipped to ``AWAY`` either way and shifted to count from 0."""
    return np.clip(numbers - cue, -AWAY, AWAY) + AWAY


@dataclass
class Layout:
    """Where a doc's tokens lie, as the pointer sees it."""

    space: np.ndarray  # (tokens,) bool: white space, never a span's edge
    sentence: np.ndarray  # (tokens,) int: the sentence's number (0 without sentences)
    paragraph: np.ndarray  # (tokens,) int: the paragraph's number (after each line break)
    edges: np.ndarray  # (tokens, 2) float32: the first, the last word of its sentence


def layout(doc: Doc, space: np.ndarray | None = None) -> Layout:
    """The :class:`Layout` of ``doc`` (whose white space tokens ``space`` marks, if given);
    its sentences where it has them."""
    if space is None:
        space = np.array([t.is_space for t in doc], dtype=bool)
    breaks = np.array(["\n" in t.text for t in doc], dtype=int)
    paragraph = np.cumsum(breaks) - breaks
    sentence = np.zeros(len(doc), dtype=int)
    edges = np.zeros((len(doc), 2), dtype=np.float32)
    spans = list(doc.sents) if doc.has_annotation("SENT_START") else [doc[:]]
    for number, sent in enumerate(spans):
        sentence[sent.start:sent.end] = number
        words = np.flatnonzero(~space[sent.start:sent.end])
        if len(words):
            edges[sent.start + words[0], 0] = edges[sent.start + words[-1], 1] = 1.0
    return Layout(space, sentence, paragraph, edges)


def pointer_module(width: int = 384, context: bool = True) -> Any:
    """The pointer as a torch module (for training): per token, [state, cue's mean state,
    position embeddings, in-cue flag, sentence and paragraph offset embeddings, sentence
    edge flags] -> 256 (GELU) -> (start, end) scores; with ``context``, plus the scores of
    the context layers over the window's 256-wide rows: 256 -> 32 (GELU), three residual
    convolutions (:data:`CONTEXT`), -> (start, end)."""
    import torch

    class Pointer(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.pos_start = torch.nn.Embedding(POSITIONS, 32)
            self.pos_end = torch.nn.Embedding(POSITIONS, 32)
            self.sentence = torch.nn.Embedding(2 * AWAY + 1, 16)
            self.paragraph = torch.nn.Embedding(2 * AWAY + 1, 16)
            self.l1 = torch.nn.Linear(2 * width + 64 + 1 + 32 + 2, HIDDEN)
            self.l2 = torch.nn.Linear(HIDDEN, 2)
            self.dropout = torch.nn.Dropout(0.1)
            if context:
                channels, kernel, dilations = CONTEXT
                self.down = torch.nn.Linear(HIDDEN, channels)
                self.convs = torch.nn.ModuleList(
                    torch.nn.Conv1d(channels, channels, kernel, dilation=d,
                                    padding=d * (kernel // 2)) for d in dilations)
                self.out = torch.nn.Linear(channels, 2)
                # starts as the pointer without context, which it then learns to correct
                torch.nn.init.zeros_(self.out.weight)
                torch.nn.init.zeros_(self.out.bias)

        def forward(self, states, cue, pos_start, pos_end, in_cue, sentence, paragraph, edges,
                    inside=None):
            """``inside``: ``(batch, tokens)``, which rows are the window's (the others pad
            a batch; the convolutions see zeros there, as at the window's edges)."""
            cue = cue[:, None, :].expand_as(states)
            x = torch.cat([states, cue, self.pos_start(pos_start), self.pos_end(pos_end),
                           in_cue[..., None], self.sentence(sentence),
                           self.paragraph(paragraph), edges], -1)
            hidden = self.dropout(torch.nn.functional.gelu(self.l1(x), approximate="tanh"))
            scores = self.l2(hidden)
            if not context:
                return scores
            keep = (torch.ones(states.shape[:2]) if inside is None else inside.float())[:, None]
            z = torch.nn.functional.gelu(self.down(hidden), approximate="tanh")
            z = z.transpose(1, 2) * keep
            for conv in self.convs:
                z = z + torch.nn.functional.gelu(conv(z), approximate="tanh") * keep
            return scores + self.out(z.transpose(1, 2))

    return Pointer()


class Pointer:
    """A trained pointer, for inference: ``weights`` as ``pointer_module()`` names them, or
    a list of such, an ensemble whose members' scores are averaged."""

    def __init__(self, weights: dict[str, np.ndarray] | list[dict[str, np.ndarray]],
                 margin: float, reach: tuple[int, int] = (REACH_BEFORE, REACH_AFTER)):
        weights = [weights] if isinstance(weights, dict) else weights
        members = [_first_layer(w) for w in weights]
        self.margin = margin
        self.reach = reach  # how many tokens before the cue's first and after its last
        # Averaging the members' scores is one wider pointer: their first layers side by
        # side, their output layers stacked and scaled.
        parts = {name: np.concatenate([m[name] for m in members], -1) for name in members[0]}
        self.token_weight, self.cue_weight = parts["token"], parts["cue"]
        self.start_table, self.end_table = parts["start"], parts["end"]
        self.in_cue, self.bias = parts["in_cue"], parts["bias"]
        # One row for each (sentence offset, paragraph offset, first word?, last word?),
        # the sum of what each adds: one lookup per token instead of three.
        offsets = 2 * AWAY + 1
        flag = np.array([0.0, 1.0], np.float32)
        sentence, paragraph, (first, last) = parts["sentence"], parts["paragraph"], parts["edges"]
        self.layout_table = (sentence[:, None, None, None] + paragraph[None, :, None, None]
                             + flag[:, None, None] * first + flag[:, None] * last
                             ).reshape(offsets * offsets * 4, -1)
        # the last 0.5 of GELU is folded into the output layer (see _doubled_gelu)
        self.out_weight = np.concatenate(
            [np.asarray(w["l2.weight"], np.float32).T for w in weights]) * (0.5 / len(weights))
        self.contexts = _contexts(weights)
        self._position_rows: dict[int, np.ndarray] = {}

    def project_weight(self) -> np.ndarray:
        """``(width, 256 per member)``: a token's state times this gives what
        :meth:`extent` needs of each token."""
        return self.token_weight

    def extent(self, projected: np.ndarray, states: np.ndarray, where: Layout,
               cue: tuple[int, int], current: tuple[int, int] | None) -> tuple[int, int] | None:
        """The token extent ``(first, last)`` the pointer puts the content (or source) of
        the cue on tokens ``cue`` (start, end) at, where it scores ``margin`` above
        ``current`` (the claim's extent, or None); else None. ``projected``: the tokens'
        ``states`` (the encoder's) times :meth:`project_weight`."""
        first, end = cue
        lo, hi = max(0, first - self.reach[0]), min(len(projected), end + self.reach[1])
        at = REACH_BEFORE - (first - lo)  # where lo falls in the cue length's position rows
        hidden = projected[lo:hi] + (states[first:end].mean(0) @ self.cue_weight + self.bias)
        hidden += self._positions(end - first)[at:at + hi - lo]
        hidden[first - lo:end - lo] += self.in_cue
        # each token's row of the layout table: its sentence and paragraph offsets, then
        # 2 × (first word of its sentence) + (last word)
        rows = away(where.sentence[lo:hi], where.sentence[first]) * (2 * AWAY + 1)
        rows += away(where.paragraph[lo:hi], where.paragraph[first])
        rows *= 4
        rows += (where.edges[lo:hi] @ np.array([2, 1], np.float32)).astype(rows.dtype)
        hidden += self.layout_table[rows]
        doubled = _doubled_gelu(hidden)
        scores = doubled @ self.out_weight
        for k, context in enumerate(self.contexts):
            scores += context(doubled[:, k * HIDDEN:(k + 1) * HIDDEN])
        # Log probabilities differ from these scores by one constant per column, the same
        # for every extent, so comparing sums of scores compares sums of log probabilities.
        scores[where.space[lo:hi]] = -1e4
        starts, ends = scores[:, 0], scores[:, 1]
        best_start = np.maximum.accumulate(starts)  # the best start at or before each end
        total = best_start + ends
        last = int(total.argmax())
        start = int(np.flatnonzero(starts[:last + 1] == best_start[last])[0])
        if current is not None:
            a, b = current
            own = starts[a - lo] + ends[b - lo] if lo <= a <= b < hi else -np.inf
            if total[last] - own <= self.margin:
                return None
        return start + lo, last + lo

    def _positions(self, length: int) -> np.ndarray:
        """The position rows for a cue of ``length`` tokens: row ``REACH_BEFORE + d`` for
        the token ``d`` after the cue's first (computed once per length)."""
        if length not in self._position_rows:
            distances = np.arange(-REACH_BEFORE, length + REACH_AFTER)
            self._position_rows[length] = (self.start_table[buckets(distances)]
                                           + self.end_table[buckets(distances - length + 1)])
        return self._position_rows[length]


@dataclass
class _Context:
    """The context layers of one of a pointer's members, for inference: the doubled GELU of
    its first layer's ``(tokens, 256)`` rows -> what they add to the ``(tokens, 2)``
    scores."""

    down: np.ndarray  # (256, channels), halved
    down_bias: np.ndarray
    convs: list[tuple[int, np.ndarray, np.ndarray]]  # dilation, (taps · channels, channels)
    # weights, bias
    out: np.ndarray  # (channels, 2), divided by the ensemble's number of members

    @classmethod
    def of(cls, weights: dict[str, np.ndarray], members: int) -> _Context:
        """The layers in ``weights`` (as :func:`pointer_module` names them), of one of
        ``members`` pointers whose scores are averaged."""
        _, _, dilations = CONTEXT
        convs = []
        for k, dilation in enumerate(dilations):
            w = np.asarray(weights[f"convs.{k}.weight"], np.float32)  # (out, in, taps)
            convs.append((dilation, w.transpose(2, 1, 0).reshape(-1, w.shape[0]).copy(),
                          np.asarray(weights[f"convs.{k}.bias"], np.float32)))
        return cls(np.asarray(weights["down.weight"], np.float32).T * 0.5,
                   np.asarray(weights["down.bias"], np.float32), convs,
                   np.asarray(weights["out.weight"], np.float32).T / members)

    def __call__(self, doubled: np.ndarray) -> np.ndarray:
        z = _doubled_gelu(doubled @ self.down + self.down_bias)  # twice the activations
        z *= 0.5
        for dilation, weight, bias in self.convs:
            taps = weight.shape[0] // z.shape[1]
            pad = dilation * (taps // 2)
            padded = np.zeros((len(z) + 2 * pad, z.shape[1]), np.float32)
            padded[pad:pad + len(z)] = z
            # the taps side by side, so that the convolution is one product
            shifted = np.concatenate([padded[k * dilation:k * dilation + len(z)]
                                      for k in range(taps)], 1)
            added = _doubled_gelu(shifted @ weight + bias)
            added *= 0.5
            z += added
        return z @ self.out


def _contexts(members: list[dict[str, np.ndarray]]) -> list[_Context]:
    """Each member's context layers; none for pointers trained without."""
    having = ["down.weight" in w for w in members]
    if any(having) and not all(having):
        raise ValueError("an ensemble's pointers all have context layers, or none has")
    return [_Context.of(w, len(members)) for w in members] if any(having) else []


def _first_layer(weights: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """A pointer's first layer split by input, each ``(inputs, 256)``: token state, cue
    state, positions, in-cue flag, sentence and paragraph offsets, sentence edges, bias;
    the embeddings folded into tables."""
    w = np.asarray(weights["l1.weight"], dtype=np.float32)
    width = (w.shape[1] - 99) // 2
    at = 2 * width

    def table(name: str, first: int, size: int) -> np.ndarray:
        return np.asarray(weights[name], np.float32) @ w[:, at + first:at + first + size].T

    return {"token": w[:, :width].T.copy(), "cue": w[:, width:at].T.copy(),
            "start": table("pos_start.weight", 0, 32), "end": table("pos_end.weight", 32, 32),
            "in_cue": w[:, at + 64].copy(), "sentence": table("sentence.weight", 65, 16),
            "paragraph": table("paragraph.weight", 81, 16),
            "edges": w[:, at + 97:at + 99].T.copy(),
            "bias": np.asarray(weights["l1.bias"], np.float32)}


def _doubled_gelu(x: np.ndarray) -> np.ndarray:
    """Twice GELU (tanh approximation) of ``x``, ``x · (1 + tanh(c·x·(1 + a·x²)))``,
    computed in one new array (the caller halves it)."""
    inner = x * x
    inner *= 0.7978845608 * 0.044715
    inner += 0.7978845608
    inner *= x
    np.tanh(inner, out=inner)
    inner += 1.0
    inner *= x
    return inner


@dataclass
class PointerStates:
    """What :func:`point_contents` needs of a doc, set by the encoder tagger."""

    pointers: dict[str, Pointer]  # by role
    projected: dict[str, np.ndarray]  # by role: (tokens, 256)
    states: np.ndarray  # (tokens, 384): the encoder's last states
    where: Layout


def point_contents(doc: Doc, found: list[Found], keep: set[str],
                   quotes: Sequence[Quote] = ()) -> None:
    """Move each claim's content to the content pointer's extent where it is sure enough
    (claims whose rule is in ``keep``, and quotations over paragraphs, keep theirs); nothing
    without the encoder's states. A quotation's claim is not stretched over its cue onto
    words outside the doc's ``quotes`` ("“A,” said X, speaking of Y. “B.”": not Y)."""
    states = doc.user_data.get(STATES_KEY)
    if not isinstance(states, PointerStates) or "content" not in states.pointers:
        return
    text = text_of(doc)
    for f in found:
        if f.rule.split("+")[0] in keep or not f.content or _over_paragraphs(text, f):
            continue
        others = [s for g in found if g is not f for s in g.cue]
        moved = _moved(doc, text, states, "content", f.cue, f.content)
        if moved is None or _swallows(doc, moved, others, f.content):
            continue
        # an inserted "…, she said, …" stays out of the content it splits
        own = {t.i for s in f.cue + ([f.source] if f.source else [])
               for t in doc.char_span(*s, alignment_mode="expand") or ()}
        segments = [_trimmed(text, s) for s in
                    token_segments(doc, set(range(moved[0], moved[1] + 1)) - own, trim=False)]
        if f.kind == "direct" and quotes and _around(segments, f.cue) and \
                _narrated(text, segments, quotes):
            continue  # "“A,” said X, speaking of Y. “B.”": the quotations are joined later
        if segments := [s for s in segments if s[1] > s[0]]:
            f.content = segments


def point_sources(doc: Doc, found: list[Found], keep: set[str]) -> None:
    """Move each claim's source to the source pointer's extent where it is sure enough and
    the new extent takes in none of the claim's cue or content ("Hillary Clinton, who
    served as secretary of state, conceded" → "Hillary Clinton"). Claims with no source
    stay without; claims whose rule is in ``keep``, or whose source lies in the cue ("the
    refusal of the Kremlin to confirm"), keep theirs; nothing without the encoder's states."""
    states = doc.user_data.get(STATES_KEY)
    if not isinstance(states, PointerStates) or "source" not in states.pointers:
        return
    text = text_of(doc)
    for f in found:
        if f.source is None or f.rule.split("+")[0] in keep or \
                any(overlaps(f.source, s) for s in f.cue):
            continue
        moved = _moved(doc, text, states, "source", f.cue, [f.source])
        if moved is None:
            continue
        span = doc[moved[0]:moved[1] + 1]
        source = _trimmed(text, (span.start_char, span.end_char))
        if source[1] > source[0] and not any(overlaps(source, s) for s in f.cue + f.content):
            f.source, f.source_head = source, span.root.i


def _moved(doc: Doc, text: str, states: PointerStates, role: str, cue: list[Segment],
           segments: list[Segment]) -> tuple[int, int] | None:
    """The token extent (first, last) the ``role`` pointer moves a claim's ``segments`` (its
    content or source) to, from the claim's ``cue``; None where they stay."""
    cue_span = doc.char_span(cue[0][0], cue[-1][1], alignment_mode="expand")
    # the extent PolNeAR's scorer compares, which the pointers were trained to find
    now = doc.char_span(*trimmed_extent(text, segments), alignment_mode="expand")
    if cue_span is None or now is None:
        return None
    return states.pointers[role].extent(states.projected[role], states.states, states.where,
                                        (cue_span.start, cue_span.end), (now.start, now.end - 1))


def _around(segments: list[Segment], cue: list[Segment]) -> bool:
    """Whether ``segments`` lie on both sides of the ``cue``."""
    return bool(segments) and segments[0][0] < cue[0][0] and segments[-1][1] > cue[-1][1]


def _narrated(text: str, segments: list[Segment], quotes: Sequence[Quote]) -> bool:
    """Whether ``segments`` hold words outside every quotation."""
    return any(char.isalnum() and not any(q.contains(at) for q in quotes)
               for start, end in segments for at, char in enumerate(text[start:end], start))


def _over_paragraphs(text: str, f: Found) -> bool:
    """A quotation that runs over paragraphs is one claim, all of it (PolNeAR often marks
    only the paragraph by the cue; on its held-out train articles keeping these as they
    are changed nothing)."""
    return f.kind == "direct" and "\n" in text[f.content[0][0]:f.content[-1][1]]


def _swallows(doc: Doc, moved: tuple[int, int], cues: list[Segment], content: list[Segment]
              ) -> bool:
    """Whether the moved extent takes in another claim's cue the content did not hold:
    that claim would become part of this one's content."""
    start, end = doc[moved[0]].idx, doc[moved[1]].idx + len(doc[moved[1]])
    return any(start < b and a < end and not any(overlaps((a, b), c) for c in content)
               for a, b in cues)


def _trimmed(text: str, segment: tuple[int, int]) -> tuple[int, int]:
    """The segment less the quotation marks and separators at its edges."""
    start, end = segment
    while start < end and text[start] in _EDGES:
        start += 1
    while end > start and text[end - 1] in _EDGES:
        end -= 1
    return start, end
