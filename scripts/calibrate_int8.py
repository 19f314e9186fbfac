"""Measure the fast encoder's inputs for its int8 form, and save the scales beside it.

    python scripts/calibrate_int8.py --data ../shared/data/polnear

On CPUs without native bfloat16 the fast encoder tagger multiplies in int8
(:mod:`allege.precision`). Each of its linear layers first divides its inputs, channel by
channel, by how far their largest value runs above twice the median channel's: those
largest values are measured here, in float32, over the first ``--articles`` PolNeAR train
articles, and the scales written to ``int8-scales.safetensors`` in ``--target`` (by
default the shipped fast encoder). Rerun it after retraining that encoder
(``shorten_encoder.py`` removes the old scales). About half a minute on two CPU cores; a rerun
writes the same bytes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

from allege.encoder_tagger import FAST_ENCODER_DIR, EncoderTagger
from allege.eval.polnear import load_split
from allege.nlp import parse_many
from allege.precision import SCALES_FILE, input_maxima, save_scales, scales_from


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="the PolNeAR folder")
    parser.add_argument("--articles", type=int, default=120,
                        help="how many train articles to measure on (default 120)")
    parser.add_argument("--target", type=Path, default=FAST_ENCODER_DIR,
                        help="the encoder's folder (default: the shipped fast encoder)")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    tagger = EncoderTagger(args.target, pointers=(), precision="float32")
    articles = load_split(args.data, "train")[: args.articles]
    docs = list(parse_many([article.text for article in articles]))
    maxima = input_maxima(tagger.encoder, lambda: tagger.scores(docs))
    scales = scales_from(maxima)
    divided = save_scales(scales, args.target / SCALES_FILE)
    channels = sum(scale.numel() for scale in scales.values())
    print(f"{len(docs)} articles; {divided} of {channels} input channels divided, at most by "
          f"{max(float(scale.max()) for scale in scales.values()):.1f}; saved to "
          f"{args.target / SCALES_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
