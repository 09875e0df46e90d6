"""What is done to a screen image around Tesseract: pixels only, no OCR (see ocr.py for how they are used).

- `encode_png`, `flatten`: the image as Tesseract is given it (PNG at zlib level 1; RGB/L/1 as is,
  transparency flattened on white);
- `text_height`: the median x-height of the image's text, measured from stroke edges, which decides
  whether the image is upscaled (`upscale`) before Tesseract;
- `find_missed`: regions with text-like ink outside every word Tesseract found, to read again;
  `ink_band`: a word box read in such a region cut to its own line;
- `doubtful_spans`, `strip`: the stretches of text around words Tesseract was unsure of, and all of them
  stacked in one image to be read again.

Geometry: pixels, origin top-left, y down. Pure functions of their arguments.
"""

from __future__ import annotations

import io
from math import ceil, floor
from statistics import median
from typing import List, Optional, Tuple

from PIL import Image

from datagen.screen.model import Box, Word

# Text height measurement (text_height): neighbouring pixels differing by at least EDGE_CONTRAST
# grey levels are a stroke edge; in each vertical strip of STRIP px, a row with at least 2 edges
# holds ink, and a run of such rows from MIN_RUN px to a tenth of the image height (at least
# MAX_RUN_FLOOR px) is one text line's ink (in that strip). Its core, the rows with at least
# CORE_SHARE of the run's densest row's edges, is the band every lowercase letter crosses: the
# x-height (ascenders, descenders and capitals add few edges). The median core is the text height:
# on drawn DejaVu text ~0.55 x the font size at 12-48 px, for Times-like web fonts ~0.5. The core
# is used rather than the whole run because whether a strip holds a descender or a capital
# makes the run jump between ~0.75 and ~1.0 x the font size.
EDGE_CONTRAST = 48
STRIP = 64
MIN_RUN = 4
MAX_RUN_FLOOR = 48
CORE_SHARE = 0.5
UPSCALE_STEP = 0.25  # upscale factors are multiples of this (few distinct factors, readable records)
# Missed text (find_missed): on some pages Tesseract's layout analysis drops whole boxes of text (a
# white panel on a dark page, a coloured band, a table cell) that it reads well as an image of their
# own. The image is cut into tiles MISSED_TILE_H x MISSED_TILE_W median word heights; a tile whose
# share of stroke-edge pixels (EDGE_CONTRAST) outside every word box padded by MISSED_PAD median word
# heights is at least MISSED_DENSITY holds missed ink; neighbouring such tiles (4-connected) form a
# region. Measured on the shared real pages (with ocr.add_reread): ~0.2 CPU s more per desktop page,
# phone recall 0.934 -> 0.972, address recall 0.908 -> 0.938, word accuracy 0.920 -> 0.941,
# precision unchanged.
MISSED_TILE_H = 1.3
MISSED_TILE_W = 5.0
MISSED_PAD = 0.4
MISSED_DENSITY = 0.03
MISSED_GROW = 0.5  # a region is read with this many median word heights around it (letters cut by a tile edge)
# Doubtful words (doubtful_spans, strip): the stretch of a row around a word Tesseract was unsure of,
# cut out and read again on its own, all of a page's stretches stacked in one strip image.
SPAN_REACH = 1.0  # x height: neighbours and ink this close to a span's ends join it
SPAN_PAD = 0.35  # x the span's height of image around a span in the strip
STRIP_GAP = 0.6  # x the span's height between spans in the strip
STRIP_MARGIN = 10  # px of margin around the strip's spans

def encode_png(image: Image.Image) -> bytes:
    """The image as PNG at zlib level 1 (fast; rendered screens compress to ~70 KB at 2x)."""
    buf = io.BytesIO()
    image.save(buf, "PNG", compress_level=1)
    return buf.getvalue()


def flatten(image: Image.Image) -> Image.Image:
    """The image in a mode Tesseract reads as is: "RGB", "L" and "1" unchanged (no copy);
    transparency flattened on white (as pytesseract does); any other mode converted to RGB.
    Colour is kept on purpose: measured (benchmarks/ocr_psm.py, psm 11) converting to "L"
    loses 1-2 points of word accuracy at 1x on dark/coloured text for a gain in speed that is
    small (<~10%) and within the noise."""
    bands = image.getbands()
    if "A" in bands or "a" in bands or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", image.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    if image.mode in ("RGB", "L", "1"):
        return image
    return image.convert("RGB")


def stroke_edges(image: Image.Image, pad: bool = False):
    """Where horizontal neighbours differ by at least EDGE_CONTRAST grey levels (a stroke edge, whichever way):
    a bool array of one row per image row and one column per pair of neighbours (width - 1), or, with
    `pad`, per pixel (the first column never an edge)."""
    import numpy as np  # a dependency of shapely and matplotlib; imported here to keep start-up light

    grey = np.asarray(image.convert("L") if image.mode != "L" else image, dtype=np.int16)
    edges = np.abs(np.diff(grey, axis=1)) >= EDGE_CONTRAST
    if pad:
        edges = np.concatenate((np.zeros((grey.shape[0], 1), dtype=bool), edges), axis=1)
    return edges


def _runs(rows):
    """(start, end) of each run of True in a 1-d bool array."""
    import numpy as np

    steps = np.diff(np.concatenate(([0], rows.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(steps == 1), np.flatnonzero(steps == -1)))


def text_height(image: Image.Image) -> Optional[float]:
    """The median x-height of the image's text in px (the height of lowercase letters: ~0.55 x
    the font size for DejaVu, ~0.5 for Times or Arial), or None when no text-like ink is found.
    Dark-on-light and light-on-dark text alike: stroke edges are grey-level steps between
    horizontal neighbours, whichever way they go. See EDGE_CONTRAST, STRIP, MIN_RUN, CORE_SHARE."""
    import numpy as np

    w, h = image.size
    if w < 2 or h < MIN_RUN:
        return None
    edges = stroke_edges(image)
    max_run = max(MAX_RUN_FLOOR, h // 10)
    cores = []
    for x in range(0, w - 1, STRIP):
        count = edges[:, x:x + STRIP].sum(axis=1)
        for start, end in _runs(count >= 2):
            if MIN_RUN <= end - start <= max_run:
                run = count[start:end]
                dense = np.flatnonzero(run >= CORE_SHARE * run.max())
                cores.append(dense[-1] - dense[0] + 1)
    return float(np.median(cores)) if cores else None


def upscale(image: Image.Image, factor: float) -> Image.Image:
    """The image `factor` times larger (Lanczos); a bilevel image is upscaled as greyscale."""
    size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
    return (image.convert("L") if image.mode == "1" else image).resize(size, Image.LANCZOS)


def ink_band(image: Image.Image, box: Box) -> Box:
    """`box` cut at top and bottom to its band of text: of the runs of rows inside it that hold ink (at least 2
    stroke edges, EDGE_CONTRAST), the one with the most edges. A word read in a region cut from a page may come
    boxed with the bits of the lines above and below that the region's edges cut off (a 33 px link read as
    60 px high); cut to its own line it overlaps no word of those lines. A box without ink stays as it is."""
    x0, y0 = max(0, floor(box.x0)), max(0, floor(box.y0))
    x1, y1 = min(image.width, ceil(box.x1)), min(image.height, ceil(box.y1))
    if x1 - x0 < 2 or y1 <= y0:
        return box
    count = stroke_edges(image.crop((x0, y0, x1, y1))).sum(axis=1)
    runs = _runs(count >= 2)
    if not runs:
        return box
    start, end = max(runs, key=lambda r: (int(count[r[0]:r[1]].sum()), -r[0]))
    return Box(box.x0, float(y0 + start), box.x1, float(y0 + end))


def find_missed(image: Image.Image, words: List[Word]) -> List[Tuple[int, int, int, int]]:
    """Regions (x0, y0, x1, y1) of the image with text-like ink where no word was found, most ink first.

    Step by step (pixels, origin top-left, y down; h = the median word box height):
    1. stroke edges: horizontal neighbours differing by at least EDGE_CONTRAST grey levels;
    2. edges inside a word box grown by MISSED_PAD x h on every side are dropped (found text);
    3. the image is cut into tiles MISSED_TILE_H x h high and MISSED_TILE_W x h wide; a tile is
       inky when at least MISSED_DENSITY of its pixels are edges left over;
    4. 4-connected inky tiles form a region, its box the tiles' union grown by MISSED_GROW x h on
       every side (clipped to the image);
    5. regions are ordered by their summed edge share (most first), then by position.
    No words (nothing to measure text height by, or a blank image): no regions.
    """
    import numpy as np

    if not words:
        return []
    h = median(w.box.height for w in words)
    edges = stroke_edges(image, pad=True)
    height, width = edges.shape
    pad = MISSED_PAD * h
    for w in words:
        edges[max(0, floor(w.box.y0 - pad)):max(0, ceil(w.box.y1 + pad)),
              max(0, floor(w.box.x0 - pad)):max(0, ceil(w.box.x1 + pad))] = False
    th, tw = max(2, round(MISSED_TILE_H * h)), max(2, round(MISSED_TILE_W * h))
    ny, nx = -(-height // th), -(-width // tw)
    tiles = np.zeros((ny * th, nx * tw), dtype=bool)
    tiles[:height, :width] = edges
    share = tiles.reshape(ny, th, nx, tw).mean(axis=(1, 3))
    inky = share >= MISSED_DENSITY
    seen = np.zeros_like(inky)
    regions = []
    for ty, tx in zip(*np.nonzero(inky)):
        if seen[ty, tx]:
            continue
        seen[ty, tx] = True
        stack, cells = [(ty, tx)], []
        while stack:
            cy, cx = stack.pop()
            cells.append((cy, cx))
            for yy, xx in ((cy + 1, cx), (cy - 1, cx), (cy, cx + 1), (cy, cx - 1)):
                if 0 <= yy < ny and 0 <= xx < nx and inky[yy, xx] and not seen[yy, xx]:
                    seen[yy, xx] = True
                    stack.append((yy, xx))
        ys, xs = [c[0] for c in cells], [c[1] for c in cells]
        grow = MISSED_GROW * h
        box = (max(0, floor(min(xs) * tw - grow)), max(0, floor(min(ys) * th - grow)),
               min(width, ceil((max(xs) + 1) * tw + grow)), min(height, ceil((max(ys) + 1) * th + grow)))
        regions.append((-float(sum(share[c] for c in cells)), box))
    return [box for _, box in sorted(regions)]


def doubtful_spans(image: Image.Image, words: List[Word], below: float) -> List[Box]:
    """Boxes of the stretches of text around the words read with a confidence under `below`, to read again.

    Step by step (h = the larger height of the two boxes compared):
    1. each doubtful word takes in the words of its row (vertical overlap of at least half the smaller
       height) at most SPAN_REACH x h to its left or right, and theirs, and so on;
    2. the box of that group grows left and right over ink (stroke edges, EDGE_CONTRAST, in the rows of
       the box) at most SPAN_REACH x its height away: letters the first reading lost ("enquil" of
       "enquiries") come back into the span;
    3. spans that overlap are joined (no two spans overlap).
    No doubtful word: no spans."""
    import numpy as np

    groups = []
    for d in words:
        if d.conf >= below:
            continue
        box, taken = d.box, {id(d)}
        grown = True
        while grown:
            grown = False
            for w in words:
                if id(w) in taken:
                    continue
                near = SPAN_REACH * max(w.box.height, box.height)
                overlap = min(w.box.y1, box.y1) - max(w.box.y0, box.y0)
                if overlap >= 0.5 * min(w.box.height, box.height) and max(w.box.x0 - box.x1, box.x0 - w.box.x1) <= near:
                    box, grown = box.union(w.box), True
                    taken.add(id(w))
        groups.append(box)
    if not groups:
        return []
    edges = stroke_edges(image, pad=True)
    spans: List[Box] = []
    for box in groups:
        cols = edges[max(0, floor(box.y0)):max(0, ceil(box.y1))].any(axis=0)
        reach = max(1, round(SPAN_REACH * box.height))
        x0, x1 = max(0, floor(box.x0)), min(edges.shape[1], ceil(box.x1))
        while True:
            left = np.flatnonzero(cols[max(0, x0 - reach):x0])
            if not len(left):
                break
            x0 = max(0, x0 - reach) + int(left[0])
        while True:
            right = np.flatnonzero(cols[x1:x1 + reach])
            if not len(right):
                break
            x1 = x1 + int(right[-1]) + 1
        span = Box(float(x0), box.y0, float(x1), box.y1)
        hit = [other for other in spans if span.overlaps(other)]
        while hit:  # joined; the join may reach further spans
            for other in hit:
                span = span.union(other)
            spans = [other for other in spans if not any(other is h for h in hit)]
            hit = [other for other in spans if span.overlaps(other)]
        spans.append(span)
    return spans


def strip(image: Image.Image, spans: List[Box],
          max_height: float = float("inf")) -> Tuple[Image.Image, List[Tuple[Box, float, float]]]:
    """The spans cut from the image (SPAN_PAD x their height around them) and stacked in one greyscale image,
    dark text on light: a span on a dark background is inverted. Each sits on a band of its own background
    colour, STRIP_GAP x its height apart from the next. Also, per span: its crop's box in the image and
    where the crop's top-left corner is in the strip (x, y). Spans that would make the strip higher than
    `max_height` px are left out (the rows are those of the first spans)."""
    import numpy as np

    grey = image.convert("L") if image.mode != "L" else image
    crops, rows = [], []
    height = STRIP_MARGIN  # of the strip so far
    for span in spans:
        pad = SPAN_PAD * span.height
        box = Box(max(0.0, floor(span.x0 - pad)), max(0.0, floor(span.y0 - pad)),
                  min(float(image.width), ceil(span.x1 + pad)), min(float(image.height), ceil(span.y1 + pad)))
        crop = grey.crop((int(box.x0), int(box.y0), int(box.x1), int(box.y1)))
        a = np.asarray(crop)
        bg = int(np.median(np.concatenate([a[0], a[-1], a[:, 0], a[:, -1]])))
        if bg < 128:
            crop, bg = crop.point(lambda v: 255 - v), 255 - bg
        gap = max(2, round(STRIP_GAP * span.height))
        if crops and height + crop.height + gap > max_height:
            break
        crops.append((box, crop, bg, gap))
        height += crop.height + gap
    width = max(int(c.width) for _, c, _, _ in crops) + 2 * STRIP_MARGIN
    out = Image.new("L", (width, height), 255)
    y = STRIP_MARGIN
    for box, crop, bg, gap in crops:
        out.paste(bg, (0, y - gap // 2, width, min(height, y + crop.height + gap - gap // 2)))
        out.paste(crop, (STRIP_MARGIN, y))
        rows.append((box, float(STRIP_MARGIN), float(y)))
        y += crop.height + gap
    return out, rows
