"""The screen subset end to end with the real Tesseract: output contract, metrics, workers, screenshots."""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from PIL import Image

from conftest import make_cfg, run_cli
from datagen.run import run
from datagen.templates import builtin_dir

N_SCREENS = len(list(builtin_dir("templates").joinpath("screens").glob("*.yaml")))  # one per family


def _rows(folder: Path, table: str) -> list:
    out = []
    for p in sorted((folder / table).glob("*.parquet")):
        out += pq.read_table(p).to_pylist()
    return out


@pytest.fixture(scope="module")
def screen_run(tmp_path_factory):
    from conftest import make_cfg

    out = tmp_path_factory.mktemp("screen") / "dataset"
    stats = run(make_cfg(["+recipe=screen", f"screen.size={N_SCREENS}", "workers=1", f"output.dir={out}",
                          "progress=false"]))
    return out, stats


def test_examples_point_at_detected_candidates(screen_run):
    out, _ = screen_run
    rows = _rows(out, "data")
    assert rows and all(r["subset"] == "screen" for r in rows)
    for r in rows:
        n = len(r["entities"])
        assert r["screen_id"] and r["screen_text"] is not None
        assert f"User request: {r['query']}\nScreen:\n{r['screen_text']}\nRelevant entity:" in r["prompt"]
        injected = re.findall(r"\{\{(\d+)\. ([^}]*)\}\}", r["screen_text"])
        assert sorted(int(k) for k, _ in injected) == list(range(1, n + 1))  # every candidate once, in place
        for k, text in injected:
            e = r["entities"][int(k) - 1]
            assert e["value"] == text and e["source"] == "screen"
            x0, y0, x1, y1 = e["bbox"]
            assert 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1
        assert all(1 <= t <= n for t in r["targets"])
        for t in r["targets"]:  # type-based and label-based requests name the target's type
            assert r["entities"][t - 1]["type"] in r["template"]
    assert {r["reference"] for r in rows} >= {"type", "none"}


def test_screens_table_and_metrics(screen_run):
    out, stats = screen_run
    screens = _rows(out, "screens")
    assert len(screens) == N_SCREENS
    assert {s["family"] for s in screens} == set(stats["subsets"]["screen"]["screen"]["per_family"])
    for s in screens:
        img = Image.open(io.BytesIO(s["image"]["bytes"]))
        assert img.size == (s["width"], s["height"])
        assert s["device"] in ("phone", "desktop", "mobile")
        if s["device"] == "phone":
            assert img.size == (780, 1688)
        elif s["device"] == "desktop":
            assert img.size == (1280, 1600)
        assert s["truth"] and s["words"] and s["elements"]
        assert all(0 <= w["conf"] <= 100 for w in s["words"])
        assert s["ocr_engine"].startswith("tesseract ")
        assert s["margin"] == 0.8 and s["lines_mode"] == "centre"
    m = stats["subsets"]["screen"]["screen"]["metrics"]
    # quality of the screen-to-text step on default screens, one of each family, phone and web
    assert m["entity_recall"] >= 0.9 and m["entity_precision"] >= 0.9 and m["line_f1"] >= 0.95
    sc = stats["subsets"]["screen"]["screen"]
    assert m["line_f1_plain"] >= 0.95 and sc["line_pairs_f1"]["line_pairs"] >= 0.95  # the reference, and all pairs
    assert {"PhoneNumber", "EmailAddress"} <= set(sc["per_type"])
    # the paper's screen types, each with dozens of labels here (types with a handful are too few to judge)
    main = {t: sc["per_type"][t] for t in ("PhoneNumber", "EmailAddress", "PostalAddress")}
    assert all(v["labels"] >= 10 and v["recall"] >= 0.9 and v["precision"] >= 0.9 for v in main.values()), main
    assert sum(c["labels"] for s in screens for c in s["entity_counts"]) == sum(
        v["labels"] for v in sc["per_type"].values())
    assert 0.5 < sc["ocr_share_of_time"] <= 1.0
    previews = sorted((out / "previews").glob("*.png"))
    assert [p.name for p in previews] == sorted(sc["previews"])
    # one preview per family and device: every family of the run shows up
    assert {p.name.rsplit("-", 1)[0] for p in previews} == {s["family"] for s in screens}
    assert len(previews) == len({(s["family"], s["device"]) for s in screens})
    card = (out / "README.md").read_text()
    assert "config_name: screens" in card and "## Screen text quality" in card


def test_hf_datasets_reads_screens_and_decodes_images(screen_run):
    import datasets

    out, stats = screen_run
    ds = datasets.load_dataset(str(out), "screens")
    assert sum(d.num_rows for d in ds.values()) == N_SCREENS
    split = next(iter(ds))
    assert isinstance(ds[split][0]["image"], Image.Image)
    examples = datasets.load_dataset(str(out))
    assert sum(d.num_rows for d in examples.values()) == stats["subsets"]["screen"]["examples"]


def test_workers_give_the_same_bytes(cfg_factory):
    outs = []
    for w in (1, 2):
        run(cfg_factory("+recipe=screen", "screen.size=3", f"workers={w}", "screen.previews=0", out=f"w{w}"))
        folder = Path(cfg_factory(out=f"w{w}").output.dir)
        outs.append({p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                     for p in sorted(folder.glob("*/*.parquet"))})
    assert outs[0] == outs[1] and any(k.startswith("screens/") for k in outs[0])


def test_screenshot_folder_skips_bad_files_with_reasons(screen_run, tmp_path):
    out, _ = screen_run
    shots = tmp_path / "shots"
    shots.mkdir()
    for s in _rows(out, "screens")[:2]:
        (shots / f"{s['screen_id']}.png").write_bytes(s["image"]["bytes"])
    good = next(shots.iterdir()).read_bytes()
    (shots / "corrupt.png").write_bytes(good[: len(good) // 3])
    (shots / "notes.txt").write_text("not an image")
    (shots / "empty.jpg").write_bytes(b"")
    Image.new("RGB", (4000, 3000), "white").save(shots / "huge.png")
    stats = run(make_cfg([
        "+recipe=screen", "screen.source=images", f"screen.images={shots}", "screen.max_pixels=5000000",
        f"output.dir={tmp_path / 'ds'}", "progress=false", "workers=1"]))
    reasons = {Path(s["item"]).name: s["reason"] for s in stats["skipped"]["items"]}
    assert reasons == {"corrupt.png": "corrupt_image", "notes.txt": "not_an_image", "empty.jpg": "empty_file",
                       "huge.png": "too_large"}
    sub = stats["subsets"]["screen"]
    assert sub["items"] == 6 and sub["skipped"] == 4 and sub["examples"] >= 2
    assert len(_rows(tmp_path / "ds", "screens")) == 2
    assert all(r["subset"] == "screen" for r in _rows(tmp_path / "ds", "data"))


def test_screenshot_folder_errors(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    texts = tmp_path / "texts"  # only a text file: was exit 0 and a dataset with no rows (issue 12, case 6)
    texts.mkdir()
    (texts / "notes.txt").write_text("not a screenshot")
    for folder, needle in ((tmp_path / "missing", "not a folder"), (empty, "empty"), (texts, "no image")):
        proc = run_cli("+recipe=screen", "screen.source=images", f"screen.images={folder}",
                       f"output.dir={tmp_path / 'out'}", cwd=tmp_path)
        assert proc.returncode == 2, proc.stderr[-2000:]
        lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        assert len(lines) == 1 and "screen.images" in lines[0] and needle in lines[0], proc.stderr


def test_cli_screen_recipe_small(tmp_path):
    proc = run_cli("+recipe=screen", "screen.size=2", "screen.previews=1", f"hydra.run.dir={tmp_path}/run",
                   cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    stats = json.loads((tmp_path / "run" / "dataset" / "stats.json").read_text())
    assert stats["subsets"]["screen"]["screen"]["screens"] == 2
    assert len(list((tmp_path / "run" / "dataset" / "previews").glob("*.png"))) == 1


def test_ocr_cache_reused_when_only_line_grouping_changes(cfg_factory, tmp_path):
    cache = tmp_path / "cache"
    first = run(cfg_factory("+recipe=screen", "screen.size=3", "screen.previews=0", "workers=2",
                            f"screen.ocr.cache={cache}", out="a"))
    second = run(cfg_factory("+recipe=screen", "screen.size=3", "screen.previews=0", "workers=2",
                             f"screen.ocr.cache={cache}", "screen.lines.margin=0.3", out="b"))
    assert first["subsets"]["screen"]["screen"]["ocr_cache"] == {"misses": 3}
    assert second["subsets"]["screen"]["screen"]["ocr_cache"] == {"hits": 3}
    words = [[s["words"] for s in _rows(Path(cfg_factory(out=o).output.dir), "screens")] for o in "ab"]
    assert words[0] == words[1]
    assert second["subsets"]["screen"]["screen"]["lines"]["margin"] == 0.3
