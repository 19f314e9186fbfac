"""Train a pointer (:mod:`allege.content_pointer`) on the fast encoder's states.

    python scripts/train_content_pointer.py --data ../shared/data/polnear                # content
    python scripts/train_content_pointer.py --data ../shared/data/polnear --role source

For every gold attribution of PolNeAR train (with a source, for ``--role source``), the
pointer learns where its content (or source) starts and ends (the extent the protocol
scores: first start to last end, quotation marks and edge punctuation trimmed) among the
tokens from 120 before its cue to 200 after, from the fast encoder's last states (computed
once; the encoder is not trained) and the parsed articles' sentences and paragraphs. The
last 84 train articles are held out: after each epoch allege analyses them (parsed, tagged
by both taggers as at use, with the other role's pointer if there is one) with the pointer
at each margin of ``--margins``, and the epoch with the best mean of the four F1s (source,
cue, content, linked) is chosen. A second pointer is then trained on all train articles,
the held-out ones too, for as many epochs, and the two are saved beside the fast encoder as
one ensemble, their scores averaged (``{role}-pointer.safetensors``, its members' weights
prefixed ``0.`` and ``1.``), with the margin among ``--margins`` that gives the ensemble the
best mean F1 on PolNeAR dev (``pointer_margins`` in its ``config.json``). ``--single``
saves the chosen pointer alone, with its held-out margin, and does not read dev.
About 17 minutes on two CPU cores for the content (4 epochs), 18 for the source
(``--epochs 4``).

Since stop 25 the pointer has context layers (:func:`allege.content_pointer.pointer_module`);
the source pointer shipped was trained before them, as ``--no-context`` trains it: with them
it scored no better on the held-out articles.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import save_file

sys.path.insert(0, str(Path(__file__).resolve().parent))
from attribution_scorer import dev_scores, mean_f1  # noqa: E402

from allege.content_pointer import (  # noqa: E402
    REACH,
    REACH_AFTER,
    REACH_BEFORE,
    STATES_KEY,
    ROLES,
    Layout,
    Pointer,
    PointerStates,
    away,
    buckets,
    layout,
    pointer_module,
)
from allege.encoder_tagger import FAST_ENCODER_DIR, EncoderTagger, tag_with_encoder  # noqa: E402
from allege.eval.polnear import GoldArticle, load_split, trimmed_extent  # noqa: E402
from allege.nlp import parse_many  # noqa: E402
from allege.precision import native_precision  # noqa: E402
from allege.tagger import tag_docs  # noqa: E402

HELD_OUT = 84  # the last train articles, as many as dev has
MARGINS = (0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 6.0)
BATCH = 32


def examples(golds: list[GoldArticle], docs: list, role: str = "content"
             ) -> list[tuple[int, ...]]:
    """``(article, first, end, cue start, cue end, target first, target last)`` token
    indices, one per gold attribution whose ``role`` (content or source) lies within reach
    of its cue."""
    found = []
    for k, (gold, doc) in enumerate(zip(golds, docs)):
        for relation in gold.relations:
            segments = getattr(relation, role)
            if not segments:
                continue
            cue = doc.char_span(relation.cue[0][0], relation.cue[-1][1], alignment_mode="expand")
            target = doc.char_span(*trimmed_extent(gold.text, segments), alignment_mode="expand")
            if cue is None or target is None or len(target) == 0:
                continue
            first, end = max(0, cue.start - REACH_BEFORE), min(len(doc), cue.end + REACH_AFTER)
            if first <= target.start and target.end <= end:
                found.append((k, first, end, cue.start, cue.end, target.start, target.end - 1))
    return found


def tensors(batch: list, states: list[np.ndarray], layouts: list[Layout]) -> tuple:
    """The pointer's inputs for a batch of examples, padded (the last, which rows are the
    window's), with the mask of real tokens and the targets (positions in each example's
    window)."""
    width = max(end - first for _, first, end, *_ in batch)
    rows = len(batch)
    hidden = torch.zeros(rows, width, states[0].shape[1])
    cue = torch.zeros(rows, states[0].shape[1])
    pos_start = torch.full((rows, width), 8, dtype=torch.long)
    pos_end = torch.full((rows, width), 8, dtype=torch.long)
    in_cue = torch.zeros(rows, width)
    sentence = torch.zeros(rows, width, dtype=torch.long)
    paragraph = torch.zeros(rows, width, dtype=torch.long)
    edges = torch.zeros(rows, width, 2)
    inside = torch.zeros(rows, width, dtype=torch.bool)
    mask = torch.zeros(rows, width, dtype=torch.bool)
    starts, ends = [], []
    for i, (k, first, end, cue_start, cue_end, start, last) in enumerate(batch):
        hidden[i, :end - first] = torch.from_numpy(states[k][first:end])
        cue[i] = torch.from_numpy(states[k][cue_start:cue_end]).mean(0)
        tokens = np.arange(first, end)
        pos_start[i, :end - first] = torch.from_numpy(buckets(tokens - cue_start))
        pos_end[i, :end - first] = torch.from_numpy(buckets(tokens - cue_end + 1))
        in_cue[i, cue_start - first:cue_end - first] = 1.0
        where = layouts[k]
        sentence[i, :end - first] = torch.from_numpy(
            away(where.sentence[first:end], where.sentence[cue_start]))
        paragraph[i, :end - first] = torch.from_numpy(
            away(where.paragraph[first:end], where.paragraph[cue_start]))
        edges[i, :end - first] = torch.from_numpy(where.edges[first:end])
        inside[i, :end - first] = True
        mask[i, :end - first] = torch.from_numpy(~where.space[first:end])
        starts.append(start - first)
        ends.append(last - first)
    return (hidden, cue, pos_start, pos_end, in_cue, sentence, paragraph, edges, inside, mask,
            torch.tensor(starts), torch.tensor(ends))


def train_epoch(model: torch.nn.Module, optimizer: torch.optim.Optimizer, items: list,
                states: list[np.ndarray], layouts: list[Layout], epoch: int) -> float:
    """One pass over ``items`` in a seeded order; the mean loss (start + end cross entropy)."""
    model.train()
    order = np.random.RandomState(epoch).permutation(len(items))
    total = 0.0
    for first in range(0, len(items), BATCH):
        batch = [items[i] for i in order[first:first + BATCH]]
        *inputs, mask, starts, ends = tensors(batch, states, layouts)
        logits = model(*inputs).masked_fill(~mask[..., None], -1e4)
        loss = torch.nn.functional.cross_entropy(logits[..., 0], starts) + \
            torch.nn.functional.cross_entropy(logits[..., 1], ends)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += float(loss.detach()) * len(batch)
    return total / len(items)


def weights_of(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """The model's weights as saved: float16."""
    return {name: value.detach().half().contiguous() for name, value in model.state_dict().items()}


def analysed(encoder: EncoderTagger, docs: list, token_states: list[np.ndarray],
             layouts: list[Layout]) -> tuple[list, list[PointerStates]]:
    """``docs`` tagged by both taggers as at use, and each one's pointer states without the
    pointer being trained (the encoder was loaded without it)."""
    tagged = list(tag_with_encoder(tag_docs(docs), encoder=encoder))
    return tagged, [doc.user_data.get(STATES_KEY) or PointerStates({}, {}, states, where)
                    for doc, states, where in zip(tagged, token_states, layouts)]


def scored_with(pointer: Pointer, role: str, golds: list[GoldArticle], docs: list,
                bases: list[PointerStates], margins: list[float]) -> list[tuple[float, Any]]:
    """The docs analysed with ``pointer`` as the ``role`` pointer at each of ``margins``:
    ``(margin, scores)``. The docs get their ``bases`` back after."""
    for doc, base in zip(docs, bases):
        doc.user_data[STATES_KEY] = replace(
            base, pointers={**base.pointers, role: pointer},
            projected={**base.projected, role: base.states @ pointer.project_weight()})
    found = []
    for margin in margins:
        pointer.margin = margin
        found.append((margin, dev_scores(golds, docs)))
    for doc, base in zip(docs, bases):
        doc.user_data[STATES_KEY] = base
    return found


def described(scores: Any) -> str:
    """The four F1s of ``scores`` and their mean, for the log."""
    f1s = " / ".join(f"{100 * prf.f1:.2f}" for prf in scores.roles.values())
    return f"F1 {f1s} / linked {100 * scores.linked.f1:.2f}, mean {100 * mean_f1(scores):.2f}"


def as_numpy(weights: dict[str, torch.Tensor]) -> dict[str, np.ndarray]:
    """Saved (float16) weights as :class:`Pointer` takes them."""
    return {name: value.float().numpy() for name, value in weights.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="the PolNeAR folder")
    parser.add_argument("--role", choices=ROLES, default="content",
                        help="what the pointer finds (default: content)")
    parser.add_argument("--epochs", type=int, default=4, help="passes over train (default 4)")
    parser.add_argument("--margins", type=float, nargs="+", default=MARGINS,
                        help="margins tried (default: %(default)s)")
    parser.add_argument("--single", action="store_true",
                        help="save the pointer chosen on the held-out articles alone, not the "
                             "ensemble of it and one refit on all train")
    parser.add_argument("--no-context", dest="context", action="store_false",
                        help="without the context layers (as the source pointer shipped was "
                             "trained, and the content pointer before stop 25)")
    parser.add_argument("--target", type=Path, default=FAST_ENCODER_DIR,
                        help="the fast encoder's folder, where the pointer is saved")
    args = parser.parse_args(argv)
    torch.manual_seed(0)
    torch.set_num_threads(2)

    golds = load_split(args.data, "train")
    # the other role's pointer as at use; not an older one of this role. The states the
    # shipped pointers learnt from: bfloat16's, or float32's (the same tags) on a CPU
    # without it, never int8's.
    encoder = EncoderTagger(args.target, pointers=[r for r in ROLES if r != args.role],
                            precision=native_precision())
    docs = list(parse_many([gold.text for gold in golds]))
    states = encoder.states(docs)
    layouts = [layout(doc) for doc in docs]
    items = examples(golds, docs, args.role)
    train = [item for item in items if item[0] < len(golds) - HELD_OUT]
    print(f"{len(golds)} articles, {len(items)} attributions whose {args.role} is within "
          f"reach, {len(train)} of them for training", flush=True)

    held_golds = golds[-HELD_OUT:]
    held, bases = analysed(encoder, docs[-HELD_OUT:], states[-HELD_OUT:], layouts[-HELD_OUT:])
    print(f"without the {args.role} pointer: held-out mean F1 "
          f"{100 * mean_f1(dev_scores(held_golds, held)):.2f}", flush=True)
    model = pointer_module(states[0].shape[1], args.context)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    best = (-1.0, 0, 0.0, weights_of(model))
    for epoch in range(1, args.epochs + 1):
        loss = train_epoch(model, optimizer, train, states, layouts, epoch)
        weights = weights_of(model)
        pointer = Pointer(as_numpy(weights), 0.0, REACH[args.role])
        for margin, scores in scored_with(pointer, args.role, held_golds, held, bases,
                                          args.margins):
            print(f"epoch {epoch} (loss {loss:.3f}), margin {margin}: held-out "
                  f"{described(scores)}", flush=True)
            if mean_f1(scores) > best[0]:
                best = (mean_f1(scores), epoch, margin, weights)
    mean, epoch, margin, weights = best
    print(f"best held-out mean F1 {100 * mean:.2f} (epoch {epoch}, margin {margin})", flush=True)
    saved = weights
    if not args.single:
        saved, margin = ensemble(args, encoder, items, states, layouts, epoch, weights,
                                 margin)
    save_file(saved, str(args.target / f"{args.role}-pointer.safetensors"))
    settings = json.loads((args.target / "config.json").read_text())
    settings.setdefault("pointer_margins", {})[args.role] = margin
    (args.target / "config.json").write_text(json.dumps(settings, indent=1) + "\n")
    print(f"saved to {args.target}")


def ensemble(args: argparse.Namespace, encoder: EncoderTagger, items: list,
             states: list[np.ndarray], layouts: list[Layout], epochs: int,
             chosen: dict[str, torch.Tensor], margin: float
             ) -> tuple[dict[str, torch.Tensor], float]:
    """A second pointer trained on all train articles, the held-out ones too, for
    ``epochs``, and the ensemble of it and the ``chosen`` one (at ``margin``), with the
    margin that gives the best mean F1 on PolNeAR dev: ``(weights to save, margin)``."""
    torch.manual_seed(0)
    model = pointer_module(states[0].shape[1], args.context)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    for epoch in range(1, epochs + 1):
        loss = train_epoch(model, optimizer, items, states, layouts, epoch)
        print(f"on all {len(items)} attributions, epoch {epoch} (loss {loss:.3f})", flush=True)
    members = [chosen, weights_of(model)]
    golds = load_split(args.data, "dev")
    docs = list(parse_many([gold.text for gold in golds]))
    dev, bases = analysed(encoder, docs, encoder.states(docs), [layout(doc) for doc in docs])
    print(f"without the {args.role} pointer: dev {described(dev_scores(golds, dev))}")
    [(_, scores)] = scored_with(Pointer(as_numpy(chosen), 0.0, REACH[args.role]), args.role,
                                golds, dev, bases, [margin])
    print(f"the chosen pointer, margin {margin}: dev {described(scores)}", flush=True)
    pointer = Pointer([as_numpy(weights) for weights in members], 0.0, REACH[args.role])
    found = scored_with(pointer, args.role, golds, dev, bases, args.margins)
    for margin, scores in found:
        print(f"the ensemble, margin {margin}: dev {described(scores)}", flush=True)
    margin = max(found, key=lambda pair: mean_f1(pair[1]))[0]
    return {f"{k}.{name}": value for k, weights in enumerate(members)
            for name, value in weights.items()}, margin


if __name__ == "__main__":
    main()
