"""allege's plain-torch MiniLM against transformers' BertModel: the same numbers, bit for
bit, so the shipped encoder taggers tag as they were selected."""

from __future__ import annotations

import pytest
import torch

from allege.minilm import MiniLM, load_tokenizer, model_path

transformers = pytest.importorskip("transformers")

# Written for these tests.
TEXTS = [
    "The minister said on Monday that the bridge would reopen in May.",
    "“We have no comment,” a spokeswoman for the ministry told reporters — twice.",
    "Officials, who asked not to be named, denied it.\n\nNo further details were given.",
]


@pytest.fixture(scope="module")
def models() -> tuple[torch.nn.Module, MiniLM]:
    theirs = transformers.AutoModel.from_pretrained(str(model_path())).eval()
    return theirs, MiniLM.load(model_path())


def batch(tokenizer, texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
    rows = [tokenizer.encode(text).ids for text in texts]
    ids = torch.zeros((len(rows), max(map(len, rows))), dtype=torch.long)
    mask = torch.zeros_like(ids)
    for i, row in enumerate(rows):
        ids[i, : len(row)], mask[i, : len(row)] = torch.tensor(row), 1
    return ids, mask


@pytest.mark.parametrize("bf16", [False, True], ids=["float32", "bfloat16"])
@pytest.mark.parametrize("texts", [TEXTS, TEXTS[:1]], ids=["padded", "unpadded"])
def test_same_states_as_transformers(models, texts: list[str], bf16: bool) -> None:
    theirs, ours = models
    ids, mask = batch(load_tokenizer(model_path()), texts)
    with torch.inference_mode(), torch.autocast("cpu", torch.bfloat16, enabled=bf16):
        expected = theirs(input_ids=ids, attention_mask=mask).last_hidden_state
        found = ours(input_ids=ids, attention_mask=mask).last_hidden_state
    keep = mask.bool()
    assert torch.equal(found[keep], expected[keep])


def test_same_dropout_in_training(models) -> None:
    theirs, ours = models
    ids, mask = batch(load_tokenizer(model_path()), TEXTS)
    states = []
    for model in (theirs, ours):
        model.train()
        torch.manual_seed(7)
        with torch.no_grad():
            states.append(model(input_ids=ids, attention_mask=mask).last_hidden_state)
        model.eval()
    keep = mask.bool()
    assert torch.equal(states[0][keep], states[1][keep])


def test_loading_leaves_the_random_state_alone() -> None:
    # as transformers' from_pretrained: training scripts seeded before loading draw the same
    torch.manual_seed(0)
    before = torch.get_rng_state()
    MiniLM.load(model_path())
    assert torch.equal(torch.get_rng_state(), before)


def test_cut_to_four_layers(models) -> None:
    theirs, _ = models
    ours = MiniLM.load(model_path(), layers=4)
    assert len(ours.encoder.layer) == 4
    ids, mask = batch(load_tokenizer(model_path()), TEXTS)
    with torch.inference_mode():
        hidden = theirs(input_ids=ids, attention_mask=mask, output_hidden_states=True)
        found = ours(input_ids=ids, attention_mask=mask).last_hidden_state
    keep = mask.bool()
    assert torch.equal(found[keep], hidden.hidden_states[4][keep])


def test_same_word_pieces_as_transformers() -> None:
    theirs = transformers.AutoTokenizer.from_pretrained(str(model_path()))
    ours = load_tokenizer(model_path())
    long_text = " ".join(TEXTS * 40)  # past the 128 pieces the file would truncate to
    for text in [*TEXTS, long_text]:
        expected = theirs(text, add_special_tokens=False, return_offsets_mapping=True,
                          verbose=False)
        found = ours.encode(text, add_special_tokens=False)
        assert found.ids == expected["input_ids"]
        assert found.offsets == [tuple(pair) for pair in expected["offset_mapping"]]
    assert len(ours.encode(long_text).ids) > 128
