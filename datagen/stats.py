"""Per-subset statistics, counted the same way by a run and by a merge of shards."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any, Dict, Optional

import pyarrow.compute as pc

from datagen.config import SPLITS
from datagen.writer import SPLIT_COLUMN

if TYPE_CHECKING:
    import pyarrow as pa


def new_counts() -> Dict[str, Counter]:
    return defaultdict(Counter)


def count_table(counts: Dict[str, Counter], table: "pa.Table", split: Optional[str] = None) -> None:
    """Count the examples of a table (the split given, or each row's own from a journal's split column)."""
    if split is None:
        counts["splits"].update(table.column(SPLIT_COLUMN).to_pylist())
    else:
        counts["splits"][split] += table.num_rows
    counts["reference"].update(table.column("reference").to_pylist())
    counts["domain"].update(table.column("domain").to_pylist())
    counts["targets"].update(pc.list_value_length(table.column("targets")).to_pylist())


def subset_summary(counts: Dict[str, Counter], items: int, skipped: int, redraws: int,
                   skipped_by_reason: Counter) -> Dict[str, Any]:
    """The stats.json entry of one subset from its counters."""
    out: Dict[str, Any] = {
        "examples": sum(counts["splits"].values()), "items": items, "skipped": skipped, "redraws": redraws,
        "splits": {s: counts["splits"][s] for s in SPLITS},
        "reference": dict(sorted(counts["reference"].items())),
        "domain": dict(sorted(counts["domain"].items())),
        "targets_per_example": {str(k): v for k, v in sorted(counts["targets"].items())},
    }
    if skipped_by_reason:
        out["skipped_by_reason"] = dict(sorted(skipped_by_reason.items()))
    return out
