"""The PolNeAR attribution protocol (DESIGN.md, "Evaluation protocols" → Attribution).

Gold relations are the ``E`` records of the alphabetically first annotator's ``.ann`` file
of each article. Scores:

- per-role exact-span P/R/F1 (source, cue, content), pooled over documents, comparing each
  span by its extent (first start, last end) after trimming white space, quotation marks
  and punctuation from both ends;
- linked attribution P/R/F1: one-to-one greedy matching of predicted claims to gold
  relations whose cues overlap, whose contents have token Jaccard ≥ 0.5, and whose sources
  overlap (or are both absent);
- calibration: the share of predicted claims matched, by confidence bin.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.table import Table

from ..errors import DataError
from .brat import parse_ann

if TYPE_CHECKING:
    from ..model import Analysis, Claim

Spans = list[tuple[int, int]]

ROLES = ("source", "cue", "content")
JACCARD_MIN = 0.5
CONFIDENCE_BINS = ((0.0, 0.5), (0.5, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.0))
HIGH_CONFIDENCE = 0.9
# Backtick is a symbol to Unicode, but news text uses it as an opening quote.
EXTRA_TRIMMED = "`´"
WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class GoldRelation:
    """One gold attribution: source (None when implicit), cue and content spans."""

    id: str
    source: Spans | None
    cue: Spans
    content: Spans


@dataclass
class GoldArticle:
    """An article's text and the gold relations of one annotator."""

    name: str
    annotator: str
    text: str
    relations: list[GoldRelation]


@dataclass
class Predicted:
    """One predicted attribution, in the shape the scorer compares."""

    source: Spans | None
    cue: Spans
    content: Spans
    confidence: float = 1.0


# --- reading ---------------------------------------------------------------------------


def load_split(data_dir: Path, split: str) -> list[GoldArticle]:
    """Every article of ``<data_dir>/<split>`` with its first annotator's relations."""
    text_dir = Path(data_dir) / split / "text"
    ann_dir = Path(data_dir) / split / "attributions"
    texts = sorted(text_dir.glob("*.txt")) if text_dir.is_dir() else []
    if not texts:
        raise DataError(
            f"No PolNeAR articles in {text_dir}. Point data_dir at the polnear folder "
            "(the one holding train/ and dev/; see its FORMAT.md) and check the split name."
        )
    annotators = annotators_of(ann_dir)
    articles = []
    for path in texts:
        found = annotators.get(path.stem)
        if not found:
            raise DataError(f"No annotation file for {path.name} in {ann_dir}.")
        annotator = min(found)
        ann_path = ann_dir / f"{path.stem}_{annotator}.ann"
        articles.append(read_article(path, ann_path, annotator=annotator))
    return articles


def annotators_of(ann_dir: Path) -> dict[str, list[str]]:
    """Each article's annotators, from the ``<article>_<annotator>.ann`` files in
    ``ann_dir``."""
    annotators: dict[str, list[str]] = {}
    for path in Path(ann_dir).glob("*.ann"):
        article, _, annotator = path.stem.rpartition("_")
        annotators.setdefault(article, []).append(annotator)
    return annotators


def read_article(text_path: Path, ann_path: Path, *, annotator: str = "") -> GoldArticle:
    """One article: its text (UTF-8) and the gold relations in ``ann_path``."""
    text = text_path.read_text(encoding="utf-8")
    ann = ann_path.read_text(encoding="utf-8")
    relations = relations_from_ann(ann, name=ann_path.name)
    return GoldArticle(text_path.stem, annotator, text, relations)


def relations_from_ann(ann: str, *, name: str = "<ann>") -> list[GoldRelation]:
    """The gold relations of a PolNeAR ``.ann`` text; events lacking a cue or content are
    skipped. ``Content2`` spans join the content."""
    bounds, events = parse_ann(ann, name=name)
    relations = []
    for event in events:
        roles: dict[str, Spans] = {}
        for role, target in event.arguments:
            if target not in bounds:
                raise DataError(f"{name}: event {event.id} refers to missing {target}.")
            key = "Content" if role == "Content2" else role
            roles.setdefault(key, []).extend(bounds[target].spans)
        if "Cue" not in roles or "Content" not in roles:
            continue
        relations.append(
            GoldRelation(event.id, roles.get("Source"), roles["Cue"], sorted(roles["Content"]))
        )
    return relations


def gold_as_predicted(article: GoldArticle) -> list[Predicted]:
    """The gold relations dressed as predictions (the scorer's self-test)."""
    return [Predicted(r.source, r.cue, r.content) for r in article.relations]


def scored_claims(analysis: Analysis) -> list[Claim]:
    """The claims PolNeAR can score.

    PolNeAR annotates only the outermost attribution ("X criticized Y for saying that …"
    is X's alone), so a claim whose cue lies inside another claim's content is left out
    (but not one beside its cue, between its pieces: PolNeAR marks both claims of "“A,”
    said X, speaking of Y. “B.”"); so is a claim with empty content ("declined to
    comment.").
    """
    return [c for c in analysis.claims
            if c.content.start != c.content.end and not _nested(c, analysis)]


def predicted_from_analysis(analysis: Analysis) -> list[Predicted]:
    """The scorable claims of an allege analysis as predictions."""
    out = []
    for claim in scored_claims(analysis):
        speaker = claim.speaker
        content = list(claim.content.segments) or [(claim.content.start, claim.content.end)]
        out.append(
            Predicted(
                source=[(speaker.start, speaker.end)] if speaker else None,
                cue=[(claim.cue.start, claim.cue.end)],
                content=content,
                confidence=claim.confidence,
            )
        )
    return out


def _nested(claim, analysis: Analysis) -> bool:
    return any(other is not claim and other.holds(claim.cue.start)
               for other in analysis.claims)


# --- scoring ---------------------------------------------------------------------------


@dataclass
class PRF:
    """Counts behind precision, recall and F1."""

    correct: int = 0
    predicted: int = 0
    gold: int = 0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "precision": self.precision, "recall": self.recall, "f1": self.f1}


@dataclass
class CalibrationBin:
    """Predicted claims with confidence in ``[low, high)`` (the top bin includes 1.0)."""

    low: float
    high: float
    count: int = 0
    correct: int = 0

    @property
    def share_correct(self) -> float:
        return self.correct / self.count if self.count else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "share_correct": self.share_correct}


@dataclass
class ExactCue:
    """Predicted claims whose cue has exactly a gold relation's extent, and how many of them
    also have that relation's content, and its source (or, like it, none), exactly: how
    well contents and sources are bounded once the cue is right."""

    claims: int = 0
    content: int = 0
    source: int = 0

    def share(self, role: str) -> float:
        return getattr(self, role) / self.claims if self.claims else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "content_share": self.share("content"),
                "source_share": self.share("source")}


@dataclass
class CueWordings:
    """Gold cues split by whether their wording (lower case, trimmed) is a gold cue anywhere
    in the training split ("known") or not ("new"), and how many of each some predicted
    claim's cue overlaps: the "missed" errors are the rest. Shows how much of what is missed
    is wording the taggers never saw marked."""

    gold: dict[str, int] = field(default_factory=lambda: {"known": 0, "new": 0})
    found: dict[str, int] = field(default_factory=lambda: {"known": 0, "new": 0})

    def share_found(self, kind: str) -> float:
        return self.found[kind] / self.gold[kind] if self.gold[kind] else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {kind: {"gold": self.gold[kind], "found": self.found[kind],
                       "share_found": self.share_found(kind)} for kind in self.gold}


@dataclass
class AnnotatorScores:
    """The protocol's F1s on the articles one annotator's file was scored against, with how
    densely that annotator marked attributions (annotators differ in what they mark)."""

    documents: int = 0
    words: int = 0
    roles: dict[str, PRF] = field(default_factory=dict)
    linked: PRF = field(default_factory=PRF)

    @property
    def gold_per_1000_words(self) -> float:
        return 1000 * self.linked.gold / self.words if self.words else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "words": self.words,
            "gold_per_1000_words": self.gold_per_1000_words,
            "roles": {role: prf.to_dict() for role, prf in self.roles.items()},
            "linked": self.linked.to_dict(),
        }


@dataclass
class Scores:
    """Everything the protocol measures."""

    roles: dict[str, PRF]
    linked: PRF
    calibration: list[CalibrationBin]
    high_confidence: CalibrationBin = field(
        default_factory=lambda: CalibrationBin(HIGH_CONFIDENCE, 1.0)
    )
    documents: int = 0
    # error class -> one snippet per error (see ERROR_CLASSES)
    errors: dict[str, list[str]] = field(default_factory=dict)
    # annotator id -> the scores on the articles scored against that annotator's file
    annotators: dict[str, AnnotatorScores] = field(default_factory=dict)
    exact_cue: ExactCue = field(default_factory=ExactCue)
    # None when no training split was given to compare the gold cues' wordings with
    cue_wordings: CueWordings | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "errors": {name: len(found) for name, found in self.errors.items()},
            "roles": {role: prf.to_dict() for role, prf in self.roles.items()},
            "linked": self.linked.to_dict(),
            "calibration": [b.to_dict() for b in self.calibration],
            "high_confidence": self.high_confidence.to_dict(),
            "annotators": {name: a.to_dict() for name, a in self.annotators.items()},
            "exact_cue": self.exact_cue.to_dict(),
            "cue_wordings": self.cue_wordings.to_dict() if self.cue_wordings else None,
        }


def _trimmable(char: str) -> bool:
    return char.isspace() or char in EXTRA_TRIMMED or unicodedata.category(char)[0] == "P"


def trimmed_extent(text: str, spans: Spans) -> tuple[int, int]:
    """The extent of ``spans`` (first start, last end) without white space, quotation marks
    or punctuation at either end; the untrimmed extent if nothing else would be left
    (a cue that is only ":" stays ":")."""
    start, end = min(s for s, _ in spans), max(e for _, e in spans)
    lo, hi = start, end
    while lo < hi and _trimmable(text[lo]):
        lo += 1
    while hi > lo and _trimmable(text[hi - 1]):
        hi -= 1
    return (lo, hi) if lo < hi else (start, end)


def _role_keys(
    golds: list[GoldArticle], items: list[list[GoldRelation]] | list[list[Predicted]], role: str
) -> set[tuple[int, int, int]]:
    keys = set()
    for doc, (article, relations) in enumerate(zip(golds, items)):
        for item in relations:
            spans: Spans | None = getattr(item, role)
            if spans:
                keys.add((doc, *trimmed_extent(article.text, spans)))
    return keys


def role_prf(golds: list[GoldArticle], predictions: list[list[Predicted]], role: str) -> PRF:
    """Exact-span P/R/F1 of one role, pooled over documents (duplicates count once)."""
    gold = _role_keys(golds, [a.relations for a in golds], role)
    predicted = _role_keys(golds, predictions, role)
    return PRF(len(gold & predicted), len(predicted), len(gold))


def tokens(text: str, spans: Spans) -> set[str]:
    """Lowercase ``\\w+`` tokens of the text covered by ``spans``."""
    return {t for s, e in spans for t in WORD.findall(text[s:e].lower())}


def jaccard(a: set[str], b: set[str]) -> float:
    """Jaccard index; two empty sets are identical."""
    return len(a & b) / len(a | b) if a | b else 1.0


def overlap(a: Spans, b: Spans) -> int:
    """Characters shared by two span lists (0 when they do not overlap)."""
    return sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in a for s2, e2 in b)


def _sources_agree(a: Spans | None, b: Spans | None) -> bool:
    if not a or not b:
        return not a and not b
    return overlap(a, b) > 0


def _candidates(
    text: str, gold: list[GoldRelation], predicted: list[Predicted]
) -> Iterator[tuple[float, int, int, int]]:
    gold_tokens = [tokens(text, g.content) for g in gold]
    for i, p in enumerate(predicted):
        p_tokens = tokens(text, p.content)
        for j, g in enumerate(gold):
            cue = overlap(p.cue, g.cue)
            if not cue or not _sources_agree(p.source, g.source):
                continue
            similarity = jaccard(p_tokens, gold_tokens[j])
            if similarity >= JACCARD_MIN:
                yield similarity, cue, i, j


def match(text: str, gold: list[GoldRelation], predicted: list[Predicted]) -> dict[int, int]:
    """One-to-one greedy matching in one document: predicted index -> gold index.

    Candidate pairs go best first (content Jaccard, then cue overlap) and a pair is taken
    when neither side is taken yet.
    """
    pairs = sorted(_candidates(text, gold, predicted), key=lambda c: (-c[0], -c[1], c[2], c[3]))
    matched: dict[int, int] = {}
    used: set[int] = set()
    for _, _, i, j in pairs:
        if i not in matched and j not in used:
            matched[i] = j
            used.add(j)
    return matched


def _bin_of(bins: list[CalibrationBin], confidence: float) -> CalibrationBin:
    for b in bins:
        if b.low <= confidence < b.high:
            return b
    return bins[-1] if confidence >= bins[-1].low else bins[0]


def cue_wording(text: str, spans: Spans) -> str:
    """A cue's words, lower case, trimmed as the protocol compares spans."""
    start, end = trimmed_extent(text, spans)
    return " ".join(text[start:end].lower().split())


def known_cue_wordings(golds: Iterable[GoldArticle]) -> set[str]:
    """The wording of every gold cue in ``golds``."""
    return {cue_wording(g.text, r.cue) for g in golds for r in g.relations}


def score(
    golds: list[GoldArticle], predictions: list[list[Predicted]], *,
    known_cues: set[str] | None = None,
) -> Scores:
    """Score predictions (one list per article, in the same order) against gold;
    ``known_cues`` (the training split's :func:`known_cue_wordings`) splits the gold cues into
    known and new wordings."""
    if len(golds) != len(predictions):
        raise ValueError(f"{len(golds)} gold articles but {len(predictions)} prediction lists")
    linked = PRF()
    bins = [CalibrationBin(low, high) for low, high in CONFIDENCE_BINS]
    high = CalibrationBin(HIGH_CONFIDENCE, 1.0)
    errors: dict[str, list[str]] = {name: [] for name in ERROR_CLASSES}
    annotators: dict[str, AnnotatorScores] = {}
    articles_of: dict[str, list[int]] = {}  # annotator -> indices of their articles
    exact_cue = ExactCue()
    wordings = CueWordings() if known_cues is not None else None
    for k, (article, predicted) in enumerate(zip(golds, predictions)):
        matched = match(article.text, article.relations, predicted)
        _count_exact_cues(article, predicted, exact_cue)
        if wordings is not None and known_cues is not None:
            _count_cue_wordings(article, predicted, known_cues, wordings)
        for name, snippet in _errors(article, predicted, matched):
            errors[name].append(snippet)
        mine = annotators.setdefault(article.annotator, AnnotatorScores())
        articles_of.setdefault(article.annotator, []).append(k)
        mine.documents += 1
        mine.words += len(article.text.split())
        for prf in (linked, mine.linked):
            prf.correct += len(matched)
            prf.predicted += len(predicted)
            prf.gold += len(article.relations)
        for i, p in enumerate(predicted):
            targets = [_bin_of(bins, p.confidence)]
            targets += [high] if p.confidence >= HIGH_CONFIDENCE else []
            for b in targets:
                b.count += 1
                b.correct += i in matched
    roles = {role: role_prf(golds, predictions, role) for role in ROLES}
    for name, mine in annotators.items():
        theirs = articles_of[name]
        mine.roles = {role: role_prf([golds[k] for k in theirs],
                                     [predictions[k] for k in theirs], role) for role in ROLES}
    return Scores(roles, linked, bins, high, documents=len(golds), errors=errors,
                  annotators=dict(sorted(annotators.items())), exact_cue=exact_cue,
                  cue_wordings=wordings)


def _count_cue_wordings(article: GoldArticle, predicted: list[Predicted],
                        known_cues: set[str], counts: CueWordings) -> None:
    """Add ``article``'s gold cues to ``counts``, by wording, and whether a claim found them."""
    for g in article.relations:
        kind = "known" if cue_wording(article.text, g.cue) in known_cues else "new"
        counts.gold[kind] += 1
        counts.found[kind] += any(overlap(p.cue, g.cue) for p in predicted)


def _count_exact_cues(article: GoldArticle, predicted: list[Predicted], counts: ExactCue
                      ) -> None:
    """Add ``predicted``'s claims with an exact gold cue, and their exact contents and
    sources, to ``counts``."""
    text = article.text

    def extent(spans: Spans | None) -> tuple[int, int] | None:
        return trimmed_extent(text, spans) if spans else None

    by_cue: dict[tuple[int, int] | None, list[GoldRelation]] = {}
    for g in article.relations:
        by_cue.setdefault(extent(g.cue), []).append(g)
    for p in predicted:
        if same := by_cue.get(extent(p.cue)):
            counts.claims += 1
            counts.content += any(extent(g.content) == extent(p.content) for g in same)
            counts.source += any(extent(g.source) == extent(p.source) for g in same)


ERROR_CLASSES = {
    "missed": "a gold attribution whose cue no predicted claim overlaps",
    "spurious": "a predicted claim whose cue no gold attribution overlaps",
    "content": "cues overlap, sources agree, but the contents share under half their words",
    "source": "cues overlap, but the sources do not (one is missing, or they do not overlap)",
}


def _errors(
    article: GoldArticle, predicted: list[Predicted], matched: dict[int, int]
) -> Iterator[tuple[str, str]]:
    """Each unmatched gold relation and each predicted claim with no gold cue, by class
    (see :data:`ERROR_CLASSES`), with a snippet around its cue."""
    text, gold = article.text, article.relations
    taken = set(matched.values())
    for j, g in enumerate(gold):
        if j in taken:
            continue
        near = [p for p in predicted if overlap(p.cue, g.cue)]
        if not near:
            name = "missed"
        elif any(_sources_agree(p.source, g.source) for p in near):
            name = "content"
        else:
            name = "source"
        yield name, _snippet(text, g.cue)
    for p in predicted:
        if not any(overlap(p.cue, g.cue) for g in gold):
            yield "spurious", _snippet(text, p.cue)


def _snippet(text: str, cue: Spans, reach: int = 50) -> str:
    """The cue in [brackets] with ``reach`` characters either side, on one line."""
    start, end = min(s for s, _ in cue), max(e for _, e in cue)
    before = text[max(0, start - reach):start]
    after = text[end:end + reach]
    return " ".join(f"{before}[{text[start:end]}]{after}".split())


# --- presentation and the full run ------------------------------------------------------


def format_table(scores: Scores) -> list[Table]:
    """Two rich tables: P/R/F1 per role and linked (under it, how contents and sources do
    where the cue is exact), and calibration by confidence."""
    exact = scores.exact_cue
    main = Table(title=f"PolNeAR attribution ({scores.documents} documents)",
                 caption=f"Of the {exact.claims} claims whose cue is exactly a gold cue, "
                         f"{100 * exact.share('content'):.1f} % have its content and "
                         f"{100 * exact.share('source'):.1f} % its source exactly.")
    for column in ("", "P", "R", "F1", "correct", "predicted", "gold"):
        main.add_column(column, justify="left" if not column else "right")
    for name, prf in [*scores.roles.items(), ("linked", scores.linked)]:
        main.add_row(
            name,
            *(f"{100 * v:.1f}" for v in (prf.precision, prf.recall, prf.f1)),
            *(str(n) for n in (prf.correct, prf.predicted, prf.gold)),
        )
    calibration = Table(title="Calibration (predicted claims matched, by confidence)")
    for column in ("confidence", "count", "correct", "share correct"):
        calibration.add_column(column, justify="right")
    last = len(scores.calibration) - 1
    rows = [
        (f"[{b.low:.1f}, {b.high:.1f}{']' if k == last else ')'}", b)
        for k, b in enumerate(scores.calibration)
    ]
    rows.append((f"≥ {scores.high_confidence.low:.1f}", scores.high_confidence))
    for label, b in rows:
        calibration.add_row(label, str(b.count), str(b.correct), f"{100 * b.share_correct:.1f}%")
    return [main, calibration]


def format_annotators(scores: Scores) -> Table:
    """F1 per role and linked on each annotator's articles, with how densely each marked
    attributions (each annotator read different articles: their styles and the articles'
    difficulty are mixed in these rows)."""
    table = Table(title="By annotator (the articles scored against each one's file)")
    for column in ("annotator", "documents", "gold per 1,000 words", *ROLES, "linked"):
        table.add_column(column, justify="left" if column == "annotator" else "right")
    for name, mine in scores.annotators.items():
        table.add_row(name or "?", str(mine.documents), f"{mine.gold_per_1000_words:.1f}",
                      *(f"{100 * prf.f1:.1f}" for prf in (*mine.roles.values(), mine.linked)))
    return table


def format_errors(scores: Scores, examples: int) -> Table:
    """The error classes, largest first, each with its first ``examples`` snippets; under
    them, how often the gold cues are found by whether train has their wording."""
    caption = None
    if (wordings := scores.cue_wordings) is not None:
        caption = (f"Gold cues worded as some cue in train: {wordings.gold['known']}, "
                   f"{100 * wordings.share_found('known'):.1f} % overlapped by a claim's cue; "
                   f"worded as none: {wordings.gold['new']}, "
                   f"{100 * wordings.share_found('new'):.1f} %.")
    table = Table(title="Errors (unmatched gold attributions and claims with no gold cue)",
                  caption=caption)
    for column in ("class", "count", "what it is", "examples"):
        table.add_column(column, justify="right" if column == "count" else "left")
    for name, found in sorted(scores.errors.items(), key=lambda item: -len(item[1])):
        table.add_row(name, str(len(found)), ERROR_CLASSES[name],
                      escape("\n".join(found[:examples])))
    return table


def evaluate(
    data_dir: Path, split: str = "dev", *, limit: int | None = None, progress: bool = True,
    encoder: str | bool | None = None,
) -> Scores:
    """Analyse every article of a split with allege and score the claims found
    (``encoder``: as for :func:`allege.analysis.analyze_documents`); the gold cues of any
    split but train are compared with train's wordings when ``data_dir`` has train."""
    from rich.progress import track

    from ..analysis import analyze_documents
    from ..model import Document

    golds = load_split(data_dir, split)[:limit]
    analyses: Iterable[Analysis] = analyze_documents(
        (Document(text=g.text) for g in golds), encoder=encoder)
    if progress:
        analyses = track(analyses, total=len(golds), description=f"PolNeAR {split}")
    predictions = [predicted_from_analysis(a) for a in analyses]
    known = None
    if split != "train" and (Path(data_dir) / "train" / "text").is_dir():
        known = known_cue_wordings(load_split(data_dir, "train"))
    return score(golds, predictions, known_cues=known)
