"""Example -> output row: candidates shuffled with the item's seed, numbered, and the
prompt/target strings of REALM.md."""

from __future__ import annotations

import hashlib
from typing import Dict, List, Tuple

from datagen.entities import Entity
from datagen.example import Example
from datagen.screen.markers import number
from datagen.seeding import permutation


def format_target(targets: List[int]) -> str:
    """'1', '1, 3' or '0' (none) from 1-based indices."""
    return ", ".join(str(t) for t in sorted(set(targets))) if targets else "0"


def parse_target(text: str) -> frozenset:
    """The set of indices a target/prediction string names ('0' and '' are the empty set)."""
    out = set()
    for part in text.replace(" ", "").split(","):
        if part.isdigit() and int(part) != 0:
            out.add(int(part))
    return frozenset(out)


def build_prompt(instruction: str, query: str, lines: List[str], screen_text: str | None = None) -> str:
    """The model input: instruction, request, then the numbered entities (or the screen)."""
    if screen_text is not None:
        return f"{instruction}\nUser request: {query}\nScreen:\n{screen_text}\nRelevant entity:"
    body = "\n".join(f"{i}. {line}" for i, line in enumerate(lines, 1))
    return f"{instruction}\nUser request: {query}\nEntities:\n{body}\nRelevant entity:"


def example_id(subset: str, query: str, texts: List[str], target: str, screen_id: str | None) -> str:
    """A stable content hash of what the example says (16 hex digits)."""
    h = hashlib.blake2b(digest_size=8)
    for part in (subset, query, target, screen_id or "", *texts):
        h.update(part.encode("utf-8"))
        h.update(b"\x1e")
    return h.hexdigest()


_ENTITY_ROWS: Dict[int, Tuple[Entity, dict]] = {}
_CACHE_LIMIT = 50_000  # entity row forms kept (pool entities recur in many examples); bounds memory


def entity_row(e: Entity) -> dict:
    """An entity's row form without its index (cached per entity object; never mutated)."""
    got = _ENTITY_ROWS.get(id(e))
    if got is None or got[0] is not e:
        if len(_ENTITY_ROWS) >= _CACHE_LIMIT:
            _ENTITY_ROWS.clear()
        row = {"type": e.type, "value": e.value, "text": e.text,
               "properties": [{"key": k, "value": v} for k, v in e.properties],
               "source": e.source, "bbox": list(e.bbox) if e.bbox is not None else None}
        got = _ENTITY_ROWS[id(e)] = (e, row)
    return got[1]


def to_row(ex: Example, order_key: int, instruction: str, shuffle: bool = True) -> dict:
    """The output row of an example (see writer.EXAMPLE_SCHEMA; each entity's `index` is its place in the list,
    added by the writer); the candidates shown in the order `order_key` (a derived seed) decides."""
    order = permutation(len(ex.entities), order_key) if shuffle else list(range(len(ex.entities)))
    # the entities in shown order; their index is their place (1..n): the writer numbers them, so the cached
    # row forms are used as they are (no copy per example)
    entities = [entity_row(ex.entities[i]) for i in order]
    targets = [shown for shown, i in enumerate(order, 1) if i in ex.targets]
    texts = [c["text"] for c in entities]
    target = format_target(targets)
    screen = number(ex.screen_text, order, ex.entities) if ex.screen_text is not None else None
    return {
        "id": example_id(ex.subset, ex.query, texts, target, ex.screen_id),
        "subset": ex.subset,
        "query": ex.query,
        "entities": entities,
        "targets": targets,
        "prompt": build_prompt(instruction, ex.query, texts, screen),
        "target": target,
        "reference": ex.reference,
        "domain": ex.domain,
        "template": ex.template,
        "group": ex.group,
        "screen_id": ex.screen_id,
        "screen_text": screen,
    }
