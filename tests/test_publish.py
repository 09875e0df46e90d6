"""publish: a checked dataset sent whole (folder, a real S3-compatible server, the Hub's plan); tampered folders refused."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import run_cli
from datagen.errors import UserError
from datagen.publish import Item, git_blob_sha1, items, plan_hub
from datagen.publish import main as publish_main
from datagen.validate import check_folder
from test_cli import one_line_error


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def listed(folder: Path) -> list:
    return json.loads((folder / "manifest.json").read_text())["files"]


def test_publish_to_a_folder_then_again_sends_nothing(small_realm, tmp_path):
    dest = tmp_path / "pub"
    proc = run_cli("publish", str(small_realm), "--to", str(dest), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    files = listed(dest)
    names = [f["path"] for f in files]
    assert names == sorted(names) and "README.md" in names and "stats.json" in names
    assert any(n.startswith("screens/") for n in names) and any(n.startswith("previews/") for n in names)
    for f in files:  # every file is there, with the bytes of the source and the manifest's size and hash
        assert (dest / f["path"]).read_bytes() == (small_realm / f["path"]).read_bytes()
        assert (f["size"], f["sha256"]) == ((dest / f["path"]).stat().st_size, sha256(dest / f["path"]))
    assert sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()) == sorted(names + ["manifest.json"])
    # the card lists the sends in order: data, then the card, then the manifest
    writes = [ln.split()[1] for ln in proc.stdout.splitlines() if ln.startswith("write ")]
    assert writes[-2:] == ["README.md", "manifest.json"] and sorted(writes) == sorted(names + ["manifest.json"])

    from datasets import load_dataset

    ds = load_dataset(str(dest))
    stats = json.loads((small_realm / "stats.json").read_text())
    assert {s: ds[s].num_rows for s in ds} == {s: n for s, n in stats["splits"].items() if n}

    before = {p: p.stat().st_mtime_ns for p in dest.rglob("*")}
    again = run_cli("publish", str(small_realm), "--to", str(dest), cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("nothing to publish"), again.stdout
    assert {p: p.stat().st_mtime_ns for p in dest.rglob("*")} == before


def test_manifest_is_the_same_bytes_and_stale_files_go(small_realm, tmp_path):
    assert run_cli("publish", str(small_realm), "--to", str(tmp_path / "a"), cwd=tmp_path).returncode == 0
    publish_main([str(small_realm), "--to", str(tmp_path / "b")])
    manifest = (tmp_path / "a" / "manifest.json").read_bytes()
    assert manifest == (tmp_path / "b" / "manifest.json").read_bytes()
    assert set(json.loads(manifest)) == {"datagen_manifest", "recipe", "splits", "config_sha256", "files"}
    assert json.loads(manifest)["config_sha256"] in (small_realm / "README.md").read_text()
    # a data file of an earlier dataset that this one does not list would be read by the card's pattern: removed
    stray = tmp_path / "a" / "data" / "train-00001-of-00002.parquet"
    shutil.copyfile(small_realm / "data" / "train-00000-of-00001.parquet", stray)
    proc = run_cli("publish", str(small_realm), "--to", str(tmp_path / "a"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "remove data/train-00001-of-00002.parquet" in proc.stdout and not stray.exists()
    assert (tmp_path / "a" / "manifest.json").read_bytes() == manifest


def test_an_interrupted_publish_leaves_no_card(small_realm, tmp_path):
    """A send that fails half-way (here: a folder where a data file must go) leaves neither card nor manifest."""
    dest = tmp_path / "pub"
    (dest / "screens" / "train-00000-of-00001.parquet").mkdir(parents=True)
    proc = run_cli("publish", str(small_realm), "--to", str(dest), cwd=tmp_path)
    assert proc.returncode == 3, proc.stderr  # the destination failed, not the command
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr and str(dest) in lines[0]
    assert (dest / "data" / "test-00000-of-00001.parquet").is_file()  # sent before the failure
    assert not (dest / "README.md").exists() and not (dest / "manifest.json").exists()


@pytest.fixture
def s3_server():
    """A local S3-compatible server (moto), started and stopped here; yields its endpoint URL."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def test_publish_to_s3(small_realm, tmp_path, s3_server, monkeypatch):
    import s3fs

    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_ENDPOINT_URL": s3_server}
    for k, v in env.items():  # the CLI subprocess inherits them: s3fs/botocore read credentials and endpoint there
        monkeypatch.setenv(k, v)
    fs = s3fs.S3FileSystem(key="testing", secret="testing", client_kwargs={"endpoint_url": s3_server})
    fs.mkdir("realm-bucket")
    proc = run_cli("publish", str(small_realm), "--to", "s3://realm-bucket/sets/small", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    fs.invalidate_cache()
    files = json.loads(fs.cat_file("realm-bucket/sets/small/manifest.json"))["files"]
    for f in files:
        body = fs.cat_file(f"realm-bucket/sets/small/{f['path']}")
        assert hashlib.sha256(body).hexdigest() == f["sha256"] == sha256(small_realm / f["path"])
    on_s3 = sorted(p.split("sets/small/", 1)[1] for p in fs.find("realm-bucket/sets/small"))
    assert on_s3 == sorted([f["path"] for f in files] + ["manifest.json"])
    stamps = {p: fs.info(p)["LastModified"] for p in fs.find("realm-bucket/sets/small")}
    again = run_cli("publish", str(small_realm), "--to", "s3://realm-bucket/sets/small", cwd=tmp_path)
    assert again.returncode == 0 and again.stdout.startswith("nothing to publish"), again.stdout + again.stderr
    fs.invalidate_cache()
    assert {p: fs.info(p)["LastModified"] for p in fs.find("realm-bucket/sets/small")} == stamps
    # a bucket that does not exist: one line, not a traceback
    proc = run_cli("publish", str(small_realm), "--to", "s3://no-such-bucket/x", cwd=tmp_path)
    assert proc.returncode == 3 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "no-such-bucket" in proc.stderr and "Traceback" not in proc.stderr


def test_publish_to_memory_in_process(small_realm):
    """Any fsspec URL: memory:// lives in this process, so the command runs here (main, as the CLI calls it)."""
    import fsspec

    publish_main([str(small_realm), "--to", "memory://published/small"])
    fs = fsspec.filesystem("memory")
    files = json.loads(fs.cat_file("/published/small/manifest.json"))["files"]
    assert all(fs.cat_file(f"/published/small/{f['path']}") == (small_realm / f["path"]).read_bytes() for f in files)


def _copy(small_realm: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(small_realm, tmp_path / "copy"))


def _drop_file(d: Path) -> None:
    (d / "data" / "validation-00000-of-00001.parquet").unlink()


def _edit_count(d: Path) -> None:
    stats = json.loads((d / "stats.json").read_text())
    stats["splits"]["train"] += 1
    (d / "stats.json").write_text(json.dumps(stats))


def _edit_card_count(d: Path) -> None:
    card = (d / "README.md").read_text()
    edited = re.sub(r"(- name: test\n    num_bytes: \d+\n    num_examples: )(\d+)",
                    lambda m: m.group(1) + str(int(m.group(2)) + 5), card, count=1)
    assert edited != card
    (d / "README.md").write_text(edited)


def _duplicate_id(d: Path) -> None:
    path = d / "data" / "train-00000-of-00001.parquet"
    t = pq.read_table(path)
    ids = t.column("id").to_pylist()
    ids[1] = ids[0]
    pq.write_table(t.set_column(0, t.schema.field("id"), pa.array(ids, pa.string())), path)


def _other_schema(d: Path) -> None:
    path = d / "data" / "test-00000-of-00001.parquet"
    t = pq.read_table(path)
    pq.write_table(t.set_column(t.schema.get_field_index("targets"), "targets",
                                t.column("targets").cast(pa.list_(pa.int64()))), path)


def _journal(d: Path) -> None:
    (d / ".partial").mkdir()


def _missing_preview(d: Path) -> None:
    next((d / "previews").glob("*.png")).unlink()


def _stray_split_file(d: Path) -> None:
    shutil.copyfile(d / "data" / "test-00000-of-00001.parquet", d / "data" / "test-00001-of-00002.parquet")


@pytest.mark.parametrize("tamper, needles", [
    (_drop_file, ["validation-00000-of-00001.parquet", "missing"]),
    (_edit_count, ["split train", "stats.json says"]),
    (_duplicate_id, ["appears twice", "train-00000-of-00001.parquet"]),
])
def test_a_tampered_dataset_is_refused(small_realm, tmp_path, tamper, needles):
    d = _copy(small_realm, tmp_path)
    check_folder(d)  # whole before
    tamper(d)
    dest = tmp_path / "pub"
    one_line_error(run_cli("publish", str(d), "--to", str(dest), cwd=tmp_path), *needles)
    assert not dest.exists()


@pytest.mark.parametrize("tamper, needles", [
    (_edit_card_count, ["split test", "the card"]),
    (_other_schema, ["test-00000-of-00001.parquet", "targets", "int64"]),
    (_journal, [".partial", "unfinished"]),
    (_missing_preview, ["previews", "missing"]),
    (_stray_split_file, ["test-00001-of-00002.parquet", "does not list"]),
])
def test_every_check_of_the_folder(small_realm, tmp_path, tamper, needles):
    """The same checks in process (the CLI turns each UserError into its one line, as above)."""
    d = _copy(small_realm, tmp_path)
    tamper(d)
    with pytest.raises(UserError) as e:
        publish_main([str(d), "--to", str(tmp_path / "pub")])
    assert all(n in str(e.value) for n in needles) and "\n" not in str(e.value), str(e.value)
    assert not (tmp_path / "pub").exists()


def test_a_folder_a_run_is_writing_is_refused(small_realm, tmp_path):
    from datagen.outdir import OutputFolder

    d = _copy(small_realm, tmp_path)
    with OutputFolder(d, "output.dir"):  # the lock a run holds (an flock, seen from the CLI's own process)
        one_line_error(run_cli("publish", str(d), "--to", str(tmp_path / "pub"), cwd=tmp_path),
                       str(d), "a datagen run is writing it", f"pid {os.getpid()} ")
    assert not (tmp_path / "pub").exists()


def test_hub_dry_run_lists_the_commit_without_the_network(small_realm, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # any call to the Hub would fail
    proc = run_cli("publish", str(small_realm), "--to", "hf://datasets/someorg/realm-small", "--dry-run",
                   "--revision", "v1", "--private", "--message", "first release", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.splitlines()
    assert "datasets/someorg/realm-small" in out[0] and "revision v1" in out[0] and "'first release'" in out[0]
    assert "private" in out[0]
    adds = [ln.split()[1] for ln in out if ln.startswith("add ")]
    assert adds == [i.path for i in items(check_folder(small_realm))] and adds[-2:] == ["README.md", "manifest.json"]


def _hub_listing(files):
    """What the Hub's tree listing says of files it holds: parquet and png in LFS (sha256), the rest by git blob id."""
    from huggingface_hub.hf_api import RepoFile

    out = []
    for i in files:
        lfs = {"size": i.size, "oid": i.sha256, "pointerSize": 134} if i.path.endswith((".parquet", ".png")) else None
        out.append(RepoFile(path=i.path, size=i.size, oid=hashlib.sha1(i.path.encode()).hexdigest() if lfs else
                            git_blob_sha1(i), lfs=lfs))
    return out


def test_hub_plan_sends_only_what_changed(small_realm):
    files = items(check_folder(small_realm))
    assert plan_hub(files, _hub_listing(files)) == ([], [i.path for i in files], [])  # re-publish: no commit
    send, unchanged, stale = plan_hub(files, [])
    assert send == files and stale == []
    changed = [Item(i.path, i.size, "0" * 64, i.source, i.data) if i.path.startswith("data/train") else i for i in files]
    old = _hub_listing(changed) + _hub_listing([Item("data/train-00001-of-00002.parquet", 5, "1" * 64, None, b"x" * 5)])
    send, unchanged, stale = plan_hub(files, old)
    assert [i.path for i in send] == ["data/train-00000-of-00001.parquet", "manifest.json"]
    assert stale == ["data/train-00001-of-00002.parquet"]


@pytest.mark.parametrize("dest, extra, needles", [
    ("hf://models/org/name", [], ["hf://datasets/ORG/NAME"]),
    ("nosuchproto://bucket/x", [], ["nosuchproto", "fsspec URL"]),
])
def test_bad_destinations(small_realm, tmp_path, dest, extra, needles):
    one_line_error(run_cli("publish", str(small_realm), "--to", dest, *extra, cwd=tmp_path), *needles)


@pytest.mark.parametrize("dest, extra, needles", [
    ("hf://datasets/justname", [], ["hf://datasets/ORG/NAME"]),
    ("{tmp}/pub", ["--private"], ["--private", "hf://datasets"]),
    ("{src}/inside", [], ["inside"]),
])
def test_bad_destinations_in_process(small_realm, tmp_path, dest, extra, needles):
    dest = dest.format(tmp=tmp_path, src=small_realm)
    with pytest.raises(UserError) as e:
        publish_main([str(small_realm), "--to", dest, *extra])
    assert all(n in str(e.value) for n in needles), str(e.value)
    assert not (small_realm / "inside").exists() and not (tmp_path / "pub").exists()


def test_no_dataset_folder(tmp_path):
    one_line_error(run_cli("publish", str(tmp_path / "none"), "--to", str(tmp_path / "x"), cwd=tmp_path), "none")
    os.makedirs(tmp_path / "empty")
    with pytest.raises(UserError, match="stats.json"):
        publish_main([str(tmp_path / "empty"), "--to", str(tmp_path / "x")])


def test_a_file_lost_at_the_destination_is_sent_again(small_realm, tmp_path, capsys):
    dest = tmp_path / "pub"
    publish_main([str(small_realm), "--to", str(dest)])
    manifest = (dest / "manifest.json").read_bytes()
    (dest / "stats.json").unlink()
    capsys.readouterr()
    publish_main([str(small_realm), "--to", str(dest)])
    out = capsys.readouterr().out
    assert "write stats.json" in out and "write data/" not in out and "remove manifest.json" in out
    assert (dest / "stats.json").read_bytes() == (small_realm / "stats.json").read_bytes()
    assert (dest / "manifest.json").read_bytes() == manifest  # removed first, written again last
