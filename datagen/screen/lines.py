"""Screen text: OCR words grouped into lines, merged into elements along each line, lines into text.

    elements, lines = read_lines(words, LineSettings(), screen_height)

Lines come first, from the words themselves, and words are merged into elements only within a
line: an element can never span two rows, and a row's reference y is not pulled by the box of a
merged phrase. Measured on the shared real pages (benchmarks/realpages.py), grouping merged
elements instead scored 0.945 / 0.926 element-pair F1 (desktop / mobile) against 0.969 / 0.936
for the same algorithm on the raw words.

A word's y (anchor="xheight", the default) is the centre of its x-height band, not of its box:
Tesseract's word box runs from the highest to the lowest ink, so "more" (x-height to baseline),
"Hello" (cap height to baseline) and "happy" (ascender to descender) on one baseline have box
centres up to ~0.3 x-heights apart, and a word's centre-y drifts with its letters. The band is
estimated from the box and which characters rise above the x-height (capitals, digits, b d f h
k l t, the dots of i j) or fall below the baseline (g j p q y, commas), with typical Latin font
proportions (ASCENT, DESCENT); see word_y. anchor="centre" is the paper's box centre.

Geometry convention (as in model.py): pixels, origin at the top-left corner, x grows to the
right, y grows downwards; "top" is the smaller y. All functions are pure.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from fractions import Fraction
from statistics import median
from dataclasses import dataclass
from typing import Callable, ClassVar, Dict, List, Mapping, Optional, Sequence, Tuple

from datagen.screen.model import Element, Word
from datagen.settings import Settings, number, one_of, setting

GLUE_GAP = 0.6  # words this close (median word heights) across URL/e-mail punctuation are one word
GLUE_BEFORE = ("@", "/")  # a word ending with one of these continues into the next word
GLUE_AFTER = (".", "/", "@", ":")  # a word starting with one of these continues the previous word
GLUE_SOFT = (".", ":")  # a word ending with one of these continues a next word in lower case or "/"
SAME_ROW_FRACTION = 0.5  # words share a row when centres differ by <= this x the smaller height
NO_TESSERACT_LINE = 0  # Tesseract numbers lines from 1; a word with line 0 has no Tesseract line
SEP = "\t"  # between elements on one line of screen text
NEWLINE = "\n"  # between lines of screen text

# unit -> (margin, median element height, screen height) -> margin in pixels
MARGIN_UNITS: Dict[str, Callable[[float, float, Optional[float]], float]] = {
    "height": lambda margin, med_h, screen_h: margin * med_h,
    "px": lambda margin, med_h, screen_h: margin,
    "screen": lambda margin, med_h, screen_h: margin * screen_h,
}
# reference -> (first member's cy, sum of members' cy, member count) -> the line's reference y
REFERENCES: Dict[str, Callable[[Fraction, Fraction, int], Fraction]] = {
    "mean": lambda first, total, count: total / count,
    "first": lambda first, total, count: first,
}

# Typical Latin font proportions, in x-heights: rising characters (capitals, digits, ascenders) reach
# ASCENT above the x-height line (cap height ~1.4 x-heights), falling ones (descenders) DESCENT below
# the baseline. Measured: any of 1.35-1.45 / 0.3-0.4 gives the same line F1 on the real pages +-0.002.
ASCENT = 0.4
DESCENT = 0.35
TALL = 3.0  # an element this many median heights tall is no line of text: grouped by its box centre
RISING = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789bdfhijklt!?#$%&@/\\|()[]{}'\"\u00df")
FALLING = frozenset("gjpqyQ@$,;()[]{}|/\\")


def word_y(word: Word) -> float:
    """The centre of a word's x-height band (y down), estimated from its box and its characters.

    Step by step: with X the x-height, the box is X tall for a word of x-height letters only
    ("more"), (1 + ASCENT) X with rising characters, (1 + DESCENT) X with falling ones, both
    added with both; so X = box height / that factor, the baseline lies DESCENT x X above the box
    bottom when the word has falling characters (else at the bottom), and the band's centre is
    X / 2 above the baseline. A word of symbols only (neither kind) counts as x-height letters.
    """
    rises = any(c in RISING for c in word.text)
    falls = any(c in FALLING for c in word.text)
    x_height = word.box.height / (1.0 + (ASCENT if rises else 0.0) + (DESCENT if falls else 0.0))
    baseline = word.box.y1 - (DESCENT * x_height if falls else 0.0)
    return baseline - x_height / 2


# anchor -> the y a word is grouped by
ANCHORS: Dict[str, Callable[[Word], float]] = {"xheight": word_y, "centre": lambda w: w.box.cy}

MODES = ("centre", "tesseract")  # centre: the onscreen parse; tesseract: Tesseract's own line ids
MARGIN_OK = number(0, what="a margin")
WORD_GAP_OK = number(0, what="a gap in median word heights")


@dataclass
class LineSettings(Settings):
    """How OCR words become elements and elements become lines (config group `screen.lines`)."""

    PATH: ClassVar[str] = "screen.lines"
    mode: str = setting("centre", "centre = the onscreen parse (words' y within a margin); tesseract = Tesseract's "
                        "own line ids (a baseline)", one_of(*MODES))
    margin: float = setting(0.8, "words whose y is within margin of the line's reference y share a line, in `unit`s "
                            "(sweep: screen.lines.margin=0.3,0.5,0.8)", MARGIN_OK)
    unit: str = setting("height", "unit of the margin: height = x median word height; px = pixels; screen = x "
                        "screen height", one_of(*MARGIN_UNITS))
    reference: str = setting("mean", "a line's y: the mean of its members' y (mean) or its first member's "
                             "(first)", one_of(*REFERENCES))
    word_gap: float = setting(1.5, "words of a line join into one element while the gap < word_gap x median word "
                              "height", WORD_GAP_OK)
    anchor: str = setting("xheight", "the y of a word: xheight = centre of its x-height band (estimated from its "
                          "letters; robust to capitals and descenders), centre = centre of its box (the paper)",
                          one_of(*ANCHORS))



def _word_key(w: Word) -> tuple:
    return (w.box.x0, w.box.y0, w.box.x1, w.box.y1, w.text, w.conf, w.block, w.par, w.line)


def _element_key(e: Element) -> tuple:
    return (e.box.cy, e.box.cx, e.box.x0, e.box.y0, e.box.x1, e.box.y1, e.text)


def _same_row(a: Word, b: Word) -> bool:
    """True when two words are on one Tesseract line or their vertical centres nearly agree."""
    if a.line != NO_TESSERACT_LINE and (a.block, a.par, a.line) == (b.block, b.par, b.line):
        return True
    return abs(a.box.cy - b.box.cy) <= SAME_ROW_FRACTION * min(a.box.height, b.box.height)


def _glued(prev: Word, w: Word, glue_px: float) -> bool:
    """True when OCR split one token: 'https:' '//www.x' or 'example.' 'net' (close, across URL punctuation)."""
    if w.box.x0 - prev.box.x1 >= glue_px:
        return False
    a, b = prev.text, w.text
    return (a.endswith(GLUE_BEFORE) or b.startswith(GLUE_AFTER)
            or (a.endswith(GLUE_SOFT) and b[:1].islower() or a.endswith(GLUE_SOFT) and b.startswith("/")))


def merge_words(words: Sequence[Word], word_gap: float = LineSettings.word_gap, glue_gap: float = GLUE_GAP,
                text_height: Optional[float] = None) -> List[Element]:
    """Merge OCR words into text elements along a line, keeping columns apart.

    Step by step (pixels, origin top-left, y down):
    1. threshold = word_gap x text_height (default: the median word box height over `words`;
       read_lines passes the screen's when it merges one line's words);
    2. sort the words by their full geometry and text (so input order cannot matter);
    3. two words a, b with a.x0 <= b.x0 are linked when they share a row (same Tesseract
       (block, par, line) with line != 0, or |a.cy - b.cy| <= half the smaller height) and
       the gap b.x0 - a.x1 is below the threshold (overlapping words have a negative gap);
    4. elements are the connected components of the links: words left to right (by x0),
       joined with one space, or with none where OCR split one token at URL/e-mail
       punctuation ("https:" "//www.x", "example." "net": gap below glue_gap x the median
       height and punctuation at the seam, see _glued; gaps alone cannot tell, a space in a
       serif font is as narrow as such a split), box the union of the word boxes;
    5. elements are ordered by top (y0), then x0.
    """
    if not WORD_GAP_OK(word_gap):
        raise ValueError(f"word_gap={word_gap!r}: expected {WORD_GAP_OK.expected}")
    if not words:
        return []
    med_h = text_height if text_height is not None else median(w.box.height for w in words)
    threshold, glue = word_gap * med_h, glue_gap * med_h
    ordered = sorted(words, key=_word_key)
    parent = list(range(len(ordered)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(ordered):
        for j in range(i + 1, len(ordered)):
            b = ordered[j]
            if b.box.x0 - a.box.x1 >= threshold:
                break  # sorted by x0: every later word is even further to the right
            if _same_row(a, b):
                parent[find(j)] = find(i)
    groups: Dict[int, List[Word]] = defaultdict(list)
    for i, w in enumerate(ordered):
        groups[find(i)].append(w)  # `ordered` is already left to right within a group
    elements = []
    for members in groups.values():
        box = members[0].box
        for w in members[1:]:
            box = box.union(w.box)
        text = members[0].text
        for prev, w in zip(members, members[1:]):
            text += ("" if _glued(prev, w, glue) else " ") + w.text
        elements.append(Element(text, box, tuple(members)))
    return sorted(elements, key=lambda e: (e.box.y0, e.box.x0, e.box.x1, e.box.y1, e.text))


def margin_pixels(elements: Sequence[Element], margin: float, unit: str = LineSettings.unit,
                  screen_height: Optional[float] = None) -> float:
    """The line margin in pixels for a margin given in `unit`; ValueError on a bad argument."""
    if not MARGIN_OK(margin):
        raise ValueError(f"margin={margin!r}: expected {MARGIN_OK.expected}")
    if unit not in MARGIN_UNITS:
        raise ValueError(f"unit={unit!r}: expected one of {sorted(MARGIN_UNITS)}")
    if unit == "screen" and not (isinstance(screen_height, (int, float)) and screen_height > 0):
        raise ValueError(f"screen_height={screen_height!r}: unit='screen' needs a screen height > 0 (pixels)")
    med_h = median(e.box.height for e in elements) if elements else 0.0
    return MARGIN_UNITS[unit](margin, med_h, screen_height)


def element_y(element: Element, anchor: str = LineSettings.anchor, text_height: Optional[float] = None) -> float:
    """The y an element is grouped by: its box centre (anchor="centre", an element without words, or
    one taller than TALL x text_height: an icon or picture OCR read as a word, whose letters say
    nothing about its x-height), else the median of its words' anchors (word_y for "xheight")."""
    if anchor == "centre" or not element.words or (text_height and element.box.height > TALL * text_height):
        return element.box.cy
    return median(ANCHORS[anchor](w) for w in element.words)


def group_lines(elements: Sequence[Element], margin: float = LineSettings.margin, unit: str = LineSettings.unit,
                screen_height: Optional[float] = None, reference: str = LineSettings.reference,
                anchor: str = LineSettings.anchor) -> List[List[int]]:
    """Group text elements into screen lines (the paper's onscreen parse), top to bottom.

    Step by step (pixels, origin top-left, y down):
    1. margin_px = margin x median element height ("height"), margin ("px") or
       margin x screen_height ("screen");
    2. each element is a point (cx, y), y = element_y (its box centre for anchor="centre", the
       centre of its words' x-height band for "xheight"); sort by (y, cx, x0, y0, x1, y1, text)
       -- geometry only, so permuting the input only renames indices;
    3. walk top to bottom: an element joins the current line when
       |y - line_ref| <= margin_px, else it starts a new line; line_ref is the running
       mean of the members' y ("mean") or the first member's y ("first"). Sums are exact
       (fractions), so no result flips on float rounding;
    4. each line lists element indices left to right by x0 (ties: geometry, then index).
    "first" bounds a line's extent in y to margin_px; "mean" follows a tilted row (a uniform
    drift spans up to ~2 x margin_px) and, unlike a previous-neighbour rule, does not chain a
    slow uniform drift into one line (dense clusters stepping down can still pull it along).
    """
    if reference not in REFERENCES:
        raise ValueError(f"reference={reference!r}: expected one of {sorted(REFERENCES)}")
    if anchor not in ANCHORS:
        raise ValueError(f"anchor={anchor!r}: expected one of {sorted(ANCHORS)}")
    limit = Fraction(margin_pixels(elements, margin, unit, screen_height))
    ref_of = REFERENCES[reference]
    med_h = median(e.box.height for e in elements) if elements else None
    ys = [element_y(e, anchor, med_h) for e in elements]
    keys = [(ys[i],) + _element_key(e)[1:] for i, e in enumerate(elements)]
    order = sorted(range(len(elements)), key=lambda i: (keys[i], i))
    lines: List[List[int]] = []
    first = total = Fraction(0)
    for i in order:
        y = Fraction(ys[i])
        if lines and abs(y - ref_of(first, total, len(lines[-1]))) <= limit:
            lines[-1].append(i)
            total += y
        else:
            lines.append([i])
            first = total = y
    left_to_right = lambda i: (elements[i].box.x0, keys[i], i)  # noqa: E731
    return [sorted(line, key=left_to_right) for line in lines]


def read_lines(words: Sequence[Word], settings: Optional[LineSettings] = None,
               screen_height: Optional[float] = None) -> Tuple[List[Element], List[List[int]]]:
    """The screen-to-text step after OCR: words grouped into lines, then merged into elements along each line.

    Step by step:
    1. each word is an item of its own; the items are grouped into lines by group_lines
       (mode "centre": margin, unit, reference, anchor of `settings`; the median element height
       is then the median word height) or by Tesseract's line ids (mode "tesseract");
    2. the words of each line are merged into elements by merge_words, with the gap threshold
       relative to the median word height of the whole screen (not of the line);
    3. elements are numbered line by line, each line's left to right; the lines list them.
    Returns (elements, lines): every word is in exactly one element, every element in one line.
    """
    settings = settings if settings is not None else LineSettings()
    items = [Element(w.text, w.box, (w,)) for w in words]
    if settings.mode == "tesseract":
        word_lines = tesseract_lines(items)
    else:
        word_lines = group_lines(items, settings.margin, settings.unit, screen_height, settings.reference,
                                 settings.anchor)
    text_height = median(w.box.height for w in words) if words else None
    elements: List[Element] = []
    lines: List[List[int]] = []
    for line in word_lines:
        merged = sorted(merge_words([words[i] for i in line], settings.word_gap, text_height=text_height),
                        key=lambda e: (e.box.x0, _element_key(e)))
        lines.append(list(range(len(elements), len(elements) + len(merged))))
        elements += merged
    return elements, lines


def tesseract_lines(elements: Sequence[Element]) -> List[List[int]]:
    """Baseline grouping: elements by Tesseract (block, par, line); lines by top, elements by x0.

    An element without a Tesseract line (no words, or line id 0) is a line of its own.
    """
    by_id: Dict[tuple, List[int]] = defaultdict(list)
    for i, e in enumerate(elements):
        tid = e.tesseract_line
        by_id[tid if tid[2] != NO_TESSERACT_LINE else ("none", i)].append(i)
    lines = [sorted(m, key=lambda i: (elements[i].box.x0, _element_key(elements[i]), i)) for m in by_id.values()]
    return sorted(lines, key=lambda m: (min(elements[i].box.y0 for i in m), elements[m[0]].box.x0, m))


def screen_text(elements: Sequence[Element], lines: Sequence[Sequence[int]],
                injections: Optional[Mapping[int, str]] = None, sep: str = SEP) -> str:
    """Screen text: a line's elements joined by `sep`, lines by newlines; injections replace texts."""
    injections = injections or {}
    bad = [i for i in injections if not 0 <= i < len(elements)]
    if bad:
        raise ValueError(f"injections: element indices {bad} out of range 0..{len(elements) - 1}")
    rows = [sep.join(injections.get(i, elements[i].text) for i in line) for line in lines if line]
    return NEWLINE.join(rows)


def line_pairs_f1(pred_lines: Sequence[Sequence[int]], truth_rows: Sequence[int]) -> dict:
    """Pairwise precision/recall/F1 of "same line" over element pairs (1.0 on empty denominators)."""
    seen = [i for line in pred_lines for i in line]
    if len(seen) != len(set(seen)) or any(not 0 <= i < len(truth_rows) for i in seen):
        raise ValueError(f"pred_lines={pred_lines!r}: each index in 0..{len(truth_rows) - 1} at most once")

    def pairs(counts) -> int:
        return sum(c * (c - 1) // 2 for c in counts)

    pairs_true = pairs(Counter(truth_rows).values())
    pairs_pred = pairs(len(line) for line in pred_lines)
    both = pairs(Counter((k, truth_rows[i]) for k, line in enumerate(pred_lines) for i in line).values())
    precision = both / pairs_pred if pairs_pred else 1.0
    recall = both / pairs_true if pairs_true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "pairs_true": pairs_true, "pairs_pred": pairs_pred}
