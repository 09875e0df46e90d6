"""Where finished rows go: the Parquet writers of both tables and the statistics counted from the rows.

A run feeds it the tables it journals (examples with their split, in item order), live or
replayed from the journal of a killed run; a merge feeds it the shards' rows split by split.
Everything counted here comes from the rows themselves, so it is the same whichever way
they arrive.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Dict, List, Mapping, Optional

import pyarrow as pa

from datagen.baselines import Scoreboard
from datagen.screen.stats import ScreenStats
from datagen.stats import count_table, new_counts
from datagen.writer import EXAMPLE_SCHEMA, SCREEN_ROW_GROUP, SCREEN_SCHEMA, DatasetWriter, by_split


class Sink:
    def __init__(self, out: Path, output: Mapping, subsets: List[str], board: Scoreboard, screens: bool,
                 previews: int):
        rg, per_file, comp = int(output["row_group_size"]), int(output["rows_per_file"]), str(output["compression"])
        self.data = DatasetWriter(out, rg, per_file, comp, "data", EXAMPLE_SCHEMA)
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
            self.data.add(s, part)

    def screen_rows(self, table: pa.Table, split: Optional[str] = None) -> None:
        """Screens-table rows, like examples (the first ones also become previews)."""
        if not table.num_rows:
            return
        self.screen_stats.add_table(table)
        for s, part in (by_split(table).items() if split is None else [(split, table)]):
            self.screens.add(s, part)

    def close(self) -> Dict[str, Dict[str, List[str]]]:
        """Finish both tables; returns {"data": split -> files, "screens": split -> files}."""
        return {"data": self.data.close(), "screens": self.screens.close() if self.screens is not None else {}}
