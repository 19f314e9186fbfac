"""Throughput of a full ``allege ingest`` against plain spaCy ``nlp.pipe``, on BBC News.

For each worker count N it times, each in a fresh subprocess (so that each phase's peak
memory is its own):

- ``nlp.pipe`` of the English pipeline over the texts (``n_process=N``), and
- ``allege.ingest.ingest`` of the same files into a fresh SQLite store (``workers=N``):
  reading, language detection, analysis, entity resolution and storing.

The pipeline (and the attribution tagger, when present) is loaded and warmed on one text
before the clock starts; the texts given to ``nlp.pipe`` are read before it too. Both rates
count input files per second. The target is ingest ≥ 0.8 × plain ``nlp.pipe``.

    python scripts/benchmark_ingest.py --limit 200
    python scripts/benchmark_ingest.py --workers 1 2 4      # all 2,225 articles
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "bbc-news"
TARGET = 0.8
WARM_UP = "The mayor said on Tuesday that the bridge would reopen in May."


def article_files(corpus: Path, limit: int | None) -> list[Path]:
    """The ``.txt`` articles in the corpus's category folders (not README/FORMAT), sorted."""
    files = sorted(p for p in corpus.glob("*/*.txt") if p.is_file())
    return files[:limit] if limit else files


def peak_memory_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest finished child, in MiB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return own / 1024, child / 1024  # Linux reports KiB


def time_pipe(files: list[Path], workers: int) -> dict[str, float]:
    """Seconds for plain ``nlp.pipe`` over the texts ingest would analyse."""
    from allege.nlp import plain_pipeline
    from allege.read import read_path

    texts = [read_path(p).text for p in files]
    nlp = plain_pipeline()  # en_core_web_sm as it comes
    nlp(WARM_UP)
    started = time.perf_counter()
    done = sum(1 for _ in nlp.pipe(texts, n_process=workers))
    return {"documents": done, "seconds": time.perf_counter() - started}


def time_ingest(files: list[Path], workers: int) -> dict[str, float]:
    """Seconds for a full ingest of the files into a fresh SQLite store."""
    from allege.analysis import analyze_documents
    from allege.ingest import ingest
    from allege.model import Document
    from allege.store import connect

    list(analyze_documents([Document(text=WARM_UP)]))  # loads the pipeline and the tagger
    with tempfile.TemporaryDirectory() as folder, connect(f"{folder}/bench.sqlite") as store:
        started = time.perf_counter()
        summary = ingest([str(p) for p in files], store, workers=workers)
        seconds = time.perf_counter() - started
    return {"documents": len(files), "seconds": seconds, "stored": summary.stored,
            "known": summary.known, "non_english": summary.non_english,
            "skipped": sum(summary.skipped.values())}


def run_phase(phase: str, files_list: Path, workers: int) -> dict[str, float]:
    """Run one phase in a fresh interpreter and return what it measured."""
    command = [sys.executable, __file__, "--phase", phase, "--files", str(files_list),
               "--workers", str(workers)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"{phase} with {workers} worker(s) failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def phase_main(phase: str, files_list: Path, workers: int) -> None:
    files = [Path(line) for line in files_list.read_text().splitlines() if line]
    measured = (time_pipe if phase == "pipe" else time_ingest)(files, workers)
    own, child = peak_memory_mb()
    print(json.dumps({**measured, "peak_mb": own, "children_peak_mb": child}))


def report(workers: int, pipe: dict[str, float], full: dict[str, float]) -> None:
    pipe_rate = pipe["documents"] / pipe["seconds"]
    ingest_rate = full["documents"] / full["seconds"]
    ratio = ingest_rate / pipe_rate
    print(f"workers={workers}")
    for name, m, rate in (("nlp.pipe", pipe, pipe_rate), ("ingest", full, ingest_rate)):
        print(f"  {name:9} {m['documents']:5.0f} docs in {m['seconds']:7.1f} s = "
              f"{rate:6.1f} docs/s   peak {m['peak_mb']:6.0f} MiB"
              f" (largest child {m['children_peak_mb']:.0f} MiB)")
    print(f"  ingest stored {full['stored']:.0f}, already known {full['known']:.0f} "
          f"(duplicate texts), non-English {full['non_english']:.0f}, "
          f"skipped {full['skipped']:.0f}")
    verdict = "meets" if ratio >= TARGET else "misses"
    print(f"  ratio ingest / nlp.pipe = {ratio:.2f} ({verdict} the target {TARGET})")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=(
        "Each phase runs in its own subprocess; peak memory is that process's ru_maxrss, "
        "and for N > 1 also that of its largest worker."))
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help=f"the BBC News folder (default: {DEFAULT_CORPUS})")
    parser.add_argument("--limit", type=int, default=None,
                        help="only the first N articles, sorted by path (default: all)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], metavar="N",
                        help="worker counts to measure (default: 1 2)")
    parser.add_argument("--phase", choices=("pipe", "ingest"), help=argparse.SUPPRESS)
    parser.add_argument("--files", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        phase_main(args.phase, args.files, args.workers[0])
        return 0

    files = article_files(args.corpus, args.limit)
    if not files:
        parser.error(f"no articles under {args.corpus}/*/*.txt")
    print(f"{len(files)} articles from {args.corpus}")
    with tempfile.TemporaryDirectory() as folder:
        files_list = Path(folder) / "files.txt"
        files_list.write_text("\n".join(str(p) for p in files) + "\n")
        for workers in args.workers:
            pipe = run_phase("pipe", files_list, workers)
            full = run_phase("ingest", files_list, workers)
            report(workers, pipe, full)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
