"""Cut the encoder tagger to its first four layers, and retrain its last layer and head.

    python scripts/shorten_encoder.py --data ../shared/data/polnear

The six-layer tagger (``models/attribution-encoder``, from ``train_encoder_tagger.py``) is
the starting point. Its first three layers are kept as they are (the same LoRA updates and
layer norms); the fourth is fine-tuned whole, with a new head (384 -> 512 -> 7, GELU) in
place of the linear one, on PolNeAR train's windows:

1. the head alone, on the fourth layer's states (``--head-epochs``, AdamW 1e-3);
2. the fourth layer and the head together (``--epochs``, AdamW 5e-5 for the layer, 5e-4 for
   the head), on the third layer's states, computed once and cached (bfloat16, about
   1 GB), so an epoch takes about two minutes on two CPU cores.

Before the second stage and after each of its epochs allege analyses the 84 dev articles
with the spans mixed as at use (:func:`allege.encoder_tagger.tag_with_encoder`), at mixing
weights 1.5, 2.0 and 2.5; the best epoch and weight by the mean of the four dev F1s
(source, cue, content, linked: any one alone picks among near-ties by noise) are saved to
``--target`` (default: ``models/attribution-encoder-4``, the encoder allege tags with by
default).
About 11 minutes on two cores once PolNeAR is converted (``--skip-convert`` reuses the
DocBins under ``--out``), most of it the dev analyses; a rerun writes the same bytes.
"""

from __future__ import annotations

import argparse
import copy
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import spacy
import torch
from safetensors.torch import load_file, save_file
from spacy.tokens import DocBin

sys.path.insert(0, str(Path(__file__).resolve().parent))
from attribution_scorer import dev_scores, mean_f1  # noqa: E402
from encoder_lora import batches  # noqa: E402
from train_attribution import add_corpus_arguments, corpus_docbins  # noqa: E402
from train_encoder_tagger import examples  # noqa: E402

from allege.encoder_tagger import (  # noqa: E402
    BIO,
    ENCODER_DIR,
    FAST_ENCODER_DIR,
    EncoderTagger,
    make_head,
    tag_with_encoder,
)
from allege.eval.polnear import load_split  # noqa: E402
from allege.nlp import parse_many  # noqa: E402
from allege.precision import SCALES_FILE  # noqa: E402
from allege.tagger import tag_docs  # noqa: E402

LAYERS = 4
HEAD_HIDDEN = 512
WEIGHTS = (1.5, 2.0, 2.5)
BATCH = 16


def additive_mask(mask: torch.Tensor) -> torch.Tensor:
    """A BERT layer's attention mask: 0 where a word piece is, -10,000 for padding."""
    return (1.0 - mask[:, None, None, :].float()) * -1e4


def run_layer(layer: torch.nn.Module, states: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    return layer(states.float(), attention_mask=additive_mask(mask))


def cached_states(tagger: EncoderTagger, items: list) -> list[tuple[torch.Tensor, ...]]:
    """Per batch of ``BATCH`` windows (sorted by length): the states after the first
    ``LAYERS - 1`` layers (bfloat16), the attention mask and the labels."""
    cached = []
    with torch.no_grad(), torch.autocast("cpu", torch.bfloat16):
        for ids, mask, labels in batches(items, BATCH):
            states = tagger.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
            cached.append((states.to(torch.bfloat16), mask, labels))
    return cached


def fit_head(head: torch.nn.Module, layer: torch.nn.Module, cached: list, epochs: int) -> None:
    """Train ``head`` on the frozen ``layer``'s states of the labelled word pieces."""
    features, labels = [], []
    with torch.no_grad(), torch.autocast("cpu", torch.bfloat16):
        for states, mask, batch_labels in cached:
            keep = batch_labels != -100
            features.append(run_layer(layer, states, mask)[keep].float())
            labels.append(batch_labels[keep])
    x, y = torch.cat(features), torch.cat(labels)
    optimizer = torch.optim.AdamW(head.parameters(), lr=1e-3, weight_decay=0.01)
    head.train()
    for epoch in range(epochs):
        order = torch.randperm(len(x))
        for first in range(0, len(x), 1024):
            rows = order[first:first + 1024]
            loss = torch.nn.functional.cross_entropy(head(x[rows]), y[rows])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        print(f"head epoch {epoch + 1}: loss {float(loss.detach()):.4f}", flush=True)


def tune(layer: torch.nn.Module, head: torch.nn.Module, cached: list, epoch: int,
         optimizer: torch.optim.Optimizer) -> float:
    """One pass over the cached batches training ``layer`` and ``head``; the mean loss."""
    layer.train()
    head.train()
    total = 0.0
    for j in np.random.RandomState(epoch).permutation(len(cached)):
        states, mask, labels = cached[j]
        with torch.autocast("cpu", torch.bfloat16):
            logits = head(run_layer(layer, states, mask)).float()
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, len(BIO)),
                                                 labels.reshape(-1), ignore_index=-100)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_([*layer.parameters(), *head.parameters()], 1.0)
        optimizer.step()
        total += float(loss.detach())
    return total / len(cached)


def save(folder: Path, kept: dict[str, torch.Tensor], layer: torch.nn.Module,
         head: torch.nn.Module, settings: dict) -> None:
    """The first layers' adapters, the last layer whole (both in float16; the adapters
    are float16 numbers already) and the head, in the format
    :class:`allege.encoder_tagger.EncoderTagger` loads."""
    prefix = f"encoder.layer.{LAYERS - 1}."
    weights = {name: value.half().contiguous() for name, value in kept.items()}
    weights.update({prefix + name: value.detach().half().contiguous()
                    for name, value in layer.state_dict().items()})
    weights.update({"head." + name: value.detach().contiguous()
                    for name, value in head.state_dict().items()})
    folder.mkdir(parents=True, exist_ok=True)
    save_file(weights, str(folder / "adapter.safetensors"))
    (folder / "config.json").write_text(json.dumps(settings, indent=1) + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_corpus_arguments(parser, "/tmp/allege-encoder-4", FAST_ENCODER_DIR)
    parser.add_argument("--head-epochs", type=int, default=4,
                        help="passes training the head alone (default 4)")
    parser.add_argument("--epochs", type=int, default=3,
                        help="passes training the last layer and the head (default 3)")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    args = parser.parse_args(argv)

    torch.manual_seed(0)
    torch.set_num_threads(args.threads)
    corpus = corpus_docbins(args)
    articles = list(DocBin().from_disk(corpus["train"]).get_docs(spacy.blank("en").vocab))
    source = EncoderTagger(ENCODER_DIR)
    settings = json.loads((ENCODER_DIR / "config.json").read_text())
    kept = {name: value for name, value in load_file(str(ENCODER_DIR / "adapter.safetensors"))
            .items() if name.startswith("embeddings.")
            or any(name.startswith(f"encoder.layer.{i}.") for i in range(LAYERS - 1))}
    settings.update(layers=LAYERS, head_hidden=HEAD_HIDDEN)

    items = sorted(examples(source, articles), key=lambda item: len(item[0]))
    all_layers = source.encoder.encoder.layer
    source.encoder.encoder.layer = all_layers[: LAYERS - 1]
    cached = cached_states(source, items)
    print(f"{len(articles)} articles, {len(items)} windows, states cached", flush=True)
    layer = copy.deepcopy(all_layers[LAYERS - 1])
    head = make_head(source.encoder.config.hidden_size, HEAD_HIDDEN)
    fit_head(head, layer.eval(), cached, args.head_epochs)

    golds = load_split(args.data, "dev")
    parsed = list(tag_docs(parse_many([g.text for g in golds])))
    optimizer = torch.optim.AdamW([{"params": layer.parameters(), "lr": 5e-5},
                                   {"params": head.parameters(), "lr": 5e-4}],
                                  weight_decay=0.01)
    best = (-1.0, 0, 0.0)
    for epoch in range(args.epochs + 1):
        if epoch:
            loss = tune(layer, head, cached, epoch, optimizer)
            print(f"epoch {epoch}: loss {loss:.4f}", flush=True)
        folder = args.out / f"epoch{epoch}"
        save(folder, kept, layer, head, settings)
        state = torch.get_rng_state()
        tagger = EncoderTagger(folder)
        for weight in WEIGHTS:
            copies = [doc.copy() for doc in parsed]
            scores = dev_scores(golds, tag_with_encoder(copies, encoder=tagger, weight=weight))
            mean = mean_f1(scores)
            f1s = " / ".join(f"{100 * prf.f1:.2f}" for prf in scores.roles.values())
            print(f"epoch {epoch}, weight {weight}: dev F1 {f1s} / linked "
                  f"{100 * scores.linked.f1:.2f}, mean {100 * mean:.2f}", flush=True)
            if mean > best[0]:
                best = (mean, epoch, weight)
        torch.set_rng_state(state)
    mean, epoch, weight = best
    settings["mix_weight"] = weight
    args.target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(args.out / f"epoch{epoch}" / "adapter.safetensors",
                    args.target / "adapter.safetensors")
    (args.target / "config.json").write_text(json.dumps(settings, indent=1) + "\n")
    print(f"best mean dev F1 {100 * mean:.2f} (epoch {epoch}, weight {weight}); "
          f"saved to {args.target}")
    for stale in sorted(args.target.glob("*-pointer.safetensors")):  # the old encoder's
        stale.unlink()
        print(f"{stale.name} was removed: run scripts/train_content_pointer.py "
              f"--role {stale.name.split('-')[0]}")
    scales = args.target / SCALES_FILE
    if scales.is_file():
        scales.unlink()
        print(f"{SCALES_FILE} was removed: run scripts/calibrate_int8.py")


if __name__ == "__main__":
    main()
