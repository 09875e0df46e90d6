"""Faults of the output folder and the machine, through the real CLI (issue 12, cases 4, 5, 9).

A full disk and a read-only file system are made for real: a small tmpfs (or a read-only bind
mount) inside a user and mount namespace (`unshare -rm`, no root needed), which exists only for the
shell that runs the CLI in it.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

from conftest import run_cli
from test_cli import one_line_error

SMALL = ["+recipe=conversational", "conversational.size=40", "progress=false"]


def in_namespace(script: str, cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    """Run a shell script in its own user + mount namespace (mounts made there vanish with it)."""
    env = dict(os.environ)
    env.pop("HYDRA_FULL_ERROR", None)
    return subprocess.run(["unshare", "-rm", "sh", "-euc", script], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


def datagen(*args: str) -> str:
    return " ".join([shlex.quote(sys.executable), "-m", "datagen", *map(shlex.quote, args)])


def test_output_dir_that_is_a_file(tmp_path):
    (tmp_path / "afile").write_text("x")
    one_line_error(run_cli(*SMALL, f"output.dir={tmp_path}/afile", f"hydra.run.dir={tmp_path}/run", cwd=tmp_path),
                   f"output.dir={tmp_path}/afile", "is a file, not a folder")
    assert (tmp_path / "afile").read_text() == "x"


def test_output_dir_under_proc(tmp_path):
    one_line_error(run_cli(*SMALL, "output.dir=/proc/datagen-out", f"hydra.run.dir={tmp_path}/run", cwd=tmp_path),
                   "output.dir=/proc/datagen-out", "cannot write there")


def test_output_dir_on_a_read_only_file_system(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    proc = in_namespace(f"mount --bind {ro} {ro}; mount -o remount,bind,ro {ro}; "
                        f"{datagen(*SMALL, f'output.dir={ro}/ds', f'hydra.run.dir={tmp_path}/run')}", tmp_path)
    one_line_error(proc, f"output.dir={ro}/ds", "cannot write there", "Read-only file system")


def test_merge_out_onto_a_file(tmp_path):
    (tmp_path / "afile").write_text("x")
    shard = tmp_path / "shard"
    assert run_cli(*SMALL, f"output.dir={shard}", f"hydra.run.dir={tmp_path}/run", cwd=tmp_path).returncode == 0
    one_line_error(run_cli("merge", str(shard), "--out", str(tmp_path / "afile"), cwd=tmp_path),
                   "--out", "afile", "is a file")


def test_disk_full_ends_in_one_line_keeps_the_journal_and_resumes_to_the_same_bytes(tmp_path):
    fs, ok = tmp_path / "fs", tmp_path / "ok"
    fs.mkdir()
    args = ["+recipe=conversational", "conversational.size=600", "progress=false"]
    assert run_cli(*args, f"output.dir={ok}", f"hydra.run.dir={tmp_path}/r0", cwd=tmp_path).returncode == 0
    args.append("output.checkpoint_seconds=0")  # a chunk per item, so the full disk finds some finished
    ds = fs / "ds"
    proc = in_namespace(
        f"mount -t tmpfs -o size=120k tmpfs {fs}\n"
        f"set +e; {datagen(*args, f'output.dir={ds}', f'hydra.run.dir={tmp_path}/r1')}; echo rc=$? >&2; set -e\n"
        f"find {fs} -name '*.tmp*' >&2; ls -a {ds} >&2\n"  # what the failed run left
        f"mount -o remount,size=1g {fs}\n"  # space again: the same command goes on from the journal
        f"{datagen(*args, f'output.dir={ds}', f'hydra.run.dir={tmp_path}/r2')}\n"
        f"cp -r {ds} {tmp_path}/resumed", tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    first, rest = proc.stderr.split("rc=", 1)
    lines = [ln for ln in first.splitlines() if ln.strip() and "[INFO]" not in ln]
    assert len(lines) == 1 and "Traceback" not in first, first
    assert lines[0].startswith(f"datagen: error: {ds}: no space left on the device"), lines[0]
    assert f"the finished work is kept in {ds}/.partial" in lines[0] and f"output.dir={ds}" in lines[0]
    assert rest.startswith("3\n"), rest[:200]  # exit code 3: the machine, not the user
    left = rest.split("\n", 1)[1].split("[", 1)[0].split()
    assert ".partial" in left and "README.md" not in left and "stats.json" not in left and ".lock" not in left, left
    assert not [p for p in left if p.endswith(".tmp")]  # no temporary file was left
    resumed = tmp_path / "resumed"
    assert sorted(p.name for p in resumed.iterdir()) == ["README.md", "data", "stats.json"]
    for part in sorted((ok / "data").glob("*.parquet")):
        assert (resumed / "data" / part.name).read_bytes() == part.read_bytes(), part.name


def test_second_run_into_a_folder_in_use_ends_at_once(tmp_path):
    out = tmp_path / "ds"
    args = ["+recipe=conversational", "conversational.size=20000", "progress=false", f"output.dir={out}"]
    first = subprocess.Popen([sys.executable, "-m", "datagen", *args, f"hydra.run.dir={tmp_path}/r1"], cwd=tmp_path,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not (out / ".lock").exists() and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        second = run_cli(*args, f"hydra.run.dir={tmp_path}/r2", cwd=tmp_path)
        still_running = first.poll() is None
    finally:
        _, err = first.communicate(timeout=300)
    assert still_running, "the first run ended before the second one was refused: make it longer"
    one_line_error(second, f"output.dir={out}", "in use by another datagen run", f"pid {first.pid} ")
    assert first.returncode == 0, err[-2000:]
    assert (out / "stats.json").is_file() and not (out / ".lock").exists()
    assert not (tmp_path / "r2" / "dataset").exists()


def test_run_from_a_read_only_folder(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    proc = in_namespace(f"mount --bind {ro} {ro}; mount -o remount,bind,ro {ro}; cd {ro}; {datagen(*SMALL)}", tmp_path)
    one_line_error(proc, "hydra.run.dir=outputs/", f"{ro} is not a folder you can write to")
