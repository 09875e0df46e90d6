"""Comparing this checkout with another git revision, for the benchmarks' --against REV.

    with worktree("19e661d") as (root, head):
        for k, name, root in alternating({"this checkout": REPO, f"REV ({head})": root}, 5):
            got = run_side(root, Path(__file__), ["--worker", ...])   # this script, that side's datagen
        print(ratio(times_a, times_b))

`worktree` checks REV out into a temporary git worktree (removed afterwards) and gives its folder and
short hash; `run_side` runs a benchmark script in a fresh Python process that imports datagen from
`root` (PYTHONPATH), reads the JSON object the script prints last, and checks that it names the datagen
package of `root` (its "datagen" key), so a side cannot silently time the other side's code;
`alternating` gives the runs of rounds that swap the order of the sides, `ratio` the ratio of medians.
Imports nothing of datagen itself.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

REPO = Path(__file__).resolve().parent.parent


@contextmanager
def worktree(rev: str) -> Iterator[Tuple[Path, str]]:
    """REV checked out into a temporary git worktree of this repository: (its folder, its short hash)."""
    with tempfile.TemporaryDirectory(prefix="datagen-against-") as tmp:
        there = Path(tmp) / "tree"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "--quiet", str(there), rev], check=True)
        try:
            head = subprocess.run(["git", "-C", str(there), "rev-parse", "--short", "HEAD"], check=True,
                                  capture_output=True, text=True).stdout.strip()
            yield there, head
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(there)], check=True)


def run_side(root: Path, script: Path, args: List[str]) -> dict:
    """`python script *args` importing datagen from `root`; the JSON object it prints last."""
    env = dict(os.environ, PYTHONPATH=str(root))  # before site-packages: that checkout's datagen is imported
    out = subprocess.run([sys.executable, str(Path(script).resolve()), *args], env=env, cwd=root, check=True,
                         capture_output=True, text=True).stdout
    got = json.loads(out.strip().splitlines()[-1])
    if Path(got["datagen"]) != (root / "datagen").resolve():
        raise RuntimeError(f"the worker for {root} imported datagen from {got['datagen']}")
    return got


def alternating(sides: Dict[str, Path], rounds: int) -> Iterator[Tuple[int, str, Path]]:
    """(round, side name, side folder) for every run: each round runs every side once, the order reversed every
    other round, so neither side always runs on a warmer (or busier) machine."""
    for k in range(rounds):
        order = list(sides.items()) if k % 2 == 0 else list(sides.items())[::-1]
        for name, root in order:
            yield k, name, root


def ratio(a: List[float], b: List[float]) -> str:
    """The ratio of the medians of two sides' measurements, and the ratio of each round."""
    return (f"ratio {statistics.median(a) / statistics.median(b):.3f}"
            f" (per round: {', '.join(f'{x / y:.3f}' for x, y in zip(a, b))})")
