"""A screenshot folder as a user has one, through the real CLI (issue 12, cases 7 and 8): every entry is used or
skipped with a reason in stats.json, and images are read as a viewer shows them (EXIF orientation, transparency,
16-bit grey, CMYK), so Tesseract reads the same text from each."""

from __future__ import annotations

import json
import os
from pathlib import Path

import matplotlib
import numpy as np
import pyarrow.parquet as pq
from PIL import Image, ImageDraw, ImageFont

from conftest import run_cli

LINES = ["Call us at (415) 555-0134 today", "Email help@example.com for a quote", "Visit 221 Main Street, Springfield"]
READ_AS_SHOWN = ["a_plain.png", "c_transparent.png", "d_exif6.jpg", "e_16bit.png", "f_cmyk.jpg"]
SKIPPED = {
    ".DS_Store": "hidden", "b_copy.png": "duplicate", "g_1x1.png": "no_text", "h_white.png": "no_text",
    "i_dangling.png": "broken_link", "j_loop.png": "broken_link", "k_link.png": "duplicate", "notes.txt": "not_an_image",
    "sub": "subfolder", "z_orphan.truth.json": "truth_without_image",
}


def _page(mode: str = "RGB", background=(255, 255, 255), ink=(0, 0, 0)) -> Image.Image:
    font = ImageFont.truetype(str(Path(matplotlib.get_data_path()) / "fonts/ttf/DejaVuSans.ttf"), 28)
    image = Image.new(mode, (900, 300), background if mode != "L" else 255)
    draw = ImageDraw.Draw(image)
    for k, line in enumerate(LINES):
        draw.text((30, 40 + 70 * k), line, font=font, fill=ink if mode != "L" else 0)
    return image


def _folder(d: Path) -> None:
    d.mkdir()
    _page().save(d / "a_plain.png")
    (d / "b_copy.png").write_bytes((d / "a_plain.png").read_bytes())
    _page("RGBA", (0, 0, 0, 0), (0, 0, 0, 255)).save(d / "c_transparent.png")  # black text on nothing
    exif = Image.Exif()
    exif[0x0112] = 6  # stored turned left; a viewer turns it 90 degrees clockwise
    _page().rotate(90, expand=True).save(d / "d_exif6.jpg", exif=exif, quality=95)
    grey = np.asarray(_page("L")).astype("<u2") * 257
    Image.frombytes("I;16", (900, 300), grey.tobytes()).save(d / "e_16bit.png")
    _page().convert("CMYK").save(d / "f_cmyk.jpg", quality=95)
    Image.new("RGB", (1, 1), "white").save(d / "g_1x1.png")
    Image.new("RGB", (800, 600), "white").save(d / "h_white.png")
    os.symlink("nowhere.png", d / "i_dangling.png")
    os.symlink("j_loop.png", d / "j_loop.png")
    os.symlink("a_plain.png", d / "k_link.png")
    (d / "sub").mkdir()
    _page().save(d / "sub" / "inner.png")
    (d / ".DS_Store").write_bytes(b"\0\1")
    (d / "z_orphan.truth.json").write_text("{}")
    (d / "notes.txt").write_text("not a screenshot")


def test_every_entry_is_used_or_skipped_with_a_reason_and_read_as_shown(tmp_path):
    shots, out = tmp_path / "shots", tmp_path / "ds"
    _folder(shots)
    proc = run_cli("+recipe=screen", "screen.source=images", f"screen.images={shots}", f"output.dir={out}",
                   f"hydra.run.dir={tmp_path}/run", "progress=false", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    stats = json.loads((out / "stats.json").read_text())
    skipped = {Path(s["item"]).name: s["reason"] for s in stats["skipped"]["items"]}
    assert skipped == SKIPPED
    screen = stats["subsets"]["screen"]
    assert screen["items"] == len(os.listdir(shots)) == len(SKIPPED) + len(READ_AS_SHOWN)
    rows = [r for p in sorted((out / "screens").glob("*.parquet")) for r in pq.read_table(p).to_pylist()]
    assert len(rows) == len(READ_AS_SHOWN) == len({r["screen_id"] for r in rows})  # one row per distinct screen
    for r in rows:  # each reads as the plain page does: no black page, nothing sideways, no clipped grey
        text = " ".join(w["text"] for w in r["words"])
        assert "555-0134" in text and "help@example.com" in text and "Springfield" in text, text
        assert (r["width"], r["height"]) == (900, 300)
    examples = [r for p in sorted((out / "data").glob("*.parquet")) for r in pq.read_table(p).to_pylist()]
    assert {e["screen_id"] for e in examples} <= {r["screen_id"] for r in rows}
