"""Reference baselines scored with the paper's metric (exact set match of targets).

- first: always answers "1".
- type: picks every candidate whose type fits the words of the request (templates/intents.yaml),
  all candidates when no word says anything; it shows how much of a subset can be solved
  without reading descriptions or positions.
- string: picks the candidates whose value shares the most words with the request (none when no
  candidate shares a word); it shows how much is solvable by lookup.
Each is scored per subset and per (subset, reference kind).
"""

from __future__ import annotations

import re
import string
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Dict, FrozenSet, Iterator, List, Mapping, Sequence, Tuple

import pyarrow.compute as pc

from datagen.errors import UserError
from datagen.metric import exact_match, rate
from datagen.templates import load_yaml, require

if TYPE_CHECKING:
    import pyarrow as pa

INTENTS_FILE = "intents.yaml"
BASELINES = ("first", "type", "string")  # (Scoreboard._score counts them in this order)
# words every request has that say nothing about which candidate ("the", "one", "please")
STRING_STOPWORDS = frozenset("a an the to of on in at for with and from by my me one ones it this that these "
                             "please can you could would i want like need let's lets hey ok now go ahead".split())


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


_SEPARATORS = str.maketrans({c: " " for c in string.punctuation})  # words are runs of letters and digits


def _tokens(text: str) -> FrozenSet[str]:
    return frozenset(text.lower().translate(_SEPARATORS).split()) - STRING_STOPWORDS


_VALUE_TOKENS: Dict[str, FrozenSet[str]] = {}  # candidate values recur (entities come from pools)
VALUE_TOKENS_KEPT = 1 << 16


def _value_tokens(value: str) -> FrozenSet[str]:
    got = _VALUE_TOKENS.get(value)
    if got is None:
        if len(_VALUE_TOKENS) >= VALUE_TOKENS_KEPT:
            _VALUE_TOKENS.clear()
        got = _VALUE_TOKENS[value] = _tokens(value)
    return got


def predict_string(query: str, values: Sequence[str]) -> FrozenSet[int]:
    """The candidates (1-based) whose value shares the most words with the request; none if none shares one."""
    words = _tokens(query)
    best, picked = 0, []
    for i, value in enumerate(values, 1):
        tokens = _value_tokens(value)
        if words.isdisjoint(tokens):
            continue  # (most candidates)
        n = len(words & tokens)
        if n > best:
            best, picked = n, [i]
        elif n == best:
            picked.append(i)
    return frozenset(picked)


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


def baseline_rows(table: "pa.Table") -> Iterator[Tuple[str, str, str, List[str], List[str], List[int]]]:
    """(subset, reference, query, candidate types, candidate values, targets) of every row of an examples table."""
    entities = table.column("entities").combine_chunks()
    flat = pc.list_flatten(entities)
    types = pc.struct_field(flat, "type").to_pylist()
    values = pc.struct_field(flat, "value").to_pylist()
    lengths = pc.list_value_length(entities).to_pylist()
    at = 0
    for sub, ref, query, targets, n in zip(table.column("subset").to_pylist(), table.column("reference").to_pylist(),
                                           table.column("query").to_pylist(), table.column("targets").to_pylist(),
                                           lengths):
        yield sub, ref, query, types[at:at + n], values[at:at + n], targets
        at += n


class Scoreboard:
    """Accumulates baseline accuracy per subset as rows stream by."""

    def __init__(self, intents: Mapping[str, FrozenSet[str]]):
        self.intents = intents
        self.pattern = intent_pattern(intents)
        # keys: a subset, or (subset, reference kind); hits in the order of BASELINES
        self.hits: Dict[object, List[int]] = defaultdict(lambda: [0] * len(BASELINES))
        self.total: Dict[object, int] = defaultdict(int)

    def predict(self, query: str, types: Sequence[str], values: Sequence[str]) -> Dict[str, FrozenSet[int]]:
        """What each baseline answers for one example (sets of 1-based candidate numbers)."""
        return {"first": predict_first(query, types),
                "type": predict_type(query, types, self.intents, self.pattern),
                "string": predict_string(query, values)}

    def _score(self, sub: str, reference: str, query: str, types: Sequence[str], values: Sequence[str],
               targets: Sequence[int]) -> None:
        truth = frozenset(targets)
        first = exact_match(predict_first(query, types), truth)
        type_ = exact_match(predict_type(query, types, self.intents, self.pattern), truth)
        string_ = exact_match(predict_string(query, values), truth)
        for key in (sub, (sub, reference)):
            self.total[key] += 1
            hits = self.hits[key]
            hits[0] += first
            hits[1] += type_
            hits[2] += string_

    def add_table(self, table: "pa.Table") -> None:
        """Score every row of an examples table (reads only the columns the baselines need)."""
        for row in baseline_rows(table):
            self._score(*row)

    def _rate(self, key: object) -> Dict[str, float]:
        return {b: rate(n, self.total[key]) for b, n in zip(BASELINES, self.hits[key])}

    def accuracy(self) -> Dict[str, Dict[str, float]]:
        """Per subset: the accuracy of each baseline."""
        return {k: self._rate(k) for k in sorted(self.total, key=str) if isinstance(k, str) and self.total[k]}

    def by_reference(self) -> Dict[str, Dict[str, Dict[str, float]]]:
        """Per subset and reference kind: the accuracy of each baseline."""
        out: Dict[str, Dict[str, Dict[str, float]]] = defaultdict(dict)
        for k in sorted((k for k in self.total if isinstance(k, tuple)), key=str):
            out[k[0]][k[1]] = self._rate(k)
        return dict(out)
