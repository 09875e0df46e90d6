"""Drawing a laid-out screen with Pillow, and the exact truth of what was drawn.

Geometry: pixels of the output image (logical size x `scale`), origin top-left, y down.
Rows are drawn top to bottom; cells of a row share a baseline. A truth element is one cell:
its text, Pillow's tight box of the drawn glyphs, its kind (entity type or "text") and its
row. A cell that would run past the right margin is moved to a row of its own.
"""

from __future__ import annotations

import io
import os
import random
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, ClassVar, Dict, List, Sequence, Tuple

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from datagen.errors import UserError
from datagen.screen.model import Box, TruthElement
from datagen.settings import Settings, number, setting, some_of, span

if TYPE_CHECKING:  # reading the config (RenderSettings) needs neither the families nor Faker
    from datagen.screen.families import LaidCell, ScreenEntity

# typeface name -> (regular, bold) files shipped with matplotlib (DejaVu)
FONT_FILES = {
    "sans": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    "serif": ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf"),
    "mono": ("DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf"),
}
# style -> (size as a multiple of the base size, bold, muted colour)
STYLE = {"h1": (1.5, True, False), "h2": (1.2, True, False), "body": (1.0, False, False),
         "label": (0.9, True, True), "small": (0.85, False, True), "button": (0.9, True, False)}
MARGIN = 20.0  # logical px left/right/top margin
COL2 = 0.36  # x of the second column as a fraction of the width
CELL_GAP = 2.5  # em between cells that flow on one row (wide enough to stay separate elements)
BUTTON_PAD = 0.45  # em of padding around button text
THEMES = ("light", "dark")


@dataclass
class RenderSettings(Settings):
    """How screens are drawn (config group `screen.render`)."""

    PATH: ClassVar[str] = "screen.render"
    width: int = setting(390, "logical px of a phone screen", number(64, 4000, "logical px"))
    height: int = setting(844, "logical px", number(64, 8000, "logical px"))
    scale: float = setting(2.0, "device pixels per logical px: the image is 780x1688 by default", number(0.25, 6))
    base_size: List[float] = setting([14.0, 18.0], "logical px range of body text", span("logical px"))
    line_spacing: List[float] = setting([1.35, 1.7], "row height / font size range", span("multiples"))
    fonts: List[str] = setting(["sans", "serif", "mono"], "DejaVu typefaces from matplotlib", some_of(*FONT_FILES))
    themes: List[str] = setting(["light", "dark"], "colour themes", some_of(*THEMES))
    noise: float = setting(0.0, "grey noise std-dev 0..64, 0 = off (screen.render.noise=8)", number(0, 64))
    blur: float = setting(0.0, "Gaussian blur radius in device px, 0 = off", number(0, what="a radius"))
    jpeg_quality: int = setting(0, "0 = off, else JPEG artefacts at this quality 1..95", number(0, 95, "a quality (0 = off)"))


@dataclass
class Screen:
    image: Image.Image
    truth: List[TruthElement]
    entities: List[ScreenEntity]
    theme: str
    font: str


def font_dir() -> str:
    try:
        import matplotlib
    except ImportError:  # pragma: no cover - a dependency
        raise UserError("matplotlib is not installed: it provides the DejaVu fonts screens are drawn with") from None
    return os.path.join(matplotlib.get_data_path(), "fonts", "ttf")


@lru_cache(maxsize=256)
def font(face: str, bold: bool, size: int) -> ImageFont.FreeTypeFont:
    """The DejaVu font of a typeface (FONT_FILES), bold or not, at a pixel size (cached)."""
    return ImageFont.truetype(os.path.join(font_dir(), FONT_FILES[face][int(bold)]), size)


def _theme(name: str, rng: random.Random) -> Dict[str, Tuple[int, int, int]]:
    if name == "dark":
        bg = rng.randint(12, 36)
        return {"bg": (bg, bg, bg + 4), "fg": (236, 236, 240), "muted": (160, 160, 168),
                "button": (10, 132, 255), "button_fg": (255, 255, 255)}
    bg = rng.randint(242, 255)
    return {"bg": (bg, bg, bg), "fg": (24, 24, 28), "muted": (96, 96, 104),
            "button": (0, 122, 255), "button_fg": (255, 255, 255)}


def render(entities: Sequence[ScreenEntity], rows: Sequence[object], settings: RenderSettings,
           rng: random.Random) -> Screen:
    """Draw rows of LaidCells (floats are gaps in line heights); returns the image and its truth."""
    s = settings.scale
    W, H = int(settings.width * s), int(settings.height * s)
    theme_name, face = rng.choice(settings.themes), rng.choice(settings.fonts)
    colours = _theme(theme_name, rng)
    base = rng.uniform(*settings.base_size) * s
    spacing = rng.uniform(*settings.line_spacing)
    img = Image.new("RGB", (W, H), colours["bg"])
    draw = ImageDraw.Draw(img)
    margin = MARGIN * s
    y = margin
    row_no = 0
    truth: List[TruthElement] = []

    def place_row(cells: List[Tuple[LaidCell, ImageFont.FreeTypeFont, float]]) -> None:
        nonlocal y, row_no
        height = max(f.size for _, f, _ in cells) * spacing
        if y + height > H - margin:
            raise _Full
        ascent = max(f.getmetrics()[0] for _, f, _ in cells)
        baseline = y + (height - max(f.size for _, f, _ in cells)) / 2 + ascent
        for cell, f, x in cells:
            _draw_cell(draw, cell, f, x, baseline, colours)
            x0, y0, x1, y1 = draw.textbbox((x, baseline), cell.text, font=f, anchor="ls")
            kind = entities[cell.entity].entity.type if cell.entity is not None else "text"
            truth.append(TruthElement(cell.text, Box(x0, y0, x1, y1), kind, row_no, cell.entity))
        y += height
        row_no += 1

    try:
        for row in rows:
            if isinstance(row, float):
                y += row * base * spacing
                continue
            line: List[Tuple[LaidCell, ImageFont.FreeTypeFont, float]] = []
            cursor = margin
            for cell in row:
                mult, bold, _ = STYLE[cell.style]
                f = font(face, bold, max(6, round(base * mult)))
                width = f.getlength(cell.text) + (2 * BUTTON_PAD * f.size if cell.style == "button" else 0)
                gap = CELL_GAP * f.size if line else 0.0
                if cell.align == "right":
                    x = W - margin - width
                elif cell.align == "col2":
                    x = max(COL2 * W, cursor + gap)
                else:
                    x = cursor + gap
                if line and (x < cursor + gap or x + width > W - margin):
                    place_row(line)  # no room: the cell goes to a row of its own
                    line, cursor, x = [], margin, margin if cell.align != "right" else W - margin - width
                if x + width > W - margin:
                    continue  # wider than the screen even alone: not drawn
                pad = BUTTON_PAD * f.size if cell.style == "button" else 0.0
                line.append((cell, f, x + pad))
                cursor = x + width
            if line:
                place_row(line)
    except _Full:
        pass
    img = _degrade(img, settings, rng)
    # entities none of whose parts made it onto the screen are not on it
    shown = {t.entity for t in truth if t.entity is not None}
    keep = [i for i in range(len(entities)) if i in shown]
    renumber = {old: new for new, old in enumerate(keep)}
    truth = [TruthElement(t.text, t.box, t.kind, t.row, renumber.get(t.entity)) if t.entity is not None else t
             for t in truth]
    return Screen(img, truth, [entities[i] for i in keep], theme_name, face)


class _Full(Exception):
    """The next row does not fit on the screen."""


def _draw_cell(draw: ImageDraw.ImageDraw, cell: LaidCell, f: ImageFont.FreeTypeFont, x: float, baseline: float,
               colours: Dict[str, Tuple[int, int, int]]) -> None:
    _, _, muted = STYLE[cell.style]
    if cell.style == "button":
        x0, y0, x1, y1 = draw.textbbox((x, baseline), cell.text, font=f, anchor="ls")
        pad = BUTTON_PAD * f.size
        draw.rounded_rectangle((x0 - pad, y0 - pad, x1 + pad, y1 + pad), radius=pad, fill=colours["button"])
        draw.text((x, baseline), cell.text, font=f, fill=colours["button_fg"], anchor="ls")
        return
    draw.text((x, baseline), cell.text, font=f, fill=colours["muted" if muted else "fg"], anchor="ls")


def _degrade(img: Image.Image, settings: RenderSettings, rng: random.Random) -> Image.Image:
    """Optional noise, blur and JPEG artefacts (each off by default)."""
    if settings.noise > 0:
        noise = Image.effect_noise(img.size, settings.noise).convert("RGB")
        img = Image.blend(img, noise, 0.15)
    if settings.blur > 0:
        img = img.filter(ImageFilter.GaussianBlur(settings.blur))
    if settings.jpeg_quality > 0:
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=settings.jpeg_quality)
        buf.seek(0)
        img = Image.open(buf).convert("RGB")
    return img
