"""Benchmark: example generation throughput, including writing Parquet.

For each subset it runs the whole job (`datagen.run.run`) twice in this process, with
`datagen.run.shared_pools` replaced by a function that builds fresh pools (like `shared_pools`
builds `Pools`, but without its cache, so every timed run builds its own):
  * `Pools` (entities drawn from Faker-backed pools built once per type), at --size;
  * `DirectPools` (Faker called for every entity drawn, the baseline), at --direct-size,
    which is smaller because the baseline is slow; rates (examples/s) are compared, not times.
Both pool objects count the entities their generators made with Faker (rejected draws included)
and the entities they handed to the items, so the table shows that the baseline really called
Faker for every entity and the pooled run only to fill its pools.
Wall time is measured around run() and so covers pool building, generation, Parquet writing,
the dataset card and stats.json. It prints a table of rates and counts, the ratio pools/direct,
then the peak RSS of the process. No thresholds are asserted: the numbers are for reading.

Aim: >= 10,000 examples/s on one core.

With --against REV it instead compares this checkout with another revision of the project: REV is
checked out into a temporary git worktree, and each round runs the pooled job once with this code
and once with that code, each in a fresh Python process (this script with --worker, importing
datagen from its own checkout), alternating which goes first. It prints every run (which datagen
it imported, examples written, entities drawn) and the median rate of each side with their ratio.

Run:
    python benchmarks/generation.py                      # 100,000 examples per subset
    python benchmarks/generation.py --size 20000 --direct-size 1000 --subsets synthetic
    python benchmarks/generation.py --against 79df1d2 --size 30000 --rounds 5 --subsets conversational
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import List, NamedTuple

from hydra import compose, initialize_config_dir

from against import REPO, alternating, ratio, run_side, worktree

import datagen.run
from datagen.config import register_configs
from datagen.entities import DirectPools, Pools
from datagen.templates import builtin_dir

SUBSETS = ("conversational", "synthetic")


class Counted:
    """Mixed into a pool class: counts the entities made with Faker (every `EntityMaker.make` call of
    its generators, rejected ones included) and the entities `draw` handed to the items."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.faker_entities = 0
        self.drawn = 0

    def generator(self, name, seed_path):
        gen = super().generator(name, seed_path)
        make = gen.make

        def counted_make(source="conversation"):
            self.faker_entities += 1
            return make(source)

        gen.make = counted_make  # Pools.pool and EntityMaker.make_checked both call gen.make
        return gen

    def draw(self, name, rng, k=1, source="conversation"):
        out = super().draw(name, rng, k, source)
        self.drawn += len(out)
        return out


class CountedPools(Counted, Pools):
    pass


class CountedDirectPools(Counted, DirectPools):
    pass


class Result(NamedTuple):
    wall: float          # seconds of run()
    gen_s: float         # stats timing of the subset
    examples: int        # examples written
    faker_entities: int  # entities made with Faker
    drawn: int           # entities handed to the items
    cpu: float = 0.0     # CPU seconds of the process during run()


def compose_cfg(subset: str, size: int, out_dir: str):
    overrides = [f"+recipe={subset}", f"{subset}.size={size}", f"output.dir={out_dir}", "progress=false"]
    with initialize_config_dir(config_dir=str(builtin_dir("conf")), version_base="1.3"):
        return compose("config", overrides=overrides)


def timed_run(subset: str, size: int, direct: bool) -> Result:
    cls = CountedDirectPools if direct else CountedPools
    built: List[Counted] = []

    def fresh_pools(folder, locale, seed, pool_size):
        built.append(cls(folder, locale, seed, pool_size))
        return built[-1]

    with tempfile.TemporaryDirectory(prefix="datagen-bench-") as tmp:
        cfg = compose_cfg(subset, size, tmp)
        saved = datagen.run.shared_pools
        datagen.run.shared_pools = fresh_pools
        try:
            t0, c0 = time.perf_counter(), time.process_time()
            stats = datagen.run.run(cfg)
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        finally:
            datagen.run.shared_pools = saved
    if len(built) != 1:  # run() no longer takes its pools from shared_pools: the numbers would be wrong
        raise RuntimeError(f"run() built {len(built)} pool sets through datagen.run.shared_pools, expected 1")
    pools = built[0]
    return Result(wall, stats["timing_seconds"][subset], stats["subsets"][subset]["examples"],
                  pools.faker_entities, pools.drawn, cpu)


def peak_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 2**10  # bytes on macOS, KiB on Linux


def worker(subset: str, size: int) -> None:
    """One warm-up and one timed pooled run of the datagen this process imports, as a JSON line."""
    register_configs()
    timed_run(subset, 100, direct=False)
    r = timed_run(subset, size, direct=False)
    print(json.dumps({"datagen": str(Path(datagen.__file__).resolve().parent), **r._asdict()}))


def compare(rev: str, subsets: List[str], size: int, rounds: int) -> None:
    with worktree(rev) as (there, head):
        sides = {"this checkout": REPO, f"{rev} ({head})": there}
        for subset in subsets:
            rates = {(name, clock): [] for name in sides for clock in ("wall", "cpu")}
            for k, name, root in alternating(sides, rounds):
                r = run_side(root, Path(__file__), ["--worker", subset, str(size)])
                for clock in ("wall", "cpu"):
                    rates[name, clock].append(r["examples"] / r[clock])
                print(f"{subset} round {k + 1} {name:<24} {r['examples']} examples in {r['wall']:.2f} s"
                      f" ({rates[name, 'wall'][-1]:,.0f}/s; CPU {r['cpu']:.2f} s), {r['drawn']} entities drawn,"
                      f" datagen from {r['datagen']}", flush=True)
            a, b = sides
            print()
            for clock in ("wall", "cpu"):
                ra, rb = rates[a, clock], rates[b, clock]
                print(f"{subset} ({clock} time): median {statistics.median(ra):,.0f} examples/s ({a}) against "
                      f"{statistics.median(rb):,.0f} ({b}): {ratio(ra, rb)}", flush=True)
            print()


def main(argv: List[str] = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", type=int, default=100_000, help="examples per subset with pools (default 100000)")
    p.add_argument("--direct-size", type=int, default=5_000,
                   help="examples per subset for the Faker-per-entity baseline (default 5000)")
    p.add_argument("--subsets", nargs="+", choices=SUBSETS, default=list(SUBSETS))
    p.add_argument("--against", metavar="REV", help="compare the pooled rate with another git revision instead")
    p.add_argument("--rounds", type=int, default=5, help="with --against: runs of each side per subset")
    p.add_argument("--worker", nargs=2, metavar=("SUBSET", "SIZE"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        return worker(args.worker[0], int(args.worker[1]))
    if args.against:
        return compare(args.against, args.subsets, args.size, args.rounds)
    register_configs()

    for subset in args.subsets:  # warm-up: imports, Faker locale data, template loading
        timed_run(subset, 100, direct=False)
        timed_run(subset, 20, direct=True)

    rows = []
    for subset in args.subsets:
        for mode, size, direct in (("pools", args.size, False), ("direct", args.direct_size, True)):
            r = timed_run(subset, size, direct)
            print(f"{subset}: {mode:<6} {r.examples} examples, run() {r.wall:.2f} s (stats timing {r.gen_s:.2f} s),"
                  f" {r.drawn} entities drawn, {r.faker_entities} made with Faker", flush=True)
            rows.append((subset, mode, r))

    print()
    head = (f"{'subset':<16}{'entities':<10}{'examples':>10}{'run() s':>10}{'examples/s':>12}"
            f"{'entities drawn':>16}{'made with Faker':>17}{'pools/direct':>14}")
    print(head)
    print("-" * len(head))
    rate = {}
    for subset, mode, r in rows:
        rate[subset, mode] = r.examples / r.wall
        ratio = f"{rate[subset, 'pools'] / rate[subset, mode]:.1f}x" if mode == "direct" else ""
        print(f"{subset:<16}{mode:<10}{r.examples:>10}{r.wall:>10.2f}{rate[subset, mode]:>12,.0f}"
              f"{r.drawn:>16,}{r.faker_entities:>17,}{ratio:>14}")
    print("\npools: entities drawn from pools built once per type with Faker (made with Faker = the pools)")
    print("direct: Faker called for every entity drawn (made with Faker >= entities drawn: rejected draws too)")
    print(f"\npeak RSS: {peak_rss_mb():.0f} MB   (aim: >= 10,000 examples/s on one core)")


if __name__ == "__main__":
    main()
