"""Reference baselines scored with the paper's metric (exact set match of targets).

- first: always answers "1".
- type: picks every candidate whose type fits the words of the request (templates/intents.yaml),
  all candidates when no word says anything; it shows how much of a subset can be solved
  without reading descriptions or positions.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Dict, FrozenSet, Mapping, Sequence

import pyarrow.compute as pc

from datagen.errors import UserError
from datagen.templates import load_yaml, require

if TYPE_CHECKING:
    import pyarrow as pa

INTENTS_FILE = "intents.yaml"
BASELINES = ("first", "type")


def load_intents(folder: Path, known_types: Sequence[str]) -> Dict[str, FrozenSet[str]]:
    data = load_yaml(folder, INTENTS_FILE)
    where = str(folder / INTENTS_FILE)
    out = {}
    for word, types in require(data, "intents", dict, where).items():
        for t in types:
            if t not in known_types:
                raise UserError(f"{where}: intents.{word}: unknown entity type '{t}'")
        out[str(word).lower()] = frozenset(types)
    return out


def predict_first(query: str, types: Sequence[str]) -> FrozenSet[int]:
    return frozenset({1}) if types else frozenset()


def intent_pattern(intents: Mapping[str, FrozenSet[str]]) -> "re.Pattern[str]":
    """One regex that finds every intent word or phrase as whole words (longest first)."""
    words = sorted(intents, key=len, reverse=True)
    return re.compile(r"(?<![\w])(?=(" + "|".join(re.escape(w) for w in words) + r"))(?=\1(?![\w]))")


def predict_type(query: str, types: Sequence[str], intents: Mapping[str, FrozenSet[str]],
                 pattern: "re.Pattern[str] | None" = None) -> FrozenSet[int]:
    pattern = pattern or intent_pattern(intents)
    wanted: set = set()
    for word in pattern.findall(query.lower()):
        wanted |= intents[word]
    if not wanted:
        return frozenset(range(1, len(types) + 1))
    return frozenset(i for i, t in enumerate(types, 1) if t in wanted)


class Scoreboard:
    """Accumulates baseline accuracy per subset as rows stream by."""

    def __init__(self, intents: Mapping[str, FrozenSet[str]]):
        self.intents = intents
        self.pattern = intent_pattern(intents)
        self.hits: Dict[str, Dict[str, int]] = defaultdict(lambda: {b: 0 for b in BASELINES})
        self.total: Dict[str, int] = defaultdict(int)

    def _score(self, sub: str, query: str, types: Sequence[str], targets: Sequence[int]) -> None:
        gold = frozenset(targets)
        self.total[sub] += 1
        self.hits[sub]["first"] += predict_first(query, types) == gold
        self.hits[sub]["type"] += predict_type(query, types, self.intents, self.pattern) == gold

    def add_table(self, table: "pa.Table") -> None:
        """Score every row of an examples table (reads only the columns the baselines need)."""
        entities = table.column("entities").combine_chunks()
        types = pc.struct_field(pc.list_flatten(entities), "type").to_pylist()
        lengths = pc.list_value_length(entities).to_pylist()
        at = 0
        for sub, query, targets, n in zip(table.column("subset").to_pylist(), table.column("query").to_pylist(),
                                          table.column("targets").to_pylist(), lengths):
            self._score(sub, query, types[at:at + n], targets)
            at += n

    def accuracy(self) -> Dict[str, Dict[str, float]]:
        return {sub: {b: round(self.hits[sub][b] / n, 4) for b in BASELINES} for sub, n in sorted(self.total.items()) if n}
