"""The screen-to-text step on one image: OCR words -> lines of text elements -> detected entities."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import List, Optional, Union

from PIL import Image

from datagen.screen.detect import DetectSettings, detect
from datagen.screen.lines import LineSettings, read_lines
from datagen.screen.model import Detection, Element, Word
from datagen.screen.ocr import Ocr, preparation
from datagen.screen.ocr_cache import CachedOcr

CACHE_COUNTERS = ("hits", "misses", "recomputed")  # what the OCR cache did, counted per image


@dataclass
class Read:
    """What the screen-to-text step made of an image."""

    words: List[Word]
    elements: List[Element]
    detections: List[Detection]
    lines: List[List[int]]
    ocr_seconds: float
    cache: Counter = field(default_factory=Counter)  # ocr_cache_hits/misses/recomputed for this image
    scale: float = 1.0  # the image was upscaled by this before Tesseract (small text); boxes are in its own pixels
    text_height: Optional[float] = None  # measured median text height in px (None: not measured / no text)
    reread: int = 0  # regions of missed text Tesseract read again
    rechecked: int = 0  # stretches of doubtful words whose second reading replaced the first

    @property
    def prepared(self) -> str:
        """What was done to the image around Tesseract: "x2.5" (upscaled) or "as is", ", 3 re-read", ", 5 rechecked"."""
        return preparation(self.scale, self.reread, self.rechecked)


def read_image(image: Image.Image, ocr: Union[Ocr, CachedOcr], detect_settings: DetectSettings,
               lines: LineSettings, png: Optional[bytes] = None) -> Read:
    """OCR an image (through the cache when there is one) and turn it into lines of elements and detections."""
    before = ocr.stats() if isinstance(ocr, CachedOcr) else None
    t0 = time.perf_counter()
    result = ocr.read(image, png)
    words = result.words
    ocr_seconds = time.perf_counter() - t0
    cache: Counter = Counter()
    if before is not None:
        after = ocr.stats()
        for k in CACHE_COUNTERS:
            cache[f"ocr_cache_{k}"] += after[k] - before[k]
    elements, grouped = read_lines(words, lines, float(image.height))
    detections = detect(elements, detect_settings)
    return Read(words, elements, detections, grouped, ocr_seconds, cache, result.scale, result.text_height,
                result.reread, result.rechecked)
