"""evaluate: outputs parsed and scored as the paper's metric needs, on a hand-worked predictions file."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import run_cli
from datagen.errors import UserError
from datagen.evaluate import evaluate, read_predictions
from datagen.metric import parse_prediction
from datagen.paper import TABLE3
from test_cli import one_line_error


@pytest.mark.parametrize("text, parsed", [
    ("1", {1}), ("1, 3", {1, 3}), ("3,1", {1, 3}), (" 1 ", {1}), ("0", set()), ("2 ,  5", {2, 5}),
    ("1, 1", {1}), ("1\n", {1}), (3, {3}), ("10", {10}),
    ("", None), (" ", None), ("one", None), ("1.", None), ("1 3", None), ("1,", None), (",1", None),
    ("0, 2", None), ("-1", None), ("1;3", None), ("[1, 3]", None), ("Relevant entity: 1", None), (None, None),
    (True, None), ([1, 3], None), ("１", None),
])
def test_parse_prediction(text, parsed):
    got = parse_prediction(text)
    assert (None if got is None else set(got)) == parsed


def _test_rows(folder: Path) -> list:
    t = pq.read_table(folder / "data" / "test-00000-of-00001.parquet", columns=["id", "subset", "targets"])
    return t.to_pylist()


def _hand_predictions(folder: Path):
    """Seven test rows with outputs whose scores follow from the target column; returns (rows, predictions)."""
    rows = _test_rows(folder)
    single = [r for r in rows if len(r["targets"]) == 1]
    multi = next(r for r in rows if len(r["targets"]) >= 2)
    none = next(r for r in rows if not r["targets"])
    a, b, c, d, e = single[:5]
    ts = sorted(multi["targets"])
    preds = [
        (a, str(a["targets"][0]), True),                          # exact
        (multi, ",".join(str(t) for t in reversed(ts)), True),     # "3,1": order and spacing do not matter
        (b, f" {b['targets'][0]} ", True),                          # " 1 "
        (none, "0", True),                                          # none, and it is none
        (c, "2" if c["targets"] == [1] else "1", False),            # a wrong number: parsed, wrong
        (d, "banana", False),                                       # unparseable
        (e, f"{e['targets'][0]}.", False),                          # "1.": unparseable
    ]
    return rows, preds


def test_hand_worked_scores(small_realm, tmp_path):
    rows, preds = _hand_predictions(small_realm)
    path = tmp_path / "preds.jsonl"
    lines = [json.dumps({"id": r["id"], "prediction": p}) for r, p, _ in preds]
    lines.append(json.dumps({"id": "not-an-example", "prediction": "1"}))
    path.write_text("\n".join(lines) + "\n")
    proc = run_cli("evaluate", str(small_realm), "--predictions", str(path), "--json", str(tmp_path / "r.json"),
                   cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    r = json.loads((tmp_path / "r.json").read_text())
    n = len(rows)  # the predictions cover the test split only: it is the one scored, its other rows are missing
    assert r["splits"] == ["test"]
    assert (r["examples"], r["correct"], r["unparseable"], r["missing"]) == (n, 4, 2, n - 7)
    assert r["accuracy"] == round(4 / n, 4)
    assert r["unknown_ids"] == {"count": 1, "first": ["not-an-example"]}
    assert r["missing_ids"]["count"] == n - 7
    # per subset, from the rows picked above
    for sub, v in r["by"]["subset"].items():
        mine = [(row, ok) for row, _, ok in preds if row["subset"] == sub]
        assert v["examples"] == sum(1 for x in rows if x["subset"] == sub)
        assert v["correct"] == sum(ok for _, ok in mine)
    assert r["by"]["targets"]["0"]["correct"] == 1
    assert r["by"]["targets"][str(len(preds[1][0]["targets"]))]["correct"] >= 1
    assert r["paper_table3"] == TABLE3
    out = proc.stdout
    assert "missing: " in out and "unknown: 1 predictions" in out and "not-an-example" in out
    for model in TABLE3:
        assert model in out
    assert "ReALM-3B" in out.splitlines()[next(i for i, ln in enumerate(out.splitlines()) if "Table 3" in ln) + 1]

    # the same outputs as CSV and as Parquet score the same
    csv = tmp_path / "preds.csv"
    pa_rows = [{"id": row["id"], "prediction": p} for row, p, _ in preds]
    csv.write_text("id,prediction\n" + "".join(f'{x["id"]},"{x["prediction"]}"\n' for x in pa_rows))
    pq.write_table(pa.Table.from_pylist(pa_rows), tmp_path / "preds.parquet")
    for other in (csv, tmp_path / "preds.parquet"):
        p2 = run_cli("evaluate", str(small_realm), "--predictions", str(other), "--json", str(tmp_path / "o.json"),
                     cwd=tmp_path)
        assert p2.returncode == 0, p2.stderr
        o = json.loads((tmp_path / "o.json").read_text())
        assert (o["examples"], o["correct"], o["unparseable"], o["missing"]) == (n, 4, 2, n - 7)
        assert o["by"] == r["by"]


@pytest.mark.parametrize("baseline", ["first", "type", "string"])
def test_baselines_agree_with_stats(small_realm, tmp_path, baseline):
    if baseline == "first":  # the command line once; the others through the function it calls
        proc = run_cli("evaluate", str(small_realm), "--baseline", baseline, "--json", str(tmp_path / "b.json"),
                       cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        r = json.loads((tmp_path / "b.json").read_text())
    else:
        r = evaluate(small_realm, baseline=baseline)
    stats = json.loads((small_realm / "stats.json").read_text())
    assert r["splits"] == [s for s in ("train", "validation", "test") if stats["splits"][s]]
    assert r["missing"] == r["unparseable"] == 0
    for sub, s in stats["subsets"].items():
        assert r["by"]["subset"][sub]["accuracy"] == s["baselines"][baseline], sub
        for ref, v in s["baselines_by_reference"].items():
            assert r["by"]["subset/reference"][f"{sub}/{ref}"]["accuracy"] == v[baseline], (sub, ref)


def test_no_id_matches(small_realm, tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text('{"id": "x1", "prediction": "1"}\n{"id": "x2", "prediction": "2"}\n')
    one_line_error(run_cli("evaluate", str(small_realm), "--predictions", str(path), cwd=tmp_path),
                   "none of its 2 ids", "x1")


@pytest.mark.parametrize("name, body, needles", [
    ("p.jsonl", '{"id": "a", "prediction": "1"}\nnot json\n', ["p.jsonl:2", "not JSON"]),
    ("p.csv", "id,answer\na,1\n", ["p.csv", "no column 'prediction'"]),
])
def test_unreadable_predictions(small_realm, tmp_path, name, body, needles):
    (tmp_path / name).write_text(body)
    one_line_error(run_cli("evaluate", str(small_realm), "--predictions", str(tmp_path / name), cwd=tmp_path), *needles)


@pytest.mark.parametrize("name, body, needles", [
    ("p.jsonl", '{"id": "a", "answer": "1"}\n', ["p.jsonl:1", "id and prediction"]),
    ("p.jsonl", '{"id": "a", "prediction": "1"}\n{"id": "a", "prediction": "2"}\n', ["p.jsonl:2", "id a", "second"]),
    ("p.jsonl", '{"id": ["a"], "prediction": "1"}\n', ["p.jsonl:1", "not a string"]),
    ("p.txt", "a 1\n", ["p.txt", ".jsonl, .csv or .parquet"]),
    ("p.parquet", "not parquet", ["p.parquet", "not a readable PARQUET"]),
    ("p.jsonl", "", ["p.jsonl", "no prediction"]),
    ("none.jsonl", None, ["none.jsonl", "no such file"]),
])
def test_unreadable_predictions_in_process(tmp_path, name, body, needles):
    """The same reader in process (the CLI turns each UserError into its one line, as above)."""
    if body is not None:
        (tmp_path / name).write_text(body)
    with pytest.raises(UserError) as e:
        read_predictions(tmp_path / name)
    assert all(n in str(e.value) for n in needles), str(e.value)


def test_no_dataset(tmp_path):
    with pytest.raises(UserError, match="nods"):
        evaluate(tmp_path / "nods", baseline="first")
