"""Preview images: a screen with its truth, OCR elements and detected entities drawn on it."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw

from datagen.screen.render import font as load_font

# what is drawn -> (colour, label position): truth in green, OCR elements in blue, detections in red
COLOURS = {"truth": (0, 170, 70), "ocr": (30, 110, 255), "detected": (230, 30, 30)}
LABEL_SIZE = 16  # px


def draw_preview(row: dict) -> Image.Image:
    """The screens-table row's image with three layers of labelled boxes and a legend."""
    img = Image.open(io.BytesIO(row["image"]["bytes"])).convert("RGB")
    draw = ImageDraw.Draw(img)
    font = load_font("sans", True, LABEL_SIZE)
    captioned = set()  # an annotated entity over several boxes is captioned once
    for t in row["truth"]:
        draw.rectangle(t["bbox"], outline=COLOURS["truth"], width=2)
        if t["kind"] != "text" and (t["kind"], t["text"]) not in captioned:
            captioned.add((t["kind"], t["text"]))
            at = f" r{t['row']}" if t["row"] is not None and t["row"] >= 0 else ""  # annotated truth: no rows
            draw.text((t["bbox"][0], t["bbox"][3] + 1), f"truth {t['kind']}{at}", font=font, fill=COLOURS["truth"])
    for e in row["elements"]:
        x0, y0, x1, y1 = e["bbox"]
        draw.rectangle((x0 - 3, y0 - 3, x1 + 3, y1 + 3), outline=COLOURS["ocr"], width=1)
    for d in row["detections"]:
        x0, y0, x1, y1 = d["bbox"]
        draw.rectangle((x0 - 6, y0 - 6, x1 + 6, y1 + 6), outline=COLOURS["detected"], width=3)
        draw.text((x0, y0 - 6 - LABEL_SIZE - 2), f"detected {d['type']}", font=font, fill=COLOURS["detected"])
    y = img.height - 3 * (LABEL_SIZE + 6) - 10
    for name, colour in COLOURS.items():
        draw.rectangle((10, y, 10 + LABEL_SIZE, y + LABEL_SIZE), outline=colour, width=3)
        draw.text((16 + LABEL_SIZE, y), {"truth": "truth (rendered or annotated)", "ocr": "OCR text elements",
                                         "detected": "detected entities"}[name], font=font, fill=colour)
        y += LABEL_SIZE + 6
    return img


def write_preview(row: dict, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{row['screen_id']}.png"
    tmp = folder / f".{path.name}.tmp"
    draw_preview(row).save(tmp, "PNG")
    tmp.replace(path)
    return path
