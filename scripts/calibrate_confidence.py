"""Measure how often each kind of claim is right, and write it as the claims' confidence.

For every extraction rule and cue family (see allege.extract.confidence), the share of
claims that match a gold attribution under the linked protocol on PolNeAR's train split is
written to src/allege/data/confidence.toml. Train, not dev: dev stays for measuring.

    python scripts/calibrate_confidence.py --data ../shared/data/polnear
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from allege.analysis import analyze_documents
from allege.eval.polnear import load_split, match, predicted_from_analysis, scored_claims
from allege.extract.confidence import family
from allege.model import Document

OUT = Path(__file__).resolve().parents[1] / "src" / "allege" / "data" / "confidence.toml"
# Fewer claims than this in a family: pool it with its rule's other family.
MIN_COUNT = 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="the PolNeAR folder")
    parser.add_argument("--split", default="train", help="split to measure on (default: train)")
    parser.add_argument("--limit", type=int, default=300, help="articles to use (default: 300)")
    parser.add_argument("--out", type=Path, default=OUT, help="where to write the table")
    args = parser.parse_args()

    golds = load_split(args.data, args.split)[: args.limit]
    total, right = Counter(), Counter()
    analyses = analyze_documents(Document(text=g.text) for g in golds)
    for gold, analysis in zip(golds, analyses):
        claims = scored_claims(analysis)
        matched = match(gold.text, gold.relations, predicted_from_analysis(analysis))
        for n, claim in enumerate(claims):
            key = family(claim.rule, claim.cue.lemma)
            total[key] += 1
            right[key] += n in matched
    lines = ["# Share of claims matching a gold attribution (linked protocol), by how they were",
             f"# found; measured on PolNeAR {args.split}, {len(golds)} articles, by",
             "# scripts/calibrate_confidence.py.", "", "[share]"]
    for key in sorted(total):
        rule = key.split(":")[0]
        count, hits = total[key], right[key]
        if count < MIN_COUNT:
            count = sum(v for k, v in total.items() if k.startswith(rule + ":"))
            hits = sum(v for k, v in right.items() if k.startswith(rule + ":"))
        lines.append(f'"{key}" = {hits / max(count, 1):.3f}  # {right[key]}/{total[key]}')
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
