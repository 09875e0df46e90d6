"""One screen, start to end: render (or load) -> OCR -> elements -> detections -> lines ->
alignment and metrics -> requests -> examples, plus the screen's row for the screens table.

Candidates of a screen example are the detected entities (source=screen, with boxes).
On rendered screens requests are drawn about the rendered entities and their targets are
mapped to detections through the alignment; a request whose target OCR missed is not
emitted (counted as ocr_miss), and one that the detected candidates make ambiguous is not
emitted either (counted as ambiguous_after_ocr).
"""

from __future__ import annotations

import hashlib
import io
import random
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from PIL import Image

from datagen.entities import Entity, Pools
from datagen.errors import ItemError
from datagen.example import Example
from datagen.screen import align, requests
from datagen.screen.detect import DetectSettings, detect
from datagen.screen.families import Family, layout
from datagen.screen.lines import group_lines, line_pairs_f1, merge_words, screen_text, tesseract_lines
from datagen.screen.model import Detection, Element, TruthElement, Word
from datagen.screen.ocr import Ocr, encode_png
from datagen.screen.render import RenderSettings, render
from datagen.seeding import derive, rng as make_rng

MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"  # placeholder of candidate k in screen text until it is numbered
KINDS = ("type", "label", "spatial", "multi", "none")


def marker(k: int) -> str:
    return f"{MARK_OPEN}{k}{MARK_CLOSE}"


@dataclass(frozen=True)
class LineSettings:
    mode: str = "centre"
    margin: float = 0.8
    unit: str = "height"
    reference: str = "mean"
    word_gap: float = 1.5


@dataclass
class Read:
    """What the screen-to-text step made of an image."""

    words: List[Word]
    elements: List[Element]
    detections: List[Detection]
    lines: List[List[int]]
    tesseract_lines: List[List[int]]
    ocr_seconds: float


def read_image(image: Image.Image, ocr: Ocr, detect_settings: DetectSettings, ls: LineSettings,
               counts: Optional[Counter] = None, png: Optional[bytes] = None) -> Read:
    """OCR an image (through the cache when there is one) and turn it into elements, detections and lines."""
    before = ocr.stats() if hasattr(ocr, "stats") else None
    t0 = time.perf_counter()
    words = ocr.words(image, png)
    ocr_seconds = time.perf_counter() - t0
    if before is not None and counts is not None:
        after = ocr.stats()
        for k in ("hits", "misses", "recomputed"):
            counts[f"ocr_cache_{k}"] += after[k] - before[k]
    elements = merge_words(words, ls.word_gap)
    detections = detect(elements, detect_settings)
    tess = tesseract_lines(elements)
    if ls.mode == "tesseract":
        lines = tess
    else:
        lines = group_lines(elements, ls.margin, ls.unit, float(image.height), ls.reference)
    return Read(words, elements, detections, lines, tess, ocr_seconds)


def inject(read: Read) -> str:
    """Screen text with each detection replaced in place by its marker (numbered later)."""
    texts: Dict[int, str] = {i: e.text for i, e in enumerate(read.elements)}
    edits: Dict[int, List[Tuple[int, int, str]]] = {}
    for k, d in enumerate(read.detections):
        props = dict(d.properties)
        edits.setdefault(d.element, []).append((d.start, d.end, marker(k)))
        if "elements" in props:  # an address over two elements: the second one's part goes away
            second = int(props["elements"].split(",")[1])
            end = int(props["spans"].split(",")[1].split(":")[1])
            edits.setdefault(second, []).append((0, end, ""))
    for i, spans in edits.items():
        text = texts[i]
        for start, end, new in sorted(spans, reverse=True):
            text = text[:start] + new + text[end:]
        texts[i] = " ".join(text.split()) or ""
    lines = [[i for i in line if texts[i]] for line in read.lines]
    return screen_text(read.elements, lines, texts)


def candidates_of(read: Read, width: int, height: int, labels: Sequence[str]) -> List[Entity]:
    """The detections as candidate entities (source=screen, normalised boxes)."""
    out = []
    for d, label in zip(read.detections, labels):
        props = (("label", label),) if label else ()
        if d.value:
            props += (("normalized", d.value),)
        out.append(Entity(d.type, d.text, props, d.text, "screen", d.box.normalised(width, height)))
    return out


def _boxes(items) -> List[List[float]]:
    return [list(x.box.as_tuple()) for x in items]


@dataclass
class ScreenSettings:
    families: List[Family]
    render: RenderSettings
    detect: DetectSettings
    lines: LineSettings
    min_overlap: float
    min_similarity: float
    requests_per_screen: int
    mix: Dict[str, float]
    max_redraws: int = 12  # draws of one kind of request before another kind is tried


class ScreenGenerator:
    """Screen examples from rendered screens (with truth) or from a folder of screenshots."""

    def __init__(self, pools: Pools, ocr: Ocr, templates: requests.RequestTemplates, s: ScreenSettings,
                 images: Optional[List[Path]] = None, max_pixels: int = 40_000_000):
        self.pools, self.ocr, self.t, self.s = pools, ocr, templates, s
        self.images, self.max_pixels = images, max_pixels
        self.pending: List[dict] = []  # screens-table rows of the items made so far, drained by run()
        self.counts: Counter = Counter()
        self.ocr_seconds = 0.0
        self.kinds = [k for k in KINDS if s.mix.get(k, 0) > 0]
        self.weights = [s.mix[k] for k in self.kinds]

    # -- per item ------------------------------------------------------------------------
    def item(self, seed: int, index: int) -> Tuple[List[Example], int]:
        """The examples of screen `index` and how many request draws it took beyond one per request."""
        before = self.counts["redraw"] + self.counts["ocr_miss"] + self.counts["ambiguous_after_ocr"]
        examples = self._item(seed, index)
        after = self.counts["redraw"] + self.counts["ocr_miss"] + self.counts["ambiguous_after_ocr"]
        return examples, after - before

    def _item(self, seed: int, index: int) -> List[Example]:
        rng = make_rng(seed, "screen", index)
        if self.images is not None:
            return self._from_image(self.images[index], rng, index)
        fam = self.s.families[index % len(self.s.families)]
        ents, rows = layout(fam, self.pools, rng)
        screen = render(ents, rows, self.s.render, rng)
        image = screen.image
        screen_id = f"{fam.id}-{derive(seed, 'screen', index):016x}"
        png = encode_png(image)  # stored in the screens table and read by Tesseract
        read = read_image(image, self.ocr, self.s.detect, self.s.lines, self.counts, png)
        self.ocr_seconds += read.ocr_seconds
        truth_ents = align.truth_entities(screen.truth)
        matched = align.match_entities(read.detections, truth_ents, self.s.min_overlap, self.s.min_similarity)
        metrics = align.entity_metrics(len(read.detections), len(truth_ents), len(matched))
        rows_of = align.element_rows(read.elements, screen.truth)
        keep = [i for i, r in enumerate(rows_of) if r is not None]
        truth_rows = [rows_of[i] for i in keep]
        remap = {old: new for new, old in enumerate(keep)}
        for name, lines in (("line_f1", read.lines), ("line_f1_tesseract", read.tesseract_lines)):
            sub = [[remap[i] for i in line if i in remap] for line in lines]
            metrics[name] = line_pairs_f1(sub, truth_rows)["f1"]
        labels = [screen.entities[matched[i]].label if i in matched else "" for i in range(len(read.detections))]
        cands = candidates_of(read, image.width, image.height, labels)
        truth_cands = [requests.Candidate(t.type, screen.entities[t.index].label, t.box) for t in truth_ents]
        det_cands = [requests.Candidate(c.type, c.get("label"), d.box) for c, d in zip(cands, read.detections)]
        to_det = {t: d for d, t in matched.items()}
        examples = self._requests(rng, truth_cands, det_cands, to_det, cands, read, screen_id, fam.id)
        self.pending.append(self._row(screen_id, fam.id, image, png, read, screen.truth, metrics, screen.theme,
                                      screen.font))
        return examples

    def _requests(self, rng: random.Random, truth_cands, det_cands, to_det: Dict[int, int], cands: List[Entity],
                  read: Read, screen_id: str, family: str) -> List[Example]:
        text = inject(read)
        types_present = {c.type for c in truth_cands} | {c.type for c in det_cands}
        absent = sorted(set(self.t.types) - types_present)
        out: List[Example] = []
        seen_queries = set()
        for _ in range(self.s.requests_per_screen):
            # the kind is drawn once and kept while its draws fail, so the mix holds on screens
            # that allow some kinds less often; only then do the other kinds get a chance
            first = rng.choices(self.kinds, self.weights)[0]
            others = [k for k in self.kinds if k != first]
            order = [first] + rng.sample(others, len(others))
            done = False
            for kind in order:
                for _attempt in range(self.s.max_redraws):
                    got = requests.draw(self.t, kind, truth_cands, rng, absent)
                    if got is None or got.query in seen_queries:
                        self.counts["redraw"] += 1
                        continue
                    if any(t not in to_det for t in got.targets):
                        self.counts["ocr_miss"] += 1
                        continue
                    targets = {to_det[t] for t in got.targets}
                    if requests.select(got.sub, det_cands, got.type, got.label, got.ordinal) != targets:
                        self.counts["ambiguous_after_ocr"] += 1
                        continue
                    seen_queries.add(got.query)
                    out.append(Example("screen", got.query, tuple(cands), frozenset(targets), got.reference, family,
                                       got.template, screen_id, screen_id, text))
                    done = True
                    break
                if done:
                    break
        return out

    def _from_image(self, path: Path, rng: random.Random, index: int) -> List[Example]:
        try:
            data = path.read_bytes()
        except OSError as e:
            raise ItemError("unreadable", e.strerror or str(e)) from None
        image = _open_image(data, self.max_pixels)
        screen_id = f"image-{hashlib.blake2b(data, digest_size=8).hexdigest()}"
        png = encode_png(image)
        read = read_image(image, self.ocr, self.s.detect, self.s.lines, self.counts, png)
        self.ocr_seconds += read.ocr_seconds
        cands = candidates_of(read, image.width, image.height, [""] * len(read.detections))
        det_cands = [requests.Candidate(c.type, "", d.box) for c, d in zip(cands, read.detections)]
        to_det = {i: i for i in range(len(det_cands))}
        examples = self._requests(rng, det_cands, det_cands, to_det, cands, read, screen_id, "images")
        self.pending.append(self._row(screen_id, "images", image, png, read, [], {}, "", "", path.name))
        return examples

    # -- the screens table -----------------------------------------------------------------
    def _row(self, screen_id: str, family: str, image: Image.Image, png: bytes, read: Read, truth: Sequence[TruthElement],
             metrics: Dict[str, float], theme: str, font: str, path: Optional[str] = None) -> dict:
        ls = self.s.lines
        return {
            "screen_id": screen_id, "family": family, "width": image.width, "height": image.height,
            "image": {"bytes": png, "path": path or f"{screen_id}.png"},
            "theme": theme or None, "font": font or None,
            "truth": [{"text": t.text, "bbox": list(t.box.as_tuple()), "kind": t.kind, "row": t.row} for t in truth],
            "words": [{"text": w.text, "bbox": list(w.box.as_tuple()), "conf": float(w.conf), "block": w.block,
                       "par": w.par, "line": w.line} for w in read.words],
            "elements": [{"text": e.text, "bbox": list(e.box.as_tuple())} for e in read.elements],
            "lines": [list(line) for line in read.lines],
            "detections": [{"type": d.type, "text": d.text, "bbox": list(d.box.as_tuple()), "element": d.element}
                           for d in read.detections],
            "entity_recall": metrics.get("entity_recall"), "entity_precision": metrics.get("entity_precision"),
            "line_f1": metrics.get("line_f1"), "line_f1_tesseract": metrics.get("line_f1_tesseract"),
            "lines_mode": ls.mode, "margin": ls.margin, "margin_unit": ls.unit, "word_gap": ls.word_gap,
            "ocr_engine": self.ocr.engine, "ocr_seconds": round(read.ocr_seconds, 4),
        }

    def drain(self) -> List[dict]:
        rows, self.pending = self.pending, []
        return rows


def _open_image(data: bytes, max_pixels: int) -> Image.Image:
    """Decode an image file; ItemError with a reason for empty, non-image, corrupt or huge ones."""
    if not data:
        raise ItemError("empty_file")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            w, h = probe.size
            if w * h > max_pixels:
                raise ItemError("too_large", f"{w}x{h} pixels > screen.max_pixels={max_pixels}")
            probe.load()
            return probe.convert("RGB")
    except ItemError:
        raise
    except Image.DecompressionBombError as e:
        raise ItemError("too_large", str(e)) from None
    except (OSError, SyntaxError, ValueError) as e:
        if "cannot identify" in str(e):
            raise ItemError("not_an_image", "not a format Pillow reads") from None
        raise ItemError("corrupt_image", str(e)[:200]) from None
