"""The chat-format column (output.messages=true): `messages`, the prompt as the user turn and the target as
the assistant turn, as chat fine-tuning tools (TRL's SFTTrainer, ...) read a conversational dataset."""

from __future__ import annotations

import pyarrow as pa

from datagen.writer import EXAMPLE_SCHEMA

MESSAGES = "messages"
MESSAGE = pa.struct([("role", pa.string()), ("content", pa.string())])
ROLES = ("user", "assistant")  # the prompt, then the target


def examples_schema(messages: bool) -> pa.Schema:
    """The schema of the examples files: EXAMPLE_SCHEMA, with the messages column last when asked for."""
    return EXAMPLE_SCHEMA.append(pa.field(MESSAGES, pa.list_(MESSAGE))) if messages else EXAMPLE_SCHEMA


def with_messages(table: pa.Table) -> pa.Table:
    """An examples table with its messages column (made from prompt and target; replaced if already there)."""
    if MESSAGES in table.column_names:
        table = table.drop_columns([MESSAGES])
    n = table.num_rows
    prompts, targets = table.column("prompt").combine_chunks(), table.column("target").combine_chunks()
    # [prompt0, target0, prompt1, target1, ...]: take from the two columns concatenated
    both = pa.concat_arrays([prompts, targets])
    order = pa.array([i + k * n for i in range(n) for k in range(2)], pa.int64())
    content = both.take(order)
    roles = pa.array(list(ROLES) * n, pa.string())
    turns = pa.StructArray.from_arrays([roles, content], fields=list(MESSAGE))
    offsets = pa.array(range(0, 2 * n + 1, 2), pa.int32())
    return table.append_column(pa.field(MESSAGES, pa.list_(MESSAGE)), pa.ListArray.from_arrays(offsets, turns))
