"""Where screens come from when they are not rendered: a folder of screenshots, decoded."""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import stat
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

from PIL import Image, ImageOps

from datagen.errors import ItemError, UserError

if TYPE_CHECKING:
    from datagen.screen.model import Box
    from datagen.screen.score import ScreenTruth


@dataclass(frozen=True)
class Entry:
    """One entry of a screenshot folder: an item of the screen subset, used or skipped with a reason.

    Reasons known from the listing alone (a subfolder, a link that cannot be followed, a hidden file,
    a truth file without its image, a second copy of the same bytes) are decided here, so every
    entry is counted and listed in stats.json like any other skipped item."""

    path: Path
    skip: Optional[Tuple[str, str]] = None  # (reason, detail)


def list_images(folder: str) -> List[Entry]:
    """Every entry of the folder, sorted by name, but the truth files that go with an image (read with it)."""
    path = Path(folder).expanduser()
    if not path.is_dir():
        raise UserError(f"screen.images={folder!r}: not a folder")
    names = sorted(path.iterdir())
    if not names:
        raise UserError(f"screen.images={folder!r}: the folder is empty")
    others = {p.name for p in names if not p.name.endswith(TRUTH_SUFFIX)}
    entries = []
    for p in names:
        if p.name.endswith(TRUTH_SUFFIX):
            stem = p.name[: -len(TRUTH_SUFFIX)]
            if not any(o.rsplit(".", 1)[0] == stem for o in others):
                entries.append(Entry(p, ("truth_without_image", f"no image named {stem}.*")))
            continue
        entries.append(Entry(p, _listing_problem(p)))
    entries = _mark_duplicates(entries)
    if not any(e.skip is None and _is_image(e.path) for e in entries):
        raise UserError(f"screen.images={folder!r}: no image among its {len(entries)} entries (Pillow reads none "
                        "of them)")
    return entries


def _listing_problem(p: Path) -> Optional[Tuple[str, str]]:
    """Why an entry cannot be a screenshot, as far as the listing tells; None if it may be one."""
    if p.name.startswith("."):
        return ("hidden", "a hidden file")
    try:
        st = p.stat()  # follows links
    except OSError as e:
        if p.is_symlink():
            target = os.readlink(p)
            loop = e.errno == errno.ELOOP
            return ("broken_link", f"a link loop ({target})" if loop else f"links to {target}, which does not exist")
        return ("unreadable", e.strerror or str(e))
    if stat.S_ISDIR(st.st_mode):
        return ("subfolder", "subfolders are not read (give each folder as its own screen.images)")
    if not stat.S_ISREG(st.st_mode):
        return ("not_a_file", "not a regular file (a pipe, socket or device)")
    return None


def _mark_duplicates(entries: List[Entry]) -> List[Entry]:
    """A file with the same bytes as an earlier one (by name) is skipped as `duplicate`: one screen, one row.
    Only files of equal size are read and hashed."""
    by_size: Dict[int, List[int]] = defaultdict(list)
    for k, e in enumerate(entries):
        if e.skip is None:
            by_size[e.path.stat().st_size].append(k)
    out = list(entries)
    for same in by_size.values():
        first: Dict[str, Path] = {}
        for k in same if len(same) > 1 else ():
            try:
                digest = content_id(entries[k].path.read_bytes())
            except OSError:
                continue  # skipped as unreadable when its item is made
            if digest in first:
                out[k] = Entry(entries[k].path, ("duplicate", f"the same bytes as {first[digest].name}"))
            else:
                first[digest] = entries[k].path
    return out


def content_id(data: bytes) -> str:
    """A screenshot's screen_id: its bytes' hash, so the same file is the same screen in every run."""
    return f"image-{hashlib.blake2b(data, digest_size=8).hexdigest()}"


def _is_image(path: Path) -> bool:
    """Whether Pillow recognises the file's header (cheap: nothing is decoded)."""
    try:
        with Image.open(path):
            return True
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return False


def open_image(data: bytes, max_pixels: int) -> Image.Image:
    """Decode an image file as a viewer shows it (RGB; ItemError with a reason for empty, non-image, corrupt or
    huge ones): EXIF orientation applied, transparency flattened onto white, 16-bit grey scaled to 8 bits,
    CMYK and palettes converted."""
    if not data:
        raise ItemError("empty_file")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            w, h = probe.size
            if w * h > max_pixels:
                raise ItemError("too_large", f"{w}x{h} pixels > screen.max_pixels={max_pixels}")
            probe.load()
            return _as_shown(probe)
    except ItemError:
        raise
    except Image.DecompressionBombError as e:
        raise ItemError("too_large", str(e)) from None
    except (OSError, SyntaxError, ValueError) as e:
        if "cannot identify" in str(e):
            raise ItemError("not_an_image", "not a format Pillow reads") from None
        raise ItemError("corrupt_image", str(e)[:200]) from None


def _as_shown(image: Image.Image) -> Image.Image:
    image = ImageOps.exif_transpose(image)
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):  # 16-bit (or wider) grey
        wide = image.convert("I") if image.mode.startswith("I;16") else image
        top = wide.getextrema()[1] or 1
        image = wide.point(lambda v: v * (255.0 / (65535 if top > 255 else 255))).convert("L")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        return Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba).convert("RGB")
    return image.convert("RGB")


TRUTH_SUFFIX = ".truth.json"  # N.png's truth is N.truth.json beside it
TRUTH_FORMAT = 1


def truth_path(image: Path) -> Path:
    """Where an image's truth file is: beside it, named <stem>.truth.json."""
    return image.with_name(image.stem + TRUTH_SUFFIX)


def read_truth(path: Path) -> "ScreenTruth":
    """A truth file (README: "Annotated screenshots") as ScreenTruth; ItemError("bad_truth", why) if malformed."""
    from datagen.screen.model import Box
    from datagen.screen.score import Fragment, ScreenTruth, TruthEntity

    def box(v: Any, where: str) -> Box:
        if not (isinstance(v, list) and len(v) == 4 and all(isinstance(x, (int, float)) for x in v)
                and v[0] <= v[2] and v[1] <= v[3]):
            raise ItemError("bad_truth", f"{path.name}: {where}: expected a box [x0, y0, x1, y1], got {v!r}"[:300])
        return Box(*map(float, v))

    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ItemError("bad_truth", f"{path.name}: {e}"[:300]) from None
    if not isinstance(doc, dict) or doc.get("datagen_truth") != TRUTH_FORMAT:
        raise ItemError("bad_truth", f"{path.name}: not a datagen truth file (needs \"datagen_truth\": {TRUTH_FORMAT})")
    fragments, entities = [], []
    try:
        for k, f in enumerate(doc.get("fragments") or []):
            row = f.get("row")
            fragments.append(Fragment(str(f["text"]), box(f["box"], f"fragments[{k}].box"),
                                      int(row) if row is not None else None))
        for k, e in enumerate(doc.get("entities") or []):
            boxes = tuple(box(b, f"entities[{k}].boxes") for b in e["boxes"])
            if not boxes:
                raise ItemError("bad_truth", f"{path.name}: entities[{k}] has no boxes")
            partial = e.get("partial", False)
            if not isinstance(partial, bool):
                raise ItemError("bad_truth", f"{path.name}: entities[{k}].partial: expected true or false, got {partial!r}")
            entities.append(TruthEntity(str(e["type"]), str(e["text"]), boxes, str(e.get("label") or ""),
                                        str(e.get("value") or ""), partial))
        annotated = tuple(str(t) for t in doc.get("annotated") or sorted({e.type for e in entities}))
    except (KeyError, TypeError, AttributeError, ValueError) as e:
        raise ItemError("bad_truth", f"{path.name}: {type(e).__name__}: {e}"[:300]) from None
    return ScreenTruth(tuple(fragments), tuple(entities), annotated)


INK_RANGE = 32  # a box whose lightest and darkest grey differ by less than this (of 255) shows nothing


def shows_ink(image: Image.Image, box: "Box") -> bool:
    """Whether a box of the image holds any mark: text, even light grey on white, differs from its background."""
    x0, y0 = max(0, int(box.x0)), max(0, int(box.y0))
    x1, y1 = min(image.width, int(round(box.x1))), min(image.height, int(round(box.y1)))
    if x1 <= x0 or y1 <= y0:
        return False
    lo, hi = image.crop((x0, y0, x1, y1)).convert("L").getextrema()
    return hi - lo >= INK_RANGE


def visible_truth(truth: "ScreenTruth", image: Image.Image) -> Tuple["ScreenTruth", int]:
    """The truth without the entities no box of which shows anything on the image (text the page hid under
    an overlay, white on white, outside the picture: no reader can find them, and no request may be made
    about them), and how many were dropped (counted in stats.json as truth.not_visible)."""
    kept = tuple(e for e in truth.entities if any(shows_ink(image, b) for b in e.boxes))
    return replace(truth, entities=kept), len(truth.entities) - len(kept)
