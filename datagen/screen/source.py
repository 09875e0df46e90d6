"""Where screens come from when they are not rendered: a folder of screenshots."""

from __future__ import annotations

from pathlib import Path
from typing import List

from datagen.errors import UserError


def list_images(folder: str) -> List[Path]:
    """Every regular, non-hidden file in the folder, sorted by name (non-images are skipped later, with a reason)."""
    path = Path(folder).expanduser()
    if not path.is_dir():
        raise UserError(f"screen.images={folder!r}: not a folder")
    files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
    if not files:
        raise UserError(f"screen.images={folder!r}: the folder is empty")
    return files
