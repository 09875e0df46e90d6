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
from datagen.screen.detect import PRIORITY
from datagen.templates import check_slots, fill, load_yaml

SCREENS_DIR = "screens"
STYLES = ("h1", "h2", "h3", "body", "label", "small", "button", "link", "nav", "badge", "input", "bold")
ALIGNS = ("left", "right", "col2", "centre")
ICONS = ("phone", "mail", "pin", "clock", "star", "user", "avatar", "menu", "search", "chevron", "logo")
DEVICES = ("phone", "web")  # a family is a phone app screen or a web page (drawn at desktop or mobile width)
BLOCKS = {"columns": ("valign", "stack", "space", "drift"), "band": ("bottom",), "bullets": (), "bubble": (),
          "repeat": ("entities",), "gap": ()}  # block key -> the other keys it takes (besides rows)
CELL_KEYS = {"text", "entity", "choice", "style", "align", "at", "gap", "para", "icon", "again", "mark"}
RUN_KEYS = {"text", "entity", "style", "choice", "again"}


@dataclass(frozen=True)
class ScreenEntity:
    """An entity drawn on a screen: the pool entity, its label on screen, and the family's name for it."""

    name: str
    entity: Entity
    label: str


@dataclass(frozen=True)
class Run:
    """A piece of a paragraph: plain text or (part of) an entity's value, in a style."""

    text: str
    entity: Optional[int]
    style: str = "body"


@dataclass(frozen=True)
class LaidCell:
    text: str
    style: str
    align: str
    entity: Optional[int]  # index into the screen's entities, None for plain text
    at: Optional[float] = None  # x of the cell as a fraction of the row's width (col2 = 0.36)
    gap: Optional[float] = None  # em of space before the cell (None: the renderer's CELL_GAP)
    runs: Tuple[Run, ...] = ()  # a paragraph: text wrapped over as many rows as it needs
    icon: str = ""  # an icon drawn instead of text (not text: not in the truth)
    mark: str = ""  # plain text that is of a detected type (a status bar's clock: DateTime), not an entity


@dataclass(frozen=True)
class LaidBlock:
    """Rows drawn together: side by side (columns), on a coloured band, as a bulleted list or in a chat bubble."""

    kind: str  # columns, band, bullets, bubble
    option: str  # columns: valign (top, middle); band: colour; bullets: marker; bubble: left, right (a chat bubble) or banner (a notification)
    parts: Tuple[Tuple[object, ...], ...]  # the rows of each column (one part for the other kinds)
    widths: Tuple[float, ...] = ()  # columns: share of the width of each
    stack: bool = False  # columns: drawn one below the other on a narrow (mobile) screen (YAML: true, false or
    # a probability: some sites are responsive, others keep their desktop columns)
    bottom: bool = False  # band: drawn against the bottom of the screen (a tab bar)
    gap: float = 1.5  # columns: em between them
    offsets: Tuple[float, ...] = ()  # columns: how far each starts below the block's top, in line heights


@dataclass
class Family:
    id: str
    path: Path
    entities: Dict[str, dict]
    rows: List[object]
    device: str = "phone"


def load_families(folder: Path, pools: Pools) -> Dict[str, Family]:
    """Every family under templates/screens/, checked: types, cell keys, styles, slots."""
    base = folder / SCREENS_DIR
    if not base.is_dir():
        raise UserError(f"{base}: no screen families folder")
    out: Dict[str, Family] = {}
    for path in sorted(base.glob("*.yaml")):
        data = load_yaml(base, path.name)
        device = data.get("device", "phone")
        if device not in DEVICES:
            raise UserError(f"{path}: device {device!r} is not one of {', '.join(DEVICES)}")
        fam = Family(path.stem, path, dict(data.get("entities") or {}), list(data.get("rows") or []), device)
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


def _block_kind(row: dict, where: str) -> str:
    kinds = [k for k in BLOCKS if k in row]
    if len(kinds) != 1:
        raise UserError(f"{where}: expected a list of cells or one of {{{', '.join(BLOCKS)}: ...}}, got {row!r}"[:300])
    kind = kinds[0]
    extra = set(row) - {kind, "rows", *BLOCKS[kind]}
    if extra:
        raise UserError(f"{where}: {kind} block: unknown key(s) {', '.join(sorted(extra))}")
    return kind


def _check_rows(fam: Family, rows: Sequence[object], ents: Dict[str, dict], pools: Pools, where: str) -> None:
    _check_entities(ents, pools, where)
    fields = {f"{n}_{f}" for n, s in ents.items() for f in pools.types[s["type"]].fields}

    def check_entity_text(cell: dict, w: str) -> None:
        if cell["entity"] not in ents:
            raise UserError(f"{w}: unknown entity '{cell['entity']}' (family entities: {', '.join(ents)})")
        check_slots(cell.get("text", ""), pools.types[ents[cell["entity"]]["type"]].fields, w)

    for i, row in enumerate(rows):
        w = f"{where}: rows[{i}]"
        if isinstance(row, dict):
            kind = _block_kind(row, w)
            if kind == "gap":
                continue
            if kind == "repeat":
                inner = dict(ents)
                inner.update(row.get("entities") or {})
                rep = row["repeat"]
                if not (isinstance(rep, list) and len(rep) == 2 and 1 <= rep[0] <= rep[1]):
                    raise UserError(f"{w}.repeat: expected [min, max] with 1 <= min <= max, got {rep!r}")
                _check_rows(fam, row.get("rows") or [], inner, pools, w)
            elif kind == "columns":
                cols = row["columns"]
                if not isinstance(cols, list) or len(cols) < 2 or not all(isinstance(c, dict) and c.get("rows") for c in cols):
                    raise UserError(f"{w}.columns: expected a list of at least two {{width: share, rows: [...]}}")
                if row.get("valign", "top") not in ("top", "middle"):
                    raise UserError(f"{w}.valign: expected top or middle, got {row['valign']!r}")
                for k, col in enumerate(cols):
                    _check_rows(fam, col["rows"], ents, pools, f"{w}.columns[{k}]")
            else:
                if not row.get("rows"):
                    raise UserError(f"{w}: a {kind} block needs rows")
                _check_rows(fam, row["rows"], ents, pools, f"{w}.{kind}")
            continue
        if not isinstance(row, list) or not row:
            raise UserError(f"{w}: expected a list of cells or a block ({', '.join(BLOCKS)}), got {row!r}")
        for cell in row:
            if not isinstance(cell, dict) or not CELL_KEYS.issuperset(cell) or not ({"text", "entity", "choice", "para", "icon"} & set(cell)):
                raise UserError(f"{w}: bad cell {cell!r} (keys: {', '.join(sorted(CELL_KEYS))})")
            if cell.get("style", "body") not in STYLES:
                raise UserError(f"{w}: style {cell['style']!r} is not one of {', '.join(STYLES)}")
            if cell.get("align", "left") not in ALIGNS:
                raise UserError(f"{w}: align {cell['align']!r} is not one of {', '.join(ALIGNS)}")
            if "icon" in cell and cell["icon"] not in ICONS:
                raise UserError(f"{w}: icon {cell['icon']!r} is not one of {', '.join(ICONS)}")
            if "mark" in cell and (cell["mark"] not in PRIORITY or "entity" in cell):
                raise UserError(f"{w}: mark {cell['mark']!r}: expected one of {', '.join(PRIORITY)} on a text cell")
            if "para" in cell:
                for run in cell["para"] if isinstance(cell["para"], list) else [None]:
                    if isinstance(run, str):
                        check_slots(run, fields, w)
                    elif isinstance(run, dict) and RUN_KEYS.issuperset(run) and ({"text", "entity", "choice"} & set(run)):
                        if run.get("style", "body") not in STYLES:
                            raise UserError(f"{w}: style {run['style']!r} is not one of {', '.join(STYLES)}")
                        if "entity" in run:
                            check_entity_text(run, w)
                        elif "text" in run:
                            check_slots(run["text"], fields, w)
                    else:
                        raise UserError(f"{w}: para: expected a list of texts and {{entity: name}} runs, got {run!r}"[:300])
            elif "entity" in cell:
                check_entity_text(cell, w)
            elif "text" in cell:
                check_slots(cell["text"], fields, w)
            elif "choice" in cell:
                for option in cell["choice"]:
                    check_slots(str(option), fields, w)


def layout(fam: Family, pools: Pools, rng: random.Random) -> Tuple[List[ScreenEntity], List[object]]:
    """One screen of a family: its on-screen entities and its rows: lists of LaidCells, LaidBlocks, or gaps
    (floats, in line heights)."""
    entities: List[ScreenEntity] = []
    used: set = set()

    def draw(name: str, spec: dict) -> Entity:
        for _ in range(20):  # distinct entities on one screen
            e = pools.draw(spec["type"], rng)[0]
            if e.value not in used:
                break
        used.add(e.value)
        return e

    def scope(specs: Dict[str, dict], suffix: str) -> Tuple[Dict[str, Entity], Dict[str, int], Dict[str, str]]:
        drawn: Dict[str, Entity] = {}
        index: Dict[str, int] = {}
        for name, spec in specs.items():
            e = draw(name, spec)
            drawn[name] = e
            if not spec.get("hidden"):
                index[name] = len(entities)
                entities.append(ScreenEntity(name + suffix, e, str(spec.get("label", ""))))
        return drawn, index, {f"{n}_{k}": v for n, e in drawn.items() for k, v in e.properties}

    def text_of(cell: dict, sc) -> Tuple[str, Optional[int]]:
        drawn, index, values = sc
        if "entity" in cell:
            name = cell["entity"]
            e = drawn[name]
            text = fill(cell["text"], dict(e.properties)) if "text" in cell else e.value
            if cell.get("again") and name in index:  # the same entity shown once more: another on-screen entity
                first = entities[index[name]]
                index[name] = len(entities)
                entities.append(ScreenEntity(f"{first.name}#{len(entities)}", e, first.label))
            return _display(e, text), index.get(name)
        if "choice" in cell:
            return fill(str(rng.choice(cell["choice"])), values), None
        return fill(cell.get("text", ""), values), None

    def walk(items: Sequence[object], sc) -> List[object]:
        out: List[object] = []
        for row in items:
            if isinstance(row, dict) and "repeat" in row:
                lo, hi = row["repeat"]
                for k in range(rng.randint(lo, hi)):
                    # a repeated block's entities get the suffix _1, _2, ...; it also sees the enclosing ones
                    inner = scope(dict(row.get("entities") or {}), f"_{k + 1}")
                    merged = ({**sc[0], **inner[0]}, {**sc[1], **inner[1]}, {**sc[2], **inner[2]})
                    out.extend(walk(row.get("rows") or [], merged))
                continue
            if isinstance(row, dict) and "gap" in row:
                out.append(float(row["gap"]))
                continue
            if isinstance(row, dict):
                out.append(block(row, sc))
                continue
            cells = []
            for cell in row:
                style, align = cell.get("style", "body"), cell.get("align", "left")
                at, gap = cell.get("at"), cell.get("gap")
                if "para" in cell:
                    runs = []
                    for run in cell["para"]:
                        run = {"text": run} if isinstance(run, str) else run
                        text, ent = text_of(run, sc)
                        runs.append(Run(text, ent, run.get("style", style)))
                    cells.append(LaidCell("".join(r.text for r in runs), style, align, None, at, gap, tuple(runs)))
                elif "icon" in cell:
                    cells.append(LaidCell("", style, align, None, at, gap, icon=cell["icon"]))
                else:
                    text, ent = text_of(cell, sc)
                    cells.append(LaidCell(text, style, align, ent, at, gap, mark=cell.get("mark", "")))
            out.append(cells)
        return out

    def block(row: dict, sc) -> LaidBlock:
        kind = next(k for k in BLOCKS if k in row)
        if kind == "columns":
            cols = row["columns"]
            drift = float(row.get("drift", 0.0))  # columns that start at unrelated heights (a sidebar's padding)
            offsets = tuple(rng.uniform(0.0, drift) if k and drift else 0.0 for k in range(len(cols)))
            return LaidBlock(kind, str(row.get("valign", "top")), tuple(tuple(walk(c["rows"], sc)) for c in cols),
                             tuple(float(c.get("width", 1.0)) for c in cols), _chance(row.get("stack", False), rng),
                             gap=float(row.get("space", 1.5)), offsets=offsets)
        return LaidBlock(kind, str(row[kind]), (tuple(walk(row["rows"], sc)),), bottom=bool(row.get("bottom", False)))

    rows = walk(fam.rows, scope(fam.entities, ""))
    return entities, rows


def _chance(value: object, rng: random.Random) -> bool:
    """A yes/no key that may also be a probability (stack: 0.5 stacks half the time)."""
    if isinstance(value, bool):
        return value
    return rng.random() < float(value)  # type: ignore[arg-type]


def _display(e: Entity, text: str) -> str:
    """How a value is shown on screen (a URL without its trailing slash)."""
    return text[:-1] if e.type == "Uri" and text.endswith("/") else text
