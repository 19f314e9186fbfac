"""Features of a (headline, article body) pair for the stance classifier.

Pure functions of text and sentence embeddings; the embeddings themselves come from
:mod:`allege.corroborate.stance`, which owns the encoder. A headline and a body are each
analysed once (:func:`headline_info`, :func:`body_info`) because FNC-style data pairs one
body with many headlines; :func:`pair_features` then combines the two cheaply.

The features follow the FNC-1 baseline and UCLMR (TF-IDF cosine, word and character n-gram
overlap, refuting and hedging words, and where they occur relative to the headline's words)
and add sentence-embedding similarities between the headline and each body sentence, with
the lexical cues of the sentences most similar to the headline.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

MAX_SENTENCES = 60
TOP_SENTENCES = 3
CHAR_GRAM = 5
LEAD_CHARS = 255
MENTION_SHARE = 0.3
WINDOW = 4
LEAD_SENTENCES = 2

WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])|\n")
APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})

STOPWORDS = frozenset(
    "a about above after again against all am an and any are as at be because been before "
    "being below between both but by can did do does doing down during each few for from "
    "further had has have having he her here hers herself him himself his how i if in into "
    "is it its itself just me more most my myself now of off on once only or other our ours "
    "out over own same she should so some such than that the their theirs them themselves "
    "then there these they this those through to too under until up very was we were what "
    "when where which while who whom why will with would you your yours also said says say "
    "s t".split()
)

# Lexicons: which words signal which stance. Each is matched on lower-cased word tokens.
CUES: dict[str, frozenset[str]] = {
    "refute": frozenset(
        "fake fakes faked fraud fraudulent hoax hoaxes hoaxed false falsely untrue bogus "
        "debunk debunks debunked debunking prank pranks pranked satire satirical parody "
        "myth fabricated fabrication misleading incorrect inaccurate nonsense baseless "
        "unfounded wrong erroneous spoof photoshopped doctored scam".split()
    ),
    "deny": frozenset(
        "deny denies denied denying denial denials refute refutes refuted refuting reject "
        "rejects rejected dismiss dismisses dismissed dismissing retract retracts retracted "
        "retraction contrary despite doubt doubts doubted nope contradict contradicts "
        "contradicted insisted insists".split()
    ),
    "negation": frozenset(
        "not no never nothing none nobody neither nor without cannot".split()
    ),
    "report": frozenset(
        "allegedly alleged alleging reportedly reported reports report claim claims claimed "
        "claiming rumor rumors rumored rumour rumours rumoured unconfirmed unverified "
        "purportedly purported supposedly speculation speculate speculated".split()
    ),
    "modal": frozenset(
        "may might could possibly possible perhaps apparently appears appear appeared seems "
        "seem seemed suggest suggests suggested whether unclear if likely unknown "
        "believed believe".split()
    ),
    "attribution": frozenset(
        "said says told according stated statement spokesman spokeswoman spokesperson "
        "source sources quoted".split()
    ),
    "agree": frozenset(
        "confirm confirms confirmed confirming confirmation official officially verified "
        "indeed true revealed reveals proved proves proof evidence announced announces "
        "admitted admits acknowledged".split()
    ),
}
CUE_NAMES = tuple(CUES)

# Sentences whose embeddings stand for stances; a body sentence close to one of them
# carries that stance even when it uses none of the lexicon's words.
PROTOTYPES: dict[str, str] = {
    "hoax": "The story is a hoax and the report is fake.",
    "deny": "He denied the report, saying it is not true.",
    "debunk": "The photo has been debunked; it was photoshopped and the website is satire.",
    "no_evidence": "There is no evidence to support the claim.",
    "unverified": "The claim could not be independently verified and remains unconfirmed.",
    "unclear": "It is not clear whether the reports are true.",
    "reportedly": "According to reports, he has allegedly been spotted there.",
    "confirm": "Officials confirmed that the report is true.",
    "statement": "The company announced the news in a statement on Monday.",
}


# --- text ------------------------------------------------------------------------------


def words(text: str) -> list[str]:
    """Lower-cased word tokens ("didn't" stays one token)."""
    return WORD.findall(text.lower().translate(APOSTROPHES))


def stem(word: str) -> str:
    """A crude suffix stripper, enough to match "denies" with "deny" and "claims" with "claim"."""
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + keep
    return word


def content_stems(tokens: Sequence[str]) -> list[str]:
    """Stems of the tokens that are not stop words."""
    return [stem(t) for t in tokens if t not in STOPWORDS]


def split_sentences(text: str, limit: int = MAX_SENTENCES) -> list[str]:
    """Sentences of a news body: split at end punctuation before a capital, and at newlines."""
    pieces, start = [], 0
    for end in SENTENCE_END.finditer(text):
        pieces.append(text[start : end.end()].strip())
        start = end.end()
    pieces.append(text[start:].strip())
    return [s for s in pieces if len(s) > 2][:limit] or [text.strip() or "."]


def cue_counts(tokens: Sequence[str]) -> np.ndarray:
    """How many tokens of each lexicon (in :data:`CUE_NAMES` order) a token list holds."""
    counts = [sum(t in CUES[name] for t in tokens) for name in CUE_NAMES]
    counts[CUE_NAMES.index("negation")] += sum(t.endswith("n't") for t in tokens)
    return np.array(counts, dtype=np.float32)


def char_grams(text: str, n: int = CHAR_GRAM) -> set[str]:
    squeezed = " ".join(words(text))
    return {squeezed[i : i + n] for i in range(max(len(squeezed) - n + 1, 0))}


def bigrams(stems: Sequence[str]) -> set[tuple[str, str]]:
    return set(zip(stems, stems[1:]))


# --- TF-IDF ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Idf:
    """Inverse document frequencies of stems, fitted on training headlines and bodies."""

    weights: Mapping[str, float]

    @classmethod
    def fit(cls, texts: Sequence[str], *, min_df: int = 2, max_terms: int = 30000) -> Idf:
        df: Counter[str] = Counter()
        for text in texts:
            df.update(set(content_stems(words(text))))
        kept = sorted((t for t, n in df.items() if n >= min_df), key=lambda t: (-df[t], t))
        kept = kept[:max_terms]
        n_docs = len(texts)
        return cls({t: math.log((1 + n_docs) / (1 + df[t])) + 1 for t in kept})

    def vector(self, stems: Sequence[str]) -> dict[str, float]:
        """The unit-length TF-IDF vector of a stem list (terms outside the vocabulary drop)."""
        counts = Counter(s for s in stems if s in self.weights)
        vec = {t: n * self.weights[t] for t, n in counts.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {t: v / norm for t, v in vec.items()}


def sparse_cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


# --- per-text analyses -----------------------------------------------------------------


@dataclass
class HeadlineInfo:
    """What the features need of a headline, computed once per headline."""

    stems: list[str]
    stem_set: set[str]
    bigrams: set[tuple[str, str]]
    grams: set[str]
    numbers: set[str]
    tfidf: dict[str, float]
    cues: np.ndarray
    question: float
    embedding: np.ndarray


@dataclass
class BodyInfo:
    """What the features need of a body, computed once per body."""

    stem_set: set[str]
    lead_stem_set: set[str]
    bigrams: set[tuple[str, str]]
    grams: set[str]
    numbers: set[str]
    tfidf: dict[str, float]
    lead_tfidf: dict[str, float]
    sentence_tokens: list[list[str]]
    sentence_stems: list[set[str]]
    sentence_tfidf: list[dict[str, float]]
    sentence_cues: np.ndarray  # (sentences, cues)
    sentence_marks: np.ndarray  # (sentences, 2): has a quotation mark, has a question mark
    embeddings: np.ndarray  # (sentences, dim), unit rows
    mean_embedding: np.ndarray
    prototype_cos: np.ndarray  # (sentences, prototypes)
    text_stance: np.ndarray  # (3,): agree, disagree, discuss from the body's words alone
    n_words: int


def headline_info(text: str, embedding: np.ndarray, idf: Idf) -> HeadlineInfo:
    tokens = words(text)
    stems = content_stems(tokens)
    return HeadlineInfo(
        stems=stems, stem_set=set(stems), bigrams=bigrams(stems), grams=char_grams(text),
        numbers=set(NUMBER.findall(text)), tfidf=idf.vector(stems), cues=cue_counts(tokens),
        question=float("?" in text), embedding=embedding,
    )


def body_info(text: str, sentences: Sequence[str], embeddings: np.ndarray,
              prototypes: np.ndarray, text_stance: np.ndarray, idf: Idf) -> BodyInfo:
    """``embeddings`` are the unit sentence embeddings of ``sentences``; ``prototypes`` the
    unit embeddings of :data:`PROTOTYPES`; ``text_stance`` the body-only stance model's
    probabilities."""
    tokens = words(text)
    stems = content_stems(tokens)
    lead_stems = content_stems(words(text[:LEAD_CHARS]))
    sentence_tokens = [words(s) for s in sentences]
    sentence_stems = [content_stems(t) for t in sentence_tokens]
    mean = embeddings.mean(axis=0)
    marks = [[s.count('"') + s.count("“") > 0, "?" in s] for s in sentences]
    return BodyInfo(
        stem_set=set(stems), lead_stem_set=set(lead_stems), bigrams=bigrams(stems),
        grams=char_grams(text), numbers=set(NUMBER.findall(text)), tfidf=idf.vector(stems),
        lead_tfidf=idf.vector(content_stems(words(" ".join(sentences[:2])))),
        sentence_tokens=sentence_tokens, sentence_stems=[set(s) for s in sentence_stems],
        sentence_tfidf=[idf.vector(s) for s in sentence_stems],
        sentence_cues=np.stack([cue_counts(t) for t in sentence_tokens]),
        sentence_marks=np.array(marks, dtype=np.float32).reshape(len(sentences), 2),
        embeddings=embeddings, mean_embedding=mean / (np.linalg.norm(mean) or 1.0),
        prototype_cos=embeddings @ prototypes.T, text_stance=np.asarray(text_stance),
        n_words=len(tokens),
    )


# --- the pair --------------------------------------------------------------------------


def _share(part: set, whole: set) -> float:
    return len(part & whole) / len(part) if part else 0.0


def lexical_features(h: HeadlineInfo, b: BodyInfo) -> list[float]:
    union = h.stem_set | b.stem_set
    return [
        sparse_cosine(h.tfidf, b.tfidf),
        sparse_cosine(h.tfidf, b.lead_tfidf),
        len(h.stem_set & b.stem_set) / len(union) if union else 0.0,
        _share(h.stem_set, b.stem_set),
        _share(h.stem_set, b.lead_stem_set),
        float(len(h.stem_set & b.stem_set)),
        _share(h.bigrams, b.bigrams),
        _share(h.grams, b.grams),
        _share(h.numbers, b.numbers),
        float(len(h.numbers - b.numbers)),
        float(len(h.stems)),
        math.log1p(b.n_words),
        float(len(b.sentence_stems)),
        h.question,
    ]


def mention_features(h: HeadlineInfo, b: BodyInfo) -> list[float]:
    """Cues in the sentences that share a good part of the headline's words, and cues
    within a few words of any headline word."""
    need = max(2.0, MENTION_SHARE * len(h.stem_set))
    hits = np.array([len(h.stem_set & s) >= need for s in b.sentence_stems])
    cues = b.sentence_cues[hits].sum(axis=0) if hits.any() else np.zeros(len(CUE_NAMES))
    first = int(np.argmax(hits)) / len(hits) if hits.any() else 1.0
    near = np.zeros(len(CUE_NAMES), dtype=np.float32)
    for tokens in b.sentence_tokens:
        anchors = [i for i, t in enumerate(tokens) if stem(t) in h.stem_set]
        if anchors:
            window = {j for i in anchors for j in range(i - WINDOW, i + WINDOW + 1)}
            near += cue_counts([t for j, t in enumerate(tokens) if j in window])
    return [float(hits.sum()), float(hits.mean()), first, *cues.tolist(),
            *(near / max(len(h.stem_set), 1)).tolist()]


def embedding_features(h: HeadlineInfo, b: BodyInfo) -> list[float]:
    """Headline-to-sentence cosines, and the cues of the sentences closest to the headline."""
    cos = b.embeddings @ h.embedding
    order = np.argsort(-cos)
    top = order[:TOP_SENTENCES]
    weights = np.clip(cos, 0.0, None)
    best_stems = b.sentence_stems[order[0]]
    return [
        float(b.mean_embedding @ h.embedding),
        float(cos.max()), float(cos.mean()), float(cos.std()), float(cos[top].mean()),
        float(cos[0]), float(order[0]) / len(cos),
        float((cos > 0.5).sum()), float((cos > 0.5).mean()),
        _share(h.stem_set, best_stems),
        *b.sentence_cues[order[0]].tolist(),
        *b.sentence_cues[top].sum(axis=0).tolist(),
        *(weights @ b.sentence_cues / (weights.sum() or 1.0)).tolist(),
        *b.sentence_marks[top].mean(axis=0).tolist(),
        *b.prototype_cos[top].max(axis=0).tolist(),
    ]


def sentence_tfidf_features(h: HeadlineInfo, b: BodyInfo) -> list[float]:
    """The body sentence closest to the headline by TF-IDF, and its cues."""
    cos = np.array([sparse_cosine(h.tfidf, v) for v in b.sentence_tfidf])
    best = int(cos.argmax())
    return [float(cos.max()), float(cos.mean()), float(best) / len(cos),
            *b.sentence_cues[best].tolist()]


def cue_features(h: HeadlineInfo, b: BodyInfo) -> list[float]:
    """Cues of the headline, the lead and the whole body, and the body's closeness to the
    stance prototypes."""
    body_cues = b.sentence_cues.sum(axis=0)
    refute = [CUE_NAMES.index("refute"), CUE_NAMES.index("deny")]
    polarity = [float(h.cues[refute].sum() % 2), float(body_cues[refute].sum() % 2)]
    return [
        *h.cues.tolist(),
        *b.sentence_cues[:LEAD_SENTENCES].sum(axis=0).tolist(),
        *body_cues.tolist(),
        *(body_cues / max(b.n_words, 1) * 100).tolist(),
        *polarity,
        *b.sentence_marks.mean(axis=0).tolist(),
        *b.prototype_cos.max(axis=0).tolist(),
        *b.text_stance.tolist(),
    ]


def pair_features(h: HeadlineInfo, b: BodyInfo) -> list[float]:
    """The classifier's input for one pair (see :func:`feature_names`)."""
    return (lexical_features(h, b) + mention_features(h, b) + embedding_features(h, b)
            + sentence_tfidf_features(h, b) + cue_features(h, b))


def feature_names() -> list[str]:
    """Names of :func:`pair_features`' columns, in order (for the model card and checks)."""
    cues = list(CUE_NAMES)
    return [
        "tfidf_cos", "tfidf_cos_lead", "jaccard", "share_in_body", "share_in_lead",
        "n_shared", "bigram_share", "chargram_share", "number_share", "numbers_missing",
        "headline_len", "log_body_words", "n_sentences", "headline_question",
        "mention_sentences", "mention_share", "mention_first",
        *(f"mention_{c}" for c in cues), *(f"near_{c}" for c in cues),
        "emb_cos_body", "emb_cos_max", "emb_cos_mean", "emb_cos_std", "emb_cos_top",
        "emb_cos_first", "emb_argmax_pos", "emb_n_close", "emb_share_close",
        "top1_share_of_headline",
        *(f"top1_{c}" for c in cues), *(f"top{TOP_SENTENCES}_{c}" for c in cues),
        *(f"simweighted_{c}" for c in cues), "top_quoted", "top_question",
        *(f"top_prototype_{p}" for p in PROTOTYPES),
        "tfidf_sentence_max", "tfidf_sentence_mean", "tfidf_sentence_pos",
        *(f"tfidf_top1_{c}" for c in cues),
        *(f"headline_{c}" for c in cues), *(f"lead_{c}" for c in cues),
        *(f"body_{c}" for c in cues), *(f"body_{c}_per100" for c in cues),
        "headline_polarity", "body_polarity", "body_quoted", "body_question",
        *(f"prototype_{p}" for p in PROTOTYPES),
        "body_text_agree", "body_text_disagree", "body_text_discuss",
    ]
