"""The corpus commands: ingest, search, claims, entity, entities, stats."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from rich.console import Console

from . import corpus_report as show

DB_HELP = ("the store: a SQLite file path or a database URL such as "
           "postgresql+psycopg://user:pass@host/db (default: $ALLEGE_DB, else "
           "~/.local/share/allege/allege.sqlite)")


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register the corpus commands on the ``allege`` parser."""
    ingest = commands.add_parser(
        "ingest", help="read articles into the store (files, folders, globs, feeds, WARC…)",
        description="Read every article under PATH… (text, HTML, RSS/Atom/RDF feeds, "
                    "WARC, JSON Lines, CSV, or - for stdin), analyse the new English ones "
                    "and store them. Running it again skips what is stored, so an "
                    "interrupted run can simply be started again.")
    ingest.add_argument("paths", nargs="+", metavar="PATH")
    ingest.add_argument("--workers", type=int, default=1, help="analyse in N processes")
    ingest.add_argument("--fetch", action="store_true", help="download http(s) URLs given")
    for field in ("text", "title", "url", "outlet", "published", "author"):
        ingest.add_argument(f"--{field}-column", default=field, metavar="NAME",
                            help=f"JSON Lines/CSV field holding the {field} (default: {field})")
    _db(ingest)
    ingest.set_defaults(run=_ingest)

    search = commands.add_parser("search", help="full-text search over documents and claims")
    search.add_argument("query", help='words, "quoted phrases", OR, -excluded (put -- before '
                        'a query that starts with -)')
    search.add_argument("--limit", type=int, default=20)
    _db(search, json_flag=True)
    search.set_defaults(run=_search)

    claims = commands.add_parser("claims", help="list stored claims, filtered")
    claims.add_argument("--speaker", help="who made the claim (name or alias)")
    claims.add_argument("--about", help="whom or what the claim is about")
    claims.add_argument("--stance", help="asserts, confirms, denies, refuses_to_confirm, …")
    claims.add_argument("--outlet", help="publishing outlet")
    claims.add_argument("--since", help="published on or after (YYYY[-MM[-DD]])")
    claims.add_argument("--until", help="published on or before (YYYY[-MM[-DD]])")
    claims.add_argument("--limit", type=int, default=100)
    _db(claims, json_flag=True)
    claims.set_defaults(run=_claims)

    entity = commands.add_parser("entity", help="one entity: aliases, roles, claims, outlets")
    entity.add_argument("name")
    _db(entity, json_flag=True)
    entity.set_defaults(run=_entity)

    entities = commands.add_parser("entities", help="correct entity resolution by hand")
    actions = entities.add_subparsers(dest="action", required=True, metavar="ACTION")
    merge = actions.add_parser("merge", help="merge OTHER into KEEP (kept when re-ingesting)")
    merge.add_argument("keep")
    merge.add_argument("other")
    _db(merge)
    merge.set_defaults(run=_merge)
    split = actions.add_parser("split", help="split ALIAS off ENTITY into its own entity")
    split.add_argument("entity")
    split.add_argument("alias")
    _db(split)
    split.set_defaults(run=_split)

    serve = commands.add_parser(
        "serve", help="start the web workbench and HTTP API (loopback by default)",
        description="Serve the workbench pages and the HTTP API over the store. Reads are "
                    "open to loopback clients; writes need the token in $ALLEGE_TOKEN.")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8700, help="port (default: 8700)")
    _db(serve)
    serve.set_defaults(run=_serve)

    stats = commands.add_parser("stats", help="what is in the store")
    _db(stats, json_flag=True)
    stats.set_defaults(run=_stats)


def _db(parser: argparse.ArgumentParser, *, json_flag: bool = False) -> None:
    parser.add_argument("--db", help=DB_HELP)
    if json_flag:
        parser.add_argument("--json", action="store_true", help="print JSON")


def _store(args: argparse.Namespace):
    from .store import connect

    return connect(args.db)


def _json(value) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def _ingest(args: argparse.Namespace) -> None:
    from .ingest import ingest
    from .read import Columns

    columns = Columns(**{f: getattr(args, f"{f}_column") for f in
                         ("text", "title", "url", "outlet", "published", "author")})
    with _store(args) as store, show.ingest_progress() as advance:
        summary = ingest(args.paths, store, columns=columns, fetch=args.fetch,
                         workers=args.workers, progress=advance)
    show.ingest_summary(Console(), summary)


def _search(args: argparse.Namespace) -> None:
    from .store import search

    with _store(args) as store:
        hits = search(store, args.query, limit=args.limit)
    _json([asdict(h) for h in hits]) if args.json else show.hits(Console(), hits)


def _claims(args: argparse.Namespace) -> None:
    from .store import claims

    with _store(args) as store:
        rows = claims(store, speaker=args.speaker, about=args.about, stance=args.stance,
                      outlet=args.outlet, since=args.since, until=args.until, limit=args.limit)
    _json([asdict(r) for r in rows]) if args.json else show.claim_rows(Console(), rows)


def _entity(args: argparse.Namespace) -> None:
    from .errors import InputError
    from .store import entity

    with _store(args) as store:
        report = entity(store, args.name)
    if report is None:
        raise InputError(f"No entity named {args.name!r} in the store; try `allege search`.")
    _json(asdict(report)) if args.json else show.entity_report(Console(), report)


def _merge(args: argparse.Namespace) -> None:
    from .store import merge_entities

    with _store(args) as store:
        kept = merge_entities(store, args.keep, args.other)
    Console().print(f"Merged {args.other!r} into {args.keep!r} (entity {kept}).")


def _split(args: argparse.Namespace) -> None:
    from .store import split_entity

    with _store(args) as store:
        new = split_entity(store, args.entity, args.alias)
    Console().print(f"Split {args.alias!r} off {args.entity!r} into entity {new}.")


def _serve(args: argparse.Namespace) -> None:
    from .serve import serve

    serve(args.host, args.port, args.db)


def _stats(args: argparse.Namespace) -> None:
    from .store import stats

    with _store(args) as store:
        result = stats(store)
    _json(asdict(result)) if args.json else show.stats(Console(), result)
