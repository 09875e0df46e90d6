"""Scoring a read screen against annotated truth (a screenshot's truth file, or a rendered screen's).

The definitions are those real annotated pages are scored with (../shared/realpages/README.md),
so a folder of annotated screenshots, the real-page benchmark and the held-out pages agree:

- Entity recall, per type: a truth entity is found when a detection of its type overlaps one of
  its boxes and says the same thing: a PhoneNumber the same last 10 digits (on annotated screens
  only truth numbers of exactly 10 digits are counted; a rendered screen's exact truth counts all), an EmailAddress the same text (case and spaces ignored), a
  PostalAddress contains the truth address's street number (only addresses with one are
  counted); any other type, a text similarity of at least TEXT_SIMILARITY.
- Precision (approximate), per type: detections that overlap a truth entity of their type (partial
  ones included: a label of a fitting kind, such as the city line of an address). Only
  types the truth declares annotated are scored (a page whose annotators labelled no URLs says
  nothing about URL detections).
- Line grouping, element-pair F1: each truth fragment is labelled with the line holding most of
  the OCR words whose centre falls inside it (fragments without words are not scored); two
  fragments are "same row" in truth when they share a row number (rendered truth) or overlap
  vertically by at least SAME_ROW_OVERLAP of the smaller height (annotated truth), "different
  rows" when they do not overlap at all; other pairs are not scored. Counts (tp, fp, fn) of
  "same row" are returned so that pages add up (F1 over all scored pairs of all pages).

Geometry: pixels of the image, origin top-left, y down. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from rapidfuzz import fuzz

from datagen.screen.model import Box, Detection, Element, Word

PHONE_DIGITS = 10  # a phone number is compared on its last this many digits
SAME_ROW_OVERLAP = 0.5  # fragments overlapping vertically by this share of the smaller height share a row
TEXT_SIMILARITY = 80.0  # rapidfuzz ratio a detection of another type needs with its truth text
_DIGITS = re.compile(r"\d")
_STREET_NUMBER = re.compile(r"\b\d+[A-Za-z]?\b")


@dataclass(frozen=True)
class TruthEntity:
    """An annotated entity: its type (PhoneNumber, EmailAddress, PostalAddress, ...), text, boxes, label."""

    type: str
    text: str
    boxes: Tuple[Box, ...]
    label: str = ""  # the words shown next to it that a request may use ("fax", "sales")
    value: str = ""
    partial: bool = False  # only part of an entity is labelled (an address's city line): it makes an
    # overlapping detection precise, but recall is not counted on it


@dataclass(frozen=True)
class Fragment:
    """A piece of text on the screen as the truth knows it (a browser text fragment, a rendered cell)."""

    text: str
    box: Box
    row: Optional[int] = None  # the screen row, when the truth knows it exactly (rendered screens)


@dataclass(frozen=True)
class ScreenTruth:
    """What is on a screen: its text fragments and its entities, and which entity types were annotated."""

    fragments: Tuple[Fragment, ...]
    entities: Tuple[TruthEntity, ...]
    annotated: Tuple[str, ...]
    exact: bool = False  # every entity on the screen is in the truth (rendered screens): all of them count


@dataclass
class EntityCounts:
    """Per type: truth entities counted and found; detections scored and overlapping a truth entity."""

    labels: Counter = field(default_factory=Counter)
    found: Counter = field(default_factory=Counter)
    detected: Counter = field(default_factory=Counter)
    precise: Counter = field(default_factory=Counter)


def _digits(text: str) -> str:
    return "".join(_DIGITS.findall(text))


def _squash(text: str) -> str:
    return "".join(text.lower().split())


def street_number(text: str) -> str:
    """The first number of an address text ("5 N. Beech Rd" -> "5"), or ""."""
    m = _STREET_NUMBER.search(text)
    return m.group(0) if m else ""


def counted(entity: TruthEntity, exact: bool = False) -> bool:
    """Whether a truth entity takes part in recall: not partial, and on annotated screens a 10-digit number or
    an address with a street number (exact truth, a rendered screen's, counts every number)."""
    if entity.partial:
        return False
    if exact:
        return entity.type != "PostalAddress" or bool(street_number(entity.text))
    if entity.type == "PhoneNumber":
        return len(_digits(entity.text)) == PHONE_DIGITS
    if entity.type == "PostalAddress":
        return bool(street_number(entity.text))
    return True


def same_entity(detection: Detection, entity: TruthEntity) -> bool:
    """Whether a detection finds a truth entity: same type, overlapping, saying the same thing."""
    if detection.type != entity.type or not any(detection.box.overlaps(b) for b in entity.boxes):
        return False
    if entity.type == "PhoneNumber":
        return _digits(detection.text)[-PHONE_DIGITS:] == _digits(entity.text)[-PHONE_DIGITS:]
    if entity.type == "EmailAddress":
        return _squash(detection.text) == _squash(entity.text)
    if entity.type == "PostalAddress":
        number = street_number(entity.text)
        return bool(number) and re.search(rf"\b{re.escape(number)}\b", detection.text) is not None
    return fuzz.ratio(_squash(detection.text), _squash(entity.text)) >= TEXT_SIMILARITY


def score_entities(detections: Sequence[Detection], truth: ScreenTruth) -> EntityCounts:
    """Recall and precision counts per type of one screen's detections against its truth."""
    out = EntityCounts()
    for e in truth.entities:
        if counted(e, truth.exact):
            out.labels[e.type] += 1
            out.found[e.type] += any(same_entity(d, e) for d in detections)
    for d in detections:
        if d.type in truth.annotated:
            out.detected[d.type] += 1
            out.precise[d.type] += any(e.type == d.type and any(d.box.overlaps(b) for b in e.boxes)
                                       for e in truth.entities)
    return out


def labels_of(detections: Sequence[Detection], truth: ScreenTruth) -> List[str]:
    """For each detection, the label of the truth entity it finds ("" when none or unlabelled)."""
    out = []
    for d in detections:
        hit = next((e for e in truth.entities if same_entity(d, e)), None)
        out.append(hit.label if hit is not None else "")
    return out


def word_lines(words: Sequence[Word], lines: Sequence[Sequence[int]], members: Sequence[Sequence[Word]]) -> List[Optional[int]]:
    """The line of each word: `lines` group items (elements, or words themselves), `members[i]` are item i's words."""
    index = {id(w): k for k, w in enumerate(words)}
    out: List[Optional[int]] = [None] * len(words)
    for line_no, line in enumerate(lines):
        for item in line:
            for w in members[item]:
                k = index.get(id(w))
                if k is not None:
                    out[k] = line_no
    return out


def fragment_labels(fragments: Sequence[Fragment], words: Sequence[Word], line_of: Sequence[Optional[int]]) -> List[Optional[int]]:
    """Each fragment's line: the one holding most of the words whose centre is inside it (ties: the lower line)."""
    out: List[Optional[int]] = []
    for f in fragments:
        votes: Counter = Counter()
        for w, line in zip(words, line_of):
            if line is not None and f.box.x0 <= w.box.cx <= f.box.x1 and f.box.y0 <= w.box.cy <= f.box.y1:
                votes[line] += 1
        out.append(min(votes, key=lambda k: (-votes[k], k)) if votes else None)
    return out


def same_row(a: Fragment, b: Fragment) -> Optional[bool]:
    """True/False when the truth says the two share a row or do not; None when it cannot tell."""
    if a.row is not None and b.row is not None:
        return a.row == b.row
    overlap = min(a.box.y1, b.box.y1) - max(a.box.y0, b.box.y0)
    if overlap <= 0:
        return False
    if overlap >= SAME_ROW_OVERLAP * min(a.box.height, b.box.height):
        return True
    return None


def line_pair_counts(fragments: Sequence[Fragment], labels: Sequence[Optional[int]]) -> Dict[str, int]:
    """tp/fp/fn of "same row" over the scored pairs of labelled fragments (see the module docstring)."""
    tp = fp = fn = 0
    scored = [(f, lab) for f, lab in zip(fragments, labels) if lab is not None]
    for i, (a, la) in enumerate(scored):
        for b, lb in scored[i + 1:]:
            truth = same_row(a, b)
            if truth is None:
                continue
            pred = la == lb
            tp += truth and pred
            fp += (not truth) and pred
            fn += truth and not pred
    return {"tp": tp, "fp": fp, "fn": fn}


def row_conflicts(fragments: Sequence[Fragment]) -> Dict[str, int]:
    """What bounds line F1 for any grouping of these fragments: the truth's "same row" is not transitive (a
    tall cell beside two rows shares a row with each, and they share none), so each triple a~b, b~c, a!~c
    forces one wrong pair at least. `conflicts`: edge-disjoint such triples (found greedily); `pairs`: the
    "same row" pairs. Over any set of screens, F1 <= 2 pairs / (2 pairs + conflicts) for every grouping."""
    n = len(fragments)
    rel = {}
    for i in range(n):
        for j in range(i + 1, n):
            truth = same_row(fragments[i], fragments[j])
            if truth is not None:
                rel[i, j] = truth
    together = [[j for j in range(n) if j != i and rel.get((min(i, j), max(i, j)))] for i in range(n)]
    used: set = set()
    count = 0
    for b in range(n):
        for x, a in enumerate(together[b]):
            for c in together[b][x + 1:]:
                edges = {(min(a, b), max(a, b)), (min(b, c), max(b, c)), (min(a, c), max(a, c))}
                if rel.get((min(a, c), max(a, c))) is False and not edges & used:
                    used |= edges
                    count += 1
    return {"conflicts": count, "pairs": sum(rel.values())}


def f1(counts: Mapping[str, int]) -> Optional[float]:
    """F1 from tp/fp/fn counts (None when nothing was scored)."""
    tp, fp, fn = counts.get("tp", 0), counts.get("fp", 0), counts.get("fn", 0)
    if tp + fp + fn == 0:
        return None
    return 2 * tp / (2 * tp + fp + fn)


PLAIN_MARGIN = 0.8  # the reference: the paper's plain algorithm, 0.8 x median word height around the running mean


def plain_lines(words: Sequence[Word], screen_height: float) -> List[List[int]]:
    """The reference grouping: the paper's algorithm on the raw OCR words (word i is item i)."""
    from datagen.screen.lines import group_lines

    return group_lines([Element(w.text, w.box, (w,)) for w in words], PLAIN_MARGIN, "height", screen_height, "mean",
                       "centre")


def line_counts(fragments: Sequence[Fragment], words: Sequence[Word], lines: Sequence[Sequence[int]],
                members: Sequence[Sequence[Word]]) -> Dict[str, int]:
    """tp/fp/fn of "same row" for lines of items whose words are `members[i]` (see the module docstring)."""
    return line_pair_counts(fragments, fragment_labels(fragments, words, word_lines(words, lines, members)))


def screen_lines(fragments: Sequence[Fragment], words: Sequence[Word], elements: Sequence[Element],
                 lines: Sequence[Sequence[int]], screen_height: float) -> Dict[str, Dict[str, int]]:
    """Line pair counts of the pipeline's lines and of the plain reference on the same words."""
    return {"line": line_counts(fragments, words, lines, [e.words for e in elements]),
            "plain": line_counts(fragments, words, plain_lines(words, screen_height), [(w,) for w in words])}
