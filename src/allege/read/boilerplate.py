"""Lines that are page furniture, not article: share buttons, newsletter offers, link teasers.

The patterns live in :data:`BOILERPLATE_PATTERNS`, the one place to add to. Each matches a
*whole line* (after trimming white space, case-insensitive), and only lines of at most
:data:`MAX_BOILERPLATE_CHARS` characters are considered, so a real paragraph that happens
to begin with "Read more" or "Follow" is never removed.
"""

from __future__ import annotations

import re

MAX_BOILERPLATE_CHARS = 160

_SOCIAL = (
    r"(?:twitter|x|facebook|instagram|telegram|linkedin|youtube|tiktok|whatsapp|threads"
    r"|bluesky|social media)"
)

# What may follow a teaser's opening words: a separator and a headline, or "about ...".
_TEASER_TAIL = r"\s*[:|»›>–—-].*|\s+(?:about|on|here|at|in)\b.*|\W*"

BOILERPLATE_PATTERNS: tuple[str, ...] = (
    # translation pickers: "This post is also available in: heעברית (Hebrew)"
    r"this (?:post|article|page|story) is (?:also )?available in\b.*",
    # share buttons: "Share this article", "Share on Facebook", "Tweet", "Email"
    r"share(?: this| the)?(?: article| story| post| page| video)?(?: on \w+| via \w+)?\W*",
    r"(?:tweet|email|print|copy link|share|comments?)\W*",
    r"\d[\d,.]*k? (?:comments?|shares?)\W*",
    # newsletter offers: "Sign up for our newsletter", "Subscribe to our daily briefing"
    r"(?:sign up|subscribe|register)\b.*\b(?:newsletters?|briefings?|alerts?|updates|inbox)\b.*",
    # link teasers: "Read more: ...", "See also", "Related: ...", "Recommended"
    r"(?:read|see) (?:more|also|next)(?:" + _TEASER_TAIL + r")?",
    r"(?:related|recommended|most read|more on this story|more from \w+)(?:" + _TEASER_TAIL + r")?",
    r"click here\b.*",
    # follow prompts: "Follow us on Twitter", "Like us on Facebook", "Follow @outlet on X"
    r"(?:follow|like|join|find) (?:us|@\w+)(?: on .*)?",
    r"(?:follow|like|join) (?:\w+ )?on " + _SOCIAL + r"\b.*",
    # adverts and legal lines
    r"(?:advertisement|sponsored(?: content)?|ad)\W*",
    r"(?:©|\(c\)|copyright\s*(?:©|\(c\)|\d{4})).*",
    r"all rights reserved\W*",
)

_BULLET = re.compile(r"^[-*•·]\s+")  # a list marker does not make furniture content
_BOILERPLATE = re.compile("|".join(f"(?:{p})" for p in BOILERPLATE_PATTERNS), re.IGNORECASE)


def is_boilerplate(line: str) -> bool:
    """True when ``line`` as a whole is page furniture rather than article text."""
    stripped = _BULLET.sub("", line.strip())
    if not stripped or len(stripped) > MAX_BOILERPLATE_CHARS:
        return False
    return _BOILERPLATE.fullmatch(stripped) is not None


def strip_boilerplate(text: str) -> str:
    """Remove boilerplate lines from ``text``, leaving every other line exactly as it was.

    A removed line takes its line break with it. Blank lines that a removal leaves doubled
    (or leading, at the start of the text) go too, so the article starts at its first real
    paragraph and paragraphs stay separated by one blank line.
    """
    kept: list[str] = []
    removed_since_text = False
    for line in text.split("\n"):
        if is_boilerplate(line):
            removed_since_text = True
            continue
        blank = not line.strip()
        if blank and removed_since_text and (not kept or not kept[-1].strip()):
            continue
        if not blank:
            removed_since_text = False
        kept.append(line)
    return "\n".join(kept)
