"""Resume: a run killed with SIGKILL and started again on the same folder ends with the same bytes
as an uninterrupted run, without making its journaled items again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path


from conftest import run_cli
from datagen.journal import FOLDER, Journal, fingerprint
from datagen.screen.table import SCREEN_SCHEMA
from datagen.writer import EXAMPLE_SCHEMA, journal_schema
from test_merge import digests

SMALL = ["+recipe=realm", "conversational.size=120", "synthetic.size=60", "screen.size=8", "unseen.size=20",
         "screen.previews=2", "screen.ocr.cache=null", "workers=1", "progress=false"]


def _markers(folder: Path, subset: str) -> int:
    return len(list((folder / FOLDER).glob(f"{subset}-*.json")))


def test_killed_run_resumes_to_the_same_bytes(tmp_path):
    full = run_cli(*SMALL, f"output.dir={tmp_path / 'full'}", "output.checkpoint_seconds=0", cwd=tmp_path)
    assert full.returncode == 0, full.stderr[-2000:]
    out = tmp_path / "killed"
    args = [*SMALL, f"output.dir={out}", "output.checkpoint_seconds=0"]
    proc = subprocess.Popen([sys.executable, "-m", "datagen", *args], cwd=tmp_path, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 240
    while _markers(out, "screen") < 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)  # the run and its workers, mid-way through the screens
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    done = _markers(out, "screen")
    assert 3 <= done < 8 and not (out / "stats.json").exists()
    again = run_cli(*args, cwd=tmp_path)
    assert again.returncode == 0, again.stderr[-2000:]
    stats = json.loads((out / "stats.json").read_text())
    assert stats["resumed_items"]["screen"] >= done - 1  # the journaled screens were not made again
    assert stats["resumed_items"]["conversational"] == 120 and stats["resumed_items"]["unseen"] == 0
    assert "made by an earlier run" in again.stdout + again.stderr
    assert digests(out) == digests(tmp_path / "full") and any(k.startswith("screens/") for k in digests(out))
    assert (out / "README.md").read_text() == (tmp_path / "full" / "README.md").read_text().replace("/full", "/killed")
    ref = json.loads((tmp_path / "full" / "stats.json").read_text())
    for key in ("splits", "split_bytes", "files", "screens", "skipped"):
        assert stats[key] == ref[key], key
    for sub, s in ref["subsets"].items():
        a, b = dict(s), dict(stats["subsets"][sub])
        sa, sb = a.pop("screen", None), b.pop("screen", None)
        assert a == b, sub
        if sa:
            for key in ("metrics", "per_family", "requests", "previews", "screens"):
                assert sa[key] == sb[key], key
    assert sorted(p.name for p in (out / "previews").iterdir()) == sorted(ref["subsets"]["screen"]["screen"]["previews"])
    assert not (out / FOLDER).exists()  # the journal is gone once the dataset is complete


def _chunk(journal: Journal, subset: str, start: int, end: int) -> None:
    schemas = {"data": journal_schema(EXAMPLE_SCHEMA), "screens": journal_schema(SCREEN_SCHEMA)}
    w = journal.writer(subset, start, schemas)
    w.write("data", schemas["data"].empty_table())
    w.finish(end)


def test_journal_keeps_done_chunks_and_drops_the_rest(tmp_path):
    fp = fingerprint({"seed": 0, "workers": 2, "output": {"dir": "x", "checkpoint_seconds": 5}}, "1")
    j = Journal(tmp_path, fp)
    _chunk(j, "synthetic", 0, 10)
    _chunk(j, "synthetic", 10, 25)
    _chunk(j, "synthetic", 40, 50)  # after a gap: not usable
    (j.dir / "synthetic-0000000025.data.arrow.tmp").write_bytes(b"half a chunk")  # a write the kill cut short
    (j.dir / "synthetic-0000000030.json").write_text("{not json")
    # workers, output.dir and the checkpoint interval do not change the output: the journal is reused
    same = fingerprint({"seed": 0, "workers": 1, "output": {"dir": "y", "checkpoint_seconds": 0}}, "1")
    j = Journal(tmp_path, same)
    assert [(c.start, c.end) for c in j.finished("synthetic", range(0, 60))] == [(0, 10), (10, 25)]
    assert j.finished("synthetic", range(10, 60)) and not j.finished("synthetic", range(5, 60))
    assert not j.finished("synthetic", range(0, 20))[1:]  # a chunk past the shard's end is not used
    assert not any(p.name.endswith(".tmp") or p.name.startswith("synthetic-0000000030") for p in j.dir.iterdir())
    assert [t.num_rows for t in j.read(j.finished("synthetic", range(0, 60))[0], "screens")] == []  # an empty file, still there
    # another seed (or datagen version) starts over
    assert not Journal(tmp_path, fingerprint({"seed": 1}, "1")).done
    assert not Journal(tmp_path, fingerprint({"seed": 0, "workers": 2}, "2")).done
