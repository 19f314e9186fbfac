"""Agreement among PolNeAR's annotators, and allege's against each, under the protocol."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from allege.cli import main
from allege.errors import DataError
from allege.eval.agreement import agreement, evaluate_agreement, load_annotations
from allege.eval.polnear import gold_as_predicted

TEXT = "Ms. Lee said the dam will hold. Engineers expect a flood.\n"
SAID = "T1\tSource 0 7\tMs. Lee\nT2\tCue 8 12\tsaid\nT3\tContent 13 30\tthe dam will hold\n" \
       "E1\tAttribution:T2 Source:T1 Cue:T2 Content:T3\n"
EXPECT = "T4\tSource 32 41\tEngineers\nT5\tCue 42 48\texpect\nT6\tContent 49 56\ta flood\n" \
         "E2\tAttribution:T5 Source:T4 Cue:T5 Content:T6\n"


@pytest.fixture
def polnear(tmp_path: Path) -> Path:
    """A split written for the test: one article annotated by two annotators (the first
    found both attributions, the second only one), one annotated once."""
    text_dir, ann_dir = tmp_path / "dev" / "text", tmp_path / "dev" / "attributions"
    text_dir.mkdir(parents=True)
    ann_dir.mkdir()
    for name in ("pub_2016-01-01_dam", "pub_2016-01-02_once"):
        (text_dir / f"{name}.txt").write_text(TEXT, encoding="utf-8")
    (ann_dir / "pub_2016-01-01_dam_b000.ann").write_text(SAID, encoding="utf-8")
    (ann_dir / "pub_2016-01-01_dam_a000.ann").write_text(SAID + EXPECT, encoding="utf-8")
    (ann_dir / "pub_2016-01-02_once_a000.ann").write_text(SAID, encoding="utf-8")
    return tmp_path


def test_only_articles_with_several_annotators_are_read_in_annotator_order(
    polnear: Path,
) -> None:
    (versions,) = load_annotations(polnear, "dev")
    assert [(v.name, v.annotator, len(v.relations)) for v in versions] == [
        ("pub_2016-01-01_dam", "a000", 2), ("pub_2016-01-01_dam", "b000", 1)]


def test_annotators_are_scored_against_each_other_both_ways(polnear: Path) -> None:
    result = agreement(load_annotations(polnear, "dev"))
    assert (result.articles, result.annotations, result.allege) == (1, 2, None)
    # a000 as gold: b000 finds 1 of 2; b000 as gold: a000 finds its 1 and 1 more
    for prf in (result.humans.roles["cue"], result.humans.roles["content"],
                result.humans.linked):
        assert (prf.correct, prf.predicted, prf.gold) == (2, 3, 3)
    assert result.humans.roles["source"].f1 == pytest.approx(2 / 3)


def test_identical_annotators_agree_fully() -> None:
    from allege.eval.polnear import GoldArticle, relations_from_ann

    versions = [GoldArticle("dam", who, TEXT, relations_from_ann(SAID + EXPECT))
                for who in ("a000", "b000", "c000")]
    result = agreement([versions])
    assert result.humans.linked.gold == 12  # 6 ordered pairs, 2 relations each
    for prf in [*result.humans.roles.values(), result.humans.linked]:
        assert prf.f1 == 1.0


def test_predictions_are_scored_against_every_annotator(polnear: Path) -> None:
    articles = load_annotations(polnear, "dev")
    only_said = gold_as_predicted(articles[0][1])
    result = agreement(articles, [only_said])
    assert result.allege is not None
    linked = result.allege.linked
    assert (linked.correct, linked.predicted, linked.gold) == (2, 2, 3)
    with pytest.raises(ValueError, match="1 articles but 2"):
        agreement(articles, [only_said, only_said])


def test_no_article_with_two_annotators_is_a_data_error(polnear: Path) -> None:
    for path in (polnear / "dev" / "attributions").glob("*_b000.ann"):
        path.unlink()
    with pytest.raises(DataError, match="has two annotators"):
        evaluate_agreement(polnear, ["dev"], analyse=False)
    with pytest.raises(DataError, match="No PolNeAR split 'test'"):
        load_annotations(polnear, "test")


def test_the_command_prints_both_rows_as_json(
    polnear: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["eval", "polnear", "--data", str(polnear), "--split", "dev",
                   "--agreement", "--json", "--encoder", "none"])
    out, _ = capsys.readouterr()
    assert status == 0
    data = json.loads(out)
    assert (data["articles"], data["annotations"]) == (1, 2)
    assert data["humans"]["linked"]["f1"] == pytest.approx(2 / 3)
    assert data["allege"]["linked"]["gold"] == 3  # allege's analysis, scored both ways
    # b000's one relation has a000's cue, content and source
    assert data["humans"]["exact_cue"] == {"claims": 2, "content": 2, "source": 2,
                                           "content_share": 1.0, "source_share": 1.0}


def test_the_command_refuses_options_that_do_not_apply(
    polnear: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["eval", "polnear", "--data", str(polnear), "--agreement", "--limit", "5"])
    assert status != 0
    assert "--limit, --errors and --by-annotator do not apply" in capsys.readouterr().err
