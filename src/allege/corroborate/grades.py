"""Grades: the Admiralty code of a proposition, from independent sources and the registry.

Reliability (A–F) is the best the registry says of the sources on the asserting side;
credibility (1–6) comes from how many *independent* sources confirm or deny it. Members
whose chains share an origin (an outlet re-reporting another outlet's interview) are one
source, an echo, not a confirmation.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ..store import Store
from ..store.entities import name_key
from .propositions import Member, Proposition, load_proposition, load_propositions
from .sources import MEANINGS, Registry, best_reliability

SUPPORT = ("asserts", "confirms")
OPPOSE = ("denies",)
REFUSE = ("refuses_to_confirm",)
#: What a document that only reports a proposition takes as its side, by its article's
#: stance: an article that agrees with the claim asserts it in its own voice.
ARTICLE_SIDES = {"agree": "asserts", "disagree": "denies"}

CREDIBILITY = {
    1: "confirmed", 2: "probably true", 3: "possibly true", 4: "doubtful",
    5: "improbable", 6: "truth cannot be judged",
}


@dataclass(frozen=True)
class Policy:
    """The thresholds of the credibility scale (tunable on labelled data)."""

    confirmed: int = 2  # independent confirmations, beyond the first source, for 1
    improbable: int = 2  # independent denials for 5
    denial_share: float = 0.0  # denials count when at least this share of the supporters


@dataclass(frozen=True)
class Grade:
    """An Admiralty code such as "F3", its two halves, and why."""

    code: str
    reliability: str
    credibility: int
    explanation: str


@dataclass
class Sides:
    """A proposition's independent sources, sorted by the side they take."""

    support: list[list[Member]] = field(default_factory=list)
    oppose: list[list[Member]] = field(default_factory=list)
    refuse: list[list[Member]] = field(default_factory=list)
    other: list[list[Member]] = field(default_factory=list)  # report, question, no comment


def independent_groups(members: Proposition | list[Member]) -> list[list[Member]]:
    """Members grouped by origin: members of one group echo one source.

    Two members share an origin when their origins are the same, or when one's origin is in
    the other's chain ("according to the Daily Planet" echoes what the Daily Planet
    published). Two speakers merely published by one outlet stay independent, and so does
    an outlet's report in its own voice from the speakers it quotes: it would otherwise
    join every speaker the outlet ever published into one source, whatever side each took.
    """
    items = members.members if isinstance(members, Proposition) else list(members)
    origins = [name_key(m.origin) for m in items]
    relays = [{name_key(n) for n in m.chain} for m in items]
    relayed = [len(m.chain) > 1 for m in items]  # not an outlet in its own voice
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i in range(len(items)):
        for j in range(i + 1, len(items)):
            if (origins[i] == origins[j] or (relayed[i] and origins[i] in relays[j])
                    or (relayed[j] and origins[j] in relays[i])):
                parent[find(j)] = find(i)
    groups: dict[int, list[Member]] = defaultdict(list)
    for i, member in enumerate(items):
        groups[find(i)].append(member)
    return list(groups.values())


def sides(members: Proposition | list[Member]) -> Sides:
    """Each independent group on the side its strongest member takes."""
    found = Sides()
    for group in independent_groups(members):
        stances = {side_of(m) for m in group}
        if stances & set(SUPPORT):
            found.support.append(group)
        elif stances & set(OPPOSE):
            found.oppose.append(group)
        elif stances & set(REFUSE):
            found.refuse.append(group)
        else:
            found.other.append(group)
    return found


def side_of(member: Member) -> str:
    """The stance a member counts with: its own, or for a report its article's."""
    if member.stance == "reports" and member.article_stance in ARTICLE_SIDES:
        return ARTICLE_SIDES[member.article_stance]
    return member.stance


def credibility(support: int, oppose: int, refuse: int = 0,
                policy: Policy = Policy()) -> tuple[int, str]:
    """Credibility 1–6 from counts of independent sources, and the reason in words."""
    denied = oppose >= 1 and oppose >= policy.denial_share * support
    confirmations = support - 1
    if denied and oppose >= policy.improbable and oppose >= support:
        return 5, f"denied by {_n(oppose)} independent sources"
    if denied:
        return 4, f"denied by {_n(oppose)} independent source{'s' * (oppose > 1)}"
    if refuse and support <= 1:
        return 4, "an authority refused to confirm it"
    if support and confirmations >= policy.confirmed:
        return 1, f"confirmed by {_n(confirmations)} independent sources"
    if confirmations >= 1:
        return 2, "one independent source confirms it"
    if support == 1:
        return 3, "asserted by one source, neither confirmed nor denied"
    return 6, "no source asserts it; it is only reported or questioned"


def _n(count: int) -> str:
    return str(count)


def grade(proposition: Proposition | list[Member], registry: Registry,
          policy: Policy = Policy()) -> Grade:
    """The proposition's Admiralty code and a plain-language explanation."""
    found = sides(proposition)
    level, reason = credibility(len(found.support), len(found.oppose), len(found.refuse), policy)
    names = [n for group in found.support for m in group for n in (m.origin, *m.aliases)]
    letter, whose = best_reliability(registry, names)
    parts = [f"{CREDIBILITY[level].capitalize()} ({level}): {reason}."]
    for label, groups in (("For", found.support), ("Against", found.oppose),
                          ("Refused to confirm", found.refuse)):
        if groups:
            parts.append(f"{label}: " + "; ".join(_describe(g) for g in groups) + ".")
    if found.oppose and level not in (4, 5):
        parts.append("The denials are too few beside the confirmations to count.")
    if whose and letter != "F":
        parts.append(f"Best source on the asserting side: {whose}, {MEANINGS[letter]} ({letter}).")
    else:
        parts.append("No source on the asserting side is in the registry: "
                     "reliability cannot be judged (F).")
    return Grade(f"{letter}{level}", letter, level, " ".join(parts))


def _describe(group: list[Member]) -> str:
    chains = list(dict.fromkeys(" → ".join(m.chain) for m in group))
    text = group[0].origin + (f" (via {', '.join(chains)})" if chains else "")
    if all(m.stance == "reports" for m in group):
        verdicts = {m.article_stance for m in group} & set(ARTICLE_SIDES)
        if verdicts:
            text += " (its report " + ("agrees with it" if "agree" in verdicts
                                       else "disagrees with it") + ")"
    if len(group) > 1:
        text += f", echoed by {len(group) - 1} more report{'s' * (len(group) > 2)}"
    return text


@dataclass
class Contest:
    """A contested proposition: both sides with their sources, chains and the grade."""

    proposition: Proposition
    grade: Grade
    support: list[list[Member]]
    against: list[list[Member]]  # denials and refusals to confirm


def disputes(store: Store, registry: Registry | None = None,
             policy: Policy = Policy()) -> list[Contest]:
    """The stored propositions someone asserts and someone denies or refuses to confirm."""
    found = []
    for proposition in load_propositions(store):
        side = sides(proposition)
        if side.support and (side.oppose or side.refuse):
            found.append(Contest(proposition, grade(proposition, registry or {}, policy),
                                 side.support, side.oppose + side.refuse))
    return found


def provenance(store: Store, proposition_id: int, registry: Registry | None = None,
               policy: Policy = Policy()) -> dict[str, Any] | None:
    """The provenance tree: proposition → independent sources → members → their chains."""
    proposition = load_proposition(store, proposition_id)
    if proposition is None:
        return None
    result = grade(proposition, registry or {}, policy)
    return {
        "proposition": {"id": proposition.id, "text": proposition.text},
        "grade": {"code": result.code, "reliability": result.reliability,
                  "credibility": result.credibility, "explanation": result.explanation},
        "sources": [
            {"origin": group[0].origin,
             "members": [{"document": m.document, "claim": m.claim, "outlet": m.outlet,
                          "published": m.published, "speaker": m.speaker,
                          "stance": m.stance, "article_stance": m.article_stance,
                          "content": m.content, "chain": list(m.chain)}
                         for m in group]}
            for group in independent_groups(proposition)
        ],
    }
