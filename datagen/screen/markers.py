"""Candidates marked in screen text: placed where each detection stands, numbered once shown.

The screen pipeline writes candidate k of a screen as a private-use marker (`mark(k)`) into the
screen text; prompt.to_row, after shuffling the candidates, replaces each marker with
`{{N. text}}`, N the candidate's number as shown (`number`). The format lives only here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Dict, List, Sequence, Tuple

from datagen.entities import Entity
from datagen.screen.lines import screen_text

if TYPE_CHECKING:  # the prompt numbers markers without the OCR stack
    from datagen.screen.read import Read

MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"  # placeholder of candidate k in screen text until it is numbered
_MARK = re.compile(f"{MARK_OPEN}(\\d+){MARK_CLOSE}")


def mark(k: int) -> str:
    """The placeholder of candidate k (0-based, in detection order)."""
    return f"{MARK_OPEN}{k}{MARK_CLOSE}"


def inject(read: "Read") -> str:
    """Screen text with each detection replaced in place by its marker (numbered later)."""
    texts: Dict[int, str] = {i: e.text for i, e in enumerate(read.elements)}
    edits: Dict[int, List[Tuple[int, int, str]]] = {}
    for k, d in enumerate(read.detections):
        props = dict(d.properties)
        edits.setdefault(d.element, []).append((d.start, d.end, mark(k)))
        if "elements" in props:  # a detection over several elements: the parts after the first one's go away
            later = zip(props["elements"].split(",")[1:], props["spans"].split(",")[1:])
            for element, span in later:
                start, end = (int(x) for x in span.split(":"))
                edits.setdefault(int(element), []).append((start, end, ""))
    for i, spans in edits.items():
        text = texts[i]
        for start, end, new in sorted(spans, reverse=True):
            text = text[:start] + new + text[end:]
        texts[i] = " ".join(text.split()) or ""
    lines = [[i for i in line if texts[i]] for line in read.lines]
    return screen_text(read.elements, lines, texts)


def number(text: str, order: List[int], entities: Sequence[Entity]) -> str:
    """Screen text with candidate k's marker replaced by {{N. text}}, N its number as shown."""
    shown = {i: n for n, i in enumerate(order, 1)}
    return _MARK.sub(lambda m: f"{{{{{shown[int(m.group(1))]}. {entities[int(m.group(1))].value}}}}}", text)
