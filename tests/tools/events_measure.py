"""`python -m tests.tools.events_measure CORPUS.jsonl LABELS.tsv [...]`: how well does berita
group articles into events?

For each corpus (with its labelled pairs) it runs `berita run` and reads the events.csv it
writes. A TSV line is `id_a<TAB>id_b` (the pair is one event; ../shared/corpus/real.events.tsv)
or `id_a<TAB>id_b<TAB>same|different<TAB>why` (tests/data/events-dev.tsv); lines starting
with `#` are comments. Every pair of articles not labelled `same` is presumed to be two
events. Pairwise figures: precision = predicted same-event pairs that are labelled same,
recall = labelled same pairs that are predicted; and how many pairs labelled `different`
(the hard negatives) were kept apart.

    python -m tests.tools.events_measure ../shared/corpus/real.jsonl ../shared/corpus/real.events.tsv \\
        ../shared/corpus/dev.jsonl tests/data/events-dev.tsv
"""
from __future__ import annotations

import argparse
import csv
import itertools
import json
import sys
import tempfile
from pathlib import Path

from pipeline import cli


def read_labels(path: Path) -> tuple[set[frozenset], set[frozenset]]:
    same, different = set(), set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        pair = frozenset(cells[:2])
        (different if len(cells) > 2 and cells[2] == "different" else same).add(pair)
    return same, different


def predicted_pairs(out: Path) -> set[frozenset]:
    with open(out / "events.csv", encoding="utf-8-sig", newline="") as f:
        events = [row["article_ids"].split("; ") for row in csv.DictReader(f)]
    return {frozenset(p) for members in events for p in itertools.combinations(members, 2)}


def measure(corpus: Path, labels: Path, work: Path) -> dict:
    out = work / corpus.stem
    if cli.main(["run", str(corpus), "--out", str(out), "--quiet", "--no-review"]) != 0:
        raise SystemExit(f"events_measure: berita run {corpus} failed")
    same, different = read_labels(labels)
    predicted = predicted_pairs(out)
    hits = predicted & same
    return {"corpus": str(corpus), "labels": str(labels), "labelled_same": len(same),
            "predicted_same": len(predicted), "true_positives": len(hits),
            "precision": round(len(hits) / len(predicted), 3) if predicted else None,
            "recall": round(len(hits) / len(same), 3) if same else None,
            "missed": sorted(sorted(p) for p in same - predicted),
            "wrongly_joined": sorted(sorted(p) for p in predicted - same),
            "hard_negatives": len(different), "hard_negatives_apart": len(different - predicted)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.tools.events_measure", description=__doc__.split("\n")[0])
    ap.add_argument("pairs", nargs="+", type=Path, help="CORPUS.jsonl LABELS.tsv, repeated")
    args = ap.parse_args(argv)
    if len(args.pairs) % 2:
        ap.error("give a labels file after each corpus")
    with tempfile.TemporaryDirectory(prefix="berita-events-") as work:
        results = [measure(c, labels, Path(work)) for c, labels in zip(args.pairs[::2], args.pairs[1::2])]
    tp = sum(r["true_positives"] for r in results)
    predicted = sum(r["predicted_same"] for r in results)
    same = sum(r["labelled_same"] for r in results)
    total = {"precision": round(tp / predicted, 3) if predicted else None,
             "recall": round(tp / same, 3) if same else None}
    print(json.dumps({"corpora": results, "all": total}, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
