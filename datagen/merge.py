"""`python -m datagen merge SHARD_DIR... [--out DIR]`: join shard outputs into one dataset.

Shards cut every subset's items into contiguous slices (config.shard_range). An unsharded
run writes, in each split, the rows of one subset after another and within a subset in item
order; so merging reads, for every split, subset by subset and shard by shard, and streams
the rows through the same writer with the same settings. The result is row for row the
dataset an unsharded run writes. Statistics are recomputed from the rows (counts, baselines,
screen metrics) or summed over the shards (items, skips, redraws, OCR time).
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from omegaconf import OmegaConf

from datagen.baselines import Scoreboard, load_intents
from datagen.config import SPLITS, SUBSETS, OutputConfig
from datagen.entities import load_types
from datagen.errors import UserError
from datagen.journal import Chunk
from datagen.outdir import OutputFolder
from datagen.screen.table import SCREEN_ROW_GROUP
from datagen.sink import Sink, subset_entry
from datagen.templates import templates_dir


def _load(shard_dirs: Sequence[Path]) -> List[dict]:
    stats = []
    for d in shard_dirs:
        p = d / "stats.json"
        if not p.is_file():
            raise UserError(f"{d}: not a finished shard (no stats.json)")
        try:
            stats.append(json.loads(p.read_text(encoding="utf-8")))
        except ValueError:
            raise UserError(f"{p}: unreadable stats.json") from None
        if "config" not in stats[-1] or "shard" not in stats[-1]:
            raise UserError(f"{p}: written by an older datagen (no config/shard): rerun that shard")
    return stats


def _check(shard_dirs: Sequence[Path], stats: List[dict]) -> List[int]:
    """Shard order by index; every shard of the same config exactly once."""
    count = {s["shard"]["count"] for s in stats}
    if len(count) != 1:
        raise UserError(f"shards of different shard.count: {sorted(count)}")
    n = count.pop()
    indices = [s["shard"]["index"] for s in stats]
    if sorted(indices) != list(range(n)):
        raise UserError(f"shard.count={n} needs shards 0..{n - 1} once each, got indices {sorted(indices)}")

    def base(s: dict) -> dict:
        c = json.loads(json.dumps(s["config"]))
        c.pop("shard", None)
        c.get("output", {}).pop("dir", None)
        c.pop("workers", None)
        c.pop("progress", None)
        return c

    first = base(stats[0])
    for d, s in zip(shard_dirs, stats):
        diff = _difference(first, base(s))
        if diff is not None:
            key, a, b = diff
            raise UserError(f"{d}: its config differs from the other shards' at {key} ({b!r} here, {a!r} in "
                            f"{shard_dirs[0]}); only shard, output.dir, workers and progress may differ")
    return sorted(range(len(stats)), key=lambda k: indices[k])


def _difference(a: Any, b: Any, path: str = "") -> Optional[Tuple[str, Any, Any]]:
    """The first key (dotted) where two configs differ, with both values; None when they agree."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in list(a) + [k for k in b if k not in a]:
            got = _difference(a.get(key), b.get(key), f"{path}.{key}" if path else str(key))
            if got is not None:
                return got
        return None
    return None if a == b else (path, a, b)


def _tables(folder: Path, split: str, batch: int, subset: str | None = None) -> Iterator[pa.Table]:
    """The rows of a split's part files (of one subset) as tables, in order, as a run would have built them."""
    for path in sorted(folder.glob(f"{split}-*.parquet")):
        for b in pq.ParquetFile(path).iter_batches(batch_size=batch):
            table = pa.Table.from_batches([b])
            if subset is not None:
                table = table.filter(pc.equal(table.column("subset"), subset))
            if table.num_rows:
                yield table


def merge(shard_dirs: Sequence[Path], out: Path) -> Dict[str, Any]:
    """Merge finished shard folders into `out`; returns the merged statistics (also in out/stats.json)."""
    shard_dirs = [Path(d).resolve() for d in shard_dirs]
    stats = _load(shard_dirs)
    order = _check(shard_dirs, stats)
    dirs = [shard_dirs[k] for k in order]
    stats = [stats[k] for k in order]
    cfg = json.loads(json.dumps(stats[0]["config"]))
    cfg["shard"] = {"index": 0, "count": 1}
    cfg["output"]["dir"] = str(out)
    o = cfg["output"]
    subsets = [s for s in SUBSETS if s in cfg["subsets"]]
    folder = templates_dir(cfg["entities"]["templates"])
    board = Scoreboard(load_intents(folder, list(load_types(folder, cfg["locale"]))))
    sink = Sink(out, OutputConfig(**o), subsets, board, "screen" in subsets, 0)
    for split in SPLITS:
        for subset in subsets:
            for d in dirs:
                for table in _tables(d / "data", split, o["row_group_size"], subset):
                    sink.examples(subset, table, split)
        if "screen" in subsets:
            for d in dirs:
                for table in _tables(d / "screens", split, SCREEN_ROW_GROUP):
                    sink.screen_rows(table, split)
    sub_stats: Dict[str, Dict[str, Any]] = {}
    for subset in subsets:
        parts = [s["subsets"][subset] for s in stats]
        sub_stats[subset] = subset_entry(sink, subset, sum(p["items"] for p in parts), _total(subset, parts),
                                         *_screen_about(parts))
        if subset == "screen":
            sub_stats[subset]["screen"]["previews"] = _previews([p["screen"] for p in parts], dirs, out,
                                                                int(cfg["screen"]["previews"]))
    skipped = [item for subset in subsets for s in stats for item in s["skipped"]["items"] if item["subset"] == subset]
    head = {"recipe": cfg["recipe"], "seed": cfg["seed"], "locale": cfg["locale"], "shard": cfg["shard"],
            "pools": stats[0]["pools"], "versions": stats[0]["versions"], "merged_from": [str(d) for d in dirs]}
    command = " ".join(["python -m datagen merge", *[str(d) for d in dirs], "--out", str(out)])
    timing = {k: round(sum(s["timing_seconds"].get(k, 0.0) for s in stats), 3) for k in stats[0]["timing_seconds"]}
    return sink.finish(head, sub_stats, skipped, command, OmegaConf.to_yaml(OmegaConf.create(cfg)),
                       {"timing_seconds": timing, "config": cfg})


def _total(subset: str, parts: List[dict]) -> Chunk:
    """A subset's shard entries added up, as the chunks of one run would be."""
    chunks = []
    for p in parts:
        screen = p.get("screen") or {}
        counts = dict(screen.get("requests", {}))
        counts.update({f"ocr_cache_{k}": v for k, v in screen.get("ocr_cache", {}).items()})
        chunks.append(Chunk(subset, 0, 0, p["redraws"], p["skipped"], dict(p.get("skipped_by_reason", {})), [],
                            counts, screen.get("item_seconds", 0.0), screen.get("ocr_seconds", 0.0)))
    return Chunk.total(subset, chunks)


def _screen_about(parts: List[dict]) -> tuple:
    """(workers, describe()) of the shards' screen generator, from the first shard's stats."""
    screen = parts[0].get("screen")
    return (screen["workers"], {"lines": screen["lines"], "ocr_engine": screen["ocr_engine"]}) if screen else (1, {})


def _previews(parts: List[dict], dirs: Sequence[Path], out: Path, previews: int) -> List[str]:
    """The first previews of the shards, in shard order, copied into the merged folder."""
    written: List[str] = []
    (out / "previews").mkdir(parents=True, exist_ok=True)
    for d, p in zip(dirs, parts):
        for name in p.get("previews", []):
            if len(written) < previews and (d / "previews" / name).is_file():
                shutil.copyfile(d / "previews" / name, out / "previews" / name)
                written.append(name)
    return written


def main(argv: List[str]) -> None:
    """The `merge` command line."""
    p = argparse.ArgumentParser(prog="python -m datagen merge",
                                description="Join shard outputs (dataset folders of shard.index=0..count-1) into one.")
    p.add_argument("shards", nargs="+", type=Path, help="dataset folders written by the shards")
    p.add_argument("--out", type=Path, default=None, help="where the merged dataset goes (default: <first>/../merged)")
    args = p.parse_args(argv)
    out = (args.out or args.shards[0].resolve().parent / "merged").resolve()
    if any(out == Path(d).resolve() for d in args.shards):
        raise UserError(f"--out {out}: must not be one of the shard folders")
    with OutputFolder(out, "--out"):
        stats = merge(args.shards, out)
    print(f"merged {len(args.shards)} shards into {out}: " + ", ".join(f"{s} {n}" for s, n in stats["splits"].items()))
