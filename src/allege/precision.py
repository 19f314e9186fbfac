"""The number format the encoder taggers compute in, and their int8 form.

allege chose its encoder taggers' weights in bfloat16, which CPUs with AVX-512 BF16 or AMX
multiply natively, twice as fast as float32. Elsewhere float32 gives the same tags (PolNeAR
dev within 0.05 points) but the fast encoder then takes twice as long and analysis falls
under half of plain parsing's throughput. There the fast encoder's linear layers run as
int8 products instead (PyTorch's dynamic quantisation: weights per output channel, each
batch's inputs per tensor): scoring alone, faster than bfloat16 is here.

One scale for a whole batch of inputs leaves little resolution to most channels when a few
run far above the rest (up to 14 times the median channel's maximum in this encoder), and
plain int8 costs about a point of every dev F1. So each linear layer's inputs are first
divided, channel by channel, by how far their maximum runs above twice the median
channel's (1 for most), and the weights' columns multiplied by the same: the product is
unchanged, and its int8 form loses about a fifth of a point. The maxima were measured on
PolNeAR train (``scripts/calibrate_int8.py``) and ship beside the adapters as
:data:`SCALES_FILE`.

``ALLEGE_PRECISION`` chooses: ``auto`` (the default: bfloat16 where native, else int8
where the encoder has scales and the CPU has PyTorch's x86 int8 kernels, else float32),
``bfloat16``, ``int8`` or ``float32``.
"""

from __future__ import annotations

import importlib
import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from .errors import AllegeError

__all__ = ["PRECISIONS", "PRECISION_ENV", "SCALES_FILE", "ScaledLinear", "choose_precision",
           "input_maxima", "load_scales", "native_precision", "quantized", "save_scales",
           "scales_from"]

PRECISIONS = ("auto", "bfloat16", "int8", "float32")
PRECISION_ENV = "ALLEGE_PRECISION"
SCALES_FILE = "int8-scales.safetensors"
# Inputs are divided down to this many times the median channel's maximum, at most.
SPREAD = 2.0
# A linear layer's input channels that are divided, and the divisors.
Divided = tuple[torch.Tensor, torch.Tensor]


def native_precision() -> str:
    """bfloat16 where the CPU multiplies it natively, else float32: the precision that
    gives the tags the weights were chosen with (for training on the encoder's states)."""
    return "bfloat16" if torch.ops.mkldnn._is_mkldnn_bf16_supported() else "float32"


def choose_precision(requested: str | None, has_scales: bool) -> str:
    """The precision to compute in: ``requested`` (by default ``ALLEGE_PRECISION``, else
    ``auto``), with ``auto`` resolved for this CPU and an encoder that has int8 scales
    (``has_scales``) or not."""
    requested = (requested or os.environ.get(PRECISION_ENV) or "auto").strip().lower()
    if requested not in PRECISIONS:
        raise AllegeError(f"Unknown precision {requested!r} ({PRECISION_ENV}): choose "
                          f"{', '.join(PRECISIONS)}.")
    if requested == "int8" and not has_scales:
        raise AllegeError(f"This encoder has no int8 scales ({SCALES_FILE}): choose "
                          f"bfloat16 or float32, or run scripts/calibrate_int8.py.")
    if requested != "auto":
        return requested
    native = native_precision()
    if native == "bfloat16" or not (has_scales and _int8_kernels()):
        return native
    return "int8"


def _int8_kernels() -> bool:
    """Whether PyTorch has its x86 int8 kernels, and the dynamic quantisation that uses
    them (deprecated in torch.ao, so a later torch may lack it: then auto means float32)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            quantization = importlib.import_module("torch.ao.quantization")
    except ImportError:
        return False
    return (hasattr(quantization, "quantize_dynamic")
            and bool({"x86", "fbgemm"} & set(torch.backends.quantized.supported_engines)))


def input_maxima(encoder: torch.nn.Module, run: Callable[[], object]
                 ) -> dict[str, torch.Tensor]:
    """Each linear layer's largest absolute input per channel while ``run()`` drives
    ``encoder`` (by module name)."""
    maxima: dict[str, torch.Tensor] = {}

    def hook(name: str) -> Callable[..., None]:
        def record(module: Any, inputs: tuple[Any, ...], output: Any) -> None:
            x = inputs[0].detach().float().abs().reshape(-1, inputs[0].shape[-1]).amax(0)
            maxima[name] = torch.maximum(maxima[name], x) if name in maxima else x
        return record

    handles = [module.register_forward_hook(hook(name))
               for name, module in encoder.named_modules() if isinstance(module, torch.nn.Linear)]
    try:
        run()
    finally:
        for handle in handles:
            handle.remove()
    return maxima


def scales_from(maxima: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Per linear layer, what each input channel is divided by: how far its maximum runs
    above :data:`SPREAD` times the median channel's, at least 1."""
    return {name: (peak / (SPREAD * peak.median())).clamp(min=1.0).contiguous()
            for name, peak in maxima.items()}


def quantized(encoder: torch.nn.Module, scales: dict[str, Divided]) -> torch.nn.Module:
    """``encoder`` with each linear layer replaced by its int8 form, the inputs of those
    named in ``scales`` (as :func:`load_scales` gives them) divided first and the weights'
    columns multiplied by the same."""
    for name, (channels, divisors) in scales.items():
        parent, _, attribute = name.rpartition(".")
        owner = encoder.get_submodule(parent)
        linear = getattr(owner, attribute)
        scale = torch.ones(linear.in_features)
        scale[channels.long()] = divisors.float()
        setattr(owner, attribute, ScaledLinear(linear, scale))
    with warnings.catch_warnings():  # torch.ao.quantization's deprecation notice
        warnings.simplefilter("ignore")
        from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

        return quantize_dynamic(encoder, {torch.nn.Linear: per_channel_dynamic_qconfig},
                                inplace=True)


def save_scales(scales: dict[str, torch.Tensor], path: Path) -> int:
    """Save :func:`scales_from`'s scales, only the channels divided: their indices (int16)
    and divisors (float16), about 2 % of the channels. Returns how many were saved."""
    weights = {}
    for name, scale in scales.items():
        channels = torch.nonzero(scale.half() > 1.0)[:, 0]
        weights[f"{name}.channels"] = channels.to(torch.int16)
        weights[f"{name}.divisors"] = scale[channels].half()
    save_file(weights, str(path))
    return sum(len(value) for name, value in weights.items() if name.endswith(".channels"))


def load_scales(folder: Path) -> dict[str, Divided] | None:
    """The int8 scales saved in ``folder`` (:func:`save_scales`): per linear layer, the
    channels divided and their divisors; None when there are none."""
    path = Path(folder) / SCALES_FILE
    if not path.is_file():
        return None
    weights = load_file(str(path))
    names = {name.rpartition(".")[0] for name in weights}
    return {name: (weights[f"{name}.channels"], weights[f"{name}.divisors"])
            for name in sorted(names)}


class ScaledLinear(torch.nn.Module):
    """A linear layer whose inputs are divided by ``scale`` and its weights' columns
    multiplied by it: the same product, with inputs in a narrower range."""

    def __init__(self, linear: torch.nn.Linear, scale: torch.Tensor):
        super().__init__()
        self.register_buffer("inverse", 1.0 / scale)
        self.linear = torch.nn.Linear(linear.in_features, linear.out_features)
        with torch.no_grad():
            self.linear.weight.copy_(linear.weight.float() * scale[None, :])
            self.linear.bias.copy_(linear.bias.float())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x * self.inverse)
