"""datagen.screen.read with the real Tesseract: what was done to the image before OCR is recorded on
the Read and in its screens-table row, and words, elements and detections of small text are in the
pixels of the image given."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest
from PIL import Image, ImageDraw, ImageFont

from datagen.screen.detect import DetectSettings
from datagen.screen.lines import LineSettings
from datagen.screen.model import Box
from datagen.screen.ocr import Ocr, OcrSettings
from datagen.screen.prepare import encode_png
from datagen.screen.ocr_cache import CachedOcr
from datagen.screen.read import read_image
from datagen.screen.table import SCREEN_SCHEMA, screen_row, screens_table

FONT = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
ROWS = [("Sales", "sales@example.com"), ("Phone", "(206) 555-0142"), ("Support", "help@example.org")]


def contact(size: int) -> tuple:
    """Label/value rows at `size` px on a 24*size-wide page -> (image, {value: drawn box})."""
    font = ImageFont.truetype(str(FONT), size)
    img = Image.new("RGB", (size * 24, size * 12), "white")
    d = ImageDraw.Draw(img)
    boxes = {}
    for i, (label, value) in enumerate(ROWS):
        y = size * (2 + 3 * i)
        d.text((size, y), label, font=font, fill=(40, 40, 40))
        d.text((size * 10, y), value, font=font, fill=(20, 20, 20))
        boxes[value] = Box(*d.textbbox((size * 10, y), value, font=font))
    return img, boxes


def overlaps(a: Box, b: Box) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


@pytest.fixture(scope="module")
def ocr() -> Ocr:
    return Ocr(OcrSettings())


def test_small_text_is_read_upscaled_and_recorded(ocr):
    img, boxes = contact(13)
    read = read_image(img, ocr, DetectSettings(), LineSettings(), encode_png(img))
    assert read.scale > 1 and read.prepared == f"x{read.scale:g}" and read.text_height < 12
    found = {(d.type, d.text): d.box for d in read.detections}
    assert ("EmailAddress", "sales@example.com") in found and ("EmailAddress", "help@example.org") in found
    for (_, text), box in found.items():  # detections sit on what was drawn, in the image's own pixels
        if text in boxes:
            assert overlaps(box, boxes[text]), (text, box, boxes[text])
    row = screen_row("s", "images", img, encode_png(img), read, [], {}, "", "", LineSettings(), ocr.engine)
    assert row["ocr_prepared"] == {"scale": read.scale, "text_height": read.text_height, "reread": read.reread,
                                   "rechecked": read.rechecked}
    table = screens_table([row])
    assert table.schema == SCREEN_SCHEMA
    assert table.column("ocr_prepared").to_pylist() == [{"scale": read.scale, "text_height": read.text_height, "reread": 0,
                                                         "rechecked": read.rechecked}]


def test_large_text_is_read_as_is_and_recorded(ocr, tmp_path):
    img, _ = contact(32)
    read = read_image(img, CachedOcr(ocr, tmp_path), DetectSettings(), LineSettings())
    assert (read.scale, read.prepared) == (1.0, "as is") and read.text_height >= 14
    again = read_image(img, CachedOcr(ocr, tmp_path), DetectSettings(), LineSettings())  # from the cache
    assert again.cache["ocr_cache_hits"] == 1
    assert (again.scale, again.text_height, again.words) == (read.scale, read.text_height, read.words)
    off = read_image(img, Ocr(OcrSettings(min_text_height=0)), DetectSettings(), LineSettings())
    assert off.words == read.words and (off.scale, off.text_height) == (1.0, None)
    row = screen_row("s", "images", img, encode_png(img), off, [], {}, "", "", LineSettings(), ocr.engine)
    assert screens_table([row]).column("ocr_prepared").to_pylist() == [{"scale": 1.0, "text_height": None, "reread": 0,
                                                                                   "rechecked": off.rechecked}]
