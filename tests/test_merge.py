"""Shards and merge: shards joined in order are row for row (and byte for byte) the unsharded dataset."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from conftest import run_cli
from datagen.errors import UserError
from datagen.merge import merge
from datagen.run import run

SMALL = ["+recipe=realm", "conversational.size=240", "synthetic.size=120", "screen.size=3", "unseen.size=30",
         "screen.previews=2"]


def digests(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.glob("*/*.parquet"))}


def test_shards_merge_to_the_unsharded_dataset(cfg_factory, tmp_path):
    full = run(cfg_factory(*SMALL, out="full"))
    for i in range(3):
        run(cfg_factory(*SMALL, "shard.count=3", f"shard.index={i}", out=f"s{i}"))
    shards = [Path(cfg_factory(out=f"s{i}").output.dir) for i in (2, 0, 1)]  # any order
    merged = merge(shards, tmp_path / "merged")
    a, b = digests(Path(cfg_factory(out="full").output.dir)), digests(tmp_path / "merged")
    assert a == b and any(k.startswith("screens/") for k in a)
    for sub, s in full["subsets"].items():
        x, y = dict(s), dict(merged["subsets"][sub])
        xs, ys = x.pop("screen", None), y.pop("screen", None)
        assert x == y
        if xs:
            assert xs["metrics"] == ys["metrics"] and xs["previews"] == ys["previews"]
    assert merged["splits"] == full["splits"]
    assert sorted(p.name for p in (tmp_path / "merged" / "previews").iterdir()) == sorted(
        full["subsets"]["screen"]["screen"]["previews"])
    assert "python -m datagen merge" in (tmp_path / "merged" / "README.md").read_text()


def test_merge_refuses_incomplete_or_mixed_shards(cfg_factory, tmp_path):
    args = ["+recipe=conversational", "conversational.size=40"]
    run(cfg_factory(*args, "shard.count=2", "shard.index=0", out="a0"))
    run(cfg_factory(*args, "shard.count=2", "shard.index=1", "seed=5", out="b1"))
    a0, b1 = (Path(cfg_factory(out=o).output.dir) for o in ("a0", "b1"))
    with pytest.raises(UserError, match="shards 0..1"):
        merge([a0], tmp_path / "m1")
    with pytest.raises(UserError, match="config differs"):
        merge([a0, b1], tmp_path / "m2")
    proc = run_cli("merge", str(a0), "--out", str(tmp_path / "m3"), cwd=tmp_path)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    proc = run_cli("merge", str(a0), str(b1), "--out", str(tmp_path / "m4"), cwd=tmp_path)  # issue 12, case 12
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "config differs" in proc.stderr and "at seed (5 here, 0 in" in proc.stderr, proc.stderr


def test_shards_with_the_submitit_local_launcher(tmp_path):
    sweep = tmp_path / "sweep"
    args = ["+recipe=conversational", "conversational.size=60", "progress=false"]
    proc = run_cli("-m", *args, "shard.count=2", "shard.index=0,1", "hydra/launcher=submitit_local",
                   f"hydra.sweep.dir={sweep}", cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    shards = sorted(sweep.glob("*/dataset"))
    assert len(shards) == 2
    proc = run_cli("merge", *map(str, shards), "--out", str(tmp_path / "merged"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    one = run_cli(*args, f"output.dir={tmp_path / 'one'}", cwd=tmp_path)
    assert one.returncode == 0, one.stderr[-2000:]
    assert digests(tmp_path / "merged") == digests(tmp_path / "one")
    assert json.loads((tmp_path / "merged" / "stats.json").read_text())["splits"] == json.loads(
        (tmp_path / "one" / "stats.json").read_text())["splits"]
