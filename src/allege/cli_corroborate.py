"""The corroboration commands: sources, disputes, proposition."""

from __future__ import annotations

import argparse
import json
import sys

from rich.console import Console
from rich.markup import escape
from rich.tree import Tree

from . import corpus_report as show
from .cli_corpus import _db, _store

SOURCES_HELP = ("the source registry, a TOML file to keep in version control (default: "
                "$ALLEGE_SOURCES, else ~/.config/allege/sources.toml)")


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register the corroboration commands on the ``allege`` parser."""
    sources = commands.add_parser("sources", help="the source registry: reliability A–F")
    actions = sources.add_subparsers(dest="action", required=True, metavar="ACTION")
    set_ = actions.add_parser("set", help="grade a source: A reliable … E unreliable, "
                                          "F cannot be judged (the default)")
    set_.add_argument("name")
    set_.add_argument("grade", choices=list("ABCDEF"))
    set_.add_argument("--registry", help=SOURCES_HELP)
    set_.set_defaults(run=_sources_set)
    list_ = actions.add_parser("list", help="the graded sources")
    list_.add_argument("--registry", help=SOURCES_HELP)
    list_.set_defaults(run=_sources_list)

    disputes = commands.add_parser(
        "disputes", help="contested propositions: both sides, their sources and grades",
        description="Group the stored claims into propositions (claims from different "
                    "documents that state the same thing) and list those someone asserts "
                    "and someone denies or refuses to confirm, with their Admiralty grade.")
    disputes.add_argument("--registry", help=SOURCES_HELP)
    _db(disputes, json_flag=True)
    disputes.set_defaults(run=_disputes)

    proposition = commands.add_parser("proposition", help="the provenance tree of one proposition")
    proposition.add_argument("id", type=int)
    proposition.add_argument("--registry", help=SOURCES_HELP)
    _db(proposition, json_flag=True)
    proposition.set_defaults(run=_proposition)


def _sources_set(args: argparse.Namespace) -> None:
    from .corroborate.sources import registry_path, set_reliability

    set_reliability(args.registry, args.name, args.grade)
    Console().print(f"{escape(args.name)}: {args.grade} (in {registry_path(args.registry)})")


def _sources_list(args: argparse.Namespace) -> None:
    from .corroborate.sources import load_registry

    for name, grade in sorted(load_registry(args.registry).items()):
        print(f"{grade}  {name}")


def _disputes(args: argparse.Namespace) -> None:
    from .corroborate.grades import disputes
    from .corroborate.propositions import build_propositions
    from .corroborate.sources import load_registry

    with _store(args) as store:
        with show.embedding_progress() as progress:
            build_propositions(store, progress=progress)
        found = disputes(store, load_registry(args.registry))
    if args.json:
        json.dump([_contest(c) for c in found], sys.stdout, ensure_ascii=False, indent=2)
        return
    console = Console()
    if not found:
        console.print("No contested propositions.")
    for contest in found:
        tree = Tree(f"[bold]P{contest.proposition.id}[/bold] [{contest.grade.code}] "
                    f"{escape(contest.proposition.text)}")
        for title, groups in (("asserted by", contest.support), ("disputed by", contest.against)):
            side = tree.add(title)
            for group in groups:
                for m in group:
                    side.add(f"{escape(m.speaker or '?')} ({m.stance}) via "
                             f"{escape(' → '.join(m.chain))}")
        tree.add(f"[dim]{escape(contest.grade.explanation)}[/dim]")
        console.print(tree)


def _contest(contest) -> dict:
    def members(groups):
        return [[{"speaker": m.speaker, "stance": m.stance, "chain": list(m.chain),
                  "document": m.document, "claim": m.claim} for m in g] for g in groups]

    return {"proposition": contest.proposition.id, "text": contest.proposition.text,
            "grade": contest.grade.code, "explanation": contest.grade.explanation,
            "support": members(contest.support), "against": members(contest.against)}


def _proposition(args: argparse.Namespace) -> None:
    from .corroborate.grades import provenance
    from .corroborate.sources import load_registry
    from .errors import InputError

    with _store(args) as store:
        tree = provenance(store, args.id, load_registry(args.registry))
    if tree is None:
        raise InputError(f"No proposition {args.id}; `allege disputes` lists them.")
    if args.json:
        json.dump(tree, sys.stdout, ensure_ascii=False, indent=2)
        return
    grade = tree["grade"]
    root = Tree(f"[bold]P{args.id}[/bold] [{grade['code']}] {escape(tree['proposition']['text'])}")
    for source in tree["sources"]:
        branch = root.add(f"source: {escape(source['origin'])}")
        for m in source["members"]:
            stance = m["stance"] + (f" (article: {m['article_stance']})"
                                    if m["article_stance"] else "")
            branch.add(f"{stance}: {escape(m['speaker'] or '?')} — "
                       f"{escape(' → '.join(m['chain']))} ({m['published'] or 'undated'})")
    root.add(f"[dim]{escape(grade['explanation'])}[/dim]")
    Console().print(root)
