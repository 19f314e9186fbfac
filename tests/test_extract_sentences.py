"""Attribution extraction, specified by tables of short cases.

Every sentence here is written for these tests; the people, places and outlets are invented.
A case names the claim it expects by its cue and states the speaker, the content, the kind
and the stance that claim must have.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

import pytest

from allege import analyze
from allege.analysis import analyze_documents
from allege.extract.confidence import features
from allege.model import Analysis, Claim, Document
from conftest import check_claim_offsets, entity_of, name_of


class Case(NamedTuple):
    text: str
    speaker: str | None  # the speaker's words in the text; None: no speaker
    entity: str | None  # the speaker entity's name; None: no entity (an unnamed source)
    cue: str  # words the cue text must contain
    content: str  # a substring the content must contain
    kind: str
    stance: str


def find_claim(analysis: Analysis, cue: str, content: str = "") -> Claim:
    """The one claim whose cue has the words ``cue`` and whose content has ``content``.

    A cue may carry its auxiliaries ("has insisted") or span a phrase ("refusal of X to
    confirm"); the words asked for must be in it.
    """
    words = re.compile(rf"\b{re.escape(cue)}\b")
    hits = [c for c in analysis.claims if words.search(c.cue.text) and content in c.content.text]
    found = [(c.cue.text, c.content.text) for c in analysis.claims]
    assert len(hits) == 1, f"expected one claim cued by {cue!r} with {content!r}; found {found}"
    return hits[0]


def content_segments(text: str, cue: str) -> list[str]:
    """The words of each content segment of the one claim of ``text`` cued by ``cue``."""
    claim = find_claim(analyze(text), cue)
    return [text[start:end] for start, end in claim.content.segments]


def check(analysis: Analysis, case: Case) -> Claim:
    claim = find_claim(analysis, case.cue, case.content)
    if case.speaker is None:
        assert claim.speaker is None
    else:
        assert claim.speaker is not None and claim.speaker.text == case.speaker
        assert name_of(entity_of(analysis, claim)) == case.entity
    assert (claim.kind, claim.stance) == (case.kind, case.stance)
    return claim


BRENN = "Halvard Brenn"

DIRECT = [
    Case('Halvard Brenn said: "The bridge will reopen in May."',
         BRENN, BRENN, "said", "The bridge will reopen in May", "direct", "asserts"),
    Case("Halvard Brenn said: “The bridge will reopen in May.”",
         BRENN, BRENN, "said", "The bridge will reopen in May", "direct", "asserts"),
    Case('"The bridge will reopen in May," Halvard Brenn said.',
         BRENN, BRENN, "said", "The bridge will reopen in May", "direct", "asserts"),
    Case("“The bridge will reopen in May,” Halvard Brenn said.",
         BRENN, BRENN, "said", "The bridge will reopen in May", "direct", "asserts"),
    Case("“The bridge will reopen in May. The tolls will stay the same. Nobody will pay more,” "
         "said Halvard Brenn.",
         BRENN, BRENN, "said", "May. The tolls will stay the same. Nobody will pay more",
         "direct", "asserts"),
    Case("Halvard Brenn told the council: “The bridge will reopen in May. "
         "Nobody will pay more.”",
         BRENN, BRENN, "told", "May. Nobody will pay more", "direct", "asserts"),
    # the parser ends a sentence at "?”" or "!”", but the cue after it still owns the quote
    Case("The council met on Monday. “Will the bridge reopen in May?” Halvard Brenn asked.",
         BRENN, BRENN, "asked", "Will the bridge reopen in May?", "direct", "questions"),
    Case("“The bridge must reopen in May!” Halvard Brenn said.",
         BRENN, BRENN, "said", "The bridge must reopen in May!", "direct", "asserts"),
    Case("“The bridge will reopen in May, or in June...” Halvard Brenn said.",
         BRENN, BRENN, "said", "The bridge will reopen in May, or in June", "direct", "asserts"),
]

INDIRECT = [
    Case("Halvard Brenn said that the bridge would reopen in May.",
         BRENN, BRENN, "said", "the bridge would reopen in May", "indirect", "asserts"),
    Case("Halvard Brenn told reporters the bridge would reopen in May.",
         BRENN, BRENN, "told", "the bridge would reopen in May", "indirect", "asserts"),
    Case("Halvard Brenn told reporters in Kelmor that the bridge would reopen in May.",
         BRENN, BRENN, "told", "the bridge would reopen in May", "indirect", "asserts"),
    Case("Halvard Brenn insisted that the bridge would reopen in May.",
         BRENN, BRENN, "insisted", "the bridge would reopen in May", "indirect", "asserts"),
    Case("Halvard Brenn believes the bridge will reopen in May.",
         BRENN, BRENN, "believes", "the bridge will reopen in May", "indirect", "asserts"),
    Case("Halvard Brenn said the new bridge was “the safest in the region.”",
         BRENN, BRENN, "said", "the safest in the region", "mixed", "asserts"),
    Case("Halvard Brenn was quoted as saying that the bridge would reopen in May.",
         BRENN, BRENN, "saying", "the bridge would reopen in May", "indirect", "asserts"),
    # who issued the statement or the papers speaks through them
    Case("The Ostrel council issued a statement calling the closure of the bridge a mistake.",
         "The Ostrel council", "Ostrel council", "calling", "the closure of the bridge a mistake",
         "indirect", "asserts"),
    Case("Lawyers for Halvard Brenn filed papers opposing the release of the records.",
         "Lawyers for Halvard Brenn", None, "opposing", "the release of the records",
         "indirect", "asserts"),
    Case("According to Halvard Brenn, the bridge will reopen in May.",
         BRENN, BRENN, "According to", "the bridge will reopen in May", "according_to",
         "asserts"),
    Case("The refusal of the Ministry of Transport to confirm it has angered residents.",
         "the Ministry of Transport", "Ministry of Transport", "refusal", "it", "nominal",
         "refuses_to_confirm"),
]

UNNAMED = [
    Case("Officials said the roads were closed.",
         "Officials", None, "said", "the roads were closed", "indirect", "asserts"),
    Case("Officials at the ministry said the roads were closed.",
         "Officials at the ministry", None, "said", "the roads were closed", "indirect",
         "asserts"),
    Case("A state television reporter said the roads were closed.",
         "A state television reporter", None, "said", "the roads were closed", "indirect",
         "asserts"),
]

STANCES = [
    Case("The ministry said that the roads were closed.",
         "The ministry", None, "said", "the roads were closed", "indirect", "asserts"),
    Case("The ministry confirmed that the roads were closed.",
         "The ministry", None, "confirmed", "the roads were closed", "indirect", "confirms"),
    Case("The ministry denied that the roads were closed.",
         "The ministry", None, "denied", "the roads were closed", "indirect", "denies"),
    Case("The ministry refused to confirm that the roads were closed.",
         "The ministry", None, "refused to confirm", "the roads were closed", "indirect",
         "refuses_to_confirm"),
    Case("The ministry declined to comment on the closures.",
         "The ministry", None, "declined to comment", "the closures", "indirect",
         "declines_to_comment"),
    Case("The ministry declined to comment.",
         "The ministry", None, "declined to comment", "", "indirect", "declines_to_comment"),
    Case("Opposition lawmaker Ines Carrow questioned whether the roads were closed.",
         "Opposition lawmaker Ines Carrow", "Ines Carrow", "questioned",
         "whether the roads were closed", "indirect", "questions"),
    # a negation turns the stance
    Case("The ministry would not confirm that the roads were closed.",
         "The ministry", None, "would not confirm", "the roads were closed", "indirect",
         "refuses_to_confirm"),
    Case("The ministry did not deny that the roads were closed.",
         "The ministry", None, "did not deny", "the roads were closed", "indirect",
         "refuses_to_confirm"),
    Case("The ministry did not say whether the roads were closed.",
         "The ministry", None, "did not say", "whether the roads were closed", "indirect",
         "refuses_to_confirm"),
    Case("Halvard Brenn does not believe that the roads are closed.",
         BRENN, BRENN, "does not believe", "the roads are closed", "indirect", "denies"),
    Case("The ministry would not comment on the closures.",
         "The ministry", None, "would not comment", "the closures", "indirect",
         "declines_to_comment"),
    Case("The ministry did not respond to requests for comment.",
         "The ministry", None, "did not respond", "", "indirect", "declines_to_comment"),
]

# A reporting noun the parser attaches oddly: its infinitive hangs from the main verb.
GAPS = [
    pytest.param(
        Case("Residents criticized the refusal of the Ministry of Transport to confirm it.",
             "the Ministry of Transport", "Ministry of Transport", "refusal", "it", "nominal",
             "refuses_to_confirm"),
        id="nominal-refusal-as-object",
    ),
]

TABLE = DIRECT + INDIRECT + UNNAMED + STANCES


def case_id(case: object) -> str | None:
    return case.text[:60] if isinstance(case, Case) else None


@pytest.mark.parametrize("case", [*TABLE, *GAPS], ids=case_id)
def test_sentence(analysed: Callable[..., Analysis], case: Case) -> None:
    check(analysed(case.text), case)


# --- quotations ---------------------------------------------------------------------------

MULTI_PARAGRAPH = [
    "Halvard Brenn said: “The bridge will reopen in May.\n\n"
    "“The tolls will stay the same, and nobody will pay more.”",
    "Halvard Brenn said: “The bridge will reopen in May.\n\n"
    "“The tolls will stay the same.\n\n“Nobody will pay more.”",
    "“The bridge will reopen in May.\n\n"
    "“The tolls will stay the same, and nobody will pay more,” Halvard Brenn said.",
]


@pytest.mark.parametrize("text", MULTI_PARAGRAPH)
def test_quote_over_paragraphs_is_one_claim(analysed: Callable[..., Analysis], text: str) -> None:
    analysis = analysed(text)
    assert len(analysis.claims) == 1
    claim = analysis.claims[0]
    assert claim.kind == "direct"
    assert name_of(entity_of(analysis, claim)) == BRENN
    assert "The bridge will reopen in May" in claim.content.text
    assert "nobody will pay more" in claim.content.text.lower()


BROKEN = [
    pytest.param("“We will not pay,” Lena Ostrova said, "
                 "“because the tolls were never agreed.”",
                 "Lena Ostrova", "We will not pay", "because the tolls were never agreed",
                 id="ostrova-name-then-said"),
    pytest.param("“The bridge will reopen in May,” Halvard Brenn said, "
                 "“and the tolls will stay the same.”",
                 BRENN, "The bridge will reopen in May", "and the tolls will stay the same",
                 id="brenn-name-then-said"),
    pytest.param("“The bridge will reopen in May,” said Halvard Brenn, "
                 "“and the tolls will stay the same.”",
                 BRENN, "The bridge will reopen in May", "and the tolls will stay the same",
                 id="brenn-said-then-name"),
]


@pytest.mark.parametrize(("text", "speaker", "first", "second"), BROKEN)
def test_quote_broken_by_its_cue_is_one_claim_in_two_segments(
    analysed: Callable[..., Analysis], text: str, speaker: str, first: str, second: str
) -> None:
    analysis = analysed(text)
    assert len(analysis.claims) == 1
    claim = analysis.claims[0]
    assert (claim.kind, claim.cue.text) == ("direct", "said")
    assert name_of(entity_of(analysis, claim)) == speaker
    pieces = [text[start:end] for start, end in claim.content.segments]
    assert len(pieces) == 2, pieces
    assert first in pieces[0] and second in pieces[1]
    assert speaker not in "".join(pieces)


def test_unclosed_quote_ends_at_its_paragraph(analysed: Callable[..., Analysis]) -> None:
    text = ("Halvard Brenn said: “The bridge will reopen in May. "
            "The tolls will stay the same.\n\nLena Ostrova said the tolls would rise.")
    analysis = analysed(text)
    brenn = find_claim(analysis, "said", "The tolls will stay the same")
    assert brenn.kind == "direct" and "Lena Ostrova" not in brenn.content.text
    ostrova = find_claim(analysis, "said", "the tolls would rise")
    assert name_of(entity_of(analysis, ostrova)) == "Lena Ostrova"


# --- speakers and entities ----------------------------------------------------------------

PRONOUNS = [
    ("Halvard Brenn arrived in Kelmor on Monday. He said the bridge would reopen in May.",
     "He", BRENN),
    ("Lena Ostrova spoke to students in Kelmor on Friday. "
     "She said: “The bridge will reopen in May.”", "She", "Lena Ostrova"),
]


@pytest.mark.parametrize(("text", "pronoun", "name"), PRONOUNS)
def test_pronoun_speaker_points_to_the_named_entity(
    analysed: Callable[..., Analysis], text: str, pronoun: str, name: str
) -> None:
    analysis = analysed(text)
    claim = find_claim(analysis, "said", "reopen in May")
    assert claim.speaker is not None and claim.speaker.text == pronoun
    entity = entity_of(analysis, claim)
    assert entity is not None and entity.name == name


def test_surname_merges_with_full_name(analysed: Callable[..., Analysis]) -> None:
    analysis = analysed("Amira Haddad said the talks would resume. "
                        "Haddad added that no date had been set.")
    people = [e for e in analysis.entities if "Haddad" in e.name]
    assert len(people) == 1
    assert people[0].name == "Amira Haddad" and "Haddad" in people[0].aliases
    said = find_claim(analysis, "said")
    added = find_claim(analysis, "added")
    assert said.speaker and added.speaker
    assert said.speaker.entity == added.speaker.entity == people[0].id


RELATIONS = [
    ("President Anna Dovrell opened the summit on Monday. "
     "Dovrell's spokesperson, Petra Valcourt, said the talks had failed.",
     "Petra Valcourt", "spokesperson_of", "Anna Dovrell"),
    ("Valmark governor Tomas Ekberg said the roads were closed.",
     "Tomas Ekberg", "leader_of", "Valmark"),
]


@pytest.mark.parametrize(("text", "subject", "predicate", "obj"), RELATIONS)
def test_title_gives_relation_and_speaker(
    analysed: Callable[..., Analysis], text: str, subject: str, predicate: str, obj: str
) -> None:
    analysis = analysed(text)
    names = {e.id: e.name for e in analysis.entities}
    triples = [(names[r.subject], r.predicate, names[r.object]) for r in analysis.relations]
    assert (subject, predicate, obj) in triples
    relation = next(r for r in analysis.relations if names[r.subject] == subject)
    assert relation.evidence.text == text[relation.evidence.start:relation.evidence.end]
    assert name_of(entity_of(analysis, find_claim(analysis, "said"))) == subject


# --- responses, chains, disputes ----------------------------------------------------------

RUIZ = ("General Marco Ruiz said his soldiers had crossed the river. "
        "The defence ministry refused to confirm Ruiz's claims.")


def test_refusal_is_about_the_claim_it_names(analysed: Callable[..., Analysis]) -> None:
    analysis = analysed(RUIZ)
    said = find_claim(analysis, "said", "crossed the river")
    refusal = find_claim(analysis, "refused to confirm")
    assert name_of(entity_of(analysis, said)) == "Marco Ruiz"
    assert refusal.stance == "refuses_to_confirm"
    assert refusal.about == said.id
    assert any(d.kind == "refuses_to_confirm" and {said.id, refusal.id} <= set(d.claims)
               for d in analysis.disputes)


CHAIN = ("Baltic Morning Post reports that, in an interview broadcast on Channel Nine, "
         "Marco Ruiz told the camera that his soldiers had crossed the river.")
OUTLET = "Evening Ledger"


def via_names(analysis: Analysis, claim: Claim) -> list[str]:
    entities = {e.id: e.name for e in analysis.entities}
    return [entities[v] for v in claim.via]


def test_chain_runs_innermost_first(analysed: Callable[..., Analysis]) -> None:
    analysis = analysed(CHAIN)
    told = find_claim(analysis, "told", "crossed the river")
    assert name_of(entity_of(analysis, told)) == "Marco Ruiz"
    via = via_names(analysis, told)
    assert "Channel Nine" in via and "Baltic Morning Post" in via
    assert via.index("Channel Nine") < via.index("Baltic Morning Post")


def test_chain_ends_with_the_publishing_outlet(analysed: Callable[..., Analysis]) -> None:
    analysis = analysed(CHAIN, outlet=OUTLET)
    told = find_claim(analysis, "told", "crossed the river")
    assert via_names(analysis, told) == ["Channel Nine", "Baltic Morning Post", OUTLET]
    for claim in analysis.claims:
        assert via_names(analysis, claim)[-1:] == [OUTLET], claim


def test_chain_through_an_outlet_with_an_article(analysed: Callable[..., Analysis]) -> None:
    text = CHAIN.replace("Baltic Morning Post", "The Daily Courier")
    analysis = analysed(text)
    told = find_claim(analysis, "told", "crossed the river")
    assert via_names(analysis, told) == ["Channel Nine", "Daily Courier"]


CONTRADICTIONS = [
    "Marco Ruiz said troops are at the border. Lena Ostrova said there are no troops at the "
    "border.",
    "Marco Ruiz said troops are at the border.\n\nLena Ostrova said there are no troops at the "
    "border.",
]


@pytest.mark.parametrize("text", CONTRADICTIONS)
def test_contradiction_is_a_dispute(analysed: Callable[..., Analysis], text: str) -> None:
    analysis = analysed(text)
    ruiz = find_claim(analysis, "said", "troops are at the border")
    ostrova = find_claim(analysis, "said", "no troops")
    assert any(d.kind == "contradicts" and {ruiz.id, ostrova.id} <= set(d.claims)
               for d in analysis.disputes)


def test_agreeing_claims_are_no_dispute(analysed: Callable[..., Analysis]) -> None:
    analysis = analysed("Marco Ruiz said troops are at the border. "
                        "Lena Ostrova said troops are at the border.")
    assert len(analysis.claims) == 2
    assert analysis.disputes == []


# --- offsets ------------------------------------------------------------------------------

ALL_TEXTS = sorted({
    *(case.text for case in TABLE), *MULTI_PARAGRAPH, *(p.values[0] for p in BROKEN),
    *(text for text, *_ in PRONOUNS), *(text for text, *_ in RELATIONS), RUIZ, CHAIN,
    *CONTRADICTIONS,
})


@pytest.mark.parametrize("text", ALL_TEXTS, ids=lambda text: text[:60])
def test_spans_are_the_text_at_their_offsets(analysed: Callable[..., Analysis], text: str) -> None:
    analysis = analysed(text)
    assert analysis.claims
    check_claim_offsets(analysis)
    for entity in analysis.entities:
        for mention in entity.mentions:
            assert text[mention.start:mention.end] == mention.text
    for relation in analysis.relations:
        assert text[relation.evidence.start:relation.evidence.end] == relation.evidence.text


def test_a_long_quote_from_a_named_person_is_more_credible_than_a_bare_guess():
    quote = analyze('"The bridge will reopen in May, once the inspectors have signed off '
                    'on every repair," Transport Minister Karen Holt said on Friday.')
    [claim] = quote.claims
    assert claim.confidence >= 0.8
    features_seen = features(claim, quote.document.text, {e.id: e.type for e in quote.entities})
    assert features_seen["quoted"] == 1.0 and features_seen["speaker=PERSON"] == 1.0
    vague = analyze("Some think the bridge may reopen.")
    assert all(c.confidence < claim.confidence for c in vague.claims)


SIGNED = ("Readers wrote to us after the debate.\n"
          "“The bridge must be rebuilt before winter.” ― Halvard Brenn\n"
          "“He calls the tolls “theft” and worse.”\xa0— Mira Okafor.\n"
          "“The ferry will run all winter.”― Ola Dahl\n"
          "“Nothing ever changes here” – the old refrain.")


def test_a_quotation_signed_with_a_dash_is_its_signer_s():
    analysis = analyze(SIGNED)
    found = {(c.speaker.text if c.speaker else None, c.cue.text, c.content.text, c.kind)
             for c in analysis.claims if c.rule.startswith("signed")}
    assert found == {
        ("Halvard Brenn", "―", "The bridge must be rebuilt before winter.", "direct"),
        ("Mira Okafor", "—", "He calls the tolls “theft” and worse.", "direct"),
        ("Ola Dahl", "―", "The ferry will run all winter.", "direct"),  # the dash alone
    }  # "the old refrain" is no name
    check_claim_offsets(analysis)


TRANSCRIPT = ("Partial transcript of the interview:\n\n"
              "“MARLOW: Will the bridge reopen in May?\n\n"
              "“BRENN: It will, and the tolls will stay the same.\n\n"
              "UPDATE: The interview was recorded on Monday.")


def test_transcript_turns_are_their_speakers_and_a_dateline_is_not_a_turn():
    analysis = analyze(TRANSCRIPT)
    turns = [(c.speaker.text if c.speaker else None, c.cue.text, c.content.text)
             for c in analysis.claims if c.rule.startswith("labelled")]
    assert turns == [("MARLOW", ":", "Will the bridge reopen in May?"),
                     ("BRENN", ":", "It will, and the tolls will stay the same.")]
    dateline = analyze("KESSA: Officials of the border town met on Monday to discuss repairs.")
    assert not any(c.rule.startswith("labelled") for c in dateline.claims)
    check_claim_offsets(analysis)


@pytest.mark.parametrize(("second", "content"), [
    ("added that he would resign", "that he would resign"),
    ("warned that it could collapse", "that it could collapse"),
    pytest.param("called for it to be closed", "it to be closed", marks=pytest.mark.xfail(
        strict=True, reason="tagger v0.4.0 takes 'and called for …' into what was said; "
        "keeping the rule's cut there lowered dev linked F1 by 0.2, so it is not done")),
])
def test_a_second_cue_the_parser_joined_to_the_reported_clause_is_the_speaker_s(second, content):
    analysis = analyze(f"Halvard Brenn said the bridge was unsafe and {second}.")
    said, other = find_claim(analysis, "said"), find_claim(analysis, second.split()[0])
    assert said.content.text == "the bridge was unsafe"
    assert other.speaker is not None and other.speaker.text == BRENN
    assert other.content.text == content


def test_who_criticizes_someone_for_saying_something_keeps_the_claim():
    text = "Halvard Brenn criticized Lena Ostrova for saying the bridge was safe."
    rules_alone = next(analyze_documents([Document(text=text)], tagger=False))
    claim = find_claim(rules_alone, "criticized")
    assert claim.speaker is not None and claim.speaker.text == BRENN
    assert "for saying the bridge was safe" in claim.content.text


@pytest.mark.parametrize("text", [
    "Halvard Brenn answered the council by saying the bridge would reopen in May.",
    "Halvard Brenn left the hall after saying the tolls would stay the same.",
    "Halvard Brenn angered the council by calling the plan a waste of money.",
])
def test_who_does_something_by_saying_it_is_the_speaker(text):
    rules_alone = next(analyze_documents([Document(text=text)], tagger=False))
    assert [claim.speaker and claim.speaker.text for claim in rules_alone.claims] == [BRENN]


@pytest.mark.parametrize(("text", "cue"), [
    ("“He has never listened to us,” Halvard Brenn said of the mayor.", "said"),
    ("Halvard Brenn called for new elections.", "called for"),
    ("The plan was criticized by Halvard Brenn as reckless.", "was criticized"),
    ("Halvard Brenn smiled when told that the bridge was safe.", "told"),
])
def test_the_cue_s_words_around_its_verb_are_the_ones_polnear_marks(text, cue):
    """PolNeAR train marks "called for" as the cue 75 times out of 77, "said of" 16 out
    of 52, a passive's agent ("criticized by") 30 out of 103 and "when" before the verb
    never: the rules take a word with the verb only where PolNeAR mostly does."""
    rules_alone = next(analyze_documents([Document(text=text)], tagger=False))
    assert [claim.cue.text for claim in rules_alone.claims] == [cue]


def test_a_question_in_the_paragraph_before_is_not_the_next_speaker_s():
    analysis = analyze("“Will the bridge reopen in May?”\n\n"
                       "Halvard Brenn said the tolls would stay the same.")
    claim = find_claim(analysis, "said")
    assert claim.content.text == "the tolls would stay the same"
    assert len(analysis.claims) == 1


def test_a_quotation_alone_in_the_next_paragraph_goes_on():
    text = ("“The bridge will reopen in May,” Halvard Brenn said.\n\n"
            "“Nobody expected the repairs to take this long.”\n\nThe council did not comment.")
    assert content_segments(text, "said") == [
        "The bridge will reopen in May", "Nobody expected the repairs to take this long."]


@pytest.mark.parametrize("rest", [
    "“Nobody expected the repairs to take this long,” he added.",  # a claim of its own
    "“Nobody expected the repairs to take this long.” The council did not comment.",
])
def test_a_quotation_in_the_next_paragraph_with_more_is_not_the_rest_of_the_last(rest):
    text = "“The bridge will reopen in May,” Halvard Brenn said.\n\n" + rest
    assert content_segments(text, "said") == ["The bridge will reopen in May"]


@pytest.mark.parametrize(("text", "segments"), [
    pytest.param("“The bridge will reopen in May,” said Halvard Brenn, speaking of the repairs. "
                 "“Nobody expected them to take this long.”",
                 ["The bridge will reopen in May", "Nobody expected them to take this long."],
                 id="quotation-goes-on-after-the-sentence-that-breaks-it"),
    pytest.param("“The bridge will reopen in May,” said Halvard Brenn, referring to the repairs. "
                 "“Nobody expected them to take this long.”",
                 ["The bridge will reopen in May", "Nobody expected them to take this long."],
                 id="quotation-goes-on-past-a-claim-between-its-pieces"),
    pytest.param("“The bridge will reopen in May,” said Halvard Brenn, speaking of the repairs. "
                 "“Nobody believes that,” Lena Ostrova replied.",
                 ["The bridge will reopen in May"],
                 id="quotation-with-its-own-cue-is-not-the-rest-of-the-last"),
    pytest.param("Though the first handover went smoothly, he said, replacing the mayor would be "
                 "much harder.",
                 ["Though the first handover went smoothly",
                  "replacing the mayor would be much harder"],
                 id="inserted-cue-takes-the-words-on-both-sides"),
])
def test_the_content_segments_of_a_said_claim(text: str, segments: list[str]) -> None:
    assert content_segments(text, "said") == segments


@pytest.mark.parametrize(("text", "cue"), [
    ("Asked about the tolls, Halvard Brenn said they would stay the same.", "Asked about"),
    ("Asked what the repairs would cost, Halvard Brenn said he did not know.", "Asked"),
    ("The bridge is safe, Halvard Brenn said on Monday, asked about the repairs.", "asked about"),
    ("When asked whether the bridge was safe, the mayor declined to comment.", "asked"),
    ("Halvard Brenn was asked whether the bridge was safe.", "asked"),
    ("Brenn was asked if the tolls would rise, and he said no.", "asked"),
    ("The council appeared paralyzed by the dispute over the tolls.", "appeared"),
    ("In this case, it appears that Brenn had helped bring on the delays.", "appears"),
    ("Halvard Brenn, known as “the bridge man,” will speak on Monday.", "known as"),
])
def test_a_cue_that_names_no_one_has_no_source(text, cue):
    """The one asked is not who asks, what "appears" is the writer's, a name is no one's:
    PolNeAR train marks no source for these in 262 of 271 cases."""
    assert find_claim(analyze(text), cue).speaker is None


@pytest.mark.parametrize(("text", "cue", "segments"), [
    ("Halvard Brenn seemed equally unperturbed by the protests.", "seemed",
     ["Halvard Brenn", "equally unperturbed by the protests"]),
    ("It seems the council has made up its mind about the tolls.", "seems",
     ["the council has made up its mind about the tolls"]),
])
def test_what_seems_is_the_subject_and_the_rest(text, cue, segments):
    assert content_segments(text, cue) == segments


@pytest.mark.parametrize(("text", "cue", "segments"), [
    ("They dropped the fee, which the mayor called a tax on the poor.", "called",
     ["which", "a tax on the poor"]),
    ("Halvard Brenn, whom the council praised as a careful engineer, will lead the repairs.",
     "praised", ["whom", "as a careful engineer"]),
    ("Halvard Brenn, who the council describes as a careful engineer, will lead the repairs.",
     "describes", ["who", "as a careful engineer"]),
    # "in which": the relative word is the place, not what was said
    ("The port opened a hall in which the mayor said the ferries would be repaired.", "said",
     ["the ferries would be repaired"]),
])
def test_a_relative_word_before_the_source_opens_the_content(text, cue, segments):
    assert content_segments(text, cue) == segments


@pytest.mark.parametrize(("text", "cue"), [
    ("Halvard Brenn asked the council to reopen the bridge.", "asked"),
    ("Halvard Brenn was worried that the bridge would not reopen.", "worried"),
    ("Halvard Brenn seemed to blame the council for the delays.", "blame"),
    ("Halvard Brenn wrote a column titled “Why the Bridge Must Close” last week.", "titled"),
])
def test_a_cue_whose_subject_asks_or_feels_has_that_source(text, cue):
    claim = find_claim(analyze(text), cue)
    assert claim.speaker is not None and claim.speaker.text == "Halvard Brenn"


@pytest.mark.parametrize("text", [
    "Let's say the repairs cost $160,000 in the end.",
    "Let us say the bridge reopens in May.",
    "There are other tools. Say the council voted against the tolls next spring.",
    "Say what you will about the plan, it worked.",
])
def test_a_say_that_means_suppose_reports_nothing(text):
    assert not [c for c in analyze(text).claims if c.cue.lemma == "say"]


@pytest.mark.parametrize("text", [
    "However, the coastal road will stay shut until spring, officials said.",
    "But the coastal road will stay shut until spring, the ministry said on Monday.",
])
def test_a_connective_before_reported_speech_is_not_what_was_said(text):
    claim = find_claim(analyze(text), "said")
    assert claim.content.text == "the coastal road will stay shut until spring"


def test_a_quotation_keeps_the_word_it_opens_with():
    claim = find_claim(analyze("“And we will not reopen it,” the mayor said."), "said")
    assert claim.content.text.rstrip(",") == "And we will not reopen it"
