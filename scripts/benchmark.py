"""Throughput of allege's full analysis against plain spaCy parsing, on the same articles.

All are timed in one process over the same texts, alternately, twice each; the best time
of each counts. The baseline ("plain") is en_core_web_sm exactly as its package ships it,
loaded on its own. allege's analysis uses its own copy of the pipeline: with a paragraph
step, its models multiplying through numpy's BLAS instead of blis, and faster stand-ins for
its rule-based steps (``allege.nlp.load_pipeline``). So that what allege adds can be told
from what it saves, a second baseline ("plain, numpy BLAS") is en_core_web_sm with only the
BLAS switched. Every pipeline is loaded, and warmed on one text, before any timing.

    python scripts/benchmark.py                       # first 200 BBC News articles
    python scripts/benchmark.py --limit 50 --corpus path/to/folder/of/txt
    python scripts/benchmark.py --all                 # also without an encoder, and the full one
    python scripts/benchmark.py --precision int8 float32   # also the fast one in these

The default analysis computes in the precision ``ALLEGE_PRECISION`` or this CPU chooses
(:mod:`allege.precision`); ``--precision`` adds the same analysis with the fast encoder
computing in others, in the same run.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table
from spacy.language import Language

from allege.analysis import analyze_documents
from allege.encoder_tagger import FAST_ENCODER_DIR, EncoderTagger, encoder_named
from allege.model import Document
from allege.nlp import load_pipeline, plain_pipeline, use_numpy_blas

DEFAULT_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "bbc-news"
ROUNDS = 2


def read_texts(corpus: Path, limit: int | None = None) -> list[str]:
    """The first ``limit`` (default: all) ``.txt`` files under ``corpus`` (sorted by path),
    decoded."""
    texts = []
    for path in sorted(corpus.rglob("*.txt"))[:limit]:
        data = path.read_bytes()
        try:
            texts.append(data.decode("utf-8"))
        except UnicodeDecodeError:  # one BBC file is ISO-8859-1
            texts.append(data.decode("latin-1"))
    return texts


def timed(run: Callable[[], object]) -> float:
    """Seconds taken by one call of ``run``."""
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Time plain spaCy parsing (nlp.pipe) and allege's full analysis "
        "(analyze_documents) over the same articles, and print docs/s for both.",
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        default=DEFAULT_CORPUS,
        help="folder searched recursively for .txt articles (default: %(default)s)",
    )
    parser.add_argument(
        "--limit", type=int, default=200, help="how many articles (default: %(default)s)"
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=16,
        help="nlp.pipe batch size, the same for both runs (default: %(default)s)",
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help="also time the analysis with no encoder tagger and with the full one "
        '(analyze_documents(encoder="none" / "full"); the default is the fast one)',
    )
    parser.add_argument(
        "--precision",
        nargs="+",
        default=[],
        choices=["bfloat16", "int8", "float32"],
        help="also time the default analysis with the fast encoder computing in these",
    )
    args = parser.parse_args(argv)
    console = Console()

    texts = read_texts(args.corpus, args.limit)
    if not texts:
        console.print(f"[red]No .txt files under {args.corpus}.[/red] Pass --corpus FOLDER.")
        return 2
    baseline, same_blas, nlp = plain_pipeline(), plain_pipeline(), load_pipeline()
    use_numpy_blas(same_blas)
    for pipeline in (baseline, same_blas, nlp):
        pipeline(texts[0])
    documents = [Document(text=t) for t in texts]

    def plain(pipeline: Language) -> Callable[[], object]:
        return lambda: list(pipeline.pipe(texts, batch_size=args.batch_size))

    def analysis(encoder: str | EncoderTagger) -> Callable[[], object]:
        return lambda: list(analyze_documents(documents, nlp=nlp, batch_size=args.batch_size,
                                              encoder=encoder))

    encoders = ["fast", "none", "full"] if args.all else ["fast"]
    runs = {"plain": plain(baseline), "plain_numpy": plain(same_blas)}
    for name in encoders:
        if name != "none":
            encoder_named(name).scores([nlp(texts[0])])  # load and warm before any timing
        runs[name] = analysis(name)
    for precision in args.precision:
        encoder = EncoderTagger(FAST_ENCODER_DIR, precision=precision)
        encoder.scores([nlp(texts[0])])
        runs[precision] = analysis(encoder)
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(ROUNDS):
        for name, run in runs.items():
            times[name].append(timed(run))
    best = {name: min(ts) for name, ts in times.items()}

    table = Table(title=f"{len(texts)} articles, {sum(map(len, texts)):,} characters")
    for column in ("run", "best s", "docs/s", "all runs s"):
        table.add_column(column, justify="left" if column == "run" else "right")
    labels = {"plain": "plain nlp.pipe", "plain_numpy": "plain nlp.pipe, numpy BLAS",
              "fast": f"allege analyze_documents (default, {encoder_named('fast').precision})",
              "none": "allege, no encoder", "full": "allege, full encoder",
              **{p: f"allege, fast encoder in {p}" for p in args.precision}}
    for name, seconds in best.items():
        rounds = ", ".join(f"{t:.2f}" for t in times[name])
        table.add_row(labels[name], f"{seconds:.2f}", f"{len(texts) / seconds:.1f}", rounds)
    console.print(table)
    for name in [*encoders, *args.precision]:
        console.print(f"time ratio {labels[name]} / plain: {best[name] / best['plain']:.2f}× "
                      f"(/ plain with numpy BLAS: {best[name] / best['plain_numpy']:.2f}×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
