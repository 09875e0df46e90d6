"""Requests to read: a sample of N per subset and reference kind, in one table, for a human review.

A request is only as good as a careful native speaker finds it. This script makes a dataset with
the text recipe (or reads one, --dataset), samples --per requests of every (subset, reference)
pair with a seeded generator, and writes them as a Markdown table (subset, reference, template,
request, what it points at) with an empty `rating` column to fill in: natural, awkward or
ungrammatical. With --ratings FILE (the same table, rated), it counts the ratings per subset.

With --stats N it instead makes N conversational examples and prints what the requests must
meet: requests that do not pick exactly their targets when read back (ambiguous), the share of
distinct requests, the share of descriptive requests that use a partial or spoken form (any
description but those that repeat a shown value whole: EXACT_FORMS), and the first, type and
string baselines per reference kind and per subset (from the run's stats.json).

Run:
    python benchmarks/requests.py --per 50 --out outputs/requests_review.md
    python benchmarks/requests.py --ratings outputs/requests_review.md
    python benchmarks/requests.py --stats 10000
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, List, Optional

import pyarrow.parquet as pq

RATINGS = ("natural", "awkward", "ungrammatical")
# descriptions that say a value as the list shows it, whole (the full name, the title, "7:30 AM"); every other
# description is partial ("the one on Main Street", "Smith's"), spoken ("the 415 number") or an attribute
EXACT_FORMS = {"business/describe/name", "contact/describe/full_name", "media/describe/title",
               "media/describe/type_title", "alarm/describe/time", "alarm/describe/time_one"}


def _rows(dataset: Path) -> List[dict]:
    out: List[dict] = []
    for p in sorted((dataset / "data").glob("*.parquet")):
        out += pq.read_table(p, columns=["subset", "reference", "template", "query", "entities", "targets"]).to_pylist()
    return out


def sample(rows: List[dict], per: int, seed: int) -> List[dict]:
    by: Dict[tuple, List[dict]] = defaultdict(list)
    for r in rows:
        by[(r["subset"], r["reference"])].append(r)
    rng = random.Random(seed)
    out = []
    for key in sorted(by):
        out += rng.sample(by[key], min(per, len(by[key])))
    return out


def table(rows: List[dict]) -> str:
    lines = ["| subset | reference | template | request | points at | rating |", "|---|---|---|---|---|---|"]
    for r in rows:
        picked = "; ".join(r["entities"][t - 1]["value"] for t in r["targets"]) or "(none)"
        cells = [r["subset"], r["reference"], r["template"] or "", r["query"], picked, ""]
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def count_ratings(path: Path) -> Dict[str, Counter]:
    out: Dict[str, Counter] = defaultdict(Counter)
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[5] in RATINGS:
            out[cells[0]][cells[5]] += 1
    return out


def request_stats(size: int) -> None:
    import json

    from datagen.conversational import check_row, load as load_conversational
    from datagen.entities import Pools
    from datagen.templates import builtin_dir

    with tempfile.TemporaryDirectory(prefix="datagen-requests-") as tmp:
        dataset = Path(tmp) / "ds"
        subprocess.run([sys.executable, "-m", "datagen", "+recipe=conversational", f"output.dir={dataset}",
                        "progress=false", f"conversational.size={size}", f"hydra.run.dir={tmp}/run"], check=True)
        rows = []
        for p in sorted((dataset / "data").glob("*.parquet")):
            rows += pq.read_table(p).to_pylist()
        stats = json.loads((dataset / "stats.json").read_text())
    templates = load_conversational(builtin_dir("templates"), Pools(builtin_dir("templates"), "en_US", 0, 10))
    ambiguous = [r["query"] for r in rows if not check_row(r, templates)]
    distinct = len({r["query"] for r in rows}) / len(rows)
    described = [r["template"] for r in rows if r["reference"] == "descriptive"]
    partial = sum(t not in EXACT_FORMS for t in described)
    print(f"{len(rows)} conversational examples")
    print(f"ambiguous (not exactly their targets when read back): {len(ambiguous)}" +
          (f", e.g. {ambiguous[:3]}" if ambiguous else ""))
    print(f"distinct requests: {distinct:.1%}")
    print(f"descriptive requests in a partial or spoken form: {partial} of {len(described)} ({partial / len(described):.1%})")
    sub = stats["subsets"]["conversational"]
    print("\nbaselines (exact-match accuracy)    first    type  string")
    for ref, b in sorted(sub["baselines_by_reference"].items()):
        print(f"  {ref:<32}{b['first']:>8.3f}{b['type']:>8.3f}{b['string']:>8.3f}")
    b = sub["baselines"]
    print(f"  {'conversational (all)':<32}{b['first']:>8.3f}{b['type']:>8.3f}{b['string']:>8.3f}")


def main(argv: Optional[List[str]] = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", type=Path, default=None, help="a dataset folder (default: make one with +recipe=text)")
    p.add_argument("--per", type=int, default=50, help="requests per subset and reference kind")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, default=Path("outputs/requests_review.md"))
    p.add_argument("--ratings", type=Path, default=None, help="a rated table: count its ratings per subset")
    p.add_argument("--stats", type=int, default=None, metavar="N",
                   help="make N conversational examples and print ambiguity, distinctness, forms and baselines")
    args = p.parse_args(argv)
    if args.stats:
        return request_stats(args.stats)
    if args.ratings:
        for subset, c in sorted(count_ratings(args.ratings).items()):
            n = sum(c.values())
            print(f"{subset}: {n} rated, " + ", ".join(f"{k} {c[k]} ({c[k] / n:.0%})" for k in RATINGS))
        return
    with tempfile.TemporaryDirectory(prefix="datagen-requests-") as tmp:
        dataset = args.dataset
        if dataset is None:
            dataset = Path(tmp) / "ds"
            subprocess.run([sys.executable, "-m", "datagen", "+recipe=text", f"output.dir={dataset}", "progress=false",
                            "conversational.size=3000", "synthetic.size=2000", "unseen.size=600"], check=True)
        rows = sample(_rows(dataset), args.per, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(table(rows), encoding="utf-8")
    print(f"{len(rows)} requests in {args.out}: " + ", ".join(
        f"{k[0]}/{k[1]} {v}" for k, v in sorted(Counter((r['subset'], r['reference']) for r in rows).items())))


if __name__ == "__main__":
    main()
