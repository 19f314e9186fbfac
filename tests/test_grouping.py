"""Grouping claims into propositions: by words, then by the meaning of sentence embeddings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from allege.corroborate.grouping import Grouping, content_words, group_claims, same_words
from allege.corroborate.stance import shared_encoder
from allege.eval.propositions import BCubed, bcubed, evaluate

EMERGENT = Path(__file__).parents[1].parent / "shared" / "data" / "emergent"

CROSSED = "Troops crossed the border into the northern province overnight"
ENTERED = "Soldiers entered the northern province across the frontier during the night"
ELECTIONS = "The northern province will hold elections in the spring"
ARRESTED = "Police arrested the mayor of the northern province"


def rows(*texts: str, embed: bool = False) -> dict[str, dict]:
    vectors = shared_encoder().encode(list(texts)) if embed else [None] * len(texts)
    return {text: {"words": content_words(text), "entities": set(), "vector": vector}
            for text, vector in zip(texts, vectors)}


def test_content_words_drop_function_words_and_fold_endings():
    assert content_words("The troops said they were crossing the borders") == {
        "troop", "cross", "border"}


def test_claims_sharing_most_words_state_the_same_thing():
    a = {"words": content_words(CROSSED), "entities": set()}
    b = {"words": content_words("Troops crossed the border into the northern province"),
         "entities": set()}
    c = {"words": content_words(ELECTIONS), "entities": set()}
    assert same_words(a, b) and not same_words(a, c)


def test_a_paraphrase_joins_only_by_its_meaning():
    claims = (CROSSED, ENTERED, ELECTIONS, ARRESTED)
    by_words = group_claims(rows(*claims))
    assert len(by_words) == 4  # two shared words are too few
    by_meaning = group_claims(rows(*claims, embed=True))
    assert sorted(map(sorted, by_meaning)) == sorted(
        [sorted([CROSSED, ENTERED]), [ELECTIONS], [ARRESTED]])


def test_a_higher_threshold_keeps_the_paraphrase_apart():
    assert len(group_claims(rows(CROSSED, ENTERED, embed=True), Grouping(close=0.95))) == 2


def test_claims_giving_different_numbers_state_different_things():
    twelve = "At least 12 civilians were killed in air strikes on the market town"
    also_twelve = "Air strikes on the market town killed 12 civilians"
    fifteen = "At least 15 civilians were killed in air strikes on the market town"
    for embed in (False, True):
        groups = group_claims(rows(twelve, also_twelve, fifteen, embed=embed))
        assert sorted(map(sorted, groups)) == sorted([sorted([twelve, also_twelve]), [fifteen]])


def test_known_joins_are_kept_and_groups_keep_the_order_of_the_rows():
    claims = rows(ELECTIONS, CROSSED, ARRESTED)
    groups = group_claims(claims, joins=[(ARRESTED, ELECTIONS)])
    assert groups == [[ELECTIONS, ARRESTED], [CROSSED]]


def test_bcubed_on_hand_made_groups():
    gold = {1: "a", 2: "a", 3: "b", 4: "b"}
    assert bcubed(gold, [[1, 2], [3, 4]]) == BCubed(1.0, 1.0)
    assert bcubed(gold, [[1, 2, 3, 4]]) == BCubed(0.5, 1.0)
    split = bcubed(gold, [[1], [2], [3], [4]])
    assert split == BCubed(1.0, 0.5) and split.f() == pytest.approx(2 / 3)


@pytest.mark.skipif(not EMERGENT.exists(), reason="Emergent data not present")
def test_embeddings_group_emergent_headlines_better_than_words_alone():
    scores = evaluate(EMERGENT)
    assert scores.claims == 60
    assert scores.embeddings.f() > scores.words.f() + 0.1
    assert scores.embeddings.precision > 0.9


GROUP_IN_SUBPROCESS = """
import json, random
from allege.corroborate.grouping import content_words, group_claims
random.seed(0)
vocabulary = "army town border troops shelled killed market rebels minister 12 15 20 30 40".split()
texts = [" ".join(random.choices(vocabulary, k=5)) for _ in range(400)]
rows = {n: {"words": content_words(t), "entities": set()} for n, t in enumerate(texts)}
print(json.dumps(group_claims(rows)))
"""


def test_grouping_does_not_depend_on_the_hash_seed():
    runs = [subprocess.run([sys.executable, "-c", GROUP_IN_SUBPROCESS], capture_output=True,
                           text=True, check=True, env={**os.environ, "PYTHONHASHSEED": seed})
            for seed in ("1", "2")]
    assert runs[0].stdout == runs[1].stdout and len(json.loads(runs[0].stdout)) > 1
