"""Benchmark: example generation throughput, including writing Parquet.

For each subset it runs the whole job (`datagen.run.run`) twice in this process:
  * with `Pools` (entities drawn from Faker-backed pools built once per type), at --size;
  * with `DirectPools` (Faker called for every entity, the baseline), at --direct-size,
    which is smaller because the baseline is slow; rates (examples/s) are compared, not times.
Wall time is measured around run() and so covers pool building, generation, Parquet writing,
the dataset card and stats.json. It prints a table of rates and the ratio pools/direct, then
the peak RSS of the process. No thresholds are asserted: the numbers are for reading.

Aim: >= 10,000 examples/s on one core.

Run:
    python benchmarks/generation.py                      # 100,000 examples per subset
    python benchmarks/generation.py --size 20000 --direct-size 1000 --subsets synthetic
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from typing import List, Tuple

from hydra import compose, initialize_config_dir

import datagen.run
from datagen.config import register_configs
from datagen.entities import DirectPools
from datagen.templates import builtin_dir

SUBSETS = ("conversational", "synthetic")


def compose_cfg(subset: str, size: int, out_dir: str):
    overrides = [f"+recipe={subset}", f"{subset}.size={size}", f"output.dir={out_dir}", "progress=false"]
    with initialize_config_dir(config_dir=str(builtin_dir("conf")), version_base="1.3"):
        return compose("config", overrides=overrides)


def timed_run(subset: str, size: int, direct: bool) -> Tuple[float, float, int]:
    """(wall seconds of run(), stats timing of the subset, examples written)."""
    with tempfile.TemporaryDirectory(prefix="datagen-bench-") as tmp:
        cfg = compose_cfg(subset, size, tmp)
        saved = datagen.run.Pools
        if direct:
            datagen.run.Pools = DirectPools
        try:
            t0 = time.perf_counter()
            stats = datagen.run.run(cfg)
            wall = time.perf_counter() - t0
        finally:
            datagen.run.Pools = saved
    return wall, stats["timing_seconds"][subset], stats["subsets"][subset]["examples"]


def peak_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 2**10  # bytes on macOS, KiB on Linux


def main(argv: List[str] = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", type=int, default=100_000, help="examples per subset with pools (default 100000)")
    p.add_argument("--direct-size", type=int, default=5_000,
                   help="examples per subset for the Faker-per-entity baseline (default 5000)")
    p.add_argument("--subsets", nargs="+", choices=SUBSETS, default=list(SUBSETS))
    args = p.parse_args(argv)
    register_configs()

    for subset in args.subsets:  # warm-up: imports, Faker locale data, template loading
        timed_run(subset, 100, direct=False)

    rows = []
    for subset in args.subsets:
        wall, gen_s, made = timed_run(subset, args.size, direct=False)
        print(f"{subset}: pools  {made} examples, run() {wall:.2f} s (stats timing {gen_s:.2f} s)", flush=True)
        d_wall, d_gen_s, d_made = timed_run(subset, args.direct_size, direct=True)
        print(f"{subset}: direct {d_made} examples, run() {d_wall:.2f} s (stats timing {d_gen_s:.2f} s)", flush=True)
        rows.append((subset, made, made / wall, d_made / d_wall))

    print()
    head = f"{'subset':<16}{'size':>10}{'examples/s (pools)':>22}{'examples/s (Faker per entity)':>32}{'pools/direct':>15}"
    print(head)
    print("-" * len(head))
    for subset, size, rate, d_rate in rows:
        print(f"{subset:<16}{size:>10}{rate:>22,.0f}{d_rate:>32,.0f}{rate / d_rate:>14.1f}x")
    print(f"\npeak RSS: {peak_rss_mb():.0f} MB   (aim: >= 10,000 examples/s on one core)")


if __name__ == "__main__":
    main()
