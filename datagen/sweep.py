"""One table (and a plot) per sweep: `python -m datagen -m +recipe=screen screen.lines.margin=0.3,0.5,0.8`.

`SweepSummary` is a Hydra callback (conf/config.yaml, `hydra.callbacks.sweep_summary`). When a
multirun ends it reads what every job wrote, `<job>/dataset/stats.json` and
`<job>/.hydra/overrides.yaml` (the callback computes nothing itself), and writes into the sweep folder:

  sweep_summary.csv, sweep_summary.parquet
      the same table twice (pyarrow writes both): one row per job: `job` (its subfolder), every
      override key of that job as a column (numbers stay numbers; a column mixing numbers, bools
      and text is text; a missing value is null, an empty cell in the CSV), and the metrics: for
      the screen subset `entity_recall`, `entity_precision`, `line_f1`, `line_f1_plain` (means over
      screens), `line_pairs_f1` (the "same row" pairs of all screens pooled, as real annotated pages
      are scored: web pages, with many pairs, weigh more), `line_f1@<device>` (phone, desktop,
      mobile), `line_f1/<family>`, `entity_recall/<family>`; for every subset `<subset>/baseline_type` and
      `<subset>/examples`.
  sweep_summary.png   (screen subset only)
      line_f1 and entity_recall against the swept value, overall (thick), pooled over all pairs
      (thick dotted, line_f1 only) and per family (thin), with the paper's plain algorithm on the raw words (`line_f1_plain`) as a dashed reference line
      "plain (words)". One key varies and it is numeric: x is that key's value. Otherwise
      (several keys vary, or one non-numeric key): one point per job in job order, each tick
      labelled with its values of the varying keys, and a note naming the keys.

and logs one line naming the best job (highest line_f1; ties: highest entity_recall, then the
smallest value of the swept key(s)):

  best screen.lines.margin=0.8: line_f1 0.998 (entity_recall 0.980)

Jobs without a stats.json are listed in the log and left out. A multirun whose job raised never
reaches `on_multirun_end` (Hydra stops the sweep), so the same summary is also a command:
`python -m datagen.sweep multirun/<date>/<time>` summarizes the jobs that finished.

The table building (`job_dirs`, `summarize`, `missing`, `varying`, `best`) is pure and has no
Hydra in it; the callback only calls `write_summary(sweep_dir)`. The callback runs in the parent
process with every launcher (basic, joblib), after all jobs have ended.
"""

from __future__ import annotations

import logging
import math
import os
import re
import sys
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Union

import yaml
from hydra.experimental.callback import Callback

log = logging.getLogger("datagen.sweep")

SCREEN_METRICS = ("entity_recall", "entity_precision", "line_f1", "line_f1_plain")
POOLED = "line_pairs_f1"  # "same row" pairs of all screens pooled
FAMILY_METRICS = ("line_f1", "entity_recall")
PLOT_METRICS = ("line_f1", "entity_recall")
CSV_NAME, PARQUET_NAME, PNG_NAME = "sweep_summary.csv", "sweep_summary.parquet", "sweep_summary.png"
Keys = Union[str, Sequence[str], None]


# --- reading the jobs (pure) ---------------------------------------------------------------------

def _natural(name: str) -> List[Any]:
    """Sort key: job 2 before job 10."""
    return [(0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.split(r"(\d+)", name) if t]


def job_dirs(sweep_dir: Union[str, Path]) -> List[Path]:
    """The job folders of a sweep (those with a .hydra/overrides.yaml or a dataset/stats.json), in job order."""
    root = Path(sweep_dir)
    found = {p.parent.parent for p in root.glob("**/.hydra/overrides.yaml")}
    found |= {p.parent.parent for p in root.glob("*/dataset/stats.json")}
    found.discard(root)
    return sorted(found, key=lambda p: _natural(p.relative_to(root).as_posix()))


def _job_name(job: Path) -> str:
    return job.name


def stats_path(job: Path) -> Path:
    """`<job>/dataset/stats.json`, or the job's own output.dir when it set one (and that has the file)."""
    default = job / "dataset" / "stats.json"
    if default.is_file():
        return default
    try:
        cfg = yaml.safe_load((job / ".hydra" / "config.yaml").read_text(encoding="utf-8")) or {}
        out = (cfg.get("output") or {}).get("dir")
    except (OSError, yaml.YAMLError, AttributeError):
        out = None
    if isinstance(out, str) and out and "${" not in out:
        alt = Path(out).expanduser() / "stats.json"
        if alt.is_file():
            return alt
    return default


def read_overrides(job: Path) -> Dict[str, Any]:
    """{key: value} of the job's .hydra/overrides.yaml; values parsed by Hydra (0.3 -> float, 2 -> int)."""
    path = job / ".hydra" / "overrides.yaml"
    if not path.is_file():
        return {}
    lines = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    out: Dict[str, Any] = {}
    try:
        from hydra.core.override_parser.overrides_parser import OverridesParser

        for o in OverridesParser.create().parse_overrides([str(x) for x in lines]):
            key = o.key_or_group + (f"@{o.package}" if o.package else "")
            value = o.value()
            if isinstance(value, (list, dict)):
                value = o.get_value_element_as_str()
            out[key] = value
    except Exception:  # an override Hydra cannot parse back: fall back to key=value text
        out = {}
        for line in map(str, lines):
            key, _, text = line.partition("=")
            out[key.lstrip("+~")] = _number(text)
    return out


def _number(text: str) -> Any:
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def _load_stats(job: Path) -> Optional[Dict[str, Any]]:
    import json

    path = stats_path(job)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def missing(jobs: Iterable[Union[str, Path]]) -> List[str]:
    """Names of the jobs without a readable stats.json (failed, killed, or still running)."""
    return [_job_name(Path(j)) for j in jobs if _load_stats(Path(j)) is None]


def summarize(jobs: Iterable[Union[str, Path]]) -> List[Dict[str, Any]]:
    """One row per job that has a stats.json (jobs without one are left out, see `missing`)."""
    rows = []
    for job in map(Path, jobs):
        stats = _load_stats(job)
        if stats is None:
            continue
        row: Dict[str, Any] = {"job": _job_name(job)}
        row.update(read_overrides(job))
        subsets = stats.get("subsets") or {}
        screen = (subsets.get("screen") or {}).get("screen")
        if screen:
            metrics = screen.get("metrics") or {}
            for m in SCREEN_METRICS:
                row[m] = metrics.get(m)
            # "same row" pairs of all screens together, as real annotated pages are scored
            row[POOLED] = (screen.get("line_pairs_f1") or {}).get("line_pairs")
            for device, values in sorted((screen.get("per_device") or {}).items()):
                row[f"line_f1@{device}"] = (values or {}).get("line_f1")
            per_family = screen.get("per_family") or {}
            for m in FAMILY_METRICS:
                for family in sorted(per_family):
                    row[f"{m}/{family}"] = (per_family[family] or {}).get(m)
        for name, sub in subsets.items():
            row[f"{name}/baseline_type"] = (sub.get("baselines") or {}).get("type")
            row[f"{name}/examples"] = sub.get("examples")
        rows.append(row)
    return rows


def columns(rows: Sequence[Dict[str, Any]]) -> List[str]:
    """Every column of the rows, in order of first appearance."""
    out: Dict[str, None] = {}
    for row in rows:
        out.update(dict.fromkeys(row))
    return list(out)


def override_keys(rows: Sequence[Dict[str, Any]]) -> List[str]:
    """The override columns: everything between `job` and the metrics."""
    keys: Dict[str, None] = {}
    for row in rows:
        for k in row:
            if k != "job" and not _is_metric(k):
                keys[k] = None
    return list(keys)


def _is_metric(key: str) -> bool:
    return key in SCREEN_METRICS or key == POOLED or "/" in key or key.startswith("line_f1@")


def varying(rows: Sequence[Dict[str, Any]]) -> List[str]:
    """Override keys whose value is not the same in every row (a key missing from a row counts as None)."""
    out = []
    for k in override_keys(rows):
        if len({repr(r.get(k)) for r in rows}) > 1:
            out.append(k)
    return out


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _order(v: Any) -> tuple:
    """Sort key for a mix of numbers, strings and None: numbers, then text, then None."""
    if _is_number(v) and not (isinstance(v, float) and math.isnan(v)):
        return (0, float(v), "")
    if v is None:
        return (2, 0.0, "")
    return (1, 0.0, str(v))


def _keys(key: Keys) -> List[str]:
    if key is None:
        return []
    return [key] if isinstance(key, str) else list(key)


def best(rows: Sequence[Dict[str, Any]], key: Keys) -> Optional[Dict[str, Any]]:
    """The row with the highest line_f1; ties: highest entity_recall, then the smallest `key` value(s), then job order.

    Rows without a line_f1 (no screen subset) do not compete; None when no row has one.
    """
    keys = _keys(key)
    scored = [(i, r) for i, r in enumerate(rows) if _is_number(r.get("line_f1"))]
    if not scored:
        return None

    def rank(item):
        i, r = item
        recall = r.get("entity_recall")
        recall = float(recall) if _is_number(recall) else -math.inf
        return (-float(r["line_f1"]), -recall, tuple(_order(r.get(k)) for k in keys), i)

    return min(scored, key=rank)[1]


def _fmt(v: Any) -> str:
    return f"{v:.3f}" if _is_number(v) else "n/a"


def best_line(row: Dict[str, Any], keys: Sequence[str]) -> str:
    """`best screen.lines.margin=0.8: line_f1 0.998 (entity_recall 0.980)`."""
    if keys:
        what = ", ".join(f"{k}={row.get(k)}" for k in keys)
        if len(keys) > 1:
            what += f" (job {row['job']})"
    else:
        what = f"job {row['job']}"
    return f"best {what}: line_f1 {_fmt(row.get('line_f1'))} (entity_recall {_fmt(row.get('entity_recall'))})"


# --- writing -------------------------------------------------------------------------------------

def _atomic(path: Path, write: Callable[[Path], None]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _kind(v: Any) -> str:
    """The kind of Arrow column a value asks for: bool, number (ints and floats alike) or text."""
    if isinstance(v, bool):
        return "bool"
    return "number" if _is_number(v) else "text"


def to_arrow(rows: Sequence[Dict[str, Any]]):
    """The rows as a pyarrow table, typed by `pyarrow.Table.from_pylist`: ints are int64, ints with
    floats float64, bools bool, None is null. A column mixing kinds (number, bool, text), which the
    inference would refuse or coerce (True next to 0.5 becomes 1.0), is written as text."""
    import pyarrow as pa

    cols = columns(rows)  # every row gets every column: from_pylist takes the names from the first row
    mixed = {c for c in cols if len({_kind(r[c]) for r in rows if r.get(c) is not None}) > 1}

    def cell(row: Dict[str, Any], c: str) -> Any:
        v = row.get(c)
        return str(v) if c in mixed and v is not None else v

    return pa.Table.from_pylist([{c: cell(r, c) for c in cols} for r in rows])


def write_tables(rows: Sequence[Dict[str, Any]], csv_path: Path, parquet_path: Path) -> None:
    """One table, written by pyarrow as CSV (text quoted, null as an empty cell) and as Parquet."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    table = to_arrow(rows)
    _atomic(csv_path, lambda p: pacsv.write_csv(table, str(p)))
    _atomic(parquet_path, lambda p: pq.write_table(table, str(p)))


def _families(rows: Sequence[Dict[str, Any]]) -> List[str]:
    fams: Dict[str, None] = {}
    for r in rows:
        for k in r:
            if k.startswith("line_f1/"):
                fams[k.split("/", 1)[1]] = None
    return sorted(fams)


def plot(rows: Sequence[Dict[str, Any]], keys: Sequence[str], path: Path, title: str = "") -> None:
    """line_f1 and entity_recall against the swept key (see the module docstring); writes a PNG."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    keys = list(keys)
    numeric = len(keys) == 1 and all(_is_number(r.get(keys[0])) for r in rows)
    if numeric:
        rows = sorted(rows, key=lambda r: float(r[keys[0]]))
        xs: List[float] = [float(r[keys[0]]) for r in rows]
        xlabel = keys[0]
    else:
        xs = list(range(len(rows)))
        xlabel = keys[0] if len(keys) == 1 else "job"
    families = _families(rows)
    fig = Figure(figsize=(12, 5 if numeric else 6), dpi=100)
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, 2)
    from matplotlib import colormaps

    palette = colormaps["tab20"] if len(families) > 10 else colormaps["tab10"]  # no two families share a colour up to 20
    colours = [palette(i % palette.N) for i in range(len(families))]
    winner = best(rows, keys)
    for ax, metric in zip(axes, PLOT_METRICS):
        for fam, colour in zip(families, colours):
            ys = [r.get(f"{metric}/{fam}") for r in rows]
            ys = [math.nan if y is None else y for y in ys]
            ax.plot(xs, ys, color=colour, linewidth=1.0, alpha=0.75, marker=".", label=fam)
        ys = [r.get(metric) for r in rows]
        ax.plot(xs, [math.nan if y is None else y for y in ys], color="black", linewidth=3.0, marker="o",
                label="overall")
        if metric == "line_f1":
            pooled = [r.get(POOLED) for r in rows]
            if any(_is_number(p) for p in pooled):
                ax.plot(xs, [math.nan if p is None else p for p in pooled], color="black", linestyle=":",
                        linewidth=2.5, marker="s", label="all pairs pooled")
            tess = [r.get("line_f1_plain") for r in rows]
            if any(_is_number(t) for t in tess):
                if len({t for t in tess}) == 1:
                    ax.axhline(tess[0], color="grey", linestyle="--", linewidth=1.5, label="plain (words)")
                else:
                    ax.plot(xs, [math.nan if t is None else t for t in tess], color="grey", linestyle="--",
                            linewidth=1.5, label="plain (words)")
        if winner is not None and _is_number(winner.get(metric)):
            i = next(k for k, r in enumerate(rows) if r is winner)
            ax.plot([xs[i]], [winner[metric]], marker="*", markersize=16, color="gold", markeredgecolor="black",
                    linestyle="none", label="best", zorder=5)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(metric)
        ax.set_title(f"{metric} vs {xlabel}")
        ax.grid(True, alpha=0.3)
        if not numeric:
            if len(keys) == 1:
                labels = [str(r.get(keys[0])) for r in rows]
            else:
                labels = [f"{r['job']}: " + ", ".join(f"{k.rsplit('.', 1)[-1]}={r.get(k)}" for k in keys) for r in rows]
            ax.set_xticks(xs)
            ax.set_xticklabels(labels, rotation=25 if len(keys) > 1 else 0, ha="right" if len(keys) > 1 else "center",
                               fontsize=8)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="center right", fontsize=8, frameon=False)
    if len(keys) > 1:
        fig.text(0.01, 0.01, f"several keys vary ({', '.join(keys)}): one point per job, in job order",
                 fontsize=8, style="italic")
    fig.suptitle(title or "sweep summary")
    fig.subplots_adjust(left=0.13 if len(keys) > 1 else 0.07, right=0.82, bottom=0.3 if len(keys) > 1 else 0.12,
                        top=0.88, wspace=0.25)
    _atomic(path, lambda p: fig.savefig(p, format="png"))


def write_summary(sweep_dir: Union[str, Path]) -> Dict[str, Any]:
    """Read every job of the sweep, write the table (and the plot), log the best job. Returns what it did."""
    root = Path(sweep_dir)
    jobs = job_dirs(root) if root.is_dir() else []
    failed = missing(jobs)
    result: Dict[str, Any] = {"rows": [], "failed": failed, "files": [], "best": None, "keys": []}
    if failed:
        log.warning("sweep summary: no stats.json, skipped %d job(s): %s", len(failed), ", ".join(failed))
    rows = summarize(jobs)
    result["rows"] = rows
    if not rows:
        log.warning("sweep summary: no finished job under %s, nothing written", root)
        return result
    write_tables(rows, root / CSV_NAME, root / PARQUET_NAME)
    result["files"] += [root / CSV_NAME, root / PARQUET_NAME]
    keys = varying(rows)
    result["keys"] = keys
    log.info("sweep summary: %d job(s) -> %s, %s", len(rows), root / CSV_NAME, PARQUET_NAME)
    if not any(_is_number(r.get("line_f1")) for r in rows):
        log.info("sweep summary: no screen subset in the sweep, plot and best value skipped")
        return result
    winner = best(rows, keys)
    result["best"] = winner
    log.info(best_line(winner, keys))
    if not keys:
        log.info("sweep summary: no override varies between the jobs, plot skipped")
        return result
    try:
        plot(rows, keys, root / PNG_NAME, title=f"sweep {'/'.join(root.parts[-2:])}: {len(rows)} jobs")
        result["files"].append(root / PNG_NAME)
    except Exception as e:  # a plotting problem must not fail a sweep whose jobs all worked
        log.warning("sweep summary: plot skipped: %s: %s", type(e).__name__, e)
    return result


class SweepSummary(Callback):
    """Hydra callback: on_multirun_end -> write_summary(hydra.sweep.dir). Never raises."""

    def on_multirun_end(self, config, **kwargs: Any) -> None:
        try:
            write_summary(Path(str(config.hydra.sweep.dir)))
        except Exception as e:  # the jobs are done and written; a summary problem is only logged
            log.error("sweep summary failed: %s: %s", type(e).__name__, e)


def main(argv: Optional[List[str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1 or argv[0] in ("-h", "--help"):
        print("usage: python -m datagen.sweep SWEEP_DIR   (writes sweep_summary.csv/.parquet/.png there)")
        return 2
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not Path(argv[0]).is_dir():
        print(f"datagen.sweep: error: {argv[0]}: not a folder", file=sys.stderr)
        return 2
    write_summary(argv[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
