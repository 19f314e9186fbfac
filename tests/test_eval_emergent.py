"""The Emergent scorer: verdicts from stances, F1 on hand-made labels, the real data set."""

from __future__ import annotations

from pathlib import Path

import pytest

from allege.corroborate.grades import Policy
from allege.eval.emergent import Article, evaluate, f1_scores, macro_f1, verdict

EMERGENT = Path(__file__).parents[1].parent / "shared" / "data" / "emergent"


def articles(*stances: tuple[str, str]) -> list[Article]:
    return [Article("c", source, stance) for source, stance in stances]


def test_f1_on_hand_made_labels():
    gold = ["true", "true", "false", "unknown"]
    predicted = ["true", "false", "false", "unknown"]
    assert f1_scores(gold, predicted) == {"true": 2 / 3, "false": 2 / 3, "unknown": 1.0}
    assert macro_f1(gold, predicted) == pytest.approx(7 / 9)


def test_verdicts_follow_the_credibility_grade():
    policy = Policy(confirmed=2)
    three = articles(("a.com", "for"), ("b.com", "for"), ("c.com", "for"))
    assert verdict(three, policy) == "true"
    echoes = articles(("a.com", "for"), ("a.com", "for"), ("a.com", "for"))
    assert verdict(echoes, policy) == "unknown"  # one domain is one source
    assert verdict(three + articles(("d.com", "against")), policy) == "false"
    assert verdict(articles(("a.com", "observing")), policy) == "unknown"


@pytest.mark.skipif(not EMERGENT.exists(), reason="Emergent data not present")
def test_emergent_test_claims_beat_the_counting_rule():
    scores = evaluate(EMERGENT)
    assert scores.claims == 60
    assert scores.macro_f1 > 0.60
