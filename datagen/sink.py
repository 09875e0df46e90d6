"""Where finished rows go: the Parquet writers of both tables, the statistics counted from the rows,
and at the end the dataset card and stats.json, assembled the same way for a run and a merge.

A run feeds it the tables it journals (examples with their split, in item order), live or
replayed from the journal of a killed run; a merge feeds it the shards' rows split by split.
Everything counted here comes from the rows themselves, so it is the same whichever way
they arrive.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Optional

import pyarrow as pa

from datagen import card
from datagen.baselines import BASELINES, Scoreboard
from datagen.chat import examples_schema, with_messages
from datagen.screen.stats import ScreenStats
from datagen.screen.table import SCREEN_ROW_GROUP, SCREEN_SCHEMA
from datagen.stats import count_table, new_counts, subset_summary
from datagen.writer import DatasetWriter, by_split, write_json_atomic, write_text_atomic

if TYPE_CHECKING:
    from datagen.config import OutputConfig
    from datagen.journal import Chunk

CARD, STATS = "README.md", "stats.json"  # written last, card first: a folder with stats.json is complete
NO_BASELINES = {b: 0.0 for b in BASELINES}  # a subset that wrote no example


class Sink:
    def __init__(self, out: Path, output: "OutputConfig", subsets: List[str], board: Scoreboard, screens: bool,
                 previews: int):
        self.out = out
        rg, per_file, comp = output.row_group_size, output.rows_per_file, output.compression
        self.messages = output.messages
        self.schema = examples_schema(output.messages)
        self.data = DatasetWriter(out, rg, per_file, comp, "data", self.schema)
        self.screens = (DatasetWriter(out, min(rg, SCREEN_ROW_GROUP), per_file, comp, "screens", SCREEN_SCHEMA)
                        if screens else None)
        self.board = board
        self.counts: Dict[str, Dict[str, Counter]] = {s: new_counts() for s in subsets}
        self.screen_stats = ScreenStats(out / "previews", previews)

    def examples(self, subset: str, table: pa.Table, split: Optional[str] = None) -> None:
        """Rows of one subset: of one split, or (split=None) of a journal table with a split column."""
        if not table.num_rows:
            return
        count_table(self.counts[subset], table, split)
        self.board.add_table(table)
        for s, part in (by_split(table).items() if split is None else [(split, table)]):
            self.data.add(s, with_messages(part) if self.messages else part)

    def screen_rows(self, table: pa.Table, split: Optional[str] = None) -> None:
        """Screens-table rows, like examples (the first ones also become previews)."""
        if not table.num_rows:
            return
        self.screen_stats.add_table(table)
        for s, part in (by_split(table).items() if split is None else [(split, table)]):
            self.screens.add(s, part)

    def finish(self, head: Dict[str, Any], sub_stats: Dict[str, Dict[str, Any]], skipped: List[Dict[str, Any]],
               command: str, config_yaml: str, tail: Dict[str, Any]) -> Dict[str, Any]:
        """Close both tables, then write the card and stats.json; returns the statistics.

        head: what the run was (recipe, seed, locale, shard, pools, versions); sub_stats: each
        subset's entry (subset_entry); tail: what the card does not show (timing, config, ...).
        The card and stats.json of an earlier dataset in the folder go first: a run that fails while
        its data files are renamed into place leaves no card that would describe them wrongly."""
        for old in (CARD, STATS):
            (self.out / old).unlink(missing_ok=True)
        files, screen_files = self.data.close(), self.screens.close() if self.screens is not None else {}
        accuracy, by_reference = self.board.accuracy(), self.board.by_reference()
        for sub, entry in sub_stats.items():
            entry["baselines"] = accuracy.get(sub, dict(NO_BASELINES))
            entry["baselines_by_reference"] = by_reference.get(sub, {})
        screens = self.screens
        stats = dict(head)
        stats.update({
            "splits": self.data.counts, "split_bytes": self.data.nbytes, "files": files, "subsets": sub_stats,
            "screens": {"splits": screens.counts, "split_bytes": screens.nbytes, "files": screen_files} if screens else None,
            "skipped": {"count": sum(s["skipped"] for s in sub_stats.values()), "items": skipped},
        })
        write_text_atomic(self.out / CARD, card.render(self.schema, files, stats, command, config_yaml))
        stats.update(tail)
        stats["command"] = command
        write_json_atomic(self.out / STATS, stats)
        return stats


def subset_entry(sink: Sink, subset: str, items: int, total: "Chunk", workers: int, about: Dict[str, Any]) -> Dict[str, Any]:
    """The stats.json entry of a subset: counts from the rows, the rest from its chunks (or shards) added up."""
    entry = subset_summary(sink.counts[subset], items, total.skipped, total.redraws, Counter(total.skipped_by_reason))
    if subset == "screen":
        entry["screen"] = sink.screen_stats.summary(about["lines"], about["ocr_engine"], total.counts,
                                                    total.ocr_seconds, total.item_seconds, workers)
    return entry
