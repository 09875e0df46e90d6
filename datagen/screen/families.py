"""Screen families (templates/screens/*.yaml) and laying one out with drawn entities.

A family is data: the entities it shows and its rows. `layout` fills one screen's worth of
it from the entity pools: every cell becomes a LaidCell with its final text, style, alignment
and (for entity cells) the index of the on-screen entity it belongs to.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from datagen.entities import Entity, Pools
from datagen.errors import UserError
from datagen.templates import check_slots, fill, load_yaml

SCREENS_DIR = "screens"
STYLES = ("h1", "h2", "body", "label", "small", "button")
ALIGNS = ("left", "right", "col2")
CELL_KEYS = {"text", "entity", "choice", "style", "align"}


@dataclass(frozen=True)
class ScreenEntity:
    """An entity drawn on a screen: the pool entity, its label on screen, and the family's name for it."""

    name: str
    entity: Entity
    label: str


@dataclass(frozen=True)
class LaidCell:
    text: str
    style: str
    align: str
    entity: Optional[int]  # index into the screen's entities, None for plain text


@dataclass
class Family:
    id: str
    path: Path
    entities: Dict[str, dict]
    rows: List[object]


def load_families(folder: Path, pools: Pools) -> Dict[str, Family]:
    """Every family under templates/screens/, checked: types, cell keys, styles, slots."""
    base = folder / SCREENS_DIR
    if not base.is_dir():
        raise UserError(f"{base}: no screen families folder")
    out: Dict[str, Family] = {}
    for path in sorted(base.glob("*.yaml")):
        data = load_yaml(base, path.name)
        fam = Family(path.stem, path, dict(data.get("entities") or {}), list(data.get("rows") or []))
        if not fam.rows:
            raise UserError(f"{path}: a family needs rows")
        _check_rows(fam, fam.rows, fam.entities, pools, str(path))
        out[fam.id] = fam
    if not out:
        raise UserError(f"{base}: no screen family (*.yaml)")
    return out


def _check_entities(ents: Dict[str, dict], pools: Pools, where: str) -> None:
    for name, spec in ents.items():
        if not isinstance(spec, dict) or "type" not in spec:
            raise UserError(f"{where}: entities.{name}: expected {{type: EntityType}}")
        pools.check_type(spec["type"], f"{where}: entities.{name}.type")


def _check_rows(fam: Family, rows: Sequence[object], ents: Dict[str, dict], pools: Pools, where: str) -> None:
    _check_entities(ents, pools, where)
    fields = {f"{n}_{f}" for n, s in ents.items() for f in pools.types[s["type"]].fields}
    for i, row in enumerate(rows):
        w = f"{where}: rows[{i}]"
        if isinstance(row, dict) and "repeat" in row:
            inner = dict(ents)
            inner.update(row.get("entities") or {})
            rep = row["repeat"]
            if not (isinstance(rep, list) and len(rep) == 2 and 1 <= rep[0] <= rep[1]):
                raise UserError(f"{w}.repeat: expected [min, max] with 1 <= min <= max, got {rep!r}")
            _check_rows(fam, row.get("rows") or [], inner, pools, w)
            continue
        if isinstance(row, dict) and "gap" in row:
            continue
        if not isinstance(row, list) or not row:
            raise UserError(f"{w}: expected a list of cells, {{gap: N}} or {{repeat: ...}}, got {row!r}")
        for cell in row:
            if not isinstance(cell, dict) or not CELL_KEYS.issuperset(cell) or not ({"text", "entity", "choice"} & set(cell)):
                raise UserError(f"{w}: bad cell {cell!r} (keys: {', '.join(sorted(CELL_KEYS))})")
            if cell.get("style", "body") not in STYLES:
                raise UserError(f"{w}: style {cell['style']!r} is not one of {', '.join(STYLES)}")
            if cell.get("align", "left") not in ALIGNS:
                raise UserError(f"{w}: align {cell['align']!r} is not one of {', '.join(ALIGNS)}")
            if "entity" in cell:
                if cell["entity"] not in ents:
                    raise UserError(f"{w}: unknown entity '{cell['entity']}' (family entities: {', '.join(ents)})")
                own = pools.types[ents[cell["entity"]]["type"]].fields
                check_slots(cell.get("text", ""), own, w)
            elif "text" in cell:
                check_slots(cell["text"], fields, w)


def layout(fam: Family, pools: Pools, rng: random.Random) -> Tuple[List[ScreenEntity], List[object]]:
    """One screen of a family: its on-screen entities and its rows of LaidCells (or gaps as floats)."""
    entities: List[ScreenEntity] = []
    rows: List[object] = []
    used: set = set()

    def draw(name: str, spec: dict) -> Entity:
        for _ in range(20):  # distinct entities on one screen
            e = pools.draw(spec["type"], rng)[0]
            if e.value not in used:
                break
        used.add(e.value)
        return e

    def walk(items: Sequence[object], specs: Dict[str, dict], suffix: str) -> None:
        drawn: Dict[str, Entity] = {}
        index: Dict[str, int] = {}
        for name, spec in specs.items():
            e = draw(name, spec)
            drawn[name] = e
            if not spec.get("hidden"):
                index[name] = len(entities)
                entities.append(ScreenEntity(name + suffix, e, str(spec.get("label", ""))))
        values = {f"{n}_{k}": v for n, e in drawn.items() for k, v in e.properties}
        for row in items:
            if isinstance(row, dict) and "repeat" in row:
                lo, hi = row["repeat"]
                for k in range(rng.randint(lo, hi)):
                    walk(row.get("rows") or [], dict(row.get("entities") or {}), f"{suffix}_{k + 1}")
                continue
            if isinstance(row, dict):
                rows.append(float(row["gap"]))
                continue
            cells = []
            for cell in row:
                style, align = cell.get("style", "body"), cell.get("align", "left")
                if "entity" in cell:
                    e = drawn[cell["entity"]]
                    text = fill(cell["text"], dict(e.properties)) if "text" in cell else e.value
                    cells.append(LaidCell(_display(e, text), style, align, index.get(cell["entity"])))
                else:
                    text = rng.choice(cell["choice"]) if "choice" in cell else fill(cell["text"], values)
                    cells.append(LaidCell(str(text), style, align, None))
            rows.append(cells)

    walk(fam.rows, fam.entities, "")
    return entities, rows


def _display(e: Entity, text: str) -> str:
    """How a value is shown on screen (a URL without its trailing slash)."""
    return text[:-1] if e.type == "Uri" and text.endswith("/") else text
