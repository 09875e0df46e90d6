"""Benchmark: the synthetic-to-real gap of the screen pipeline, in one invocation.

Rendered screens are what `python -m datagen +recipe=screen` makes and what users sweep the line
margin over; they are good when their metrics match real screens'. This script makes --screens
screens with the default screen recipe (any overrides after --, e.g. `-- screen.render.noise=8`),
reads the shared real pages (../shared/realpages, converted as benchmarks/realpages.py does) with
the same settings, and prints side by side: each real set (desktop, mobile) beside the rendered web
pages of the same device and their difference rendered - real, then the rendered phone screens and
all rendered screens together (the curve a margin sweep of the recipe follows): entity recall and
precision per type, OCR word accuracy (as benchmarks/realpages.py defines it), line element-pair F1 at
the default margin and across a margin sweep. With
--plot, the sweep curves of all sets go into one PNG.

Scoring: both sides as ../shared/realpages/README.md defines (datagen/screen/score.py; a rendered
screen's truth is exact, so every number drawn counts): the run's own per-screen entity counts, and
line element-pair F1 with rows compared by the boxes a browser would report, regrouped here from the
screens table's words for every margin (no new OCR).

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
ALL = "all"  # the rendered screens of every device together
MARGINS = realpages.MARGINS


def rendered(n: int, overrides: List[str], cache: str, workers: int) -> Dict[str, Dict[str, Any]]:
    """Make n screens with the default screen recipe; per device (phone, desktop, mobile) their per-type
    metrics and line F1 per margin, from the screens table (words regrouped for every margin, no new OCR)."""
    with tempfile.TemporaryDirectory(prefix="datagen-gap-") as tmp:
        args = ["+recipe=screen", f"screen.size={n}", f"output.dir={tmp}/out", f"workers={workers}", "progress=false", "screen.previews=0",
                f"screen.ocr.cache={cache or 'null'}", *overrides]
        register_configs()
        with initialize_config_dir(config_dir=str(builtin_dir("conf")), version_base="1.3"):
            cfg = compose("config", overrides=args)
        run(cfg)
        stats = json.loads((Path(tmp) / "out" / "stats.json").read_text())["subsets"]["screen"]["screen"]
        settings = LineSettings(**stats["lines"])
        sums: Dict[str, Dict[str, Counter]] = {}
        sweep: Dict[str, Dict[float, Counter]] = {}
        screens: Counter = Counter()
        accuracy: Dict[str, Counter] = {}
        columns = ["device", "height", "truth", "words", "entity_counts"]
        for path in sorted((Path(tmp) / "out" / "screens").glob("*.parquet")):
            table = pq.read_table(path, columns=columns)
            for device, height, truth, words, entity_counts in zip(*(table.column(c).to_pylist() for c in columns)):
                for key in (device, ALL):  # each device, and all screens together (what a sweep of the recipe sees)
                    screens[key] += 1
                    kinds = sums.setdefault(key, {k: Counter() for k in ("labels", "found", "detected", "precise")})
                    for c in entity_counts:
                        for k in kinds:
                            kinds[k][c["type"]] += c[k]
                ws = [Word(w["text"], Box(*w["bbox"]), w["conf"], w["block"], w["par"], w["line"]) for w in words]
                frags = [Fragment(t["text"], Box(*t["line_bbox"])) for t in truth]  # rows by their boxes, as the run scores them
                acc = realpages.word_accuracy(frags, ws)
                for key in (device, ALL):
                    accuracy.setdefault(key, Counter()).update(acc)
                for m in MARGINS:
                    elements, lines = read_lines(ws, replace(settings, margin=m), float(height))
                    counts = line_counts(frags, ws, lines, [e.words for e in elements])
                    for key in (device, ALL):
                        sweep.setdefault(key, {k: Counter() for k in MARGINS})[m].update(counts)
    out = {}
    for device, kinds in sums.items():
        types = {t: {"recall": kinds["found"][t] / kinds["labels"][t] if kinds["labels"][t] else None,
                     "precision": kinds["precise"][t] / kinds["detected"][t] if kinds["detected"][t] else None,
                     "labels": kinds["labels"][t]} for t in TYPES}
        curve = {m: f1(c) for m, c in sweep[device].items()}
        acc = accuracy[device]
        out[device] = {"screens": screens[device], "margin": settings.margin, "types": types,
                       "line_f1": curve.get(settings.margin), "sweep": curve,
                       "word_accuracy": acc["found"] / acc["truth"] if acc["truth"] else None}
    return out


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
    """Real and rendered side by side: per real set (desktop, mobile) its rendered twin and the difference."""
    real_names = [n for n in sets if not n.startswith("rendered ")]
    cols = []
    for n in real_names:
        cols += [n, f"rendered {n}", "diff"]
    cols += [n for n in sets if n.startswith("rendered ") and n[len("rendered "):] not in real_names]
    rows = []
    for t in TYPES:
        for k in ("recall", "precision"):
            rows.append((f"{t} {k}", {n: s["types"][t][k] for n, s in sets.items()}))
    rows.append(("OCR word accuracy", {n: s["word_accuracy"] for n, s in sets.items()}))
    rows.append(("line F1 (default margin)", {n: s["line_f1"] for n, s in sets.items()}))
    for m in MARGINS:
        rows.append((f"line F1 at margin {m}", {n: s["sweep"][m] for n, s in sets.items()}))
    print("\n== rendered screens vs real pages, same settings: "
          + ", ".join(f"{n} {s.get('pages', s.get('screens'))}" for n, s in sets.items()) + " ==")
    print(f"{'':<28}" + "".join(f"{c:>18}" for c in cols))
    for label, vals in rows:
        cells = []
        for n in real_names:
            twin = vals.get(f"rendered {n}")
            cells += [_fmt(vals[n]), _fmt(twin), _diff(twin, vals[n])]
        cells += [_fmt(vals[c]) for c in cols[3 * len(real_names):]]
        print(f"{label:<28}" + "".join(f"{c:>18}" for c in cells))
    for n, s in sets.items():
        best = max(s["sweep"], key=lambda m: (s["sweep"][m] or 0, -m))
        print(f"best margin {n}: {best} (F1 {_fmt(s['sweep'][best])})")


def plot(sets: Dict[str, Dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    colour = {"desktop": "tab:blue", "mobile": "tab:orange", "phone": "tab:green", ALL: "black"}
    for n, s in sets.items():
        ms = sorted(s["sweep"])
        device = n[len("rendered "):] if n.startswith("rendered ") else n
        ax.plot(ms, [s["sweep"][m] for m in ms], marker="o", linestyle="--" if n.startswith("rendered") else "-",
                color=colour.get(device), linewidth=2.5 if device == ALL else 1.5,
                label=f"{n} ({s.get('pages', s.get('screens'))} {'pages' if 'pages' in s else 'screens'})")
    ax.set_xlabel("screen.lines.margin (median word heights)")
    ax.set_ylabel("line element-pair F1")
    ax.set_title("Line grouping across margins: rendered screens (dashed) vs real pages")
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
    for device, numbers in rendered(args.screens, overrides, args.cache, args.workers).items():
        sets[f"rendered {device}"] = numbers
    table(sets)
    if args.plot:
        plot(sets, args.plot)
    if args.json:
        args.json.write_text(json.dumps(sets, indent=2, default=str), encoding="utf-8")
    return sets


if __name__ == "__main__":
    main()
