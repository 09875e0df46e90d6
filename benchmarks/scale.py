"""Benchmark: does generation scale linearly in time and stay flat in memory?

Runs `python -m datagen +recipe=synthetic synthetic.size=N` as a subprocess for a small and a
ten times larger N (default 100,000 and 1,000,000), each as a fresh process, and prints the
wall time and peak RSS of each and the ratios:
  time(10N) / (10 x time(N))   aim <= 1.2 (no super-linear cost: buffering, caches, journal)
  peak RSS(10N)                 aim < 500 MB (memory flat in N: rows stream to Parquet)

Run:
    python benchmarks/scale.py                    # 100k and 1M (about 5 minutes on 2 cores)
    python benchmarks/scale.py --size 10000       # 10k and 100k, a quick look
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from typing import List, Tuple


def measure(size: int, tmp: str, recipe: str) -> Tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one fresh run (the RSS from the kernel's rusage of that child)."""
    out = os.path.join(tmp, f"{recipe}-{size}")
    cmd = [sys.executable, "-m", "datagen", f"+recipe={recipe}", f"{recipe}.size={size}", f"output.dir={out}",
           f"hydra.run.dir={out}-run", "progress=false"]
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            sys.exit(f"{' '.join(cmd)} failed: {err.read().decode()[-2000:]}")
    return wall, usage.ru_maxrss / 2**10  # KiB on Linux


def main(argv: List[str] = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", type=int, default=100_000, help="the small size; the large one is 10x (default 100000)")
    p.add_argument("--recipe", default="synthetic", choices=["synthetic", "conversational"])
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="datagen-scale-") as tmp:
        small_t, small_m = measure(args.size, tmp, args.recipe)
        print(f"{args.recipe} {args.size:>9,d}: {small_t:7.1f} s, peak RSS {small_m:4.0f} MB", flush=True)
        big_t, big_m = measure(10 * args.size, tmp, args.recipe)
        print(f"{args.recipe} {10 * args.size:>9,d}: {big_t:7.1f} s, peak RSS {big_m:4.0f} MB", flush=True)
    print(f"\ntime(10N) / (10 x time(N)) = {big_t / (10 * small_t):.2f} (aim <= 1.2)")
    print(f"peak RSS at 10N = {big_m:.0f} MB, {big_m / small_m:.2f}x that at N (aim < 500 MB)")


if __name__ == "__main__":
    main()
