"""output.messages=true: a chat column any chat fine-tuning tool reads as it is; prompt/target stay."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from datagen.chat import MESSAGES, with_messages
from datagen.run import run
from datagen.validate import check_folder


def test_messages_column(cfg_factory):
    cfg = cfg_factory("+recipe=conversational", "conversational.size=30", "output.messages=true")
    run(cfg)
    out = Path(cfg.output.dir)
    t = pq.read_table(out / "data" / "train-00000-of-00001.parquet")
    assert t.column_names[-1] == MESSAGES and "prompt" in t.column_names and "target" in t.column_names
    for row in t.to_pylist():
        assert row["messages"] == [{"role": "user", "content": row["prompt"]},
                                   {"role": "assistant", "content": row["target"]}]
    check_folder(out)  # the card and the files agree on the schema with the column
    assert "| messages |" in (out / "README.md").read_text()

    from datasets import load_dataset

    ds = load_dataset(str(out))
    assert ds["train"][0]["messages"][1] == {"role": "assistant", "content": ds["train"][0]["target"]}

    default = cfg_factory("+recipe=conversational", "conversational.size=30", out="plain")
    run(default)
    plain = pq.read_table(Path(default.output.dir) / "data" / "train-00000-of-00001.parquet")
    assert MESSAGES not in plain.column_names
    assert with_messages(plain).equals(t)  # the column is a function of prompt and target alone


def test_with_messages_replaces_and_handles_empty():
    t = pa.table({"prompt": ["p1", "p2"], "target": ["1", "0"]})
    once = with_messages(t)
    assert with_messages(once).equals(once)
    assert with_messages(t.slice(0, 0)).num_rows == 0
