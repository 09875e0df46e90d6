"""Benchmark: the time of `python -m datagen +recipe=realm` on this machine, and where it goes.

Runs the CLI in a subprocess (a cold OCR cache of its own unless --cache is given) and prints,
from its stats.json and the process's resource usage:
  - wall time of the whole command and of each subset, with each one's share of the total;
  - items and examples per subset, items per second;
  - for the screen subset: seconds inside Tesseract against seconds spent making screens
    (summed over workers), so how much of the screen time is OCR;
  - start-up (imports, Hydra, entity pools, templates) and the end (card, stats) as the rest;
  - peak RSS of the main process and of the largest worker.

Run:
    python benchmarks/realm.py                                 # the full recipe (about 25 min on 2 cores)
    python benchmarks/realm.py screen.size=100 synthetic.size=1000   # any overrides, for a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import List


def main(argv: List[str] = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cache", default=None, help="OCR cache folder (default: a fresh one, so every screen is OCR'd)")
    p.add_argument("--keep", default=None, help="write the dataset here instead of a temporary folder")
    p.add_argument("overrides", nargs="*", help="extra key=value overrides")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="datagen-realm-") as tmp:
        out = Path(args.keep or os.path.join(tmp, "dataset"))
        env = dict(os.environ, DATAGEN_CACHE=args.cache or os.path.join(tmp, "cache"))
        cmd = [sys.executable, "-m", "datagen", "+recipe=realm", f"output.dir={out}", f"hydra.run.dir={tmp}/run",
               "progress=false", *args.overrides]
        print("$ " + " ".join(cmd[2:]), flush=True)
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env, check=True)
        wall = time.perf_counter() - t0
        stats = json.loads((out / "stats.json").read_text())
    rss_main = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    timing = stats["timing_seconds"]
    subsets = [s for s in stats["subsets"]]
    made = sum(timing[s] for s in subsets)
    print(f"\n+recipe=realm: {wall:.1f} s wall ({wall / 60:.1f} min) for "
          f"{sum(stats['splits'].values())} examples; run() {timing['total']:.1f} s")
    print(f"{'part':16s} {'seconds':>9s} {'share':>7s} {'items':>7s} {'examples':>9s} {'items/s':>8s}")
    for s in subsets:
        sub = stats["subsets"][s]
        print(f"{s:16s} {timing[s]:9.1f} {timing[s] / wall:7.1%} {sub['items']:7d} {sub['examples']:9d} "
              f"{sub['items'] / max(timing[s], 1e-9):8.1f}")
    rest = wall - made
    print(f"{'start-up + end':16s} {rest:9.1f} {rest / wall:7.1%}   (imports, Hydra, pools, templates, card, stats)")
    sc = stats["subsets"].get("screen", {}).get("screen")
    if sc:
        print(f"\nscreen: {sc['workers']} workers; Tesseract {sc['ocr_seconds']:.0f} s of {sc['item_seconds']:.0f} s "
              f"spent making screens ({sc['ocr_share_of_time']:.1%}); the rest is rendering, PNG encoding, "
              f"detection, line grouping and requests")
    print(f"peak RSS of the largest process: {rss_main:.0f} MB")


if __name__ == "__main__":
    main()
