"""Measure how often each kind of claim is right, and write it as the claims' confidence.

For every extraction rule and cue family (see allege.extract.confidence), the share of
claims that match a gold attribution under the linked protocol on PolNeAR's dev split is
written to src/allege/data/confidence.toml. Measured on dev, as the shipped tagger was
trained on train and is overconfident there; so the calibration table that
`allege eval polnear --split dev` prints is in-sample.

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
# Fewer claims than this in a family: pool it with the families of the same base rule
# ("direct" for "direct+tagged:other"), and failing that with all claims.
MIN_COUNT = 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="the PolNeAR folder")
    parser.add_argument("--split", default="dev",
                        help="split to measure on (default: dev; the tagger was trained on train)")
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
        count, hits = _pooled(key, total, right)
        lines.append(f'"{key}" = {hits / max(count, 1):.3f}  # {right[key]}/{total[key]}')
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


def _pooled(key: str, total: Counter, right: Counter) -> tuple[int, int]:
    """Counts for ``key``, pooled with its relatives when it has too few claims."""
    base = key.split(":")[0].split("+")[0]
    for same in (lambda k: k == key, lambda k: k.split(":")[0].split("+")[0] == base,
                 lambda k: True):
        count = sum(v for k, v in total.items() if same(k))
        if count >= MIN_COUNT:
            return count, sum(v for k, v in right.items() if same(k))
    return sum(total.values()), sum(right.values())


if __name__ == "__main__":
    main()
