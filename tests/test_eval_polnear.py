"""The PolNeAR scorer: reading brat files, exact-span roles, linked matching, calibration."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

import allege.analysis
from allege.cli import main
from allege.encoder_tagger import FAST_ENCODER_DIR, EncoderTagger
from allege.errors import DataError
from allege.eval.brat import parse_ann, records
from allege.eval.polnear import (
    GoldArticle,
    GoldRelation,
    Predicted,
    evaluate,
    format_annotators,
    format_errors,
    format_table,
    gold_as_predicted,
    known_cue_wordings,
    load_split,
    predicted_from_analysis,
    relations_from_ann,
    score,
    scored_claims,
    trimmed_extent,
)
from allege.model import Analysis, Claim, Content, Cue, Document, Speaker

POLNEAR = Path(__file__).parents[1].parent / "shared" / "data" / "polnear"


def at(text: str, piece: str, nth: int = 0) -> tuple[int, int]:
    """The (start, end) of the ``nth`` occurrence of ``piece`` in ``text``."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(piece, start + 1)
    return start, start + len(piece)


def article(text: str, *relations: GoldRelation) -> GoldArticle:
    return GoldArticle("made-up", "0000", text, list(relations))


def relation(text: str, source: str | None, cue: str, *content: str) -> GoldRelation:
    return GoldRelation(
        "E1",
        [at(text, source)] if source else None,
        [at(text, cue)],
        [at(text, piece) for piece in content],
    )


def predicted(
    text: str, source: str | None, cue: str, *content: str, confidence: float = 1.0
) -> Predicted:
    gold = relation(text, source, cue, *content)
    return Predicted(gold.source, gold.cue, gold.content, confidence)


# --- the real dev split ------------------------------------------------------------------


@pytest.fixture(scope="module")
def dev() -> list[GoldArticle]:
    if not (POLNEAR / "dev" / "text").is_dir():
        pytest.skip(f"PolNeAR dev split not found at {POLNEAR} (shared data not present)")
    return load_split(POLNEAR, "dev")


def test_gold_against_itself_scores_one_everywhere(dev: list[GoldArticle]) -> None:
    scores = score(dev, [gold_as_predicted(a) for a in dev])
    assert len(dev) == 84
    for prf in [*scores.roles.values(), scores.linked]:
        assert prf.gold > 0
        assert (prf.precision, prf.recall, prf.f1) == (1.0, 1.0, 1.0)


def test_nothing_predicted_scores_zero(dev: list[GoldArticle]) -> None:
    scores = score(dev, [[] for _ in dev])
    for prf in [*scores.roles.values(), scores.linked]:
        assert prf.gold > 0
        assert (prf.recall, prf.f1) == (0.0, 0.0)


def test_dev_relations_have_cue_and_content_inside_the_text(dev: list[GoldArticle]) -> None:
    for a in dev:
        for r in a.relations:
            assert r.cue and r.content
            assert all(0 <= s < e <= len(a.text) for s, e in r.cue + r.content)


def test_missing_split_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="No PolNeAR articles"):
        load_split(tmp_path, "dev")


# --- exact spans ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, gold, guess",
    [
        ('He said "the vote is rigged."', "the vote is rigged", '"the vote is rigged."'),
        ("He said “vote is rigged,” twice", "vote is rigged", "“vote is rigged,”"),
        ("He said ‘no deal’ again", "no deal", "‘no deal’ "),
        ("He said 'no deal' again", "'no deal'", "no deal"),
        ("Tell them:  the talks failed .", "the talks failed", "  the talks failed ."),
        ("It was, in short, (a mess)", "a mess", "(a mess)"),
    ],
)
def test_spans_compare_after_trimming_quotes_space_and_punctuation(
    text: str, gold: str, guess: str
) -> None:
    assert trimmed_extent(text, [at(text, gold)]) == trimmed_extent(text, [at(text, guess)])


def test_a_span_of_only_punctuation_is_kept() -> None:
    text = "Her reply: no."
    assert trimmed_extent(text, [at(text, ":")]) == at(text, ":")


def test_trimming_keeps_inner_punctuation() -> None:
    text = 'He said "U.S. troops left."'
    assert trimmed_extent(text, [at(text, '"U.S. troops left."')]) == at(text, "U.S. troops left")


def test_discontinuous_content_is_compared_by_its_extent() -> None:
    text = '"Taxes will rise," the minister said, "and soon."'
    gold = relation(text, "the minister", "said", "Taxes will rise,", "and soon.")
    whole = predicted(text, "the minister", "said", text)
    first_part = predicted(text, "the minister", "said", "Taxes will rise")
    assert score([article(text, gold)], [[whole]]).roles["content"].f1 == 1.0
    assert score([article(text, gold)], [[first_part]]).roles["content"].f1 == 0.0


def test_duplicate_predicted_spans_count_once() -> None:
    text = "The senator said the bill was dead."
    gold = relation(text, "The senator", "said", "the bill was dead")
    guess = predicted(text, "The senator", "said", "the bill was dead.")
    scores = score([article(text, gold)], [[guess, guess]])
    assert all(prf.precision == 1.0 for prf in scores.roles.values())
    assert (scores.linked.correct, scores.linked.predicted) == (1, 2)


def test_absent_sources_are_not_role_spans() -> None:
    text = "It is said that the plan was dropped."
    gold = relation(text, None, "is said", "the plan was dropped")
    scores = score([article(text, gold)], [[predicted(text, None, "is said", "the plan")]])
    assert (scores.roles["source"].gold, scores.roles["source"].predicted) == (0, 0)


# --- linked attributions ----------------------------------------------------------------------

JACCARD_TEXT = "Officials said alpha beta gamma delta epsilon zeta eta."


@pytest.mark.parametrize(
    "guess, matches",
    [
        ("alpha beta gamma delta", True),  # 4/4
        ("alpha beta", True),  # 2/4 = 0.5, the threshold itself
        ("beta gamma delta epsilon zeta", True),  # 3/6 = 0.5
        ("gamma delta epsilon", False),  # 2/5 = 0.4
        ("alpha", False),  # 1/4
    ],
)
def test_content_token_jaccard_threshold(guess: str, matches: bool) -> None:
    text = JACCARD_TEXT
    gold = relation(text, "Officials", "said", "alpha beta gamma delta")
    guessed = predicted(text, "Officials", "said", guess)
    assert score([article(text, gold)], [[guessed]]).linked.correct == int(matches)


@pytest.mark.parametrize(
    "guess, matches",
    [
        ('"We Will Win,"', True),
        ('"we will win"', True),  # the same lowercase words, elsewhere in the text
        ('"We Will Win," Smith said', True),  # 3/5
        ("Smith said.", False),
    ],
)
def test_content_tokens_are_lowercase_words_of_the_covered_text(guess: str, matches: bool) -> None:
    text = '"We Will Win," Smith said. "we will win" is the motto.'
    gold = relation(text, "Smith", "said", "We Will Win,")
    guessed = predicted(text, "Smith", "said", guess)
    assert score([article(text, gold)], [[guessed]]).linked.correct == int(matches)


def test_cues_must_overlap() -> None:
    text = "Jones said and repeated that the mine would close."
    gold = relation(text, "Jones", "said", "the mine would close")
    guess = predicted(text, "Jones", "repeated", "the mine would close")
    assert score([article(text, gold)], [[guess]]).linked.correct == 0
    guess = predicted(text, "Jones", "said and repeated", "the mine would close")
    assert score([article(text, gold)], [[guess]]).linked.correct == 1


@pytest.mark.parametrize(
    "gold_source, guess_source, matches",
    [
        (None, None, True),
        ("the agency", "the agency", True),
        ("the agency", "agency", True),  # overlap is enough
        ("the agency", None, False),
        (None, "the agency", False),
        ("the agency", "The report", False),
    ],
)
def test_sources_must_overlap_or_both_be_absent(
    gold_source: str | None, guess_source: str | None, matches: bool
) -> None:
    text = "The report by the agency warned that rivers would flood."
    gold = relation(text, gold_source, "warned", "rivers would flood")
    guess = predicted(text, guess_source, "warned", "rivers would flood")
    assert score([article(text, gold)], [[guess]]).linked.correct == int(matches)


def test_matching_is_one_to_one() -> None:
    text = "Aides said taxes rise quickly and said wages fall slowly."
    first = relation(text, "Aides", "said", "taxes rise quickly")
    again = GoldRelation("E2", first.source, first.cue, first.content)
    guess = predicted(text, "Aides", "said", "taxes rise quickly")
    scores = score([article(text, first)], [[guess, guess]])
    assert (scores.linked.correct, scores.linked.predicted, scores.linked.gold) == (1, 2, 1)
    scores = score([article(text, first, again)], [[guess]])
    assert (scores.linked.correct, scores.linked.predicted, scores.linked.gold) == (1, 1, 2)


def test_matching_is_greedy_by_content_overlap() -> None:
    text = "Aides said taxes rise quickly and said wages fall slowly."
    first = relation(text, "Aides", "said", "taxes rise quickly")
    loose = predicted(text, "Aides", "said", "taxes rise quickly and said wages", confidence=0.3)
    exact = predicted(text, "Aides", "said", "taxes rise quickly", confidence=0.95)
    assert score([article(text, first)], [[loose]]).linked.correct == 1  # 3/6
    scores = score([article(text, first)], [[loose, exact]])
    assert scores.linked.correct == 1
    assert (scores.calibration[0].correct, scores.high_confidence.correct) == (0, 1)


def test_calibration_counts_matched_claims_by_confidence() -> None:
    text = "Aides said taxes rise quickly and said wages fall slowly."
    first = relation(text, "Aides", "said", "taxes rise quickly")
    guesses = [
        predicted(text, "Aides", "said", "taxes rise quickly", confidence=0.95),
        predicted(text, "Aides", "said", "wages fall slowly", confidence=1.0),
        predicted(text, None, "said", "taxes rise", confidence=0.3),
    ]
    scores = score([article(text, first)], [guesses])
    counts = {(b.low, b.high): (b.count, b.correct) for b in scores.calibration}
    assert counts[(0.9, 1.0)] == (2, 1)
    assert counts[(0.0, 0.5)] == (1, 0)
    assert (scores.high_confidence.count, scores.high_confidence.share_correct) == (2, 0.5)
    data = scores.to_dict()
    assert data["linked"]["precision"] == pytest.approx(1 / 3)
    assert len(format_table(scores)) == 2


def test_errors_are_classed_by_what_went_wrong() -> None:
    text = ("Aides said taxes rise. Critics claimed wages fall. Rivals denied the cuts. "
            "Farmers hope for rain. The storm passed.")
    gold = [relation(text, "Aides", "said", "taxes rise"),
            relation(text, "Critics", "claimed", "wages fall"),
            relation(text, "Rivals", "denied", "the cuts"),
            relation(text, "Farmers", "hope", "for rain")]
    guesses = [
        predicted(text, "Aides", "said", "taxes rise"),            # right
        predicted(text, "Critics", "claimed", "Rivals denied"),    # content
        predicted(text, None, "denied", "the cuts"),               # source
        predicted(text, None, "passed", "The storm"),              # spurious
    ]                                                              # "hope": missed
    scores = score([article(text, *gold)], [guesses])
    assert {name: len(found) for name, found in scores.errors.items()} == {
        "missed": 1, "spurious": 1, "content": 1, "source": 1}
    assert "Farmers [hope] for rain" in scores.errors["missed"][0]
    assert scores.to_dict()["errors"]["spurious"] == 1
    console = Console(record=True, width=200)
    console.print(format_errors(scores, 1))
    assert "The storm [passed]" in console.export_text()


def test_gold_cues_are_split_by_whether_train_has_their_wording() -> None:
    train = "Officials said the roads are safe."
    known = known_cue_wordings([article(train, relation(train, "Officials", "said", "the roads"))])
    assert known == {"said"}
    text = "Aides said taxes rise. Critics Said wages fall. Farmers hope for rain."
    gold = [relation(text, "Aides", "said", "taxes rise"),
            relation(text, "Critics", "Said", "wages fall"),
            relation(text, "Farmers", "hope", "for rain")]
    text_gold = article(text, *gold)
    guesses = [predicted(text, "Aides", "said", "taxes rise")]
    wordings = score([text_gold], [guesses], known_cues=known).cue_wordings
    assert wordings is not None
    assert (wordings.gold, wordings.found) == ({"known": 2, "new": 1}, {"known": 1, "new": 0})
    assert wordings.to_dict()["known"]["share_found"] == 0.5
    console = Console(record=True, width=200)
    console.print(format_errors(score([text_gold], [guesses], known_cues=known), 1))
    assert "worded as some cue in train: 2, 50.0 % overlapped by a claim's cue; worded as " \
        "none: 1, 0.0 %." in " ".join(console.export_text().split())
    assert score([text_gold], [guesses]).cue_wordings is None


def test_scores_are_broken_down_by_annotator() -> None:
    text = "Aides said taxes rise. Critics claimed wages fall."
    said = relation(text, "Aides", "said", "taxes rise")
    claimed = relation(text, "Critics", "claimed", "wages fall")
    golds = [GoldArticle("a", "ann1", text, [said, claimed]),
             GoldArticle("b", "ann2", text, [said]),
             GoldArticle("c", "ann2", text, [claimed])]
    guesses = [predicted(text, "Aides", "said", "taxes rise")]
    scores = score(golds, [guesses] * 3)
    first, second = scores.annotators["ann1"], scores.annotators["ann2"]
    assert (first.documents, first.words, second.documents, second.words) == (1, 8, 2, 16)
    assert first.gold_per_1000_words == 250.0
    assert (first.linked.correct, first.linked.gold, first.linked.predicted) == (1, 2, 1)
    assert (second.linked.correct, second.linked.gold, second.linked.predicted) == (1, 2, 2)
    assert first.roles["cue"].f1 == pytest.approx(2 / 3)
    assert second.roles["cue"].recall == 1 / 2
    assert scores.to_dict()["annotators"]["ann2"]["linked"]["correct"] == 1
    console = Console(record=True, width=200)
    console.print(format_annotators(scores))
    assert "250.0" in console.export_text()


def test_contents_and_sources_are_counted_among_claims_with_an_exact_cue() -> None:
    text = "Aides said taxes rise. Critics claimed wages fall. Rivals denied the cuts."
    gold = [relation(text, "Aides", "said", "taxes rise"),
            relation(text, "Critics", "claimed", "wages fall"),
            relation(text, "Rivals", "denied", "the cuts")]
    guesses = [
        predicted(text, "Aides", "said", "taxes rise"),            # all three exact
        predicted(text, None, "claimed", "wages fall"),            # content only
        predicted(text, "Rivals", "Rivals denied", "the cuts"),    # cue not exact: not counted
    ]
    exact = score([article(text, *gold)], [guesses]).exact_cue
    assert (exact.claims, exact.content, exact.source) == (2, 2, 1)
    assert exact.share("source") == 0.5
    console = Console(record=True, width=200)
    console.print(*format_table(score([article(text, *gold)], [guesses])))
    assert "Of the 2 claims whose cue is exactly a gold cue, 100.0 % have its content and " \
        "50.0 % its source exactly." in " ".join(console.export_text().split())


def test_score_needs_one_prediction_list_per_article() -> None:
    with pytest.raises(ValueError):
        score([article("x said y.")], [])


def test_predicted_from_analysis() -> None:
    text = '"No," said the aide, "never."'
    claim = Claim(
        id="c1",
        speaker=Speaker(*at(text, "the aide"), "the aide"),
        cue=Cue(*at(text, "said"), "said", "say"),
        content=Content(0, len(text), text, (at(text, '"No,"'), at(text, '"never."'))),
        kind="direct",
        stance="asserts",
        sentence=0,
        confidence=0.8,
    )
    (guess,) = predicted_from_analysis(Analysis(Document(text), claims=[claim]))
    assert guess == Predicted(
        [at(text, "the aide")], [at(text, "said")], [at(text, '"No,"'), at(text, '"never."')], 0.8
    )


@pytest.mark.parametrize(("text", "claims", "kept"), [
    pytest.param("“It will hold,” said the aide, citing the survey. "
                 "“It always has, the survey says.”",
                 [("said", "It will hold", "It always has, the survey says."),
                  ("citing", "the survey"), ("says", "It always has")],
                 ["said", "citing"], id="beside-the-cue-between-the-pieces"),
    pytest.param("The aide said the dam, engineers warned, would hold.",
                 [("said", "the dam", "would hold"), ("warned", "the dam")],
                 ["said"], id="between-pieces-away-from-the-cue"),
])
def test_a_claim_inside_another_s_content_is_left_out(
    text: str, claims: list[tuple[str, ...]], kept: list[str]
) -> None:
    def claim(cue: str, *pieces: str) -> Claim:
        segments = tuple(at(text, piece) for piece in pieces)
        return Claim(id=cue, speaker=None, cue=Cue(*at(text, cue), cue, cue),
                     content=Content(segments[0][0], segments[-1][1], pieces[0], segments),
                     kind="direct", stance="asserts", sentence=0, confidence=0.5)

    analysis = Analysis(Document(text), claims=[claim(*c) for c in claims])
    assert [c.cue.text for c in scored_claims(analysis)] == kept


# --- brat reading ---------------------------------------------------------------------------

TEXT = '"The dam,\nby all accounts," Ms. Lee said, "will hold." It is believed otherwise.\n'
ANN = "\n".join(
    [
        "T1\tSource 28 35\tMs. Lee",
        "T2\tCue 36 40\tsaid",
        'T3\tContent 0 27;42 54\t"The dam,',  # discontinuous; its text goes on below
        'by all accounts," "will hold."',
        "T4\tAttribution 36 40\tsaid",
        "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1",
        "T5\tCue 58 69\tis believed",
        "T6\tContent2 70 79\totherwise",
        "T7\tAttribution-no-source 58 69\tis believed",
        "E2\tAttribution-no-source:T7 Cue:T5 Content2:T6",
        "T8\tAttribution-no-source 55 57\tIt",
        "E3\tAttribution-no-source:T8",
        "T9\tDiscuss 1 4\tThe",
        "#1\tAnnotatorNotes T9\ta note",
        "",
    ]
)


def test_covered_texts_of_the_handmade_file_match_the_text() -> None:
    bounds, _ = parse_ann(ANN)
    for bound in bounds.values():
        assert bound.text == " ".join(TEXT[s:e] for s, e in bound.spans)


def test_continuation_lines_join_the_previous_record() -> None:
    assert len(records(ANN)) == 13
    bounds, events = parse_ann(ANN)
    assert bounds["T3"].spans == [(0, 27), (42, 54)]
    assert bounds["T3"].text == '"The dam,\nby all accounts," "will hold."'
    assert [e.id for e in events] == ["E1", "E2", "E3"]
    assert events[0].arguments[-1] == ("Source", "T1")


def test_relations_skip_events_without_cue_or_content() -> None:
    assert relations_from_ann(ANN) == [
        GoldRelation("E1", [(28, 35)], [(36, 40)], [(0, 27), (42, 54)]),
        GoldRelation("E2", None, [(58, 69)], [(70, 79)]),
    ]


def test_a_malformed_record_is_a_data_error() -> None:
    with pytest.raises(DataError, match="bad.ann"):
        parse_ann("T1\tCue eight twelve\tsaid\n", name="bad.ann")


def test_load_split_reads_the_first_annotator(tmp_path: Path) -> None:
    (tmp_path / "dev" / "text").mkdir(parents=True)
    (tmp_path / "dev" / "attributions").mkdir()
    (tmp_path / "dev" / "text" / "pub_2016-01-01_dam.txt").write_text(TEXT, encoding="utf-8")
    ann_dir = tmp_path / "dev" / "attributions"
    (ann_dir / "pub_2016-01-01_dam_b000.ann").write_text("", encoding="utf-8")
    (ann_dir / "pub_2016-01-01_dam_a000.ann").write_text(ANN, encoding="utf-8")
    (loaded,) = load_split(tmp_path, "dev")
    assert (loaded.name, loaded.annotator, loaded.text) == ("pub_2016-01-01_dam", "a000", TEXT)
    assert len(loaded.relations) == 2
    assert [loaded.text[s:e] for s, e in loaded.relations[0].content] == [
        '"The dam,\nby all accounts,"',
        '"will hold."',
    ]


def test_the_command_prints_the_scores_by_annotator(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "dev" / "text").mkdir(parents=True)
    (tmp_path / "dev" / "attributions").mkdir()
    for name, annotator in (("pub_2016-01-01_dam", "a000"), ("pub_2016-01-02_dam", "b000")):
        (tmp_path / "dev" / "text" / f"{name}.txt").write_text(TEXT, encoding="utf-8")
        (tmp_path / "dev" / "attributions" / f"{name}_{annotator}.ann").write_text(
            ANN, encoding="utf-8")
    status = main(["eval", "polnear", "--data", str(tmp_path), "--by-annotator",
                   "--encoder", "none"])
    out = capsys.readouterr().out
    assert status == 0
    table = out[out.index("By annotator"):]
    assert "a000" in table and "b000" in table
    assert "Tagged without an encoder." in out


# Bars a little under the measured dev scores (README, "How it finds attributions, and how
# well"): source, cue, content, linked, by encoder (none: the spaCy tagger alone).
# "int8": the fast encoder as CPUs without bfloat16 run it (allege.precision).
BARS = {"none": (0.78, 0.74, 0.63, 0.69), "fast": (0.81, 0.75, 0.68, 0.735),
        "full": (0.80, 0.74, 0.64, 0.71), "int8": (0.81, 0.75, 0.68, 0.735)}


@pytest.mark.skipif(not (POLNEAR / "dev").exists(), reason="PolNeAR dev not present")
@pytest.mark.parametrize("encoder", ["none", "fast", "full", "int8"])
def test_dev_scores_and_a_confidence_that_means_something(
    encoder: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if encoder == "int8":
        int8 = EncoderTagger(FAST_ENCODER_DIR, precision="int8")
        monkeypatch.setattr(allege.analysis, "encoder_named", lambda name: int8)
    scores = evaluate(POLNEAR, "dev", progress=False,
                      encoder="fast" if encoder == "int8" else encoder)
    assert scores.documents == 84
    source, cue, content, linked = BARS[encoder]
    assert scores.roles["source"].f1 >= source and scores.roles["cue"].f1 >= cue
    assert scores.roles["content"].f1 >= content and scores.linked.f1 >= linked
    unmatched = sum(len(scores.errors[name]) for name in ("missed", "content", "source"))
    assert unmatched == scores.linked.gold - scores.linked.correct
    wordings = scores.cue_wordings
    assert wordings is not None and sum(wordings.gold.values()) == scores.linked.gold
    assert sum(wordings.gold.values()) - sum(wordings.found.values()) == len(
        scores.errors["missed"])
    assert wordings.share_found("known") > wordings.share_found("new")
    high = scores.high_confidence
    assert high.count >= 100 and high.share_correct >= 0.90
    shares = [b.share_correct for b in scores.calibration if b.count >= 50]
    assert shares == sorted(shares)  # more confident, more often right
