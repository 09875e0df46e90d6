"""Where screens come from when they are not rendered: a folder of screenshots, decoded."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, List

from PIL import Image

from datagen.errors import ItemError, UserError

if TYPE_CHECKING:
    from datagen.screen.score import ScreenTruth


def list_images(folder: str) -> List[Path]:
    """Every regular, non-hidden file in the folder but truth files, sorted by name (non-images are skipped
    later, with a reason)."""
    path = Path(folder).expanduser()
    if not path.is_dir():
        raise UserError(f"screen.images={folder!r}: not a folder")
    files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")
                   and not p.name.endswith(TRUTH_SUFFIX))
    if not files:
        raise UserError(f"screen.images={folder!r}: the folder is empty")
    if not any(_is_image(p) for p in files):
        raise UserError(f"screen.images={folder!r}: no image among its {len(files)} file(s) (Pillow reads none of them)")
    return files


def _is_image(path: Path) -> bool:
    """Whether Pillow recognises the file's header (cheap: nothing is decoded)."""
    try:
        with Image.open(path):
            return True
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return False


def open_image(data: bytes, max_pixels: int) -> Image.Image:
    """Decode an image file; ItemError with a reason for empty, non-image, corrupt or huge ones."""
    if not data:
        raise ItemError("empty_file")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            w, h = probe.size
            if w * h > max_pixels:
                raise ItemError("too_large", f"{w}x{h} pixels > screen.max_pixels={max_pixels}")
            probe.load()
            return probe.convert("RGB")
    except ItemError:
        raise
    except Image.DecompressionBombError as e:
        raise ItemError("too_large", str(e)) from None
    except (OSError, SyntaxError, ValueError) as e:
        if "cannot identify" in str(e):
            raise ItemError("not_an_image", "not a format Pillow reads") from None
        raise ItemError("corrupt_image", str(e)[:200]) from None


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
