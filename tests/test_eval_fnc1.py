"""The FNC-1 scorer: the official weighted score, macro-F1, and reading the data."""

from pathlib import Path

import pytest
from rich.console import Console

from allege.errors import DataError
from allege.eval.fnc1 import LABELS, format_table, load_split, pair_points, score

FNC1 = Path(__file__).resolve().parents[2] / "shared" / "data" / "fnc-1"

GOLD = ["unrelated", "unrelated", "unrelated", "agree", "disagree", "discuss"]


@pytest.mark.parametrize(
    ("gold", "predicted", "points"),
    [
        ("unrelated", "unrelated", 0.25),
        ("unrelated", "agree", 0.0),
        ("agree", "agree", 1.0),
        ("disagree", "disagree", 1.0),
        ("discuss", "agree", 0.25),
        ("disagree", "discuss", 0.25),
        ("agree", "unrelated", 0.0),
    ],
)
def test_official_points_per_pair(gold, predicted, points):
    assert pair_points(gold, predicted) == points


def test_perfect_predictions_score_100_percent():
    scores = score(GOLD, GOLD)
    assert scores.raw == scores.maximum == 3 * 0.25 + 3
    assert scores.relative == pytest.approx(100.0)
    assert scores.macro_f1 == pytest.approx(1.0)


def test_all_unrelated_scores_the_unrelated_share():
    scores = score(GOLD, ["unrelated"] * len(GOLD))
    assert scores.raw == scores.null == 0.75
    assert scores.relative == pytest.approx(100 * 0.75 / 3.75)  # 20 %
    assert scores.f1["unrelated"] == pytest.approx(2 * 3 / (3 + 6))
    assert scores.f1["agree"] == scores.f1["disagree"] == scores.f1["discuss"] == 0.0


def test_a_wrong_stance_on_a_related_pair_earns_the_related_quarter():
    predicted = ["unrelated", "unrelated", "agree", "discuss", "disagree", "discuss"]
    scores = score(GOLD, predicted)
    assert scores.raw == 0.25 + 0.25 + 0.0 + 0.25 + 1.0 + 1.0
    assert scores.confusion["agree"]["discuss"] == 1
    assert scores.f1["discuss"] == pytest.approx(2 / 3)
    assert scores.macro_f1 == pytest.approx(sum(scores.f1.values()) / 4)


def test_mismatched_or_unknown_labels_are_refused():
    with pytest.raises(ValueError):
        score(GOLD, GOLD[:-1])
    with pytest.raises(ValueError):
        score(["agree"], ["agrees"])


def test_table_shows_the_score_and_every_class():
    console = Console(width=120, record=True)
    for table in format_table(score(GOLD, GOLD, split="hand-made")):
        console.print(table)
    text = console.export_text()
    assert "100.00" in text
    assert all(label in text for label in LABELS)


def _write_fnc1(root: Path) -> None:
    (root / "splits").mkdir(parents=True)
    (root / "train_bodies.csv").write_text(
        'Body ID,articleBody\n1,"A body,\nwith a newline."\n2,Another body.\n',
        encoding="utf-8")
    (root / "train_stances.csv").write_text(
        "Headline,Body ID,Stance\nHeadline one,1,agree\nHeadline two,2,unrelated\n",
        encoding="utf-8")
    (root / "splits" / "baseline_hold_out_body_ids.txt").write_text("2\n")


def test_reads_pairs_with_bodies_and_the_hold_out(tmp_path):
    _write_fnc1(tmp_path)
    pairs = load_split(tmp_path, "train")
    assert [(p.headline, p.body_id, p.stance) for p in pairs] == [
        ("Headline one", 1, "agree"), ("Headline two", 2, "unrelated")]
    assert pairs[0].body == "A body,\nwith a newline."
    assert [p.body_id for p in load_split(tmp_path, "hold-out")] == [2]


def test_missing_data_says_where_to_point(tmp_path):
    with pytest.raises(DataError, match="fnc-1"):
        load_split(tmp_path, "test")
    with pytest.raises(DataError, match="split"):
        load_split(tmp_path, "dev")


@pytest.mark.skipif(not FNC1.is_dir(), reason="shared FNC-1 data not present")
def test_the_real_test_set_has_the_documented_maximum_and_null_score():
    gold = [p.stance for p in load_split(FNC1, "test")]
    scores = score(gold, ["unrelated"] * len(gold))
    assert len(gold) == 25413
    assert scores.maximum == 11651.25
    assert scores.raw == 4587.25
