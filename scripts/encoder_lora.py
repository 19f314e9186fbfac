"""The encoder tagger's training loop, in PyTorch alone (no spaCy, no allege).

``train_encoder_tagger.py`` prepares the windows and chooses the epoch with allege's dev
score; this module only trains. It imports nothing but torch, so the same loop also runs on
a machine that has PyTorch and a GPU but not allege's stack (the windows and the encoder's
weights carried to it as arrays).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator

import torch

# The linear layers inside one BERT layer that carry a low-rank update (as
# allege.encoder_tagger.ADAPTED, repeated here to keep this module free of allege).
ADAPTED = ("attention.self.query", "attention.self.key", "attention.self.value",
           "attention.output.dense", "intermediate.dense", "output.dense")
LABELS = 7  # O and B-/I- of SOURCE, CUE, CONTENT

Window = tuple[list[int], list[int]]  # word-piece ids and their labels (-100: not scored)


class LoRA(torch.nn.Module):
    """A frozen linear layer plus a trainable low-rank update ``scale * B @ A``."""

    def __init__(self, base: torch.nn.Linear, rank: int, alpha: float, dropout: float = 0.1):
        super().__init__()
        self.base = base
        self.lora_a = torch.nn.Parameter(torch.randn(rank, base.in_features)
                                         / math.sqrt(base.in_features))
        self.lora_b = torch.nn.Parameter(torch.zeros(base.out_features, rank))
        self.scale = alpha / rank
        self.dropout = torch.nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + (self.dropout(x) @ self.lora_a.T @ self.lora_b.T) * self.scale


class Trainee(torch.nn.Module):
    """A BERT encoder with LoRA on :data:`ADAPTED`, trainable layer norms and a BIO head."""

    def __init__(self, encoder: torch.nn.Module, rank: int, alpha: float):
        super().__init__()
        self.encoder = encoder
        for parameter in self.encoder.parameters():
            parameter.requires_grad = False
        for layer in self.encoder.encoder.layer:
            for name in ADAPTED:
                *path, last = name.split(".")
                parent = layer
                for part in path:
                    parent = getattr(parent, part)
                setattr(parent, last, LoRA(getattr(parent, last), rank, alpha))
        for name, parameter in self.encoder.named_parameters():
            parameter.requires_grad = parameter.requires_grad or "LayerNorm" in name
        self.dropout = torch.nn.Dropout(0.1)
        self.head = torch.nn.Linear(self.encoder.config.hidden_size, LABELS)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
        return self.head(self.dropout(hidden))

    def adapter(self) -> dict[str, torch.Tensor]:
        """The trained weights under the names ``allege.encoder_tagger`` loads, on the CPU,
        in float16: half the bytes, and finer than the bfloat16 the encoder computes in."""
        weights = {}
        for name, parameter in self.named_parameters():
            if parameter.requires_grad:
                name = name.removeprefix("encoder.")
                weights[name] = parameter.detach().half().cpu().clone().contiguous()
        return weights


def batches(items: list[Window], size: int) -> Iterator[tuple[torch.Tensor, ...]]:
    """Padded (ids, attention mask, labels) tensors of ``size`` windows at a time."""
    for first in range(0, len(items), size):
        batch = items[first:first + size]
        width = max(len(ids) for ids, _ in batch)
        ids = torch.zeros((len(batch), width), dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        labels = torch.full((len(batch), width), -100, dtype=torch.long)
        for row, (piece_ids, piece_labels) in enumerate(batch):
            ids[row, : len(piece_ids)] = torch.tensor(piece_ids)
            mask[row, : len(piece_ids)] = 1
            labels[row, : len(piece_ids)] = torch.tensor(piece_labels)
        yield ids, mask, labels


def train(
    model: Trainee, items: list[Window], *, epochs: int, lr: float, batch_size: int,
    device: str = "cpu", log_every: int = 50,
) -> Iterator[int]:
    """Train ``model`` in place (AdamW, 6 % warm-up then linear decay, bf16 autocast,
    gradients clipped at 1.0), shuffling with Python's ``random``; yields the epoch number
    after each epoch, with the model in eval mode (training resumes on the next step)."""
    model.to(device)
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=lr, weight_decay=0.01)
    total = epochs * math.ceil(len(items) / batch_size)
    warm = max(1, int(0.06 * total))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm))))
    loss_of = torch.nn.CrossEntropyLoss(ignore_index=-100)
    kind = "cuda" if device.startswith("cuda") else "cpu"
    step = 0
    for epoch in range(epochs):
        model.train()
        order = list(range(len(items)))
        random.shuffle(order)
        for ids, mask, labels in batches([items[i] for i in order], batch_size):
            ids, mask, labels = ids.to(device), mask.to(device), labels.to(device)
            with torch.autocast(kind, dtype=torch.bfloat16):
                logits = model(ids, mask)
            loss = loss_of(logits.float().reshape(-1, LABELS), labels.reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trainable, 1.0)
            optimizer.step()
            schedule.step()
            step += 1
            if log_every and step % log_every == 0:
                print(f"step {step}/{total}  loss {loss.item():.3f}", flush=True)
        model.eval()
        yield epoch
