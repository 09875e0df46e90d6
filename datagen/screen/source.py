"""Where screens come from when they are not rendered: a folder of screenshots, decoded."""

from __future__ import annotations

import io
from pathlib import Path
from typing import List

from PIL import Image

from datagen.errors import ItemError, UserError


def list_images(folder: str) -> List[Path]:
    """Every regular, non-hidden file in the folder, sorted by name (non-images are skipped later, with a reason)."""
    path = Path(folder).expanduser()
    if not path.is_dir():
        raise UserError(f"screen.images={folder!r}: not a folder")
    files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
    if not files:
        raise UserError(f"screen.images={folder!r}: the folder is empty")
    return files


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
