"""The encoder taggers' number formats: choosing one, and the fast encoder's int8 form."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from spacy.language import Language

import allege.precision
from allege.encoder_tagger import (
    ENCODER_DIR,
    FAST_ENCODER_DIR,
    EncoderTagger,
    decode,
    encoder_named,
)
from allege.errors import AllegeError
from allege.precision import (
    PRECISION_ENV,
    SCALES_FILE,
    SPREAD,
    ScaledLinear,
    choose_precision,
    input_maxima,
    load_scales,
    save_scales,
    scales_from,
)

# Written for these tests.
TEXT = (
    "The minister said that the bridge will reopen in May. According to the council, "
    "repairs cost more than expected. A spokesman for the builder declined to comment, "
    "but the union insisted that nobody had been paid for March. \"We will not stop,\" "
    "its leader told reporters on Friday."
)


@pytest.fixture
def native(monkeypatch: pytest.MonkeyPatch):
    """Pretend the CPU multiplies natively in the precision given."""
    monkeypatch.delenv(PRECISION_ENV, raising=False)

    def pretend(precision: str) -> None:
        monkeypatch.setattr(allege.precision, "native_precision", lambda: precision)
    return pretend


def test_auto_keeps_bfloat16_where_the_cpu_has_it(native) -> None:
    native("bfloat16")
    assert choose_precision(None, has_scales=True) == "bfloat16"
    assert choose_precision("auto", has_scales=False) == "bfloat16"


def test_auto_takes_int8_elsewhere_when_the_encoder_has_scales(native) -> None:
    native("float32")
    assert choose_precision(None, has_scales=True) == "int8"
    assert choose_precision(None, has_scales=False) == "float32"


def test_auto_takes_float32_without_int8_kernels(native, monkeypatch: pytest.MonkeyPatch) -> None:
    native("float32")
    monkeypatch.setattr(allege.precision, "_int8_kernels", lambda: False)
    assert choose_precision(None, has_scales=True) == "float32"


def test_a_precision_asked_for_is_kept(native, monkeypatch: pytest.MonkeyPatch) -> None:
    native("bfloat16")
    assert choose_precision("float32", has_scales=True) == "float32"
    assert choose_precision("INT8", has_scales=True) == "int8"
    monkeypatch.setenv(PRECISION_ENV, "float32")
    assert choose_precision(None, has_scales=True) == "float32"
    assert choose_precision("bfloat16", has_scales=True) == "bfloat16"  # the argument wins


def test_unknown_or_impossible_precisions_are_refused(native) -> None:
    with pytest.raises(AllegeError, match="choose auto, bfloat16, int8, float32"):
        choose_precision("float8", has_scales=True)
    with pytest.raises(AllegeError, match="no int8 scales"):
        choose_precision("int8", has_scales=False)


def test_scaling_the_inputs_keeps_the_product() -> None:
    torch.manual_seed(0)
    linear = torch.nn.Linear(6, 3)
    scale = torch.tensor([1.0, 4.0, 1.0, 1.0, 2.5, 1.0])
    x = torch.randn(5, 6)
    assert torch.allclose(ScaledLinear(linear, scale)(x), linear(x), atol=1e-5)


def test_only_channels_far_above_the_median_are_divided() -> None:
    peaks = torch.tensor([1.0, 1.0, 1.0, 1.0, 1.0, 10.0, 3.0])
    (scale,) = scales_from({"layer": peaks}).values()
    assert scale.tolist() == pytest.approx([1, 1, 1, 1, 1, 10 / SPREAD, 3 / SPREAD])
    assert (peaks / scale).max() <= SPREAD * peaks.median()


def test_input_maxima_are_per_channel_and_leave_no_hooks() -> None:
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    batches = [torch.tensor([[1.0, -5.0, 0.5]]), torch.tensor([[-2.0, 1.0, 0.0]])]
    maxima = input_maxima(model, lambda: [model(x) for x in batches])
    assert maxima["0"].tolist() == [2.0, 5.0, 0.5]
    assert maxima["2"].shape == (4,)
    assert all(not module._forward_hooks for module in model.modules())


def test_the_shipped_scales_fit_the_fast_encoder_s_linear_layers() -> None:
    scales = load_scales(FAST_ENCODER_DIR)
    layers = {name: module for name, module in encoder_named("fast").encoder.named_modules()
              if isinstance(module, torch.nn.Linear)}
    assert set(scales) == set(layers)
    for name, (channels, divisors) in scales.items():
        assert len(channels) == len(divisors) < layers[name].in_features / 4
        assert all(0 <= c < layers[name].in_features for c in channels.tolist())
        assert all(d > 1.0 for d in divisors.tolist())
    assert sum(len(channels) for channels, _ in scales.values()) > 100


def test_saved_scales_load_as_the_channels_divided(tmp_path) -> None:
    scales = {"a.b": torch.tensor([1.0, 3.0, 1.0, 1.5]), "c": torch.ones(2)}
    save_scales(scales, tmp_path / SCALES_FILE)
    loaded = load_scales(tmp_path)
    assert [c.tolist() for c, _ in loaded.values()] == [[1, 3], []]
    assert loaded["a.b"][1].tolist() == [3.0, 1.5]
    assert load_scales(tmp_path / "nowhere") is None


@pytest.fixture(scope="module")
def int8_and_float32() -> tuple[EncoderTagger, EncoderTagger]:
    return (EncoderTagger(FAST_ENCODER_DIR, precision="int8"),
            EncoderTagger(FAST_ENCODER_DIR, precision="float32"))


def test_the_int8_encoder_multiplies_in_int8(int8_and_float32) -> None:
    int8, float32 = int8_and_float32
    assert (int8.precision, float32.precision) == ("int8", "float32")
    modules = list(int8.encoder.modules())
    assert not any(type(m) is torch.nn.Linear for m in modules)
    assert sum(isinstance(m, torch.ao.nn.quantized.dynamic.Linear) for m in modules) == 4 * 6


def test_the_int8_encoder_tags_as_float32_does(nlp: Language, int8_and_float32) -> None:
    int8, float32 = int8_and_float32
    doc = nlp(TEXT)
    (low,), (exact,) = int8.scores([doc]), float32.scores([doc])
    assert np.allclose(np.exp(low).sum(axis=1), 1.0, atol=1e-3)
    words = np.array([not t.is_space for t in doc])
    agree = (low.argmax(1) == exact.argmax(1))[words].mean()
    assert agree >= 0.95
    found = {(label, doc[start:end].text) for label, start, end in decode(doc, low)}
    assert ("SOURCE", "The minister") in found and ("CUE", "said") in found


def test_analysis_takes_a_loaded_encoder(nlp: Language, int8_and_float32) -> None:
    from allege.analysis import analyze_documents
    from allege.model import Document

    int8, _ = int8_and_float32
    [analysis] = analyze_documents([Document(text=TEXT)], nlp=nlp, encoder=int8)
    assert any(claim.cue.text == "said" and "minister" in claim.speaker.text
               for claim in analysis.claims)


def test_the_evaluation_says_how_the_encoder_computed() -> None:
    from allege.cli import _tagged_with

    assert _tagged_with("fast") == (
        f"Tagged with the fast encoder, computing in {encoder_named('fast').precision}.")
    assert _tagged_with("none") == "Tagged without an encoder."


def test_without_bfloat16_the_fast_encoder_loads_in_int8(native) -> None:
    native("float32")
    assert EncoderTagger(FAST_ENCODER_DIR, pointers=()).precision == "int8"
    assert EncoderTagger(ENCODER_DIR).precision == "float32"  # the six-layer one has no scales
