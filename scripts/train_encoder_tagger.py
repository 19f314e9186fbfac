"""Train the encoder attribution tagger (all-MiniLM-L6-v2 + LoRA) on PolNeAR train.

    python scripts/train_encoder_tagger.py --data ../shared/data/polnear --out /tmp/allege-encoder

The gold spans are those of ``train_attribution.py`` (it converts PolNeAR into DocBins under
``--out/corpus``, or reuses them with ``--skip-convert``). Each article is cut into windows
of 254 word pieces (stride 190); every word piece is labelled with the BIO tag of its spaCy
token. The encoder's weights stay frozen; rank-16 LoRA updates of its linear layers, its
layer norms and a linear head are trained with AdamW (bf16 autocast; the loop is
``encoder_lora.py``, on the CPU or ``--device cuda``). After
each epoch allege analyses the 84 dev articles with the spans just predicted (mixed with
the shipped spaCy tagger's, as at use) and the epoch with the best linked-attribution F1
of ``allege eval polnear`` is saved to ``--target`` (default: the shipped model folder).
An epoch (277 steps) takes about 15 minutes on two CPU cores and 15 seconds on an H200
GPU (``--device cuda``); the shipped adapters come from a GPU run of these settings.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import numpy as np
import spacy
import torch
from safetensors.torch import save_file
from spacy.tokens import Doc, DocBin

sys.path.insert(0, str(Path(__file__).resolve().parent))
from attribution_scorer import linked_f1  # noqa: E402
from encoder_lora import Trainee, train  # noqa: E402
from train_attribution import add_corpus_arguments, corpus_docbins  # noqa: E402

from allege.encoder_tagger import (  # noqa: E402
    BIO,
    ENCODER_DIR,
    EncoderTagger,
    tag_with_encoder,
    windows,
)
from allege.eval.polnear import load_split  # noqa: E402
from allege.nlp import parse_many  # noqa: E402
from allege.tagger import tag_docs  # noqa: E402


def token_labels(doc: Doc) -> list[int]:
    """The BIO label index of each token of a gold doc (white space is O)."""
    return [BIO.index(f"{t.ent_iob_}-{t.ent_type_}")
            if t.ent_iob_ in ("B", "I") and not t.is_space else 0 for t in doc]


def examples(tagger: EncoderTagger, docs: list[Doc]) -> list[tuple[list[int], list[int]]]:
    """(word-piece ids, labels) windows, [CLS] and [SEP] included (labelled -100)."""
    cls, sep = tagger.cls, tagger.sep
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


def dev_linked_f(tagger: EncoderTagger, parsed: list[Doc], golds) -> float:
    """Linked F1 of allege on dev with the encoder's spans mixed in, as at use."""
    copies = [doc.copy() for doc in parsed]  # keeps the spaCy tagger's spans in parsed
    return linked_f1(golds, tag_with_encoder(copies, encoder=tagger))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_corpus_arguments(parser, "/tmp/allege-encoder", ENCODER_DIR)
    parser.add_argument("--epochs", type=int, default=12, help="passes over train (default 12)")
    parser.add_argument("--lr", type=float, default=5e-4, help="peak learning rate")
    parser.add_argument("--batch-size", type=int, default=16, help="windows per step")
    parser.add_argument("--rank", type=int, default=16, help="rank of the LoRA updates")
    parser.add_argument("--alpha", type=float, default=32.0,
                        help="LoRA scale numerator (updates are scaled by alpha / rank)")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    parser.add_argument("--device", default="cpu",
                        help="where to train: cpu (default) or a torch device such as cuda")
    args = parser.parse_args(argv)

    torch.manual_seed(0)
    random.seed(0)
    torch.set_num_threads(args.threads)
    corpus = corpus_docbins(args)
    vocab = spacy.blank("en").vocab
    articles = list(DocBin().from_disk(corpus["train"]).get_docs(vocab))

    tagger = EncoderTagger(None)
    model = Trainee(tagger.encoder, args.rank, args.alpha)
    items = examples(tagger, articles)
    print(f"{len(articles)} articles, {len(items)} windows", flush=True)
    golds = load_split(args.data, "dev")
    parsed = list(tag_docs(parse_many([g.text for g in golds])))
    settings = {"layers": len(model.encoder.encoder.layer), "rank": args.rank,
                "alpha": args.alpha, "labels": list(BIO)}
    best = -1.0
    for epoch in train(model, items, epochs=args.epochs, lr=args.lr,
                       batch_size=args.batch_size, device=args.device):
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
