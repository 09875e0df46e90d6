"""Benchmark: the synthetic-to-real gap of the screen pipeline, in one invocation.

Rendered screens are what `python -m datagen +recipe=screen` makes and what users sweep the line
margin over; they are good when their metrics match real screens'. This script makes --screens
screens with the default screen recipe (any overrides after --, e.g. `-- screen.render.noise=8`),
reads the shared real pages (../shared/realpages, converted as benchmarks/realpages.py does) with
the same settings, and prints side by side, per set: entity recall and precision per type, line
element-pair F1 at the default margin and across a margin sweep, and the differences rendered -
real. With --plot, the sweep curves of all sets go into one PNG.

Scoring: real pages as ../shared/realpages/README.md defines (datagen/screen/score.py); rendered
screens as the run scores them (entities matched to what was drawn by box overlap and text
similarity: datagen/screen/align.py; lines with the same element-pair F1 over the rendered rows,
regrouped here from the screens table's words for every margin, no new OCR).

Run:
    python benchmarks/gap.py                                  # 200 rendered screens, every real page
    python benchmarks/gap.py --screens 60 --limit 60 --plot outputs/gap.png
    python benchmarks/gap.py --screens 60 -- screen.render.noise=8 screen.render.blur=0.6
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import tempfile
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any, Dict, List, Optional

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

import pyarrow.parquet as pq  # noqa: E402
from hydra import compose, initialize_config_dir  # noqa: E402

import realpages  # noqa: E402
from datagen.config import register_configs  # noqa: E402
from datagen.run import run  # noqa: E402
from datagen.screen.lines import LineSettings, read_lines  # noqa: E402
from datagen.screen.model import Box, Word  # noqa: E402
from datagen.screen.score import Fragment, f1, line_counts  # noqa: E402
from datagen.templates import builtin_dir  # noqa: E402

TYPES = realpages.TABLE_TYPES
MARGINS = realpages.MARGINS


def rendered(n: int, overrides: List[str], cache: str, workers: int) -> Dict[str, Any]:
    """Make n screens with the default screen recipe; their per-type metrics and line F1 per margin."""
    with tempfile.TemporaryDirectory(prefix="datagen-gap-") as tmp:
        args = ["+recipe=screen", f"screen.size={n}", f"output.dir={tmp}/out", f"workers={workers}", "progress=false", "screen.previews=0",
                f"screen.ocr.cache={cache or 'null'}", *overrides]
        register_configs()
        with initialize_config_dir(config_dir=str(builtin_dir("conf")), version_base="1.3"):
            cfg = compose("config", overrides=args)
        run(cfg)
        stats = json.loads((Path(tmp) / "out" / "stats.json").read_text())["subsets"]["screen"]["screen"]
        settings = LineSettings(**stats["lines"])
        sweep: Dict[float, Counter] = {m: Counter() for m in MARGINS}
        for path in sorted((Path(tmp) / "out" / "screens").glob("*.parquet")):
            table = pq.read_table(path, columns=["height", "truth", "words"])
            for height, truth, words in zip(*(table.column(c).to_pylist() for c in ("height", "truth", "words"))):
                ws = [Word(w["text"], Box(*w["bbox"]), w["conf"], w["block"], w["par"], w["line"]) for w in words]
                frags = [Fragment(t["text"], Box(*t["bbox"]), t["row"]) for t in truth]
                for m in MARGINS:
                    elements, lines = read_lines(ws, replace(settings, margin=m), float(height))
                    sweep[m].update(line_counts(frags, ws, lines, [e.words for e in elements]))
    per_type = stats["per_type"]
    return {"screens": stats["screens"], "margin": settings.margin,
            "types": {t: {"recall": per_type.get(t, {}).get("recall"), "precision": per_type.get(t, {}).get("precision"),
                          "labels": per_type.get(t, {}).get("labels", 0)} for t in TYPES},
            "line_f1": f1(sweep[settings.margin]) if settings.margin in sweep else stats["line_pairs_f1"]["line_pairs"],
            "sweep": {m: f1(c) for m, c in sweep.items()}}


def real(name: str, args, folder: Path) -> Dict[str, Any]:
    """The shared real pages of one set, read with the default settings (no psm-3 reference)."""
    images = realpages.convert(args.root / realpages.SETS[name], folder / name, args.limit)
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(args.workers, initializer=realpages._init, initargs=(args.cache or None, {}, {}, False)) as pool:
        return realpages.summarise(pool.map(realpages.page, [str(i) for i in images], chunksize=1))


def _fmt(v: Optional[float]) -> str:
    return "n/a" if v is None else f"{v:.3f}"


def _diff(a: Optional[float], b: Optional[float]) -> str:
    return "n/a" if a is None or b is None else f"{a - b:+.3f}"


def table(sets: Dict[str, Dict[str, Any]]) -> None:
    names = [n for n in sets if n != "rendered"]
    cols = names + ["rendered"] + [f"rend-{n}" for n in names]
    rows = []
    for t in TYPES:
        for k in ("recall", "precision"):
            vals = {n: sets[n]["types"][t][k] for n in sets}
            rows.append((f"{t} {k}", vals))
    rows.append(("line F1 (default margin)", {n: sets[n]["line_f1"] for n in sets}))
    for m in MARGINS:
        rows.append((f"line F1 at margin {m}", {n: sets[n]["sweep"][m] for n in sets}))
    print(f"\n== rendered ({sets['rendered']['screens']} screens) vs real pages ("
          + ", ".join(f"{n} {sets[n]['pages']}" for n in names) + ") ==")
    print(f"{'':<28}" + "".join(f"{c:>14}" for c in cols))
    for label, vals in rows:
        cells = [_fmt(vals[n]) for n in names] + [_fmt(vals["rendered"])]
        cells += [_diff(vals["rendered"], vals[n]) for n in names]
        print(f"{label:<28}" + "".join(f"{c:>14}" for c in cells))
    for n in sets:
        best = max(sets[n]["sweep"], key=lambda m: (sets[n]["sweep"][m] or 0, -m))
        print(f"best margin {n}: {best}")


def plot(sets: Dict[str, Dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for n, s in sets.items():
        ms = sorted(s["sweep"])
        ax.plot(ms, [s["sweep"][m] for m in ms], marker="o", linestyle="--" if n == "rendered" else "-",
                label=f"{n} ({s.get('pages', s.get('screens'))})")
    ax.set_xlabel("screen.lines.margin (median word heights)")
    ax.set_ylabel("line element-pair F1")
    ax.set_title("Line grouping across margins: rendered screens vs real pages")
    ax.grid(alpha=0.3)
    ax.legend()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print(f"plot: {path}")


def main(argv: Optional[List[str]] = None) -> Dict[str, Any]:
    argv = list(sys.argv[1:] if argv is None else argv)
    overrides = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--screens", type=int, default=200, help="rendered screens (default recipe)")
    p.add_argument("--root", type=Path, default=REPO.parent / "shared" / "realpages")
    p.add_argument("--sets", nargs="+", choices=sorted(realpages.SETS), default=sorted(realpages.SETS))
    p.add_argument("--limit", type=int, default=None, help="first N real pages of each set")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    p.add_argument("--cache", default=realpages.DEFAULT_CACHE,
                   help="OCR cache folder ('' = off)")
    p.add_argument("--plot", type=Path, default=None, help="write the sweep curves to this PNG")
    p.add_argument("--json", type=Path, default=None, help="also write the numbers as JSON")
    args = p.parse_args(argv)
    sets: Dict[str, Dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="datagen-gap-real-") as folder:
        for name in args.sets:
            sets[name] = real(name, args, Path(folder))
    sets["rendered"] = rendered(args.screens, overrides, args.cache, args.workers)
    table(sets)
    if args.plot:
        plot(sets, args.plot)
    if args.json:
        args.json.write_text(json.dumps(sets, indent=2, default=str), encoding="utf-8")
    return sets


if __name__ == "__main__":
    main()
