"""`python -m datagen evaluate DATASET --predictions FILE`: a model scored with the paper's metric.

FILE (JSONL, CSV or Parquet) holds `id` and `prediction`, the model's raw output. Each output is
parsed (datagen/metric.py: "1, 3", "3,1", " 1 ", "0"; anything else is wrong and counted as
unparseable) and scored by exact set match against the example's targets, then tallied per split,
subset, reference kind, subset and reference kind, domain (the screen family for screen rows),
number of candidates and number of targets. The splits scored are those the predictions cover
(or --split); an example of a scored split with no prediction is missing and counts as wrong.
`--baseline first|type|string` scores a built-in baseline instead, through the same parsing and
scoring, so its numbers are those of the card and stats.json.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from datagen.baselines import BASELINES, Scoreboard, baseline_rows, load_intents
from datagen.config import SPLITS, SUBSETS
from datagen.entities import load_types
from datagen.errors import UserError
from datagen.metric import exact_match, parse_prediction, rate
from datagen.paper import TABLE3
from datagen.prompt import format_target
from datagen.templates import templates_dir
from datagen.validate import check_folder

DIMENSIONS = ("split", "subset", "reference", "subset/reference", "domain", "candidates", "targets")
FORMATS = {".jsonl": "jsonl", ".json": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet"}
COLUMNS = ("id", "prediction")
LISTED = 5  # missing / unknown ids shown by name
READ = ["id", "subset", "reference", "domain", "query", "entities", "targets"]


def read_predictions(path: Path) -> Dict[str, Any]:
    """id -> raw prediction from a JSONL, CSV or Parquet file; UserError naming the file (and line) on a problem."""
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise UserError(f"--predictions {path}: unknown format '{path.suffix}' (expected .jsonl, .csv or .parquet "
                        "with columns id and prediction)")
    if not path.is_file():
        raise UserError(f"--predictions {path}: no such file")
    pairs = list(_jsonl(path) if kind == "jsonl" else _table(path, kind))
    out: Dict[str, Any] = {}
    for where, key, value in pairs:
        if key in out:
            raise UserError(f"{path}{where}: id {key} has a second prediction (one per id)")
        out[key] = value
    if not out:
        raise UserError(f"--predictions {path}: holds no prediction")
    return out


def _key(value: Any, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise UserError(f"{where}: id {value!r} is not a string")
    return str(value)


def _jsonl(path: Path) -> Iterator[Tuple[str, str, Any]]:
    with open(path, encoding="utf-8", errors="strict") as f:
        try:
            lines = list(f)
        except UnicodeDecodeError:
            raise UserError(f"{path}: not UTF-8 text (expected JSON lines with id and prediction)") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as e:
            raise UserError(f"{path}:{n}: not JSON ({e}); expected one object per line with id and prediction") from None
        if not isinstance(row, dict) or any(c not in row for c in COLUMNS):
            raise UserError(f"{path}:{n}: expected an object with keys id and prediction")
        yield f":{n}", _key(row["id"], f"{path}:{n}"), row["prediction"]


def _table(path: Path, kind: str) -> Iterator[Tuple[str, str, Any]]:
    try:
        if kind == "csv":
            table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in COLUMNS}, strings_can_be_null=False))
        else:
            table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as e:
        raise UserError(f"--predictions {path}: not a readable {kind.upper()} file ({str(e).splitlines()[0]})") from None
    for c in COLUMNS:
        if c not in table.column_names:
            raise UserError(f"--predictions {path}: no column '{c}' (has {', '.join(table.column_names)}; "
                            "expected id and prediction)")
    for n, (key, value) in enumerate(zip(table.column("id").to_pylist(), table.column("prediction").to_pylist()), 1):
        yield f" (row {n})", _key(key, f"{path} (row {n})"), value


def _rows(folder_root: Path, files: Dict[str, List[str]], splits: Sequence[str]) -> Iterator[Tuple[str, str, str, tuple]]:
    """(split, id, domain, baseline row) of every example of the given splits, in file order."""
    for split in splits:
        for rel in files.get(split, []):
            table = pq.read_table(folder_root / rel, columns=READ)
            yield from ((split, i, d, row) for i, d, row in zip(table.column("id").to_pylist(),
                                                                table.column("domain").to_pylist(),
                                                                baseline_rows(table)))


def _board(stats: Dict[str, Any]) -> Scoreboard:
    """The baselines of the run that made the dataset (its templates' intent words)."""
    folder = templates_dir(stats["config"]["entities"]["templates"])
    return Scoreboard(load_intents(folder, list(load_types(folder, stats["config"]["locale"]))))


class Tally:
    """Examples, correct answers, unparseable and missing outputs, per value of every dimension."""

    def __init__(self) -> None:
        self.counts: Dict[str, Dict[Any, Dict[str, int]]] = {
            d: defaultdict(lambda: {"examples": 0, "correct": 0, "unparseable": 0, "missing": 0}) for d in DIMENSIONS}
        self.total = {"examples": 0, "correct": 0, "unparseable": 0, "missing": 0}

    def add(self, keys: Dict[str, Any], correct: bool, unparseable: bool, missing: bool) -> None:
        for c in [self.total, *(self.counts[d][keys[d]] for d in DIMENSIONS)]:
            c["examples"] += 1
            c["correct"] += correct
            c["unparseable"] += unparseable
            c["missing"] += missing

    @staticmethod
    def _entry(c: Dict[str, int]) -> Dict[str, Any]:
        return {**c, "accuracy": rate(c["correct"], c["examples"])}

    def result(self) -> Dict[str, Any]:
        order = {"split": list(SPLITS).index, "subset": list(SUBSETS).index}
        by = {}
        for d in DIMENSIONS:
            keys = sorted(self.counts[d], key=order.get(d, lambda k: (k if isinstance(k, int) else str(k))))
            by[d] = {str(k): self._entry(self.counts[d][k]) for k in keys}
        return {**self._entry(self.total), "by": by}


def evaluate(dataset: Path, predictions: Optional[Path] = None, baseline: Optional[str] = None,
             splits: Optional[Sequence[str]] = None) -> Dict[str, Any]:
    """Score predictions (or a baseline) on a dataset folder; the result `--json` writes."""
    folder = check_folder(dataset)
    if baseline is not None:
        board = _board(folder.stats)
        rows = list(_rows(folder.root, folder.data, SPLITS))
        preds: Dict[str, Any] = {i: format_target(sorted(board.predict(r[2], r[3], r[4])[baseline])) for _, i, _, r in rows}
    else:
        preds = read_predictions(predictions)
        rows = list(_rows(folder.root, folder.data, SPLITS))
    split_of = {i: s for s, i, _, _ in rows}
    matched = [k for k in preds if k in split_of]
    unknown = sorted(k for k in preds if k not in split_of)
    if not matched:
        raise UserError(f"--predictions {predictions}: none of its {len(preds)} ids is an example of {folder.root} "
                        f"(first: {next(iter(preds))!r}; ids are the dataset's `id` column)")
    scored = list(splits) if splits else [s for s in SPLITS if any(split_of[k] == s for k in matched)]
    tally = Tally()
    missing: List[str] = []
    for split, key, domain, (sub, ref, _query, types, _values, targets) in rows:
        if split not in scored:
            continue
        raw = preds.get(key)
        parsed = parse_prediction(raw) if key in preds else None
        if key not in preds:
            missing.append(key)
        tally.add({"split": split, "subset": sub, "reference": ref, "subset/reference": f"{sub}/{ref}",
                   "domain": domain, "candidates": len(types), "targets": len(targets)},
                  exact_match(parsed, targets), key in preds and parsed is None, key not in preds)
    ignored = sum(1 for k in matched if split_of[k] not in scored)
    return {
        "dataset": str(folder.root), "predictions": f"baseline:{baseline}" if baseline else str(predictions),
        "splits": scored, **tally.result(),
        "missing_ids": {"count": len(missing), "first": missing[:LISTED]},
        "unknown_ids": {"count": len(unknown), "first": unknown[:LISTED]},
        "ignored_predictions": ignored,  # for examples of splits not scored (--split)
        "paper_table3": TABLE3,
    }


def _table_text(rows: List[List[Any]], head: List[str]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    line = lambda r: "  ".join(str(x).ljust(w) if k == 0 else str(x).rjust(w) for k, (x, w) in enumerate(zip(r, widths)))
    return "\n".join([line(head), line(["-" * w for w in widths]), *map(line, rows)])


def report(result: Dict[str, Any]) -> str:
    """The result as the tables the command prints."""
    out = [f"{result['predictions']} on {result['dataset']} (splits: {', '.join(result['splits'])})",
           f"accuracy {result['accuracy']:.4f} ({result['correct']}/{result['examples']}); "
           f"unparseable {result['unparseable']}; missing {result['missing']}"]
    miss, unk = result["missing_ids"], result["unknown_ids"]
    if miss["count"]:
        out.append(f"missing: {miss['count']} examples have no prediction (counted wrong), e.g. {', '.join(miss['first'])}")
    if unk["count"]:
        out.append(f"unknown: {unk['count']} predictions name ids not in the dataset (not scored), e.g. "
                   f"{', '.join(unk['first'])}")
    if result["ignored_predictions"]:
        out.append(f"ignored: {result['ignored_predictions']} predictions for examples of splits not scored")
    models = list(TABLE3)
    subsets = result["by"]["subset"]
    out += ["", "Per subset, beside the paper's Table 3 (accuracy %):", _table_text(
        [[s, v["examples"], f"{100 * v['accuracy']:.1f}", *[TABLE3[m].get(s, "") for m in models]] for s, v in subsets.items()],
        ["subset", "examples", "accuracy", *models])]
    head = ["examples", "correct", "accuracy", "unparseable", "missing"]
    for d in DIMENSIONS:
        rows = [[k, *(v[h] if h != "accuracy" else f"{v[h]:.4f}" for h in head)] for k, v in result["by"][d].items()]
        out += ["", f"By {d}:", _table_text(rows, [d, *head])]
    return "\n".join(out)


def main(argv: List[str]) -> None:
    """The `evaluate` command line."""
    p = argparse.ArgumentParser(prog="python -m datagen evaluate",
                                description="Score a model's outputs on a dataset with the paper's metric (exact set "
                                            "match), per split, subset, reference kind, domain, candidates and targets.")
    p.add_argument("dataset", type=Path, help="the dataset folder")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--predictions", type=Path, metavar="FILE",
                        help="JSONL, CSV or Parquet with columns id and prediction (the model's raw output)")
    source.add_argument("--baseline", choices=BASELINES, help="score a built-in baseline instead (as in the card)")
    p.add_argument("--split", action="append", choices=SPLITS, default=None,
                   help="score only this split (repeatable); default: the splits the predictions cover "
                        "(every split for --baseline)")
    p.add_argument("--json", type=Path, default=None, metavar="OUT", help="also write the result as JSON to OUT")
    args = p.parse_args(argv)
    result = evaluate(args.dataset, args.predictions, args.baseline, args.split)
    print(report(result))
    if args.json is not None:
        try:
            args.json.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        except OSError as e:
            raise UserError(f"--json {args.json}: cannot write ({e.strerror})") from None
