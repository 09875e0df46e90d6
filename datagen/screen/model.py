"""Plain data of the screen pipeline: boxes, OCR words, text elements, truth and detections.

Geometry convention everywhere: pixels of the rendered (or loaded) image, origin at the
top-left corner, x grows to the right, y grows downwards; a box is (x0, y0, x1, y1) with
x0 <= x1 and y0 <= y1, x1/y1 exclusive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Tuple

# What a detector (phones.py, addresses.py, links.py) finds before overlaps are resolved: its
# (element, start, end) character segments, text, value, properties and rank (tie-break)
Span = Tuple[Tuple[Tuple[int, int, int], ...], str, str, Tuple[Tuple[str, str], ...], int]


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    def overlaps(self, other: "Box") -> bool:
        """Whether the two boxes share area (touching edges do not)."""
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1

    def union(self, other: "Box") -> "Box":
        return Box(min(self.x0, other.x0), min(self.y0, other.y0), max(self.x1, other.x1), max(self.y1, other.y1))

    def normalised(self, width: float, height: float) -> Tuple[float, float, float, float]:
        """(x0, y0, x1, y1) as fractions of the image size."""
        return (self.x0 / width, self.y0 / height, self.x1 / width, self.y1 / height)

    def as_tuple(self) -> Tuple[float, float, float, float]:
        return (self.x0, self.y0, self.x1, self.y1)


@dataclass(frozen=True)
class Word:
    """One OCR word (Tesseract level 5) with its confidence and Tesseract's block/paragraph/line ids."""

    text: str
    box: Box
    conf: float
    block: int = 0
    par: int = 0
    line: int = 0


@dataclass(frozen=True)
class Element:
    """A text element: OCR words merged along a line while the gaps between them are small."""

    text: str
    box: Box
    words: Tuple[Word, ...] = ()

    def word_spans(self) -> Optional[List[Tuple[int, int]]]:
        """Character span of each word in the element's text (None when they cannot be aligned)."""
        spans: List[Tuple[int, int]] = []
        pos = 0
        for w in self.words:
            start = self.text.find(w.text, pos) if w.text else -1
            if start < 0:
                return None
            spans.append((start, start + len(w.text)))
            pos = start + len(w.text)
        return spans

    @property
    def tesseract_line(self) -> Tuple[int, int, int]:
        """(block, par, line) of the element's first word: Tesseract's own line id."""
        w = self.words[0] if self.words else Word("", self.box, 0.0)
        return (w.block, w.par, w.line)


MARKED = " (text)"  # "DateTime (text)": a detection over it is right; no recall, no request is counted on it


@dataclass(frozen=True)
class TruthElement:
    """What the renderer drew: its text, box, kind (an entity type, 'text', or a type + MARKED: plain text of a
    detected type that is no entity of the screen, such as a status bar's clock) and screen row."""

    text: str
    box: Box  # the tight box of the drawn glyphs
    kind: str
    row: int
    entity: Optional[int] = None  # index into the screen's entities when kind is an entity type
    line_box: Optional[Box] = None  # the text's box as a browser reports it (advance width x the font's
    # ascent + descent): rows are compared on these, as on real annotated pages

    @property
    def fragment_box(self) -> Box:
        return self.line_box or self.box


@dataclass(frozen=True)
class Detection:
    """An entity found in the OCR text: its type, the text as read, and where it is.

    `element` is the index of the text element that holds it and (start, end) the character
    span inside that element's text; `box` covers just the words of the span.
    """

    type: str
    text: str
    box: Box
    element: int
    start: int
    end: int
    value: str = ""  # a normalised value when the detector gives one (E.164 number, ...)
    properties: Tuple[Tuple[str, str], ...] = field(default_factory=tuple)
