"""The run journal: finished chunks of items under <output.dir>/.partial, so a killed run resumes.

A run cuts each subset's items into chunks (a chunk closes after `output.checkpoint_seconds`
of work and at the end of the subset). A chunk's rows are written to Arrow IPC files, with
the split of every row, and only then its marker `<subset>-<start>.json`, which holds what
the rows cannot tell: skipped items, redraws, item and OCR time, the generator's counts. A
chunk is done when its marker exists; anything else in the folder is an unfinished write of
a killed run and is deleted.

Started again on the same output folder with the same config, the run replays the done
chunks into its writers and statistics, exactly as it fed them live, and makes only the
items after them; so the result is the same bytes as an uninterrupted run. A different
config (beyond workers, progress, paths, the checkpoint interval and the Parquet layout, which
is applied when rows are written) starts over. The
folder is removed when the dataset is complete.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Sequence

import pyarrow as pa

from datagen.errors import ItemError
from datagen.writer import TMP_SUFFIX, write_json_atomic

log = logging.getLogger("datagen")
FOLDER = ".partial"
TABLES = ("data", "screens")  # example rows; screens-table rows
# keys of the resolved config that do not change the output (left out of the fingerprint)
NEUTRAL = (("workers",), ("progress",), ("output", "dir"), ("output", "checkpoint_seconds"), ("screen", "ocr", "cache"),
           ("output", "row_group_size"), ("output", "rows_per_file"), ("output", "compression"),
           ("output", "messages"))  # applied at replay
IPC_OPTIONS = pa.ipc.IpcWriteOptions(compression="zstd")  # ~380 B per example row; lz4 ~620


@dataclass
class Chunk:
    """Items [start, end) of a subset and what making them gave beyond the rows."""

    subset: str
    start: int
    end: int = 0
    redraws: int = 0
    skipped: int = 0
    skipped_by_reason: Dict[str, int] = field(default_factory=dict)
    skipped_items: List[Dict[str, Any]] = field(default_factory=list)  # at most run.MAX_LISTED_SKIPS
    counts: Dict[str, int] = field(default_factory=dict)  # the generator's counters (screen requests, OCR cache)
    item_seconds: float = 0.0
    ocr_seconds: float = 0.0

    @property
    def name(self) -> str:
        return f"{self.subset}-{self.start:010d}"

    def skip(self, subset: str, where: str, error: ItemError, listed: int) -> None:
        """Count a skipped item under its reason; list it while fewer than `listed` are listed."""
        self.skipped += 1
        self.skipped_by_reason[error.reason] = self.skipped_by_reason.get(error.reason, 0) + 1
        if len(self.skipped_items) < listed:
            self.skipped_items.append({"subset": subset, "item": where, "reason": error.reason, "detail": error.detail})

    @classmethod
    def total(cls, subset: str, chunks: Sequence["Chunk"]) -> "Chunk":
        """The chunks of a subset added up (items from the first start to the last end)."""
        out = cls(subset, chunks[0].start if chunks else 0, chunks[-1].end if chunks else 0)
        for c in chunks:
            out.redraws += c.redraws
            out.skipped += c.skipped
            out.skipped_items += c.skipped_items
            out.item_seconds += c.item_seconds
            out.ocr_seconds += c.ocr_seconds
            for mine, theirs in ((out.skipped_by_reason, c.skipped_by_reason), (out.counts, c.counts)):
                for k, v in theirs.items():
                    mine[k] = mine.get(k, 0) + v
        return out


def fingerprint(config: Dict[str, Any], version: str) -> Dict[str, Any]:
    """What must match for journaled chunks to be reused: the config less NEUTRAL keys, and the code version."""
    c = json.loads(json.dumps(config))
    for path in NEUTRAL:
        d = c
        for key in path[:-1]:
            d = d.get(key, {})
        d.pop(path[-1], None)
    return {"config": c, "datagen": version}


class Journal:
    def __init__(self, out: Path, print_: Dict[str, Any]):
        self.dir = out / FOLDER
        config = self.dir / "config.json"
        old = None
        if config.is_file():
            try:
                old = json.loads(config.read_text(encoding="utf-8"))
            except ValueError:
                old = None
        if old != print_:
            if self.dir.exists():
                if any(self.dir.glob("*.json")):
                    log.warning("%s: unfinished work of a different config or datagen version; starting over", self.dir)
                shutil.rmtree(self.dir)
            self.dir.mkdir(parents=True)
            write_json_atomic(config, print_)
        self.done: Dict[str, List[Chunk]] = {}
        keep = {config.name}
        for marker in sorted(self.dir.glob("*-*.json")):
            try:
                chunk = Chunk(**json.loads(marker.read_text(encoding="utf-8")))
            except (ValueError, TypeError):
                continue
            if all(self.path(chunk, k).is_file() for k in TABLES):
                self.done.setdefault(chunk.subset, []).append(chunk)
                keep |= {marker.name, *(self.path(chunk, k).name for k in TABLES)}
        for stale in self.dir.iterdir():
            if stale.name not in keep:
                stale.unlink()

    def path(self, chunk: Chunk, kind: str) -> Path:
        return self.dir / f"{chunk.name}.{kind}.arrow"

    def finished(self, subset: str, items: range) -> List[Chunk]:
        """The done chunks that cover items from items.start on without a gap."""
        out: List[Chunk] = []
        at = items.start
        for c in sorted(self.done.get(subset, []), key=lambda c: c.start):
            if c.start < items.start:
                continue
            if c.start != at or c.end > items.stop:
                break
            out.append(c)
            at = c.end
        return out

    def read(self, chunk: Chunk, kind: str) -> Iterator[pa.Table]:
        """The tables a chunk's writer was given, one at a time, in order."""
        with pa.memory_map(str(self.path(chunk, kind))) as source:
            reader = pa.ipc.open_file(source)
            for i in range(reader.num_record_batches):
                yield pa.Table.from_batches([reader.get_batch(i)])

    def writer(self, subset: str, start: int, schemas: Dict[str, pa.Schema]) -> "ChunkWriter":
        return ChunkWriter(self, Chunk(subset, start, start), schemas)

    def remove(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


class ChunkWriter:
    """The IPC files of one chunk being made; `finish` closes them and writes the marker."""

    def __init__(self, journal: Journal, chunk: Chunk, schemas: Dict[str, pa.Schema]):
        self.journal, self.chunk, self.schemas = journal, chunk, schemas
        self._files: Dict[str, Any] = {}
        self._writers: Dict[str, pa.ipc.RecordBatchFileWriter] = {}

    def _tmp(self, kind: str) -> Path:
        p = self.journal.path(self.chunk, kind)
        return p.with_name(p.name + TMP_SUFFIX)

    def write(self, kind: str, table: pa.Table) -> None:
        if kind not in self._writers:
            self._files[kind] = pa.OSFile(str(self._tmp(kind)), "wb")
            self._writers[kind] = pa.ipc.new_file(self._files[kind], self.schemas[kind], options=IPC_OPTIONS)
        self._writers[kind].write_table(table)

    def finish(self, end: int) -> Chunk:
        for kind in TABLES:
            if kind not in self._writers:  # every done chunk has both files, if empty
                self.write(kind, self.schemas[kind].empty_table())
            self._writers[kind].close()
            self._files[kind].close()
            os.replace(self._tmp(kind), self.journal.path(self.chunk, kind))
        self.chunk.end = end
        write_json_atomic(self.journal.dir / f"{self.chunk.name}.json", asdict(self.chunk))
        return self.chunk
