"""The writer: columnar table building equals Arrow's own conversion; part files roll over."""

from __future__ import annotations

import pyarrow as pa
import pytest
import pyarrow.parquet as pq

from datagen.writer import EXAMPLE_SCHEMA, DatasetWriter, examples_table


def _row(i: int, n_ent: int, bbox=None) -> dict:
    ents = [{"index": k + 1, "type": "PhoneNumber", "value": f"v{i}.{k}", "text": f"Type: PhoneNumber | v{i}.{k}",
             "properties": [{"key": "label", "value": str(j)} for j in range(k % 3)], "source": "conversation",
             "bbox": bbox} for k in range(n_ent)]
    return {"id": f"id{i}", "subset": "conversational", "query": f"q{i}", "entities": ents,
            "targets": list(range(1, min(n_ent, i % 3) + 1)), "prompt": "p", "target": "t", "reference": "none",
            "domain": "d", "template": "t", "group": f"g{i}", "screen_id": None, "screen_text": None}


def test_examples_table_equals_from_pylist():
    rows = [_row(i, i % 5, [0.1, 0.2, 0.3, 0.4] if i % 2 else None) for i in range(40)]
    assert examples_table(rows).equals(pa.Table.from_pylist(rows, schema=EXAMPLE_SCHEMA))
    assert examples_table(rows).to_pylist() == pa.Table.from_pylist(rows, schema=EXAMPLE_SCHEMA).to_pylist()


def test_rollover_and_final_names(tmp_path):
    w = DatasetWriter(tmp_path, row_group_size=4, rows_per_file=10, compression="zstd")
    for i in range(25):
        w.add("train", examples_table([_row(i, 2)]))
    w.add("test", examples_table([_row(99, 1)]))
    files = w.close()
    assert files == {"train": [f"train-0000{k}-of-00003.parquet" for k in range(3)],
                     "test": ["test-00000-of-00001.parquet"]}
    assert [pq.read_metadata(tmp_path / "data" / f).num_rows for f in files["train"]] == [10, 10, 5]
    assert not list(tmp_path.rglob("*.tmp"))
    # a second run into the same folder replaces, never mixes, part files
    w = DatasetWriter(tmp_path, row_group_size=4, rows_per_file=100, compression="zstd")
    w.add("train", examples_table([_row(1, 1)]))
    assert w.close() == {"train": ["train-00000-of-00001.parquet"]}
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["train-00000-of-00001.parquet"]


@pytest.mark.parametrize("sizes", [[1] * 23, [23], [5, 0, 11, 7], [9, 9, 5]])
def test_layout_depends_only_on_row_order(tmp_path, sizes):
    """However rows are batched (live, replayed from a journal, merged), the files are the same bytes."""
    rows = [_row(i, i % 4) for i in range(23)]
    kw = dict(row_group_size=4, rows_per_file=10, compression="zstd")
    whole = DatasetWriter(tmp_path / "a", **kw)
    whole.add("train", examples_table(rows))
    names = whole.close()["train"]
    batches, at = [], 0
    for n in sizes:
        batches.append(examples_table(rows[at:at + n]) if n else examples_table(rows[:0]))
        at += n
    parts = DatasetWriter(tmp_path / "b", **kw)
    for b in batches:
        parts.add("train", b)
    assert parts.close()["train"] == names
    for name in names:
        assert (tmp_path / "a" / "data" / name).read_bytes() == (tmp_path / "b" / "data" / name).read_bytes()
    meta = [pq.read_metadata(tmp_path / "a" / "data" / n) for n in names]
    assert [[m.row_group(g).num_rows for g in range(m.num_row_groups)] for m in meta] == [[4, 4, 2], [4, 4, 2], [3]]
    assert parts.nbytes == whole.nbytes
