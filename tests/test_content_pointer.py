"""The content pointer: its numpy inference against the torch module it was trained as,
the shipped one, and how claims take its extents."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from spacy.language import Language
from spacy.tokens import Doc

from allege.content_pointer import (
    REACH,
    REACH_AFTER,
    REACH_BEFORE,
    STATES_KEY,
    Layout,
    Pointer,
    PointerStates,
    away,
    bucket,
    buckets,
    layout,
    point_contents,
    point_sources,
    pointer_module,
)
from allege.encoder_tagger import _members, encoder_named, tag_with_encoder
from allege.extract.quotes import find_quotes
from allege.extract.spans import Found
from allege.tagger import tag_docs

# Written for these tests.
SENTENCE = "The minister said that the bridge will reopen in May."
INSERTED = "“The bridge will reopen,” the minister said, “in May, or June at the latest.”"


def test_buckets_grow_with_distance_either_way() -> None:
    assert [bucket(d) for d in (-100, -3, -1, 0, 1, 3, 100)] == [2, 6, 7, 8, 9, 10, 14]
    assert min(bucket(d) for d in range(-10**4, 10**4)) >= 0
    assert max(bucket(d) for d in range(-10**4, 10**4)) < 17
    distances = np.arange(-5000, 5000)
    assert buckets(distances).tolist() == [bucket(int(d)) for d in distances]


def test_the_layout_numbers_sentences_and_paragraphs_and_marks_sentence_edges(
        nlp: Language) -> None:
    text = "The mayor spoke. She said the bridge is safe.\n\nEngineers disagreed."
    doc = nlp(text)
    where = layout(doc)
    words = [t.text for t in doc]
    assert where.sentence[words.index("mayor")] == 0
    assert where.sentence[words.index("bridge")] == 1
    assert where.sentence[words.index("Engineers")] == where.sentence[-1] >= 2
    assert where.paragraph[words.index("safe")] == 0 and where.paragraph[-1] == 1
    firsts = [words[i] for i in np.flatnonzero(where.edges[:, 0])]
    lasts = [words[i] for i in np.flatnonzero(where.edges[:, 1])]
    assert firsts == ["The", "She", "Engineers"] and lasts == [".", ".", "."]
    assert where.space.tolist() == [t.is_space for t in doc]
    # without sentences, the doc is one
    assert layout(nlp.make_doc(text)).sentence.tolist() == [0] * len(doc)
    assert away(np.array([0, 4, 5, 6, 12]), 5).tolist() == [0, 2, 3, 4, 6]


def _flat(length: int) -> Layout:
    """The layout of ``length`` words in one sentence."""
    return Layout(np.zeros(length, bool), np.zeros(length, int), np.zeros(length, int),
                  np.zeros((length, 2), np.float32))


def _weights(seed: int, width: int = 16, context: bool = True
             ) -> tuple[torch.nn.Module, dict[str, np.ndarray]]:
    torch.manual_seed(seed)
    module = pointer_module(width, context).eval()
    if context:  # trained, its context layers add something; new, they add nothing
        with torch.no_grad():
            module.out.weight.normal_(0.0, 1.0)
    return module, {name: value.detach().numpy() for name, value in module.state_dict().items()}


def _pointer(width: int = 16, context: bool = True) -> tuple[torch.nn.Module, Pointer]:
    module, weights = _weights(0, width, context)
    return module, Pointer(weights, margin=1.0)


def _example() -> tuple[np.ndarray, Layout]:
    """40 tokens' random states (16 wide) in five sentences and two paragraphs, two of
    them white space."""
    rng = np.random.default_rng(0)
    states = rng.normal(size=(40, 16)).astype(np.float32)
    space = np.zeros(40, dtype=bool)
    space[[5, 30]] = True
    return states, Layout(space, np.repeat([0, 1, 2, 3, 4], 8), np.repeat([0, 1], 20),
                          rng.integers(0, 2, size=(40, 2)).astype(np.float32))


def _module_logp(module: torch.nn.Module, states: np.ndarray, where: Layout) -> np.ndarray:
    """``(40, 2)``: the torch module's start and end log probabilities for the cue on
    tokens 12–13 of :func:`_example`."""
    with torch.no_grad():
        cue_state = torch.from_numpy(states[12:14].mean(0))[None]
        logits = module(torch.from_numpy(states)[None], cue_state,
                        torch.tensor([[bucket(t - 12) for t in range(40)]]),
                        torch.tensor([[bucket(t - 13) for t in range(40)]]),
                        torch.tensor([[1.0 if 12 <= t < 14 else 0.0 for t in range(40)]]),
                        torch.from_numpy(away(where.sentence, 1))[None],
                        torch.from_numpy(away(where.paragraph, 0))[None],
                        torch.from_numpy(where.edges)[None])[0]
    logits[torch.from_numpy(where.space)] = -1e4
    return torch.log_softmax(logits, 0).numpy()


@pytest.mark.parametrize("context", [True, False], ids=["with context", "without"])
def test_numpy_inference_finds_the_torch_modules_best_extent(context: bool) -> None:
    module, pointer = _pointer(context=context)
    states, where = _example()
    cue = (12, 14)
    logp = _module_logp(module, states, where)
    pairs = [(s, e) for s in range(40) for e in range(s, 40)]
    best = max(pairs, key=lambda p: logp[p[0], 0] + logp[p[1], 1])
    projected = states @ pointer.project_weight()
    assert pointer.extent(projected, states, where, cue, None) == best
    # a current extent within the margin of the best stays
    runner_up = max((p for p in pairs if p != best), key=lambda p: logp[p[0], 0] + logp[p[1], 1])
    gap = (logp[best[0], 0] + logp[best[1], 1]) - (logp[runner_up[0], 0] + logp[runner_up[1], 1])
    pointer.margin = gap + 0.01
    assert pointer.extent(projected, states, where, cue, runner_up) is None
    pointer.margin = gap - 0.01
    assert pointer.extent(projected, states, where, cue, runner_up) == best


def test_an_ensemble_finds_the_extent_its_members_average_best() -> None:
    (first, a), (second, b) = _weights(0), _weights(1)
    states, where = _example()
    logp = (_module_logp(first, states, where) + _module_logp(second, states, where)) / 2
    pairs = [(s, e) for s in range(40) for e in range(s, 40)]
    best = max(pairs, key=lambda p: logp[p[0], 0] + logp[p[1], 1])
    ensemble = Pointer([a, b], margin=1.0)
    assert ensemble.project_weight().shape == (16, 2 * 256)
    assert ensemble.extent(states @ ensemble.project_weight(), states, where, (12, 14),
                           None) == best
    # the members' own best extents differ here, so the average decides
    alone = [Pointer(w, 1.0).extent(states @ Pointer(w, 1.0).project_weight(), states, where,
                                    (12, 14), None) for w in (a, b)]
    assert alone[0] != alone[1]


def test_an_ensembles_file_holds_its_members_by_prefix() -> None:
    _, weights = _weights(0)
    members = _members({**{f"0.{k}": v for k, v in weights.items()},
                        **{f"1.{k}": v + 1 for k, v in weights.items()}})
    assert len(members) == 2 and set(members[0]) == set(weights)
    assert np.array_equal(members[1]["l1.bias"], weights["l1.bias"] + 1)
    (alone,) = _members(weights)  # a single pointer's file: one member, unprefixed
    assert alone.keys() == weights.keys()


def test_the_pointer_looks_only_within_reach_of_the_cue() -> None:
    _, pointer = _pointer()
    length = REACH_BEFORE + REACH_AFTER + 400
    states = np.random.default_rng(1).normal(size=(length, 16)).astype(np.float32)
    cue = (300, 301)
    start, last = pointer.extent(states @ pointer.project_weight(), states, _flat(length), cue,
                                 None)
    assert 300 - REACH_BEFORE <= start <= last < 301 + REACH_AFTER
    pointer.reach = (3, 5)  # a nearer reach, as the source pointer has
    start, last = pointer.extent(states @ pointer.project_weight(), states, _flat(length), cue,
                                 None)
    assert 297 <= start <= last < 306


def test_the_fast_encoder_carries_both_pointers_and_sets_their_states(nlp: Language) -> None:
    fast, full = encoder_named("fast"), encoder_named("full")
    assert list(fast.pointers) == ["content", "source"] and not full.pointers
    assert all(pointer.margin > 0 for pointer in fast.pointers.values())
    # each pointer is an ensemble of two, 256 wide each; the source pointer looks nearer
    assert [p.project_weight().shape[1] for p in fast.pointers.values()] == [512, 512]
    assert [p.reach for p in fast.pointers.values()] == [REACH["content"], REACH["source"]]
    assert REACH["source"][0] < REACH["content"][0]
    (doc,) = tag_with_encoder(tag_docs([nlp(SENTENCE)]), encoder=fast)
    states = doc.user_data[STATES_KEY]
    assert states.pointers == fast.pointers
    assert states.where.sentence.tolist() == [0] * len(doc)  # one sentence
    # the encoder's last states, and those times each pointer's first layer
    last = fast.states([doc])[0]
    assert np.allclose(states.states, last, atol=1e-3)
    for role, pointer in fast.pointers.items():
        assert states.projected[role].shape == (len(doc), pointer.project_weight().shape[1])
        assert np.allclose(states.projected[role], last @ pointer.project_weight(), atol=1e-3)


def test_a_sure_pointer_moves_the_content_but_leaves_cue_and_speaker_out(nlp: Language) -> None:
    doc = nlp(INSERTED)
    said = next(t for t in doc if t.text == "said")
    speaker = doc.char_span(INSERTED.index("the minister"), INSERTED.index(" said"))
    first, last = 1, len(doc) - 2  # from "The" to the closing period, quotation marks out
    doc.user_data[STATES_KEY] = _sure(doc, (first, last))
    claim = Found(cue=[(said.idx, said.idx + 4)], cue_lemma="say", content=[(1, 5)],
                  kind="direct", stance="asserts", sentence=0,
                  source=(speaker.start_char, speaker.end_char), rule="inserted+tagged")
    kept = Found(cue=[(said.idx, said.idx + 4)], cue_lemma="say", content=[(1, 5)],
                 kind="direct", stance="asserts", sentence=0, rule="response")
    point_contents(doc, [claim], keep={"response"})
    assert [INSERTED[a:b] for a, b in claim.content] == ["The bridge will reopen",
                                                         "in May, or June at the latest."]
    point_contents(doc, [kept], keep={"response"})
    assert kept.content == [(1, 5)]


def test_a_content_does_not_swallow_another_claims_cue(nlp: Language) -> None:
    text = "The mayor said the bridge is safe, engineers warned."
    doc = nlp(text)
    doc.user_data[STATES_KEY] = _sure(doc, (3, 9))  # "the bridge … warned"
    said, warned = (text.index(w) for w in ("said", "warned"))
    claim = Found(cue=[(said, said + 4)], cue_lemma="say", content=[(15, 33)],
                  kind="indirect", stance="asserts", sentence=0, rule="ccomp+tagged")
    other = Found(cue=[(warned, warned + 6)], cue_lemma="warn", content=[(15, 33)],
                  kind="indirect", stance="asserts", sentence=0, rule="tagged")
    point_contents(doc, [claim, other], keep=set())
    assert claim.content == [(15, 33)]


def test_without_states_claims_keep_their_contents(nlp: Language) -> None:
    doc = nlp(SENTENCE)
    claim = Found(cue=[(13, 17)], cue_lemma="say", content=[(23, 53)], kind="indirect",
                  stance="asserts", sentence=0, rule="ccomp+tagged")
    point_contents(doc, [claim], keep=set())
    assert claim.content == [(23, 53)]


class _SurePointer(Pointer):
    """A pointer that always puts its span at ``extent``."""

    def __init__(self, extent: tuple[int, int]):
        self.margin, self._extent = 0.0, extent

    def extent(self, projected, states, where, cue, current):
        return self._extent


def _sure(doc: Doc, extent: tuple[int, int], role: str = "content") -> PointerStates:
    """States with one pointer, of ``role``, sure of ``extent``."""
    return PointerStates({role: _SurePointer(extent)},
                         {role: np.zeros((len(doc), 256), np.float32)},
                         np.zeros((len(doc), 384), np.float32), layout(doc))


@pytest.mark.parametrize(("text", "moves"), [
    ("“The bridge will reopen,” said Brenn, speaking of the repairs. “It took long.”", False),
    ("“The bridge will reopen,” said Brenn. “It took long.”", True),
], ids=["narration between the quotations", "none"])
def test_a_quotation_does_not_take_in_the_narration_after_its_cue(
        nlp: Language, text: str, moves: bool) -> None:
    doc = nlp(text)
    doc.user_data[STATES_KEY] = _sure(doc, (1, len(doc) - 2))  # from "The" to "long."
    said, brenn = text.index("said"), text.index("Brenn")
    claim = Found(cue=[(said, said + 4)], cue_lemma="say", content=[(1, 23)],
                  source=(brenn, brenn + 5), kind="direct", stance="asserts", sentence=0,
                  rule="direct+tagged")
    point_contents(doc, [claim], keep=set(), quotes=find_quotes(text))
    assert (claim.content != [(1, 23)]) is moves


def test_a_quotation_over_paragraphs_keeps_all_of_it(nlp: Language) -> None:
    text = "“The bridge will reopen in May.\n\n“The tolls will stay the same,” Brenn said."
    doc = nlp(text)
    doc.user_data[STATES_KEY] = _sure(doc, (10, 15))  # the second paragraph
    said = text.index("said")
    claim = Found(cue=[(said, said + 4)], cue_lemma="say", content=[(1, text.index(",”"))],
                  kind="direct", stance="asserts", sentence=1, rule="direct+tagged")
    point_contents(doc, [claim], keep=set())
    assert claim.content == [(1, text.index(",”"))]


def test_a_sure_source_pointer_moves_the_source_but_not_onto_cue_or_content(
        nlp: Language) -> None:
    text = "Ms Brenn, who chaired the inquiry, conceded the bridge was unsafe."
    doc = nlp(text)
    conceded = text.index("conceded")
    content = (text.index("the bridge"), text.index("."))

    def claim() -> Found:
        return Found(cue=[(conceded, conceded + 8)], cue_lemma="concede", content=[content],
                     kind="indirect", stance="confirms", sentence=0,
                     source=(0, text.index(", conceded")), rule="ccomp+tagged")

    moved, onto_cue, none = claim(), claim(), claim()
    none.source = None
    doc.user_data[STATES_KEY] = _sure(doc, (0, 2), role="source")  # "Ms Brenn,"
    point_sources(doc, [moved, none], keep=set())
    assert text[slice(*moved.source)] == "Ms Brenn" and moved.source_head == 1
    assert none.source is None
    doc.user_data[STATES_KEY] = _sure(doc, (0, 8), role="source")  # up to "conceded"
    point_sources(doc, [onto_cue], keep=set())
    assert onto_cue.source == claim().source
    # the content pointer's states alone move no source
    doc.user_data[STATES_KEY] = _sure(doc, (0, 2))
    untouched = claim()
    point_sources(doc, [untouched], keep=set())
    assert untouched.source == claim().source
    # nor does a sure source pointer move the source of a rule kept, or one inside the cue
    doc.user_data[STATES_KEY] = _sure(doc, (0, 2), role="source")
    kept, inside = claim(), claim()
    kept.rule = "nominal"
    inside.cue = [(0, text.index(", conceded"))]
    point_sources(doc, [kept, inside], keep={"nominal"})
    assert kept.source == inside.source == claim().source
