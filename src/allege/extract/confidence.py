"""How likely a claim is right, from how it was found.

``data/confidence.toml`` holds, for each extraction rule and cue family, the share of such
claims that matched a gold attribution on PolNeAR's dev split (linked protocol); it is
written by ``scripts/calibrate_confidence.py``. A claim's confidence is that share.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib.resources import files

from .spans import Found

# Cue lemmas that mark reported speech almost whatever their context.
SPEECH = {"say", "tell", "according to", "add", "write", "note", "report", "claim", "insist",
          "argue", "explain", "announce", "state", "declare"}
DEFAULT = 0.5


def family(rule: str, cue_lemma: str) -> str:
    """The calibration key of a claim: its rule and whether its cue is a speech verb."""
    lemma = cue_lemma if cue_lemma == "according to" else (cue_lemma.split() or [""])[0]
    return f"{rule}:{'speech' if lemma in SPEECH else 'other'}"


@lru_cache(maxsize=1)
def _table() -> dict[str, float]:
    path = files("allege").joinpath("data/confidence.toml")
    if not path.is_file():
        return {}
    return {k: float(v) for k, v in tomllib.loads(path.read_text("utf-8")).get("share", {}).items()}


def confidence(found: Found) -> float:
    """The measured precision of claims found the way this one was."""
    return _table().get(family(found.rule, found.cue_lemma), DEFAULT)
