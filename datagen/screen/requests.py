"""Requests about the entities on a screen, checked against the candidates' types, labels and positions.

A candidate is what a request can pick: its type, the label shown next to it and its box.
`select` is the rule book: for a kind of reference and its parameters it returns the set of
candidates that fit, from geometry and labels alone. A request is emitted only when that
set is exactly the intended targets.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Set

from datagen.errors import UserError
from datagen.example import sentence
from datagen.screen.model import Box
from datagen.templates import check_slots, fill, load_yaml, require

REQUESTS_FILE = "screen_requests.yaml"
KINDS = ("type", "label", "spatial", "multi", "none")
REFERENCE = {"type": "type", "multi": "multi", "label": "descriptive", "bare_label": "descriptive",
             "bottom": "spatial", "top": "spatial", "ordinal": "positional", "none": "none"}
ROW_TOLERANCE = 0.5  # candidates whose centres differ by less than this x their height are on one row


@dataclass(frozen=True)
class Candidate:
    type: str
    label: str
    box: Box


@dataclass(frozen=True)
class Drawn:
    """A request and what it refers to: the rule (sub-kind) and its parameters, for re-checking."""

    query: str
    targets: frozenset
    template: str
    reference: str
    sub: str
    type: str
    label: str = ""
    ordinal: int = 0


@dataclass
class RequestTemplates:
    ordinals: List[str]
    types: Dict[str, dict]
    stopwords: Set[str]
    prefixes: List[str]
    mentions: Dict[str, List[str]]


def load(folder: Path) -> RequestTemplates:
    path = folder / REQUESTS_FILE
    data = load_yaml(folder, REQUESTS_FILE)
    types = require(data, "types", dict, str(path))
    for name, spec in types.items():
        for v in require(spec, "verbs", list, f"{path}: types.{name}"):
            check_slots(v, ["ref"], f"{path}: types.{name}.verbs")
    mentions = {k: [str(x) for x in v] for k, v in require(data, "mentions", dict, str(path)).items()}
    allowed = {"type": ["noun"], "multi": ["nouns"], "label": ["noun", "label"], "bare_label": ["label"],
               "bottom": ["noun"], "top": ["noun"], "ordinal": ["noun", "ordinal"], "none": ["noun"]}
    for kind, texts in mentions.items():
        if kind not in allowed:
            raise UserError(f"{path}: mentions.{kind}: unknown kind (known: {', '.join(allowed)})")
        for t in texts:
            check_slots(t, allowed[kind], f"{path}: mentions.{kind}")
    return RequestTemplates([str(o) for o in data.get("ordinals") or []], types,
                            {str(w).lower() for w in data.get("label_stopwords") or []},
                            [str(p) for p in data.get("prefixes") or [""]], mentions)


def _top_down(cands: Sequence[Candidate], type_: str) -> List[int]:
    return sorted((i for i, c in enumerate(cands) if c.type == type_), key=lambda i: (cands[i].box.cy, cands[i].box.x0))


def _distinct_rows(cands: Sequence[Candidate], order: List[int]) -> bool:
    """True if no two of these candidates share a row (so top-down order is unambiguous)."""
    for a, b in zip(order, order[1:]):
        ha = max(cands[a].box.height, cands[b].box.height, 1.0)
        if abs(cands[b].box.cy - cands[a].box.cy) < ROW_TOLERANCE * ha:
            return False
    return True


def select(kind: str, cands: Sequence[Candidate], type_: str, label: str = "", ordinal: int = 0) -> Optional[Set[int]]:
    """The candidates a reference picks; None when the reference would be ambiguous on this screen."""
    of_type = _top_down(cands, type_)
    if kind in ("type", "none"):
        return set(of_type) if len(of_type) <= 1 else None
    if kind == "multi":
        return set(of_type) if len(of_type) >= 2 else None
    if kind in ("label", "bare_label"):
        hits = {i for i, c in enumerate(cands) if c.label.lower() == label.lower() and (kind == "bare_label" or c.type == type_)}
        return hits if len(hits) == 1 else None
    if len(of_type) < 2 or not _distinct_rows(cands, of_type):
        return None
    if kind == "bottom":
        return {of_type[-1]}
    if kind == "top":
        return {of_type[0]}
    if kind == "ordinal":
        return {of_type[ordinal]} if ordinal < len(of_type) else None
    raise AssertionError(kind)


def draw(t: RequestTemplates, kind: str, cands: Sequence[Candidate], rng: random.Random,
         absent_types: Sequence[str]) -> Optional[Drawn]:
    """One request of a kind on these candidates, or None when this screen does not allow it."""
    if kind == "none":
        if not absent_types:
            return None
        type_, sub = rng.choice(list(absent_types)), "none"
        params: Dict[str, object] = {}
    else:
        count = Counter(c.type for c in cands if c.type in t.types)
        labelled = {c.type for c in cands if c.label and c.label.lower() not in t.stopwords}
        feasible = {"label": lambda ty: ty in labelled, "spatial": lambda ty: count[ty] >= 2,
                    "multi": lambda ty: count[ty] >= 2, "type": lambda ty: count[ty] == 1}[kind]
        present = sorted(ty for ty in count if feasible(ty))
        if not present:
            return None
        type_ = rng.choice(present)
        if kind == "spatial":
            sub = rng.choice(["bottom", "top", "ordinal"])
        elif kind == "label":
            sub = "bare_label" if t.types[type_].get("bare_label") and rng.random() < 0.5 else "label"
        else:
            sub = kind
        params = {}
        if sub in ("label", "bare_label"):
            labelled = [c.label for c in cands if c.type == type_ and c.label and c.label.lower() not in t.stopwords]
            if not labelled:
                return None
            params["label"] = rng.choice(labelled)
        if sub == "ordinal":
            n = len(_top_down(cands, type_))
            if n < 2:
                return None
            params["ordinal"] = rng.randrange(min(n, len(t.ordinals)))
    targets = select(sub, cands, type_, str(params.get("label", "")), int(params.get("ordinal", 0)))
    if targets is None or (kind == "none") != (not targets):
        return None
    spec = t.types[type_]
    k = rng.randrange(len(t.mentions[sub]))
    values = {"noun": spec["noun"], "nouns": spec["nouns"], "label": str(params.get("label", "")).lower()}
    if "ordinal" in params:
        values["ordinal"] = t.ordinals[int(params["ordinal"])]
    ref = fill(t.mentions[sub][k], values)
    query = sentence(rng.choice(t.prefixes), fill(rng.choice(spec["verbs"]), {"ref": ref}), "")
    return Drawn(query, frozenset(targets), f"screen/{sub}/{k}/{type_}", REFERENCE[sub], sub, type_,
                 str(params.get("label", "")), int(params.get("ordinal", 0)))
