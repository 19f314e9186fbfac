"""Silver attribution spans: unlabelled news from the team's shelf, tagged by allege's best
tagger (the spaCy tagger mixed with the encoder), for ``train_attribution.py --silver``.

The texts: BASIL's 300 US political articles, every BBC News article, FA-KES's 804 reports
on the Syrian war and FNC-1's 1,683 training bodies, read from ``../shared`` at training
time (none of them is licensed for redistribution: they stay outside the repository). An
article sharing a paragraph with a PolNeAR text is left out, so that no dev text is learnt
from its silver labels.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, DocBin
from tqdm import tqdm

from allege.encoder_tagger import encoder_named, tag_with_encoder
from allege.nlp import load_pipeline, parse_many
from allege.tagger import SPANS_KEY, load_tagger, tag_docs
from benchmark import read_texts

csv.field_size_limit(sys.maxsize)


def basil(corpora: Path) -> Iterator[str]:
    """BASIL's articles, sentences joined by spaces and paragraphs by blank lines."""
    for path in sorted((corpora / "basil" / "articles").rglob("*.json")):
        article = json.loads(path.read_text(encoding="utf-8"))
        yield "\n\n".join(" ".join(p) for p in article["body-paragraphs"])


def bbc(corpora: Path) -> list[str]:
    """BBC News, every article."""
    return read_texts(corpora / "bbc-news")


def fa_kes(corpora: Path) -> Iterator[str]:
    """FA-KES's article contents."""
    with open(corpora / "fa-kes" / "fakes.csv", encoding="utf-8", errors="replace") as f:
        for row in csv.DictReader(f):
            yield row["article_content"]


def fnc_bodies(data: Path) -> Iterator[str]:
    """FNC-1's training bodies (the competition's test bodies are left alone)."""
    with open(data / "fnc-1" / "train_bodies.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            yield row["articleBody"]


def paragraphs(text: str) -> set[str]:
    """The text's paragraphs of 80 characters or more, white space normalised."""
    out = set()
    for para in re.split(r"\n\s*\n|\n", text):
        para = " ".join(para.split())
        if len(para) >= 80:
            out.add(para)
    return out


def unlabelled_texts(shared: Path, exclude: Iterable[str] = ()) -> list[str]:
    """The silver texts under ``shared`` (the folder holding ``corpora`` and ``data``),
    deduplicated, without empty ones or any that shares a paragraph with ``exclude``."""
    corpora = shared / "corpora"
    texts = [*basil(corpora), *bbc(corpora), *fa_kes(corpora), *fnc_bodies(shared / "data")]
    banned = set().union(*(paragraphs(t) for t in exclude))
    kept = []
    for text in dict.fromkeys(t.strip() for t in texts):
        if text and not paragraphs(text) & banned:
            kept.append(text)
    return kept


def silver_doc(nlp: Language, tagged: Doc) -> Doc:
    """``tagged``'s text tokenised as the gold DocBins are, its tagged spans as ents."""
    doc = nlp.make_doc(tagged.text)
    ents = []
    for span in tagged.spans[SPANS_KEY]:
        ent = doc.char_span(span.start_char, span.end_char, label=span.label_,
                            alignment_mode="expand")
        if ent is not None and len(ent) and not (ents and ent.start < ents[-1].end):
            ents.append(ent)
    doc.set_ents(ents, default="outside")
    return doc


def write_silver(texts: list[str], path: Path, teacher: Path | None = None) -> dict[str, int]:
    """Tag ``texts`` with the spaCy tagger in ``teacher`` (the shipped one by default) mixed
    with the full (six-layer) encoder and save them as a DocBin at ``path``; return the span
    counts."""
    nlp = load_pipeline()
    tagger = load_tagger(teacher) if teacher else None
    out = DocBin(attrs=["ORTH", "ENT_IOB", "ENT_TYPE"], store_user_data=False)
    counts: dict[str, int] = {}
    docs = tag_with_encoder(tag_docs(parse_many(texts, nlp, batch_size=16), tagger=tagger),
                            encoder=encoder_named("full"))
    for tagged in tqdm(docs, total=len(texts), desc="silver", unit="article"):
        doc = silver_doc(nlp, tagged)
        for ent in doc.ents:
            counts[ent.label_] = counts.get(ent.label_, 0) + 1
        out.add(doc)
    path.parent.mkdir(parents=True, exist_ok=True)
    out.to_disk(path)
    return counts
