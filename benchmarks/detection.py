"""Benchmark: the entity detector (datagen.screen.detect) on the text of real pages, this checkout against another revision.

OCR dominates a screen's time, so a change to the detector does not show in a whole run. This script
reads the shared real pages (../shared/realpages, converted as benchmarks/realpages.py does) once,
through the OCR cache, groups their words into elements with this checkout's code, and writes the
elements of every page to a file. Then, in rounds that alternate the order, a subprocess per side
imports the detector of this checkout or of REV (checked out into a temporary git worktree) and times
`detect(elements, DetectSettings())` over every page. It prints per side the seconds (wall and CPU),
the calls made (one per page: both sides must make the same number) and the detections per type, and
the ratio of the medians: above 1, this checkout is slower. Both sides read the same elements.

Run:
    python benchmarks/detection.py --against 19e661d
    python benchmarks/detection.py --against HEAD~3 --sets desktop --limit 100 --rounds 3
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import pickle
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import List, Optional, Tuple

from against import REPO, alternating, ratio, run_side, worktree


def _page_elements(image_path: str) -> List[Tuple[str, Tuple[float, ...], Tuple[Tuple[str, Tuple[float, ...], float], ...]]]:
    """One page's elements as plain tuples (text, box, words), so another revision's model classes read them."""
    import realpages
    from datagen.screen.lines import read_lines
    from datagen.screen.source import open_image

    image = open_image(Path(image_path).read_bytes(), realpages.MAX_PIXELS)
    words = realpages._STATE["ocr"].read(image).words  # through the cache; no detection here, only in the timed runs
    elements, _ = read_lines(words, realpages._STATE["lines"], float(image.height))

    def box(b):
        return (b.x0, b.y0, b.x1, b.y1)
    return [(e.text, box(e.box), tuple((w.text, box(w.box), w.conf) for w in e.words)) for e in elements]


def worker(pages_file: str) -> None:
    """Time this interpreter's datagen detector over the pickled pages; print one JSON line."""
    import datagen
    from datagen.screen.detect import DetectSettings, detect
    from datagen.screen.model import Box, Element, Word

    with open(pages_file, "rb") as f:
        raw = pickle.load(f)
    pages = [[Element(t, Box(*b), tuple(Word(wt, Box(*wb), c) for wt, wb, c in ws)) for t, b, ws in page] for page in raw]
    settings = DetectSettings()
    detect(pages[0] if pages else [], settings)  # warm-up: imports, compiled patterns
    calls, found = 0, Counter()
    t0, c0 = time.perf_counter(), time.process_time()
    for page in pages:
        calls += 1
        found.update(d.type for d in detect(page, settings))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(json.dumps({"wall": wall, "cpu": cpu, "calls": calls, "found": dict(found),
                      "datagen": str(Path(datagen.__file__).resolve().parent)}))


def main(argv: Optional[List[str]] = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:  # a side's subprocess: datagen comes from its PYTHONPATH, not from this file's checkout
        return worker(argv[1])
    sys.path.insert(0, str(REPO / "benchmarks"))
    sys.path.insert(0, str(REPO))
    import realpages

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--against", metavar="REV", help="the git revision to compare with")
    p.add_argument("--root", type=Path, default=REPO.parent / "shared" / "realpages")
    p.add_argument("--sets", nargs="+", choices=sorted(realpages.SETS), default=sorted(realpages.SETS))
    p.add_argument("--limit", type=int, default=None, help="first N pages of each set")
    p.add_argument("--rounds", type=int, default=5, help="runs of each side")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes reading the pages")
    p.add_argument("--cache", default=realpages.DEFAULT_CACHE, help="OCR cache folder ('' = off)")
    args = p.parse_args(argv)
    if not args.against:
        p.error("--against REV is needed (the revision to compare this checkout with)")
    with tempfile.TemporaryDirectory(prefix="datagen-detection-") as tmp:
        images: List[Path] = []
        for name in args.sets:
            images += realpages.convert(args.root / realpages.SETS[name], Path(tmp) / name, args.limit)
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(args.workers, initializer=realpages._init, initargs=(args.cache or None, {}, {}, False)) as pool:
            pages = pool.map(_page_elements, [str(i) for i in images], chunksize=4)
        pages_file = str(Path(tmp) / "pages.pickle")
        with open(pages_file, "wb") as f:
            pickle.dump(pages, f)
        print(f"{len(pages)} pages ({', '.join(args.sets)}), {sum(map(len, pages))} elements", flush=True)
        with worktree(args.against) as (there, head):
            sides = {"this checkout": REPO, f"{args.against} ({head})": there}
            times = {(name, clock): [] for name in sides for clock in ("wall", "cpu")}
            for k, name, root in alternating(sides, args.rounds):
                r = run_side(root, Path(__file__), ["--worker", pages_file])
                for clock in ("wall", "cpu"):
                    times[name, clock].append(r[clock])
                print(f"round {k + 1} {name:<24} {r['calls']} detect() calls in {r['wall']:.2f} s (CPU {r['cpu']:.2f} s);"
                      f" found {dict(sorted(r['found'].items()))}; datagen from {r['datagen']}", flush=True)
            a, b = sides
            for clock in ("wall", "cpu"):
                ta, tb = times[a, clock], times[b, clock]
                print(f"{clock} time: median {statistics.median(ta):.3f} s ({a}) against {statistics.median(tb):.3f} s ({b}):"
                      f" {ratio(ta, tb)}")
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
