"""The screens table: one row per screen (image, truth, OCR words, elements, lines, detections,
metrics and the settings it was read with), its explicit Arrow schema, and how a row is made.

The settings columns come from one table, SETTING_COLUMNS (column -> field of LineSettings), so
the schema and every row name each setting once.
"""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence

import pyarrow as pa

from datagen.screen.lines import LineSettings
from datagen.screen.model import TruthElement

if TYPE_CHECKING:  # the schema is needed without the OCR stack (text-only runs, merge)
    from PIL import Image

    from datagen.screen.read import Read

BOX = pa.list_(pa.float32())  # x0, y0, x1, y1 in image pixels
METRICS = ("entity_recall", "entity_precision", "line_f1", "line_f1_plain")  # per screen, where truth exists
PAIRS = pa.struct([("tp", pa.int32()), ("fp", pa.int32()), ("fn", pa.int32())])  # "same row" element pairs
# screens-table column -> the LineSettings field it records
SETTING_COLUMNS = {"lines_mode": "mode", "margin": "margin", "margin_unit": "unit", "line_reference": "reference",
                   "word_gap": "word_gap", "line_anchor": "anchor"}
_ARROW = {"str": pa.string(), "float": pa.float64(), "int": pa.int64()}
_LINE_TYPES = {f.name: f.type for f in fields(LineSettings)}

SCREEN_SCHEMA = pa.schema([
    ("screen_id", pa.string()),
    ("family", pa.string()),
    ("device", pa.string()),  # phone, desktop or mobile (rendered screens); null for screenshots
    ("width", pa.int32()),
    ("height", pa.int32()),
    ("image", pa.struct([("bytes", pa.binary()), ("path", pa.string())])),
    ("theme", pa.string()),
    ("font", pa.string()),
    # bbox: the drawn glyphs' tight box; line_bbox: the box a browser reports (rows are compared on it)
    ("truth", pa.list_(pa.struct([("text", pa.string()), ("bbox", BOX), ("kind", pa.string()), ("row", pa.int32()),
                                  ("line_bbox", BOX)]))),
    ("words", pa.list_(pa.struct([("text", pa.string()), ("bbox", BOX), ("conf", pa.float32()), ("block", pa.int32()),
                                  ("par", pa.int32()), ("line", pa.int32())]))),
    ("elements", pa.list_(pa.struct([("text", pa.string()), ("bbox", BOX)]))),
    ("lines", pa.list_(pa.list_(pa.int32()))),
    ("detections", pa.list_(pa.struct([("type", pa.string()), ("text", pa.string()), ("bbox", BOX),
                                       ("element", pa.int32())]))),
    *[(m, pa.float64()) for m in METRICS],
    ("entity_counts", pa.list_(pa.struct([("type", pa.string()), ("labels", pa.int32()), ("found", pa.int32()),
                                          ("detected", pa.int32()), ("precise", pa.int32())]))),
    ("line_pairs", PAIRS),
    ("plain_pairs", PAIRS),
    *[(column, _ARROW[_LINE_TYPES[name]]) for column, name in SETTING_COLUMNS.items()],
    ("ocr_engine", pa.string()),
    # what was done to the image before Tesseract: the upscale factor (1 = read as is) and the
    # measured median text height in px it was chosen from (null: not measured or no text found), and how
    # many regions of missed text were read again (screen.ocr.reread_regions), how many stretches of doubtful
    # words were replaced by their second reading (screen.ocr.recheck_conf)
    ("ocr_prepared", pa.struct([("scale", pa.float32()), ("text_height", pa.float32()), ("reread", pa.int32()),
                                ("rechecked", pa.int32())])),
])
SCREEN_ROW_GROUP = 64  # screens per Parquet row group (each row carries its image)


def screen_row(screen_id: str, family: str, image: "Image.Image", png: bytes, read: "Read",
               truth: Sequence[TruthElement], metrics: Dict[str, float], theme: str, font: str,
               lines: LineSettings, engine: str, path: Optional[str] = None, device: Optional[str] = None) -> dict:
    """The screens-table row of one screen (a dict of SCREEN_SCHEMA's columns)."""
    row = {
        "screen_id": screen_id, "family": family, "device": device, "width": image.width, "height": image.height,
        "image": {"bytes": png, "path": path or f"{screen_id}.png"},
        "theme": theme or None, "font": font or None,
        "truth": [{"text": t.text, "bbox": list(t.box.as_tuple()), "kind": t.kind, "row": t.row,
                   "line_bbox": list(t.fragment_box.as_tuple())} for t in truth],
        "words": [{"text": w.text, "bbox": list(w.box.as_tuple()), "conf": float(w.conf), "block": w.block,
                   "par": w.par, "line": w.line} for w in read.words],
        "elements": [{"text": e.text, "bbox": list(e.box.as_tuple())} for e in read.elements],
        "lines": [list(line) for line in read.lines],
        "detections": [{"type": d.type, "text": d.text, "bbox": list(d.box.as_tuple()), "element": d.element}
                       for d in read.detections],
        "ocr_engine": engine,
        "ocr_prepared": {"scale": read.scale, "text_height": read.text_height, "reread": read.reread,
                         "rechecked": read.rechecked},
    }
    row.update({m: metrics.get(m) for m in (*METRICS, "entity_counts", "line_pairs", "plain_pairs")})
    row.update({column: getattr(lines, name) for column, name in SETTING_COLUMNS.items()})
    return row


def screens_table(rows: List[dict]) -> pa.Table:
    """Screen rows as an Arrow table of SCREEN_SCHEMA."""
    return pa.Table.from_pylist(rows, schema=SCREEN_SCHEMA)
