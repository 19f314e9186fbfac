"""Terminal output of the corpus commands, drawn with rich."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, ProgressColumn, SpinnerColumn, Task, TextColumn, \
    TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from .report import STANCE_STYLES


class RateColumn(ProgressColumn):
    """Items per second."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:.1f} docs/s" if speed else "… docs/s", style="progress.data.speed")


@contextmanager
def ingest_progress() -> Iterator[Callable[[int], None]]:
    """A progress display on standard error; yields the function to advance it."""
    columns = (SpinnerColumn(), TextColumn("ingesting"), BarColumn(),
               TextColumn("{task.completed} items"), RateColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=False) as progress:
        task = progress.add_task("ingest", total=None)
        yield lambda n: progress.advance(task, n)


@contextmanager
def embedding_progress() -> Iterator[Callable[[int, int], None]]:
    """A progress bar on standard error for embedding claims, shown once there is work."""
    columns = (SpinnerColumn(), TextColumn("embedding claims"), BarColumn(),
               TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = None

        def update(done: int, total: int) -> None:
            nonlocal task
            if task is None:
                task = progress.add_task("embed", total=total)
            progress.update(task, completed=done)

        yield update


def ingest_summary(console: Console, summary) -> None:
    console.print(
        f"[bold]{summary.stored}[/bold] stored, {summary.known} already in the store, "
        f"{summary.non_english} not English (stored unanalysed), {summary.waiting} feed "
        f"items waiting for their page, [bold]{sum(summary.skipped.values())}[/bold] skipped "
        f"— {summary.seconds:.1f} s, {summary.documents_per_second:.1f} documents/s")
    for reason, count in summary.skipped.most_common():
        console.print(f"  skipped {count} × {escape(reason)}")


def _highlight(snippet: str) -> Text:
    text = Text()
    for n, part in enumerate(snippet.replace("]", "[").split("[")):
        text.append(part, style="bold yellow" if n % 2 else "")
    return text


def hits(console: Console, found: list) -> None:
    if not found:
        console.print("No matches.")
        return
    table = Table(expand=True)
    for column in ("document", "what", "where", "snippet"):
        table.add_column(column)
    for hit in found:
        what = f"{hit.claim} {hit.speaker or ''} ({hit.stance})" if hit.claim else "document"
        where = " · ".join(x for x in (hit.outlet, hit.published, hit.title) if x)
        table.add_row(hit.document, escape(what), escape(where), _highlight(hit.snippet))
    console.print(table)


def claim_rows(console: Console, rows: list) -> None:
    if not rows:
        console.print("No claims match.")
        return
    table = Table(expand=True)
    for column, ratio in (("claim", 1), ("speaker", 2), ("stance", 2), ("cue", 1),
                          ("content", 6), ("via", 2), ("published", 1)):
        table.add_column(column, ratio=ratio)
    for r in rows:
        style = STANCE_STYLES.get(r.stance, "")
        table.add_row(f"{r.document[:6]}:{r.claim}", escape(r.speaker_entity or r.speaker or "—"),
                      Text(r.stance, style=style), escape(r.cue), escape(_short(r.content)),
                      escape(" → ".join(r.via)), r.published or "")
    console.print(table)


def _short(text: str, size: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"


def entity_report(console: Console, report) -> None:
    console.print(f"[bold]{escape(report.name)}[/bold] ({report.type}) — "
                  f"{report.mentions} mentions in {report.documents} documents")
    if report.aliases:
        console.print("aliases: " + escape(", ".join(report.aliases)))
    for role in report.roles:
        console.print(f"role: {escape(role)}")
    for r in report.relations:
        console.print(f"relation: {escape(r.subject)} {r.predicate} {escape(r.object)}")
    if report.outlets:
        console.print("quoted by: " + escape(", ".join(f"{o} ({n})" for o, n in report.outlets)))
    console.print(f"[bold]claims made[/bold] ({len(report.claims_made)})")
    claim_rows(console, report.claims_made)
    console.print(f"[bold]claims about it[/bold] ({len(report.claims_about)})")
    claim_rows(console, report.claims_about)


def stats(console: Console, result) -> None:
    table = Table(show_header=False)
    rows = [("documents", result.documents), ("claims", result.claims),
            ("entities", result.entities), ("outlets", result.outlets),
            ("languages", ", ".join(f"{k} {v}" for k, v in result.languages.items())),
            ("date range", f"{result.first_published or '?'} … {result.last_published or '?'}"),
            ("waiting feed items", result.pending), ("skipped items", result.skipped)]
    for name, value in rows:
        table.add_row(name, escape(str(value)))
    console.print(table)
