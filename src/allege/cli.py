"""The ``allege`` command: thin wrappers that parse, call one library function, print."""

from __future__ import annotations

import argparse
import json
import sys
from importlib.resources import files
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from .errors import AllegeError

DESCRIPTION = """\
allege reads news articles and answers: who claims what, according to whom, through which
chain of outlets, who confirms, denies or refuses to confirm it.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="allege", description=DESCRIPTION)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    analyze = commands.add_parser(
        "analyze", help="analyse one article (.txt or .html file, or - for stdin)",
        description="Analyse one article: its claims by speaker, entities, relations and "
                    "disputes. HTML pages are reduced to their main text first.")
    analyze.add_argument("path", metavar="PATH", help="a .txt or .html file, or - for stdin")
    _output_options(analyze)
    _encoder_option(analyze)
    analyze.set_defaults(run=_analyze)

    demo = commands.add_parser(
        "demo", help="analyse the demo article shipped with allege",
        description="Analyse a demo article written for allege that shows every kind of "
                    "attribution it recognises.")
    _output_options(demo)
    demo.set_defaults(run=_demo)

    evaluate = commands.add_parser("eval", help="score allege on a gold data set")
    sets = evaluate.add_subparsers(dest="dataset", required=True, metavar="DATASET")
    polnear = sets.add_parser(
        "polnear", help="attribution accuracy on PolNeAR (exact spans and linked claims)",
        description="Score attribution extraction on a PolNeAR split: per-role exact-span "
                    "P/R/F1 for source, cue and content, linked-attribution P/R/F1, and "
                    "a calibration table of claim confidence.")
    polnear.add_argument("--data", type=Path, required=True,
                         help="the PolNeAR folder (holding train/ and dev/)")
    polnear.add_argument("--split", help="the split to score (default: dev); with "
                         "--agreement, splits separated by commas (default: "
                         "dev,annotator-training, the articles allege never trained on)")
    polnear.add_argument("--limit", type=int, help="score only the first N articles")
    polnear.add_argument("--json", action="store_true", help="print the scores as JSON")
    polnear.add_argument("--errors", type=int, default=0, metavar="N",
                         help="also print the error classes with N examples of each")
    polnear.add_argument("--by-annotator", action="store_true",
                         help="also print the F1s on each annotator's articles, with how "
                              "many attributions each marked per 1,000 words")
    polnear.add_argument("--agreement", action="store_true",
                         help="score instead the articles several annotators annotated: each "
                              "annotator against each other, and allege against each "
                              "annotator (how far humans agree under the same protocol)")
    _encoder_option(polnear)
    polnear.set_defaults(run=_eval_polnear)

    emergent = sets.add_parser(
        "emergent", help="claim verdicts on Emergent's 60 test claims (macro-F1)",
        description="Claim-level verdicts (true / false / unknown) from the articles' "
                    "stances and the credibility grades, thresholds fitted on the train claims.")
    emergent.add_argument("--data", type=Path, required=True, help="the Emergent folder")
    emergent.add_argument("--stances", choices=("gold", "predicted"), default="gold",
                          help="the journalists' stances (default), or those allege's "
                               "article stance model predicts from the headlines")
    emergent.set_defaults(run=_eval_emergent)

    grouping = sets.add_parser(
        "propositions", help="proposition grouping of Emergent's test headlines (B-cubed)",
        description="Group the headlines of Emergent's test claims into propositions, by "
                    "their words alone and by words and sentence embeddings (thresholds "
                    "chosen on the train claims), and score the groups with B-cubed P/R/F1 "
                    "against the claims they belong to.")
    grouping.add_argument("--data", type=Path, required=True, help="the Emergent folder")
    grouping.set_defaults(run=_eval_propositions)

    fnc1 = sets.add_parser(
        "fnc1", help="article stance (agree/disagree/discuss/unrelated) on FNC-1",
        description="Label FNC-1 headline/body pairs with the shipped stance model and print "
                    "the official weighted score as a percentage of the maximum, macro-F1, "
                    "per-class F1 and the throughput in pairs/s.")
    fnc1.add_argument("--data", type=Path, required=True, help="the FNC-1 folder")
    fnc1.add_argument("--split", default="test",
                      help="test (the competition test set, default) or holdout")
    fnc1.add_argument("--limit", type=int, help="score only the first N pairs")
    fnc1.set_defaults(run=_eval_fnc1)

    from . import cli_corpus, cli_corroborate

    cli_corpus.add_commands(commands)
    cli_corroborate.add_commands(commands)
    return parser


def _output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text: a readable report (default); json: the analysis contract")


def _encoder_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--encoder", nargs="?", const="full", choices=("fast", "full", "none"),
                        help="which encoder tagger (all-MiniLM-L6-v2 with allege's adapters) "
                             "refines the attribution tagger: fast (four layers, the default), "
                             "full (six: a little more accurate, a little slower; also plain "
                             "--encoder) or none (fastest, least accurate); "
                             "ALLEGE_ENCODER=fast|full|none in the environment sets the default; "
                             "ALLEGE_PRECISION=bfloat16|int8|float32 how it computes (auto: "
                             "bfloat16 where the CPU has it, else int8 for fast)")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except AllegeError as error:
        Console(stderr=True, soft_wrap=True).print(
            f"[bold red]allege:[/bold red] {escape(str(error))}", highlight=False)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # "allege analyze x | head": the reader went away
        sys.stderr.close()
        return 0
    return 0


def _analyze(args: argparse.Namespace) -> None:
    from .analysis import analyze_documents
    from .read import read_path

    document = read_path(args.path)
    _show(next(analyze_documents([document], encoder=args.encoder)), args.format)


def _demo(args: argparse.Namespace) -> None:
    from .analysis import analyze_documents
    from .read import read_bytes

    data = files("allege").joinpath("data/demo.txt").read_bytes()
    document = read_bytes(data, name="demo.txt")
    document.outlet = document.outlet or "allege demo"
    _show(next(analyze_documents([document])), args.format)


def _show(analysis, output: str) -> None:
    if output == "json":
        json.dump(analysis.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        from .report import print_report

        print_report(analysis)


def _eval_polnear(args: argparse.Namespace) -> None:
    from .cli_corpus import _json
    from .eval.polnear import evaluate, format_annotators, format_errors, format_table

    if args.agreement:
        _eval_agreement(args)
        return
    scores = evaluate(args.data, args.split or "dev", limit=args.limit,
                      progress=sys.stderr.isatty(), encoder=args.encoder)
    if args.json:
        _json(scores.to_dict())
        return
    console = Console()
    for table in format_table(scores):
        console.print(table)
    console.print(_tagged_with(args.encoder))
    if args.by_annotator:
        console.print(format_annotators(scores))
    if args.errors:
        console.print(format_errors(scores, args.errors))


def _tagged_with(encoder: str | None) -> str:
    """Which encoder tagged, and in what precision: figures differ a little by CPU."""
    from .analysis import encoder_choice
    from .encoder_tagger import encoder_named

    choice = encoder_choice(encoder)
    if choice == "none":
        return "Tagged without an encoder."
    return f"Tagged with the {choice} encoder, computing in {encoder_named(choice).precision}."


def _eval_agreement(args: argparse.Namespace) -> None:
    from .cli_corpus import _json
    from .eval.agreement import UNSEEN, evaluate_agreement, format_agreement

    if args.limit or args.errors or args.by_annotator:
        raise AllegeError("--agreement scores every article with several annotators; "
                          "--limit, --errors and --by-annotator do not apply to it.")
    splits = args.split.split(",") if args.split else UNSEEN
    result = evaluate_agreement(args.data, splits, encoder=args.encoder)
    if args.json:
        _json(result.to_dict())
        return
    console = Console()
    console.print(format_agreement(result))
    if "train" in splits:
        console.print("allege was trained on the first annotator's version of the train "
                      "split: its row there is not a fair comparison.")


def _eval_emergent(args: argparse.Namespace) -> None:
    from .eval.emergent import evaluate

    print(evaluate(args.data, args.stances))


def _eval_propositions(args: argparse.Namespace) -> None:
    from .eval.propositions import evaluate

    print(evaluate(args.data))


def _eval_fnc1(args: argparse.Namespace) -> None:
    from .eval.fnc1 import evaluate, format_table

    console = Console()
    for table in format_table(evaluate(args.data, args.split, limit=args.limit)):
        console.print(table)
