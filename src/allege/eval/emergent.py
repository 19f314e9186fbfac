"""Claim verdicts on Emergent (Ferreira & Vlachos 2016) from the articles' stances.

Each rumoured claim becomes a proposition: every article is a member, ``for`` asserting it,
``against`` denying it and ``observing`` only reporting it, with its source domain as the
origin, so that articles from one domain are one source. The proposition's credibility
(:func:`allege.corroborate.grades.credibility`) gives the verdict: confirmed (1) is true,
doubtful or improbable (4, 5) is false, anything else unknown. The credibility thresholds
are chosen on the train claims only; the scores are on the 60 test claims.

The stances are the journalists' (``gold``), or ``predicted`` by allege's article stance
model (:class:`allege.corroborate.stance.StanceModel`, trained on FNC-1) with the claim as
the headline and the article's headline as the body: agree is ``for``, disagree
``against``, discuss and unrelated ``observing``.
"""

from __future__ import annotations

import csv
import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..corroborate.grades import Policy, grade
from ..corroborate.propositions import Member
from ..errors import DataError

LABELS = ("true", "false", "unknown")
_STANCES = {"for": "asserts", "against": "denies", "observing": "reports"}
_ALL = "edata_all.csv"
_TEST = "url-versions-2015-06-14-clean-test.csv"


@dataclass(frozen=True)
class Article:
    """One article's headline stance toward a claim."""

    claim: str
    source: str  # the domain
    stance: str  # for, against, observing


@dataclass
class Scores:
    """Macro-F1 and per-class F1 of the verdicts, and the thresholds used."""

    macro_f1: float
    f1: dict[str, float]
    claims: int
    policy: Policy
    train_macro_f1: float
    stances: str = "gold"

    def __str__(self) -> str:
        per_class = "  ".join(f"{k} {v:.3f}" for k, v in self.f1.items())
        return (f"Emergent test, {self.stances} stances: {self.claims} claims, "
                f"macro-F1 {self.macro_f1:.3f} "
                f"({per_class}); thresholds from train (macro-F1 {self.train_macro_f1:.3f}): "
                f"{self.policy}")


def load(data_dir: str | Path, stances: str = "gold",
         ) -> tuple[dict[str, list[Article]], dict[str, str], set[str]]:
    """Articles by claim, each claim's gold verdict, and the ids of the test claims."""
    folder = Path(data_dir)
    if not (folder / _ALL).exists() or not (folder / _TEST).exists():
        raise DataError(f"{folder} lacks {_ALL} or {_TEST}: point --data at the Emergent "
                        "folder (../shared/data/emergent).")
    articles: dict[str, list[Article]] = defaultdict(list)
    truth: dict[str, str] = {}
    with open(folder / _ALL, encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    labels = ([row["articleHeadlineStance"] for row in rows] if stances == "gold"
              else predicted_stances(rows))
    for row, label in zip(rows, labels):
        claim = row["claimId"]
        articles[claim].append(Article(claim, row["source"].lower().strip(), label))
        truth[claim] = row["claimTruth"]
    with open(folder / _TEST, encoding="utf-8", newline="") as file:
        test = {row["claimId"] for row in csv.DictReader(file)}
    return dict(articles), truth, test


def predicted_stances(rows: list[dict[str, str]]) -> list[str]:
    """for / against / observing of each article headline toward its claim, by the model."""
    from ..corroborate.stance import StanceModel

    pairs = [(row["claimHeadline"], row["articleHeadline"]) for row in rows]
    return [_FROM_FNC[label] for label in StanceModel.load().predict(pairs)]


_FROM_FNC = {"agree": "for", "disagree": "against", "discuss": "observing",
             "unrelated": "observing"}


def members(articles: Iterable[Article]) -> list[Member]:
    """The articles as proposition members, each with its domain as the chain."""
    return [Member(claim_id=n, document=f"{a.claim}:{n}", claim=f"A{n}", outlet=a.source,
                   published=None, speaker=None, stance=_STANCES[a.stance], content="",
                   chain=(a.source,))
            for n, a in enumerate(articles)]


def verdict(articles: Iterable[Article], policy: Policy) -> str:
    """true, false or unknown, from the credibility grade of the claim."""
    level = grade(members(articles), {}, policy).credibility
    return "true" if level == 1 else "false" if level in (4, 5) else "unknown"


def f1_scores(gold: list[str], predicted: list[str]) -> dict[str, float]:
    """F1 of each label."""
    scores = {}
    for label in LABELS:
        tp = sum(g == p == label for g, p in zip(gold, predicted))
        fp = sum(p == label != g for g, p in zip(gold, predicted))
        fn = sum(g == label != p for g, p in zip(gold, predicted))
        scores[label] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return scores


def macro_f1(gold: list[str], predicted: list[str]) -> float:
    """The mean of the per-label F1."""
    scores = f1_scores(gold, predicted)
    return sum(scores.values()) / len(scores)


def fit_policy(articles: dict[str, list[Article]], truth: dict[str, str]) -> tuple[Policy, float]:
    """The credibility thresholds with the best macro-F1 on these claims."""
    gold = [truth[c] for c in articles]
    best: tuple[float, Policy] = (-1.0, Policy())
    for confirmed, share in itertools.product(range(1, 10), (0.0, 0.1, 0.2, 0.3, 0.5, 1.0)):
        policy = Policy(confirmed=confirmed, denial_share=share)
        score = macro_f1(gold, [verdict(a, policy) for a in articles.values()])
        if score > best[0] + 1e-9:
            best = (score, policy)
    return best[1], best[0]


def evaluate(data_dir: str | Path, stances: str = "gold") -> Scores:
    """Fit the thresholds on the train claims, score the verdicts on the test claims, from
    the ``gold`` or the ``predicted`` stances."""
    if stances not in ("gold", "predicted"):
        raise ValueError(f"stances must be gold or predicted, not {stances!r}")
    articles, truth, test = load(data_dir, stances)
    train = {c: a for c, a in articles.items() if c not in test}
    policy, train_score = fit_policy(train, truth)
    ids = sorted(test)
    gold = [truth[c] for c in ids]
    predicted = [verdict(articles[c], policy) for c in ids]
    per_class = f1_scores(gold, predicted)
    return Scores(macro_f1=sum(per_class.values()) / len(per_class), f1=per_class,
                  claims=len(ids), policy=policy, train_macro_f1=train_score, stances=stances)
