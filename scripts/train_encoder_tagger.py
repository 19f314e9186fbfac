"""Train the encoder attribution tagger (all-MiniLM-L6-v2 + LoRA) on PolNeAR train.

    python scripts/train_encoder_tagger.py --data ../shared/data/polnear --out /tmp/allege-encoder

The gold spans are those of ``train_attribution.py`` (it converts PolNeAR into DocBins under
``--out/corpus``, or reuses them with ``--skip-convert``). Each article is cut into windows
of 254 word pieces (stride 190); every word piece is labelled with the BIO tag of its spaCy
token. The encoder's weights stay frozen; rank-16 LoRA updates of its linear layers, its
layer norms and a linear head are trained with AdamW (bf16 autocast on the CPU). After
each epoch allege analyses the 84 dev articles with the spans just predicted (mixed with
the shipped spaCy tagger's, as at use) and the epoch with the best linked-attribution F1
of ``allege eval polnear`` is saved to ``--target`` (default: the shipped model folder).
On two CPU cores an epoch takes about 17 minutes, the whole run about an hour.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path

import numpy as np
import spacy
import torch
from safetensors.torch import save_file
from spacy.tokens import Doc, DocBin

sys.path.insert(0, str(Path(__file__).resolve().parent))
from attribution_scorer import linked_f1  # noqa: E402
from train_attribution import add_corpus_arguments, corpus_docbins  # noqa: E402

from allege.encoder_tagger import (  # noqa: E402
    ADAPTED,
    BIO,
    ENCODER_DIR,
    EncoderTagger,
    tag_with_encoder,
    windows,
)
from allege.eval.polnear import load_split  # noqa: E402
from allege.nlp import parse_many  # noqa: E402
from allege.tagger import tag_docs  # noqa: E402


class LoRA(torch.nn.Module):
    """A frozen linear layer plus a trainable low-rank update ``scale * B @ A``."""

    def __init__(self, base: torch.nn.Linear, rank: int, alpha: float, dropout: float = 0.1):
        super().__init__()
        self.base = base
        self.lora_a = torch.nn.Parameter(torch.randn(rank, base.in_features)
                                         / math.sqrt(base.in_features))
        self.lora_b = torch.nn.Parameter(torch.zeros(base.out_features, rank))
        self.scale = alpha / rank
        self.dropout = torch.nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + (self.dropout(x) @ self.lora_a.T @ self.lora_b.T) * self.scale


class Trainee(torch.nn.Module):
    """The encoder with LoRA on :data:`ADAPTED`, trainable layer norms and a BIO head."""

    def __init__(self, tagger: EncoderTagger, rank: int, alpha: float):
        super().__init__()
        self.encoder = tagger.encoder
        for parameter in self.encoder.parameters():
            parameter.requires_grad = False
        for layer in self.encoder.encoder.layer:
            for name in ADAPTED:
                *path, last = name.split(".")
                parent = layer
                for part in path:
                    parent = getattr(parent, part)
                setattr(parent, last, LoRA(getattr(parent, last), rank, alpha))
        for name, parameter in self.encoder.named_parameters():
            parameter.requires_grad = parameter.requires_grad or "LayerNorm" in name
        self.dropout = torch.nn.Dropout(0.1)
        self.head = torch.nn.Linear(self.encoder.config.hidden_size, len(BIO))

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
        return self.head(self.dropout(hidden))

    def adapter(self) -> dict[str, torch.Tensor]:
        """The trained weights under the names ``EncoderTagger`` loads."""
        weights = {}
        for name, parameter in self.named_parameters():
            if parameter.requires_grad:
                name = name.removeprefix("encoder.")
                weights[name] = parameter.detach().clone().contiguous()
        return weights


def token_labels(doc: Doc) -> list[int]:
    """The BIO label index of each token of a gold doc (white space is O)."""
    return [BIO.index(f"{t.ent_iob_}-{t.ent_type_}")
            if t.ent_iob_ in ("B", "I") and not t.is_space else 0 for t in doc]


def examples(tagger: EncoderTagger, docs: list[Doc]) -> list[tuple[list[int], list[int]]]:
    """(word-piece ids, labels) windows, [CLS] and [SEP] included (labelled -100)."""
    cls, sep = tagger.tokenizer.cls_token_id, tagger.tokenizer.sep_token_id
    out = []
    for doc in docs:
        ids, token_of = tagger.word_pieces(doc)
        if not ids:
            continue
        labels = np.array(token_labels(doc))[token_of]
        first = np.r_[True, token_of[1:] != token_of[:-1]]
        begins = np.isin(labels, [BIO.index(x) for x in BIO if x.startswith("B-")])
        labels[begins & ~first] += 1  # a later piece of a B- token is I-
        for start, end in windows(len(ids)):
            out.append(([cls, *ids[start:end], sep], [-100, *labels[start:end].tolist(), -100]))
    return out


def batches(items: list, size: int):
    """Padded (ids, attention mask, labels) tensors of ``size`` windows at a time."""
    for first in range(0, len(items), size):
        batch = items[first:first + size]
        width = max(len(ids) for ids, _ in batch)
        ids = torch.zeros((len(batch), width), dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        labels = torch.full((len(batch), width), -100, dtype=torch.long)
        for row, (piece_ids, piece_labels) in enumerate(batch):
            ids[row, : len(piece_ids)] = torch.tensor(piece_ids)
            mask[row, : len(piece_ids)] = 1
            labels[row, : len(piece_ids)] = torch.tensor(piece_labels)
        yield ids, mask, labels


def dev_linked_f(tagger: EncoderTagger, parsed: list[Doc], golds) -> float:
    """Linked F1 of allege on dev with the encoder's spans mixed in, as at use."""
    copies = [doc.copy() for doc in parsed]  # keeps the spaCy tagger's spans in parsed
    return linked_f1(golds, tag_with_encoder(copies, encoder=tagger))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_corpus_arguments(parser, "/tmp/allege-encoder", ENCODER_DIR)
    parser.add_argument("--epochs", type=int, default=3, help="passes over train (default 3)")
    parser.add_argument("--lr", type=float, default=1e-3, help="peak learning rate")
    parser.add_argument("--batch-size", type=int, default=16, help="windows per step")
    parser.add_argument("--rank", type=int, default=16, help="rank of the LoRA updates")
    parser.add_argument("--alpha", type=float, default=32.0,
                        help="LoRA scale numerator (updates are scaled by alpha / rank)")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    args = parser.parse_args(argv)

    torch.manual_seed(0)
    random.seed(0)
    torch.set_num_threads(args.threads)
    corpus = corpus_docbins(args)
    vocab = spacy.blank("en").vocab
    train = list(DocBin().from_disk(corpus["train"]).get_docs(vocab))

    tagger = EncoderTagger(None)
    model = Trainee(tagger, args.rank, args.alpha)
    items = examples(tagger, train)
    print(f"{len(train)} articles, {len(items)} windows", flush=True)
    golds = load_split(args.data, "dev")
    parsed = list(tag_docs(parse_many([g.text for g in golds])))
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=args.lr, weight_decay=0.01)
    total = args.epochs * math.ceil(len(items) / args.batch_size)
    warm = max(1, int(0.06 * total))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warm, max(0.0, (total - s) / (total - warm))))
    loss_of = torch.nn.CrossEntropyLoss(ignore_index=-100)
    settings = {"layers": len(model.encoder.encoder.layer), "rank": args.rank,
                "alpha": args.alpha, "labels": list(BIO)}
    best, started, step = -1.0, time.time(), 0
    for epoch in range(args.epochs):
        model.train()
        order = list(range(len(items)))
        random.shuffle(order)
        for ids, mask, labels in batches([items[i] for i in order], args.batch_size):
            with torch.autocast("cpu", dtype=torch.bfloat16):
                logits = model(ids, mask)
            loss = loss_of(logits.float().reshape(-1, len(BIO)), labels.reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trainable, 1.0)
            optimizer.step()
            schedule.step()
            step += 1
            if step % 50 == 0:
                print(f"step {step}/{total}  loss {loss.item():.3f}  "
                      f"{time.time() - started:.0f} s", flush=True)
        model.eval()
        folder = args.out / f"epoch{epoch}"
        folder.mkdir(exist_ok=True)
        save_file(model.adapter(), str(folder / "adapter.safetensors"))
        (folder / "config.json").write_text(json.dumps(settings, indent=1) + "\n")
        state = torch.get_rng_state()  # loading the saved tagger must not move training's RNG
        linked = dev_linked_f(EncoderTagger(folder), parsed, golds)
        torch.set_rng_state(state)
        print(f"epoch {epoch}: dev linked F1 {100 * linked:.1f}", flush=True)
        if linked > best:
            best = linked
            args.target.mkdir(parents=True, exist_ok=True)
            for name in ("adapter.safetensors", "config.json"):
                (args.target / name).write_bytes((folder / name).read_bytes())
    print(f"best dev linked F1 {100 * best:.1f}; saved to {args.target}")


if __name__ == "__main__":
    main()
