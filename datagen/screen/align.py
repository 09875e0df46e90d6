"""What the renderer drew, as the rest of the pipeline needs it.

- Request targets: a detection matches a rendered entity when their boxes overlap (IoU, shapely)
  by at least `min_overlap` and their texts are similar (rapidfuzz ratio, case and spacing
  ignored) by at least `min_similarity`. Pairs are taken best first, one to one; a request about a
  rendered entity is emitted only when its target has a match.
- Metrics: `screen_truth` turns the drawn elements into the truth score.py scores, the same way as
  an annotated screenshot's (line grouping and per-type recall and precision).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Dict, List, Sequence, Tuple

from rapidfuzz import fuzz

from datagen.screen.model import MARKED, Box, Detection, TruthElement
from datagen.screen.score import Fragment, ScreenTruth
from datagen.screen.score import TruthEntity as ScoredEntity
from datagen.settings import Settings, number, setting



@dataclass
class AlignSettings(Settings):
    """When a detection counts as a rendered entity (config group `screen.align`)."""

    PATH: ClassVar[str] = "screen.align"
    min_overlap: float = setting(0.5, "box IoU a detection needs with a rendered entity to match it",
                                 number(0, 1, "an IoU", above=True))
    min_similarity: float = setting(80.0, "rapidfuzz ratio (0..100) of their texts", number(0, 100, "a ratio"))


@dataclass(frozen=True)
class TruthEntity:
    """A rendered entity: its type, the text drawn (parts joined by ', '), and the union box."""

    index: int
    type: str
    text: str
    box: Box


def truth_entities(truth: Sequence[TruthElement]) -> List[TruthEntity]:
    """Rendered entities from the truth elements (an address drawn on two rows is one entity)."""
    parts: Dict[int, List[TruthElement]] = {}
    for t in truth:
        if t.entity is not None:
            parts.setdefault(t.entity, []).append(t)
    out = []
    for idx in sorted(parts):
        els = sorted(parts[idx], key=lambda t: (t.row, t.box.x0))
        b = els[0].box
        for t in els[1:]:
            b = b.union(t.box)
        out.append(TruthEntity(idx, els[0].kind, ", ".join(t.text for t in els), b))
    return out


def screen_truth(truth: Sequence[TruthElement], labels: Sequence[str]) -> ScreenTruth:
    """A rendered screen's truth as score.py scores it, exactly as annotated screenshots are scored: its
    fragments (rows compared by their boxes: side-by-side columns share no row numbers) and one entity
    per on-screen entity with a box per drawn part (a wrapped or two-line entity has two). Marked plain text
    (a clock in the status bar: "DateTime (text)") is a partial entity: a detection over it is no false one."""
    parts: Dict[int, List[TruthElement]] = {}
    for t in truth:
        if t.entity is not None:
            parts.setdefault(t.entity, []).append(t)
    entities = tuple(ScoredEntity(els[0].kind, " ".join(t.text for t in els), tuple(t.box for t in els), labels[i])
                     for i, els in sorted(parts.items()))
    types = tuple(sorted({e.type for e in entities}))
    marked = tuple(ScoredEntity(t.kind[:-len(MARKED)], t.text, (t.box,), partial=True)
                   for t in truth if t.entity is None and t.kind.endswith(MARKED))
    return ScreenTruth(tuple(Fragment(t.text, t.fragment_box) for t in truth), entities + marked, types, exact=True)


def _poly(b: Box):
    from shapely.geometry import box as shapely_box  # imported when used: reading the config needs no shapely

    return shapely_box(b.x0, b.y0, b.x1, b.y1)


def iou(a: Box, b: Box) -> float:
    pa, pb = _poly(a), _poly(b)
    inter = pa.intersection(pb).area
    union = pa.area + pb.area - inter
    return inter / union if union > 0 else 0.0


def _norm(text: str) -> str:
    return " ".join(text.lower().replace(",", " ").split())


def similarity(a: str, b: str) -> float:
    return fuzz.ratio(_norm(a), _norm(b))


def match_entities(detections: Sequence[Detection], truth: Sequence[TruthEntity], min_overlap: float,
                   min_similarity: float) -> Dict[int, int]:
    """Detection index -> truth entity index, one to one, best (IoU, similarity) pairs first."""
    pairs: List[Tuple[float, float, int, int]] = []
    for i, d in enumerate(detections):
        for t in truth:
            if d.type != t.type:
                continue
            o = iou(d.box, t.box)
            if o < min_overlap:
                continue
            s = similarity(d.text, t.text)
            if s >= min_similarity:
                pairs.append((o, s, i, t.index))
    pairs.sort(key=lambda p: (-p[0], -p[1], p[2], p[3]))
    out: Dict[int, int] = {}
    taken = set()
    for _, _, i, j in pairs:
        if i not in out and j not in taken:
            out[i] = j
            taken.add(j)
    return out
