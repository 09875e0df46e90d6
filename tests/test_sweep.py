"""The sweep summary (datagen/sweep.py): the pure table on hand-written jobs, then the real CLI multirun
with the basic launcher (screen) and the joblib launcher (a text recipe)."""

from __future__ import annotations

import csv
import json
import logging
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from PIL import Image

from conftest import run_cli
from datagen import sweep


def _screen_stats(line_f1, recall, per_family, tesseract=0.25, precision=1.0, margin=0.8):
    return {
        "recipe": "screen",
        "subsets": {
            "screen": {
                "examples": 12,
                "baselines": {"first": 0.1667, "type": 0.5833},
                "screen": {
                    "lines": {"mode": "centre", "margin": margin, "unit": "height", "reference": "mean",
                              "word_gap": 1.5},
                    "metrics": {"entity_recall": recall, "entity_precision": precision, "line_f1": line_f1,
                                "line_f1_plain": tesseract},
                    "per_family": {fam: {"entity_recall": r, "entity_precision": 1.0, "line_f1": f,
                                         "line_f1_plain": 0.0}
                                   for fam, (f, r) in per_family.items()},
                    "line_pairs_f1": {"line_pairs": round(line_f1 - 0.01, 4), "plain_pairs": tesseract},
                    "per_device": {"phone": {"line_f1": line_f1, "entity_recall": recall}},
                },
            },
        },
    }


def _job(root: Path, name: str, overrides, stats=None) -> Path:
    job = root / name
    (job / ".hydra").mkdir(parents=True)
    (job / ".hydra" / "overrides.yaml").write_text("".join(f"- {o}\n" for o in overrides))
    if stats is not None:
        (job / "dataset").mkdir()
        (job / "dataset" / "stats.json").write_text(json.dumps(stats))
    return job


@pytest.fixture
def margin_sweep(tmp_path):
    """Jobs 0 and 1 (margins 0.3, 0.8) finished; job 2 (margin 1.5) failed before writing stats.json."""
    root = tmp_path / "sweep"
    base = ["+recipe=screen", "screen.size=4", "progress=False"]
    _job(root, "0", [*base, "screen.lines.margin=0.3"],
         _screen_stats(0.9, 0.95, {"contact_page": (0.8, 1.0), "calendar_invite": (1.0, 0.9)}, margin=0.3))
    _job(root, "1", [*base, "screen.lines.margin=0.8"],
         _screen_stats(0.998, 0.98, {"contact_page": (0.996, 0.96), "calendar_invite": (1.0, 1.0)}))
    _job(root, "2", [*base, "screen.lines.margin=1.5"])
    return root


def test_summarize_table_values(margin_sweep):
    jobs = sweep.job_dirs(margin_sweep)
    assert [j.name for j in jobs] == ["0", "1", "2"]
    assert sweep.missing(jobs) == ["2"]
    rows = sweep.summarize(jobs)
    assert rows == [
        {"job": "0", "recipe": "screen", "screen.size": 4, "progress": False, "screen.lines.margin": 0.3,
         "entity_recall": 0.95, "entity_precision": 1.0, "line_f1": 0.9, "line_f1_plain": 0.25,
         "line_pairs_f1": 0.89, "line_f1@phone": 0.9, "line_f1/calendar_invite": 1.0, "line_f1/contact_page": 0.8,
         "entity_recall/calendar_invite": 0.9, "entity_recall/contact_page": 1.0,
         "screen/baseline_type": 0.5833, "screen/examples": 12},
        {"job": "1", "recipe": "screen", "screen.size": 4, "progress": False, "screen.lines.margin": 0.8,
         "entity_recall": 0.98, "entity_precision": 1.0, "line_f1": 0.998, "line_f1_plain": 0.25,
         "line_pairs_f1": 0.988, "line_f1@phone": 0.998, "line_f1/calendar_invite": 1.0, "line_f1/contact_page": 0.996,
         "entity_recall/calendar_invite": 1.0, "entity_recall/contact_page": 0.96,
         "screen/baseline_type": 0.5833, "screen/examples": 12},
    ]
    assert sweep.varying(rows) == ["screen.lines.margin"]
    winner = sweep.best(rows, "screen.lines.margin")
    assert winner["job"] == "1"
    assert sweep.best_line(winner, ["screen.lines.margin"]) == \
        "best screen.lines.margin=0.8: line_f1 0.998 (entity_recall 0.980)"


def test_best_tie_breaks():
    rows = [
        {"job": "0", "m": 0.8, "line_f1": 0.99, "entity_recall": 0.9},
        {"job": "1", "m": 0.5, "line_f1": 0.99, "entity_recall": 0.95},
        {"job": "2", "m": 0.3, "line_f1": 0.99, "entity_recall": 0.95},
        {"job": "3", "m": 0.1, "line_f1": 0.5, "entity_recall": 1.0},
        {"job": "4", "m": 0.0, "conversational/examples": 20},  # no screen subset: does not compete
    ]
    assert sweep.best(rows, "m")["job"] == "2"        # line_f1 tie -> higher recall -> smaller value
    assert sweep.best(rows[:2], "m")["job"] == "1"    # line_f1 tie -> higher recall
    assert sweep.best(rows[3:], "m")["job"] == "3"
    assert sweep.best(rows[4:], "m") is None


def test_write_summary_files_and_log(margin_sweep, caplog):
    with caplog.at_level(logging.INFO, logger="datagen.sweep"):
        result = sweep.write_summary(margin_sweep)
    log = caplog.text
    assert "skipped 1 job(s): 2" in log
    assert "best screen.lines.margin=0.8: line_f1 0.998 (entity_recall 0.980)" in log
    with open(margin_sweep / "sweep_summary.csv", newline="") as f:
        reader = csv.DictReader(f)
        table = list(reader)
    assert [r["job"] for r in table] == ["0", "1"]
    assert [r["screen.lines.margin"] for r in table] == ["0.3", "0.8"]
    assert table[1]["line_f1/contact_page"] == "0.996"
    assert [r["screen/examples"] for r in table] == ["12", "12"]
    assert [r["progress"] for r in table] == ["false", "false"]
    pt = pq.read_table(margin_sweep / "sweep_summary.parquet")
    assert reader.fieldnames == pt.column_names == sweep.columns(result["rows"])
    assert pt.column("screen.lines.margin").to_pylist() == [0.3, 0.8]
    assert pt.column("screen.size").to_pylist() == [4, 4]
    assert str(pt.schema.field("screen/examples").type) == "int64"
    with Image.open(margin_sweep / "sweep_summary.png") as im:
        assert im.format == "PNG" and im.width > 500
    assert result["failed"] == ["2"] and result["best"]["job"] == "1"
    assert not list(margin_sweep.glob(".*.tmp"))


def test_write_summary_several_keys_and_mixed_values(tmp_path):
    root = tmp_path / "sweep"
    fam = {"contact_page": (1.0, 1.0)}
    _job(root, "0", ["+recipe=screen", "screen.lines.margin=0.5", "screen.lines.unit=height"],
         _screen_stats(0.9, 1.0, fam))
    _job(root, "1", ["+recipe=screen", "screen.lines.margin=2", "screen.lines.unit=px"],
         _screen_stats(0.9, 1.0, fam))
    result = sweep.write_summary(root)
    assert result["keys"] == ["screen.lines.margin", "screen.lines.unit"]
    assert result["best"]["job"] == "0"  # a tie everywhere: smallest margin
    assert sweep.best_line(result["best"], result["keys"]) == \
        "best screen.lines.margin=0.5, screen.lines.unit=height (job 0): line_f1 0.900 (entity_recall 1.000)"
    pt = pq.read_table(root / "sweep_summary.parquet")
    assert pt.column("screen.lines.margin").to_pylist() == [0.5, 2.0]  # int and float -> float64
    assert (root / "sweep_summary.png").is_file()


def test_table_types_csv_and_parquet_agree(tmp_path):
    rows = [
        {"job": "0", "m": 0.5, "n": 3, "flag": True, "mixed": 1, "mixed_bool": 0.5, "empty": None},
        {"job": "1", "m": 2, "n": None, "flag": False, "mixed": "px", "mixed_bool": True, "empty": None,
         "late": "only here"},
    ]
    sweep.write_tables(rows, tmp_path / "t.csv", tmp_path / "t.parquet")
    pt = pq.read_table(tmp_path / "t.parquet")
    types = {f.name: str(f.type) for f in pt.schema}
    assert types == {"job": "string", "m": "double", "n": "int64", "flag": "bool", "mixed": "string",
                     "mixed_bool": "string", "empty": "null", "late": "string"}
    assert pt.to_pylist() == [
        {"job": "0", "m": 0.5, "n": 3, "flag": True, "mixed": "1", "mixed_bool": "0.5", "empty": None,
         "late": None},
        {"job": "1", "m": 2.0, "n": None, "flag": False, "mixed": "px", "mixed_bool": "True", "empty": None,
         "late": "only here"},
    ]
    with open(tmp_path / "t.csv", newline="") as f:
        reader = csv.reader(f)
        assert next(reader) == pt.column_names
        assert list(reader) == [["0", "0.5", "3", "true", "1", "0.5", "", ""],
                                ["1", "2", "", "false", "px", "True", "", "only here"]]
    assert not list(tmp_path.glob(".*.tmp"))


def test_no_screen_subset_no_plot(tmp_path, caplog):
    root = tmp_path / "sweep"
    for job, seed in (("0", 1), ("1", 2)):
        _job(root, job, ["+recipe=conversational", f"seed={seed}"],
             {"subsets": {"conversational": {"examples": 20, "baselines": {"first": 0.3, "type": 0.1}}}})
    with caplog.at_level(logging.INFO, logger="datagen.sweep"):
        result = sweep.write_summary(root)
    assert result["rows"] == [
        {"job": "0", "recipe": "conversational", "seed": 1, "conversational/baseline_type": 0.1,
         "conversational/examples": 20},
        {"job": "1", "recipe": "conversational", "seed": 2, "conversational/baseline_type": 0.1,
         "conversational/examples": 20},
    ]
    assert "no screen subset" in caplog.text
    assert (root / "sweep_summary.csv").is_file() and not (root / "sweep_summary.png").exists()


def test_callback_never_raises(tmp_path, caplog):
    from omegaconf import OmegaConf

    cfg = OmegaConf.create({"hydra": {"sweep": {"dir": str(tmp_path / "nothing")}}})
    with caplog.at_level(logging.INFO, logger="datagen.sweep"):
        sweep.SweepSummary().on_multirun_end(cfg)
    assert "nothing written" in caplog.text
    sweep.SweepSummary().on_multirun_end(OmegaConf.create({}))  # a broken config is logged, not raised
    assert "sweep summary failed" in caplog.text


def _check_table(sweep_dir: Path, key: str, values):
    with open(sweep_dir / "sweep_summary.csv", newline="") as f:
        table = list(csv.DictReader(f))
    assert [r["job"] for r in table] == ["0", "1"]
    pt = pq.read_table(sweep_dir / "sweep_summary.parquet")
    assert pt.num_rows == 2
    assert pt.column(key).to_pylist() == values
    return pt


def test_cli_screen_margin_sweep(tmp_path):
    proc = run_cli("-m", "+recipe=screen", "screen.size=2", "screen.previews=0", "progress=false",
                   "screen.lines.margin=0.2,0.8", f"hydra.sweep.dir={tmp_path}/sweep", cwd=tmp_path)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    pt = _check_table(tmp_path / "sweep", "screen.lines.margin", [0.2, 0.8])
    for col in ("line_f1", "entity_recall", "line_f1_plain", "screen/baseline_type", "screen/examples"):
        assert col in pt.column_names
    assert any(c.startswith("line_f1/") for c in pt.column_names)
    with Image.open(tmp_path / "sweep" / "sweep_summary.png") as im:
        im.verify()
    best = [ln for ln in out.splitlines() if "best screen.lines.margin=" in ln]
    assert len(best) == 1, out[-3000:]
    assert "line_f1 " in best[0] and "(entity_recall " in best[0]


def test_cli_joblib_text_sweep(tmp_path):
    proc = run_cli("-m", "+recipe=conversational", "conversational.size=20", "seed=1,2", "progress=false",
                   "hydra/launcher=joblib", "hydra.launcher.n_jobs=2", f"hydra.sweep.dir={tmp_path}/sweep",
                   cwd=tmp_path)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    pt = _check_table(tmp_path / "sweep", "seed", [1, 2])
    assert pt.column("conversational/examples").to_pylist() == [20, 20]
    assert not (tmp_path / "sweep" / "sweep_summary.png").exists()
    assert "no screen subset in the sweep" in out
    assert "Traceback" not in out
