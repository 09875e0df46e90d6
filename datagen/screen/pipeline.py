"""The screen subset's generator: one screen, start to end.

render (or load) -> read (OCR, elements, detections, lines: read.py) -> alignment and metrics
against the truth -> requests -> examples, plus the screen's row for the screens table
(table.py). Candidates of a screen example are the detected entities (source=screen, with
boxes). On rendered screens requests are drawn about the rendered entities and their targets
are mapped to detections through the alignment; a request whose target OCR missed is not
emitted (counted as ocr_miss), and one that the detected candidates make ambiguous is not
emitted either (counted as ambiguous_after_ocr).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import asdict
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Union

from datagen.entities import Entity, Pools
from datagen.errors import ItemError
from datagen.example import Example
from datagen.generator import ItemResult
from datagen.screen import align, requests
from datagen.screen.families import Family, layout
from datagen.screen.markers import inject
from datagen.screen.model import TruthElement
from datagen.screen.ocr import Ocr
from datagen.screen.prepare import encode_png
from datagen.screen.ocr_cache import CachedOcr
from datagen.screen.read import Read, read_image
from datagen.screen.render import pick_device, render
from datagen.screen.score import EntityCounts, f1, labels_of, score_entities, screen_lines
from datagen.screen.source import Entry, content_id, open_image, read_truth, truth_path, visible_truth
from datagen.screen.table import screen_row
from datagen.seeding import derive, rng as make_rng

if TYPE_CHECKING:
    from datagen.config import ScreenConfig

MAX_REDRAWS = 12  # draws of one kind of request before another kind is tried
REQUEST_COUNTERS = ("redraw", "ocr_miss", "ambiguous_after_ocr")  # draws that gave no request, by why
IMAGES_FAMILY = "images"  # the family of screenshots read from a folder
RENDERED_EMPTY = 1.0  # recall/precision of a rendered screen with nothing to find / nothing found


def _metrics(entities: EntityCounts, lines: Dict[str, Dict[str, int]], empty: Optional[float] = None) -> Dict[str, object]:
    """A screen's metrics: entity recall/precision (`empty` when there is nothing to find / nothing found),
    line F1 and its plain reference, and the counts they come from."""
    labels, detected = sum(entities.labels.values()), sum(entities.detected.values())
    types = sorted(set(entities.labels) | set(entities.detected))
    return {
        "entity_recall": sum(entities.found.values()) / labels if labels else empty,
        "entity_precision": sum(entities.precise.values()) / detected if detected else empty,
        "line_f1": f1(lines["line"]), "line_f1_plain": f1(lines["plain"]),
        "entity_counts": [{"type": t, "labels": entities.labels[t], "found": entities.found[t],
                           "detected": entities.detected[t], "precise": entities.precise[t]} for t in types],
        "line_pairs": lines["line"], "plain_pairs": lines["plain"],
    }


def candidates_of(read: Read, width: int, height: int, labels: Sequence[str]) -> List[Entity]:
    """The detections as candidate entities (source=screen, normalised boxes)."""
    out = []
    for d, label in zip(read.detections, labels):
        props = (("label", label),) if label else ()
        if d.value:
            props += (("normalized", d.value),)
        out.append(Entity(d.type, d.text, props, d.text, "screen", d.box.normalised(width, height)))
    return out


class ScreenGenerator:
    """Screen examples from rendered screens (with truth) or from a folder of screenshots."""

    subset = "screen"
    max_examples = None

    def __init__(self, pools: Pools, ocr: Union[Ocr, CachedOcr], request_templates: requests.RequestTemplates,
                 families: List[Family], settings: "ScreenConfig", images: Optional[List[Entry]] = None):
        self.pools, self.ocr, self.request_templates = pools, ocr, request_templates
        self.families, self.settings, self.images = families, settings, images
        self.n_items = len(images) if images is not None else settings.size
        self.per_item = settings.requests_per_screen
        mix = asdict(settings.mix)
        self.kinds = [k for k in requests.KINDS if mix.get(k, 0) > 0]
        self.weights = [mix[k] for k in self.kinds]

    def where(self, index: int) -> str:
        return str(self.images[index].path) if self.images is not None else f"item {index}"

    def describe(self) -> dict:
        return {"lines": asdict(self.settings.lines), "ocr_engine": self.ocr.engine}

    def item(self, seed: int, index: int) -> ItemResult:
        """The examples and screens-table row of screen `index`."""
        rng = make_rng(seed, "screen", index)
        counts: Counter = Counter()
        if self.images is not None:
            examples, row, read = self._from_image(self.images[index], rng, counts)
        else:
            examples, row, read = self._rendered(seed, index, rng, counts)
        counts.update(read.cache)
        counts = +counts  # only what happened
        return ItemResult(index, examples, sum(counts[k] for k in REQUEST_COUNTERS), [row], counts, read.ocr_seconds)

    def _rendered(self, seed: int, index: int, rng: random.Random, counts: Counter):
        s = self.settings
        fam = self.families[index % len(self.families)]
        ents, rows = layout(fam, self.pools, rng)
        screen = render(ents, rows, s.render, rng, pick_device(fam.device, s.render, rng))
        image = screen.image
        screen_id = f"{fam.id}-{derive(seed, 'screen', index):016x}"
        png = encode_png(image)  # stored in the screens table and read by Tesseract
        read = read_image(image, self.ocr, s.detect, s.lines, png)
        self._enough_text(read)
        truth_ents = align.truth_entities(screen.truth)
        matched = align.match_entities(read.detections, truth_ents, s.align.min_overlap, s.align.min_similarity)
        scored = align.screen_truth(screen.truth, [e.label for e in screen.entities])
        metrics = _metrics(score_entities(read.detections, scored),
                           screen_lines(scored.fragments, read.words, read.elements, read.lines, float(image.height)),
                           empty=RENDERED_EMPTY)
        labels = [screen.entities[matched[i]].label if i in matched else "" for i in range(len(read.detections))]
        cands = candidates_of(read, image.width, image.height, labels)
        truth_cands = [requests.Candidate(t.type, screen.entities[t.index].label, t.box) for t in truth_ents]
        det_cands = [requests.Candidate(c.type, c.get("label"), d.box) for c, d in zip(cands, read.detections)]
        to_det = {t: d for d, t in matched.items()}
        examples = self._requests(rng, truth_cands, det_cands, to_det, cands, read, screen_id, fam.id, counts)
        row = screen_row(screen_id, fam.id, image, png, read, screen.truth, metrics, screen.theme, screen.font,
                         s.lines, self.ocr.engine, device=screen.device)
        return examples, row, read

    def _from_image(self, entry: Entry, rng: random.Random, counts: Counter):
        if entry.skip is not None:
            raise ItemError(*entry.skip)
        path = entry.path
        try:
            data = path.read_bytes()
        except OSError as e:
            raise ItemError("unreadable", e.strerror or str(e)) from None
        image = open_image(data, self.settings.max_pixels)
        truth = read_truth(truth_path(path)) if truth_path(path).is_file() else None
        if truth is not None:
            truth, hidden = visible_truth(truth, image)
            counts["truth_not_visible"] += hidden
        screen_id = content_id(data)
        png = encode_png(image)
        read = read_image(image, self.ocr, self.settings.detect, self.settings.lines, png)
        self._enough_text(read)
        labels = labels_of(read.detections, truth) if truth is not None else [""] * len(read.detections)
        cands = candidates_of(read, image.width, image.height, labels)
        det_cands = [requests.Candidate(c.type, label, d.box) for c, d, label in zip(cands, read.detections, labels)]
        to_det = {i: i for i in range(len(det_cands))}
        examples = self._requests(rng, det_cands, det_cands, to_det, cands, read, screen_id, IMAGES_FAMILY, counts)
        metrics: Dict[str, object] = {}
        drawn: List[TruthElement] = []
        if truth is not None:
            metrics = _metrics(score_entities(read.detections, truth),
                               screen_lines(truth.fragments, read.words, read.elements, read.lines, float(image.height)))
            drawn = [TruthElement(f.text, f.box, "text", -1 if f.row is None else f.row) for f in truth.fragments]
            drawn += [TruthElement(e.text, b, f"{e.type} (part)" if e.partial else e.type, -1)
                      for e in truth.entities for b in e.boxes]
        row = screen_row(screen_id, IMAGES_FAMILY, image, png, read, drawn, metrics, "", "", self.settings.lines,
                         self.ocr.engine, path.name)
        return examples, row, read

    def _enough_text(self, read: Read) -> None:
        """A screen where OCR found too few words to ask about is skipped, not made into "none" examples."""
        if len(read.words) < self.settings.min_words:
            raise ItemError("no_text", f"OCR found {len(read.words)} word(s); screen.min_words={self.settings.min_words}")

    def _requests(self, rng: random.Random, truth_cands, det_cands, to_det: Dict[int, int], cands: List[Entity],
                  read: Read, screen_id: str, family: str, counts: Counter) -> List[Example]:
        text = inject(read)
        types_present = {c.type for c in truth_cands} | {c.type for c in det_cands}
        absent = sorted(set(self.request_templates.types) - types_present)
        out: List[Example] = []
        seen_queries = set()
        for _ in range(self.settings.requests_per_screen):
            # the kind is drawn once and kept while its draws fail, so the mix holds on screens
            # that allow some kinds less often; only then do the other kinds get a chance
            first = rng.choices(self.kinds, self.weights)[0]
            others = [k for k in self.kinds if k != first]
            order = [first] + rng.sample(others, len(others))
            done = False
            for kind in order:
                for _attempt in range(MAX_REDRAWS):
                    got = requests.draw(self.request_templates, kind, truth_cands, rng, absent)
                    if got is None or got.query in seen_queries:
                        counts["redraw"] += 1
                        continue
                    if any(t not in to_det for t in got.targets):
                        counts["ocr_miss"] += 1
                        continue
                    targets = {to_det[t] for t in got.targets}
                    if requests.select(got.sub, det_cands, got.type, got.label, got.ordinal) != targets:
                        counts["ambiguous_after_ocr"] += 1
                        continue
                    seen_queries.add(got.query)
                    out.append(Example("screen", got.query, tuple(cands), frozenset(targets), got.reference, family,
                                       got.template, screen_id, screen_id, text))
                    done = True
                    break
                if done:
                    break
        return out
