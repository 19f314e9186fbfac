"""The terminal report of one analysis, drawn with rich."""

from __future__ import annotations

from collections import defaultdict

from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from .model import Analysis, Claim

STANCE_STYLES = {
    "asserts": "cyan", "confirms": "green", "denies": "red", "refuses_to_confirm": "magenta",
    "declines_to_comment": "yellow", "questions": "blue",
}
EXCERPT = 220


def render(analysis: Analysis) -> RenderableType:
    """The whole report: header, claims by speaker, entities, relations, disputes."""
    parts: list[RenderableType] = [_header(analysis), _claims(analysis)]
    if analysis.disputes:
        parts.append(_disputes(analysis))
    if analysis.relations:
        parts.append(_relations(analysis))
    parts.append(_entities(analysis))
    return Group(*parts)


def print_report(analysis: Analysis, console: Console | None = None) -> None:
    """Print the report on ``console`` (standard output by default)."""
    (console or Console()).print(render(analysis))


def _header(analysis: Analysis) -> RenderableType:
    doc = analysis.document
    lines = [f"[bold]{escape(doc.title or 'Untitled article')}[/bold]"]
    meta = [x for x in (doc.outlet, doc.published, doc.url) if x]
    if meta:
        lines.append(escape(" · ".join(meta)))
    lines.append(
        f"{len(analysis.claims)} claims · {len(analysis.entities)} entities · "
        f"{len(analysis.relations)} relations · {len(analysis.disputes)} disputes"
    )
    return Panel("\n".join(lines), title="allege", title_align="left")


def speaker_name(analysis: Analysis, claim: Claim) -> str:
    """The speaker's entity name, else the words that name it, else "unattributed"."""
    if claim.speaker is None:
        return "(unattributed)"
    entity = analysis.entity(claim.speaker.entity)
    return entity.name if entity else claim.speaker.text


def _claims(analysis: Analysis) -> RenderableType:
    by_speaker: dict[str, list[Claim]] = defaultdict(list)
    for claim in analysis.claims:
        by_speaker[speaker_name(analysis, claim)].append(claim)
    tree = Tree("[bold]Who claims what[/bold]")
    for speaker, claims in by_speaker.items():
        branch = tree.add(f"[bold]{escape(speaker)}[/bold]")
        for claim in claims:
            branch.add(_claim_line(analysis, claim))
    if not analysis.claims:
        tree.add("[dim]no attributed statements found[/dim]")
    return tree


def _claim_line(analysis: Analysis, claim: Claim) -> Text:
    style = STANCE_STYLES.get(claim.stance, "white")
    line = Text()
    line.append(f"{claim.id} ", style="dim")
    line.append(f"{claim.stance}", style=f"bold {style}")
    line.append(f" ({claim.kind}) ", style="dim")
    line.append(f"“{claim.cue.text}” ", style=style)
    line.append(_excerpt(claim.content.text))
    if claim.about:
        line.append(f"  ↪ about {claim.about}", style="italic")
    if claim.via:
        names = [speaker_name(analysis, claim)] + [_name(analysis, e) for e in claim.via]
        line.append("\n   via " + " → ".join(names), style="dim")
    return line


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


def _name(analysis: Analysis, entity_id: str) -> str:
    entity = analysis.entity(entity_id)
    return entity.name if entity else entity_id


def _disputes(analysis: Analysis) -> RenderableType:
    table = Table(title="Disputes", title_justify="left", expand=True)
    table.add_column("kind", style="bold red", no_wrap=True)
    table.add_column("claims", no_wrap=True)
    table.add_column("why")
    for dispute in analysis.disputes:
        table.add_row(dispute.kind, ", ".join(dispute.claims), escape(dispute.explanation))
    return table


def _relations(analysis: Analysis) -> RenderableType:
    table = Table(title="Relations", title_justify="left", expand=True)
    for column in ("subject", "relation", "object", "evidence"):
        table.add_column(column)
    for r in analysis.relations:
        table.add_row(escape(_name(analysis, r.subject)), r.predicate,
                      escape(_name(analysis, r.object)), escape(_excerpt(r.evidence.text)))
    return table


def _entities(analysis: Analysis) -> RenderableType:
    table = Table(title="Entities", title_justify="left", expand=True)
    for column in ("id", "name", "type", "aliases", "mentions"):
        table.add_column(column)
    for e in analysis.entities:
        table.add_row(e.id, escape(e.name), e.type, escape(", ".join(e.aliases)),
                      str(len(e.mentions)))
    return table
