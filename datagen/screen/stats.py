"""Screen metrics summed up over a run (overall and per family), and the preview images."""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List

from datagen.screen.preview import write_preview
from datagen.screen.table import METRICS

if TYPE_CHECKING:
    import pyarrow as pa



class ScreenStats:
    """Collects per-screen metrics as screens stream by; writes the first `previews` previews."""

    def __init__(self, preview_dir: Path, previews: int):
        self.preview_dir, self.previews = preview_dir, previews
        self.values: Dict[str, Dict[str, List[float]]] = defaultdict(lambda: defaultdict(list))
        self.screens = 0
        self.written: List[str] = []

    def add(self, row: dict) -> None:
        self.screens += 1
        for m in METRICS:
            if row.get(m) is not None:
                self.values["all"][m].append(row[m])
                self.values[row["family"]][m].append(row[m])
        if len(self.written) < self.previews:
            self.written.append(write_preview(row, self.preview_dir).name)

    def add_table(self, table: "pa.Table") -> None:
        """Add the rows of a screens table in order (only preview rows are turned into Python)."""
        columns = {c: table.column(c).to_pylist() for c in ("family", *METRICS)}
        for k in range(table.num_rows):
            if len(self.written) < self.previews:
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

        return {
            "screens": self.screens,
            "metrics": means(self.values["all"]),
            "per_family": {f: means(d) for f, d in sorted(self.values.items()) if f != "all"},
            "requests": {k: v for k, v in sorted(counts.items()) if not k.startswith("ocr_cache_")},
            "ocr_cache": {k[len("ocr_cache_"):]: v for k, v in sorted(counts.items()) if k.startswith("ocr_cache_")},
            "lines": dict(lines),
            "ocr_engine": engine,
            "ocr_seconds": round(ocr_seconds, 3),
            "item_seconds": round(item_seconds, 3),
            "workers": workers,
            "ocr_share_of_time": round(ocr_seconds / item_seconds, 4) if item_seconds > 0 else None,
            "previews": self.written,
        }
