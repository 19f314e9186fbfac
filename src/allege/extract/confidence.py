"""How likely a claim is right, from how it was found and what it looks like.

A claim's confidence is a logistic model over a few features of it (the rule that found it,
whether the tagger agreed, its kind, its cue, what sort of speaker it has, its content's
length and shape), with weights fitted on PolNeAR's dev split to predict whether the claim
matches a gold attribution under the linked protocol. ``data/confidence.toml`` holds the
weights; ``scripts/calibrate_confidence.py`` fits them and prints the calibration measured
on articles held out of each fit.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from functools import lru_cache
from importlib.resources import files

from ..model import Claim

# Cue lemmas that mark reported speech almost whatever their context.
SPEECH = {"say", "tell", "according to", "add", "write", "note", "report", "claim", "insist",
          "argue", "explain", "announce", "state", "declare"}


def family(rule: str, cue_lemma: str) -> str:
    """A claim's family: its rule and whether its cue is a speech verb."""
    lemma = cue_lemma if cue_lemma == "according to" else (cue_lemma.split() or [""])[0]
    return f"{rule}:{'speech' if lemma in SPEECH else 'other'}"


PRONOUNS = {"he", "she", "they", "it", "we", "i", "you"}
QUOTES = "\"“”'‘’"


def features(claim: Claim, text: str, entity_types: Mapping[str, str]) -> dict[str, float]:
    """The features of ``claim`` (found in ``text``; its speaker's entity typed by
    ``entity_types``) that the confidence model weighs. Categories are ``name=value``."""
    rule = claim.rule.split("+")[0]
    speaker = claim.speaker
    if speaker is None:
        who = "none"
    elif speaker.entity in entity_types:
        who = entity_types[speaker.entity]
    else:
        who = "pronoun" if speaker.text.lower() in PRONOUNS else "other"
    content = claim.content.text
    before = text[max(0, claim.content.start - 1):claim.content.start]
    return {
        f"rule={rule}": 1.0, f"kind={claim.kind}": 1.0, f"speaker={who}": 1.0,
        f"cue={claim.cue.lemma}": 1.0,
        "tagged": float(claim.rule == "tagged" or "+tagged" in claim.rule),
        "speech": float(family(claim.rule, claim.cue.lemma).endswith(":speech")),
        "log_length": math.log1p(len(content)),
        "segments": float(len(claim.content.segments) > 1),
        "quoted": float(content[:1] in QUOTES or (before != "" and before in QUOTES)),
        "speaker_words": math.log1p(len(speaker.text.split()) if speaker else 0),
        "resolved": float(speaker is not None and speaker.entity is not None),
        "ends_sentence": float(content.rstrip()[-1:] in ".?!" + QUOTES),
        "starts_lower": float(content[:1].islower()),
    }


@lru_cache(maxsize=1)
def _model() -> tuple[float, dict[str, float]]:
    path = files("allege").joinpath("data/confidence.toml")
    if not path.is_file():
        return 0.0, {}
    data = tomllib.loads(path.read_text("utf-8"))
    return float(data.get("intercept", 0.0)), {k: float(v)
                                               for k, v in data.get("weights", {}).items()}


def confidence(claim: Claim, text: str, entity_types: Mapping[str, str]) -> float:
    """The probability, by the fitted model, that ``claim`` is right (0.5 without one)."""
    intercept, weights = _model()
    score = intercept
    for name, value in features(claim, text, entity_types).items():
        if name.startswith("cue=") and name not in weights:
            name = "cue=other"  # a cue too rare on dev to have its own weight
        score += weights.get(name, 0.0) * value
    return round(1.0 / (1.0 + math.exp(-score)), 3)
