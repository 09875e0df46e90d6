"""Screen metrics summed up over a run (overall and per family), and the preview images."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Optional

from datagen.screen.preview import write_preview
from datagen.screen.score import f1
from datagen.screen.table import METRICS

PAIR_COLUMNS = ("line_pairs", "plain_pairs")  # screens-table columns of line pair counts

if TYPE_CHECKING:
    import pyarrow as pa



class ScreenStats:
    """Collects per-screen metrics as screens stream by; writes up to `previews` previews: the first screen of
    each family on each device (every family shows up), and for screenshots the first ones."""

    def __init__(self, preview_dir: Path, previews: int):
        self.preview_dir, self.previews = preview_dir, previews
        self.values: Dict[str, Dict[str, List[float]]] = defaultdict(lambda: defaultdict(list))
        self.screens = 0
        self.written: List[str] = []
        self.types: Dict[str, Counter] = defaultdict(Counter)  # entity type -> labels/found/detected/precise
        self.pairs: Dict[str, Counter] = defaultdict(Counter)  # line_pairs/plain_pairs -> tp/fp/fn
        self.prepared: Counter = Counter()  # upscaled / as_is screens, re-read regions and the screens with some
        self.devices: Dict[str, Counter] = defaultdict(Counter)  # family -> device (phone, desktop, mobile) -> screens
        self.families: Counter = Counter()  # family -> screens (with a metric or not: a screenshot without truth)
        self.by_device: Dict[str, Dict[str, List[float]]] = defaultdict(lambda: defaultdict(list))
        self.previewed: set = set()  # (family, device) with a preview

    def add(self, row: dict) -> None:
        self.screens += 1
        self.families[row["family"]] += 1
        device = row.get("device")
        if device:
            self.devices[row["family"]][device] += 1
        for m in METRICS:
            if row.get(m) is not None:
                self.values["all"][m].append(row[m])
                self.values[row["family"]][m].append(row[m])
                if device:
                    self.by_device[device][m].append(row[m])
        for c in row.get("entity_counts") or ():
            self.types[c["type"]].update({k: v for k, v in c.items() if k != "type"})
        for name in PAIR_COLUMNS:
            if row.get(name):
                self.pairs[name].update(row[name])
        prepared = row.get("ocr_prepared") or {}
        self.prepared["upscaled" if (prepared.get("scale") or 1.0) > 1.0 else "as_is"] += 1
        self.prepared["reread_regions"] += prepared.get("reread") or 0
        self.prepared["screens_with_reread"] += bool(prepared.get("reread"))
        self.prepared["rechecked_stretches"] += prepared.get("rechecked") or 0
        if self._wants_preview(row["family"], device):
            self.previewed.add((row["family"], device))
            self.written.append(write_preview(row, self.preview_dir).name)

    def _wants_preview(self, family: str, device: Optional[str]) -> bool:
        if len(self.written) >= self.previews:
            return False
        return device is None or (family, device) not in self.previewed  # screenshots: the first ones

    def add_table(self, table: "pa.Table") -> None:
        """Add the rows of a screens table in order (only preview rows are turned into Python)."""
        columns = {c: table.column(c).to_pylist()
                   for c in ("family", "device", *METRICS, "entity_counts", *PAIR_COLUMNS, "ocr_prepared")}
        for k in range(table.num_rows):
            if self._wants_preview(columns["family"][k], columns["device"][k]):
                self.add(table.slice(k, 1).to_pylist()[0])
            else:
                self.add({c: v[k] for c, v in columns.items()})

    def summary(self, lines: Dict[str, Any], engine: str, counts: Dict[str, int], ocr_seconds: float,
                item_seconds: float, workers: int) -> Dict[str, Any]:
        """Means overall and per family; OCR time as a share of the time spent making screens."""
        def means(d: Dict[str, List[float]]) -> Dict[str, float]:
            # fsum is exactly rounded, so the mean does not depend on the order screens came in
            out: Dict[str, float] = {m: round(math.fsum(v) / len(v), 4) for m, v in d.items() if v}
            out["screens"] = max((len(v) for v in d.values()), default=0)
            return out

        def ratio(a: int, b: int) -> Optional[float]:
            return round(a / b, 4) if b else None

        pairs = {name: f1(c) for name, c in sorted(self.pairs.items())}
        return {
            "screens": self.screens,
            "metrics": means(self.values["all"]),
            # over all screens: per entity type, and "same row" pairs (micro averages, as real pages are scored)
            "per_type": {t: {"labels": c["labels"], "recall": ratio(c["found"], c["labels"]), "detected": c["detected"],
                             "precision": ratio(c["precise"], c["detected"])} for t, c in sorted(self.types.items())},
            "line_pairs_f1": {k: round(v, 4) if v is not None else None for k, v in pairs.items()},
            "per_family": {f: {**means(self.values[f]), "screens": n,
                               **({"devices": dict(sorted(self.devices[f].items()))} if self.devices[f] else {})}
                           for f, n in sorted(self.families.items())},
            "per_device": {d: means(v) for d, v in sorted(self.by_device.items())},
            "requests": {k: v for k, v in sorted(counts.items()) if not k.startswith(("ocr_cache_", "truth_"))},
            "ocr_cache": {k[len("ocr_cache_"):]: v for k, v in sorted(counts.items()) if k.startswith("ocr_cache_")},
            # annotated screenshots: truth entities left out (not_visible: no box of it shows anything)
            "truth": {k[len("truth_"):]: v for k, v in sorted(counts.items()) if k.startswith("truth_")},
            "lines": dict(lines),
            "ocr_engine": engine,
            # what was done before and after Tesseract's first reading (screens table: ocr_prepared)
            "ocr_prepared": {k: self.prepared[k] for k in ("upscaled", "as_is", "reread_regions", "screens_with_reread",
                                                          "rechecked_stretches")},
            "ocr_seconds": round(ocr_seconds, 3),
            "item_seconds": round(item_seconds, 3),
            "workers": workers,
            "ocr_share_of_time": round(ocr_seconds / item_seconds, 4) if item_seconds > 0 else None,
            "previews": self.written,
        }
