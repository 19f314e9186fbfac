"""The cue lexicon (``data/cues.toml``): which words mark an attribution, with what stance."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files

# A stance word wins over the generic "asserts" when a lemma is listed under both.
_PRECEDENCE = ("denies", "confirms", "questions", "refuses_to_confirm", "declines_to_comment")


@dataclass(frozen=True)
class VerbCue:
    """How a cue verb behaves: its stance and where its content is found."""

    stance: str
    content: bool = False  # takes a clause or quote as content
    object: bool = False  # takes its object as content
    mind: bool = False  # an internal state (believe, hope)


@dataclass(frozen=True)
class Lexicon:
    """Cue words by lemma; built from the data file by :func:`load_lexicon`."""

    verbs: dict[str, VerbCue]
    nouns: dict[str, str]
    phrases: dict[tuple[str, ...], str]
    # (head lemma, complement lemma) -> stance, for "refused to confirm"
    complements: dict[tuple[str, str], str] = field(default_factory=dict)

    def verb(self, lemma: str) -> VerbCue | None:
        return self.verbs.get(lemma.lower())

    def noun(self, lemma: str) -> str | None:
        return self.nouns.get(lemma.lower())

    def complement(self, head: str, comp: str) -> str | None:
        return self.complements.get((head.lower(), comp.lower()))


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The lexicon shipped with allege."""
    data = tomllib.loads(files("allege").joinpath("data/cues.toml").read_text("utf-8"))
    return build_lexicon(data)


def build_lexicon(data: dict) -> Lexicon:
    """Turn the parsed TOML into lookup tables."""
    verbs: dict[str, VerbCue] = {}
    complements: dict[tuple[str, str], str] = {}
    for stance, groups in data.get("verbs", {}).items():
        for head in groups.get("heads", []):
            for comp in groups.get("complements", []):
                complements[(head, comp)] = stance
        for role in ("content", "object", "mind"):
            for lemma in groups.get(role, []):
                verbs[lemma] = _merge(verbs.get(lemma), stance, role)
        for lemma in groups.get("learned", []):  # clause if there is one, else the object
            verbs[lemma] = _merge(_merge(verbs.get(lemma), stance, "content"), stance, "object")
    nouns: dict[str, str] = {}
    for stance, group in data.get("nouns", {}).items():
        for lemma in group.get("lemmas", []):
            nouns[lemma] = stance
    phrases = {tuple(k.split()): v for k, v in data.get("phrases", {}).items()}
    return Lexicon(verbs, nouns, phrases, complements)


def _merge(old: VerbCue | None, stance: str, role: str) -> VerbCue:
    if old is None:
        return VerbCue(stance, **{role: True})
    if stance != old.stance and stance in _PRECEDENCE:
        chosen = stance
    else:
        chosen = old.stance
    return VerbCue(
        chosen,
        content=old.content or role == "content",
        object=old.object or role == "object",
        mind=old.mind or role == "mind",
    )
