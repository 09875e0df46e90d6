"""Per-subset statistics, counted the same way by a run and by a merge of shards."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any, Dict

from datagen.config import SPLITS


def new_counts() -> Dict[str, Counter]:
    return defaultdict(Counter)


def count_row(counts: Dict[str, Counter], split: str, reference: str, domain: str, n_targets: int) -> None:
    """Count one written example."""
    counts["splits"][split] += 1
    counts["reference"][reference] += 1
    counts["domain"][domain] += 1
    counts["targets"][n_targets] += 1


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
