"""Drawing a laid-out screen with Pillow, and the exact truth of what was drawn.

Geometry: pixels of the output image (logical size x `scale`), origin top-left, y down.
Rows are drawn top to bottom inside a horizontal range (the page, a column, a band, a bubble);
cells of a row share a baseline. A truth element is one piece of text as a browser would
report it: a cell, or one visual line of one run of a paragraph (a wrapped entity gives one
element per line, all with the same entity index). Its box is Pillow's tight box of the drawn
glyphs; its row is the visual line it was drawn on (rows of side-by-side columns are numbered
column after column; scoring compares rows by their boxes, as on real pages). A cell that would
run past the right edge goes to a row of its own; rows below the screen's bottom are not drawn.

Devices: a family is a phone app screen (`phone`) or a web page, drawn at desktop width
(`desktop`) or at a phone browser's width (`mobile`); each device has its own size, scale,
text size, line spacing and typefaces (RenderSettings.phone/desktop/mobile).
"""

from __future__ import annotations

import io
import math
import os
import random
from dataclasses import dataclass, make_dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, ClassVar, Dict, List, Optional, Sequence, Tuple

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from datagen.errors import UserError
from datagen.screen.model import MARKED, Box, TruthElement
from datagen.settings import Settings, group, number, setting, some_of, span

if TYPE_CHECKING:  # reading the config (RenderSettings) needs neither the families nor Faker
    from datagen.screen.families import LaidBlock, LaidCell, ScreenEntity

# typeface name -> (regular, bold) files shipped with matplotlib (DejaVu; STIX is a Times look-alike,
# the serif a browser shows a page without stylesheet in)
FONT_FILES = {
    "sans": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    "serif": ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf"),
    "mono": ("DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf"),
    "times": ("STIXGeneral.ttf", "STIXGeneralBol.ttf"),
}
# style -> (size as a multiple of the base size, bold, colour role)
STYLE = {"h1": (1.6, True, "fg"), "h2": (1.3, True, "fg"), "h3": (1.12, True, "fg"), "body": (1.0, False, "fg"),
         "label": (0.9, True, "muted"), "small": (0.82, False, "muted"), "button": (0.9, True, "button_fg"),
         "link": (1.0, False, "link"), "nav": (0.95, False, "link"), "badge": (0.75, True, "button_fg"),
         "input": (0.9, False, "placeholder"), "bold": (1.0, True, "fg")}
# em above and below the baseline of a line of text as a browser lays it out (its content area); STIX's own
# metrics make room for stacked accents, so the Times look-alike gets Times New Roman's
LINE_METRICS = {"times": (0.891, 0.216)}
UNDERLINED = ("link", "nav")  # styles drawn underlined, as links are
UNDERLINE_OFFSET = 0.1  # em below the baseline
BOXED = {"button": 0.45, "badge": 0.3, "input": 0.35}  # styles drawn on a box: em of padding around the text
BOX_ABOVE, BOX_BELOW = 0.8, 0.25  # em a box's text spans above and below its baseline, padding not counted
BOX_SPACE = 0.3  # em between a box and the next row: a row of buttons or fields is as tall as they are
INPUT_EM = 11.0  # an input field is at least this many em wide
MARGIN = 20.0  # logical px left/right/top margin of a phone screen
WEB_MARGIN = 8.0  # logical px: a browser's default body margin
COL2 = 0.36  # x of the second column as a fraction of the width
CELL_GAP = 2.5  # em between cells that flow on one row (wide enough to stay separate elements)
BULLET_INDENT = 2.5  # em a bulleted list is indented by (a browser's 40 px at 16 px)
BAND_PAD = 0.6  # em of padding inside a band (a coloured header, footer or tab bar)
BUBBLE_PAD = 0.6  # em of padding inside a chat bubble
BUBBLE_WIDTH = 0.72  # a chat bubble's largest width as a share of the screen's
NARROW = 700.0  # logical px: screens narrower than this stack `stack: true` columns
THEMES = ("light", "dark")
BANDS = ("brand", "dark", "light")
DEVICE_OF = {"phone": ("phone",), "web": ("desktop", "mobile")}


def _device(name: str, doc: str, width: List[float], height: float, scale: List[float], base: List[float],
            spacing: List[float], fonts: List[str]) -> type:
    """The settings group of one device (screen.render.<name>), with its own defaults."""
    cls = make_dataclass(f"{name.title()}Device", [
        ("width", List[float], setting(width, "[min, max] logical px of the screen width", span("logical px", 64, 4000))),
        ("height", float, setting(height, "logical px", number(64, 8000, "logical px"))),
        ("scale", List[float], setting(scale, "[min, max] device pixels per logical px", span("multiples", 0.25, 6))),
        ("base_size", List[float], setting(base, "[min, max] logical px of body text", span("logical px", 4, 200))),
        ("line_spacing", List[float], setting(spacing, "[min, max] row height / font size (never below the font's own line height)", span("multiples", 0.8, 4))),
        ("fonts", List[str], setting(fonts, "typefaces to draw with (times: a Times look-alike)", some_of(*FONT_FILES))),
    ], bases=(Settings,), namespace={"PATH": f"screen.render.{name}", "__doc__": doc, "__module__": __name__})
    globals()[cls.__name__] = cls  # picklable under its name
    return cls


PhoneDevice = _device("phone", "A phone app screen (families with device: phone).",
                      [390.0, 390.0], 844.0, [2.0, 2.0], [14.0, 18.0], [1.35, 1.7], ["sans", "serif", "mono"])
DesktopDevice = _device("desktop", "A web page in a desktop browser (families with device: web).",
                        [1280.0, 1280.0], 1600.0, [1.0, 1.0], [12.0, 16.0], [1.12, 1.2], ["times", "sans", "serif"])
MobileDevice = _device("mobile", "A web page in a phone browser (families with device: web).",
                       [360.0, 430.0], 915.0, [2.0, 3.0], [14.0, 16.0], [1.12, 1.2], ["times", "sans", "serif"])


@dataclass
class RenderSettings(Settings):
    """How screens are drawn (config group `screen.render`). The defaults match real screenshots: clean
    captures (no noise, blur, JPEG or tilt), web text 12-16 px (14-16 in a phone browser); raise noise, blur,
    jpeg_quality, tilt or lower contrast for harder screens, or widen the devices' text sizes and spacings
    (README: "Difficulty")."""

    PATH: ClassVar[str] = "screen.render"
    phone: PhoneDevice = group(PhoneDevice, "phone app screens: 390x844 logical px at scale 2 (780x1688 images)")
    desktop: DesktopDevice = group(DesktopDevice, "web pages at desktop width: 1280x1600 at scale 1")
    mobile: MobileDevice = group(MobileDevice, "web pages in a phone browser: 360-430 px wide at scale 2-3")
    mobile_share: float = setting(0.5, "share of web-family screens drawn at mobile width (the rest: desktop)",
                                  number(0, 1, "a share"))
    themes: List[str] = setting(["light", "dark"], "colour themes of phone screens (web pages are light)",
                                some_of(*THEMES))
    contrast: List[float] = setting([1.0, 1.0], "[min, max] text contrast: 1 = the theme's, 0.3 = faint grey",
                                    span("a share", 0.1, 1))
    noise: float = setting(0.0, "grey noise std-dev 0..64, 0 = off (screen.render.noise=8)", number(0, 64))
    blur: float = setting(0.0, "Gaussian blur radius in device px, 0 = off", number(0, what="a radius"))
    jpeg_quality: int = setting(0, "0 = off, else JPEG artefacts at this quality 1..95", number(0, 95, "a quality (0 = off)"))
    tilt: float = setting(0.0, "max degrees a screen is turned by (a photographed screen), 0 = off",
                          number(0, 10, "degrees"))


@dataclass
class Screen:
    image: Image.Image
    truth: List[TruthElement]
    entities: List[ScreenEntity]
    theme: str
    font: str
    device: str = "phone"


def font_dir() -> str:
    try:
        import matplotlib
    except ImportError:  # pragma: no cover - a dependency
        raise UserError("matplotlib is not installed: it provides the DejaVu fonts screens are drawn with") from None
    return os.path.join(matplotlib.get_data_path(), "fonts", "ttf")


@lru_cache(maxsize=512)
def font(face: str, bold: bool, size: int) -> ImageFont.FreeTypeFont:
    """The font of a typeface (FONT_FILES), bold or not, at a pixel size (cached)."""
    # the basic layout engine: the same glyph positions whether or not libraqm is installed (same bytes on
    # every machine), and STIX's spacing stays right at web sizes (raqm spreads its letters apart)
    return ImageFont.truetype(os.path.join(font_dir(), FONT_FILES[face][int(bold)]), size,
                              layout_engine=ImageFont.Layout.BASIC)


def pick_device(kind: str, settings: RenderSettings, rng: random.Random) -> str:
    """The device a family of this kind (phone, web) is drawn on."""
    if kind == "web":
        return "mobile" if rng.random() < settings.mobile_share else "desktop"
    return "phone"


Colour = Tuple[int, int, int]


def _theme(name: str, rng: random.Random, contrast: float) -> Dict[str, Colour]:
    if name == "dark":
        bg = rng.randint(12, 36)
        out = {"bg": (bg, bg, bg + 4), "fg": (236, 236, 240), "muted": (160, 160, 168), "link": (100, 170, 255),
               "button": (10, 132, 255), "button_fg": (255, 255, 255), "placeholder": (140, 140, 148),
               "line": (70, 70, 76), "icon": (150, 150, 160)}
    else:
        bg = rng.randint(242, 255)
        out = {"bg": (bg, bg, bg), "fg": (24, 24, 28), "muted": (96, 96, 104), "link": (0, 0, 238),
               "button": (0, 122, 255), "button_fg": (255, 255, 255), "placeholder": (117, 117, 117),
               "line": (190, 190, 196), "icon": (110, 110, 120)}
    return {k: _toward(v, out["bg"], contrast) if k in ("fg", "muted", "link", "placeholder") else v
            for k, v in out.items()}


def _toward(c: Colour, bg: Colour, contrast: float) -> Colour:
    return tuple(round(b + (x - b) * contrast) for x, b in zip(c, bg))  # type: ignore[return-value]


def _band_colours(kind: str, base: Dict[str, Colour], rng: random.Random) -> Dict[str, Colour]:
    """Colours on a band: white on a brand colour, light on dark, or dark on a light grey."""
    if kind == "light":  # a shade off the page: lighter grey on a light theme, a lifted grey on a dark one
        g = rng.randint(228, 240) if sum(base["bg"]) > 384 else rng.randint(40, 56)
        return {**base, "bg": (g, g, g + 2)}
    if kind == "dark":
        g = rng.randint(30, 60)
        bg: Colour = (g, g, g + 6)
    else:
        bg = rng.choice([(0, 94, 184), (180, 30, 45), (20, 120, 80), (90, 40, 140), (200, 90, 10)])
    return {**base, "bg": bg, "fg": (255, 255, 255), "muted": (225, 225, 232), "link": (255, 255, 255),
            "icon": (235, 235, 240)}


class _Canvas:
    """One screen being drawn: the image, the truth so far and the typographic choices made for it."""

    def __init__(self, img: Image.Image, entities: Sequence[ScreenEntity], face: str, base: float, spacing: float,
                 bottom: float, scale: float, rng: random.Random):
        self.img, self.draw = img, ImageDraw.Draw(img)
        self.scale = scale
        self.entities, self.face, self.base, self.spacing = entities, face, base, spacing
        self.bottom = bottom  # rows that would end below this are not drawn
        self.rng = rng
        self.truth: List[TruthElement] = []
        self.row_no = 0

    def metrics(self, f: ImageFont.FreeTypeFont) -> Tuple[float, float]:
        """Ascent and descent in px of a font of this screen's typeface (LINE_METRICS or the font's own)."""
        if self.face in LINE_METRICS:
            a, d = LINE_METRICS[self.face]
            return a * f.size, d * f.size
        return tuple(map(float, f.getmetrics()))  # type: ignore[return-value]

    def pitch(self, f: ImageFont.FreeTypeFont) -> float:
        """Height of a row of text in this font: the line spacing, never less than the text itself."""
        return max(f.size * self.spacing, sum(self.metrics(f)))

    def font(self, style: str) -> ImageFont.FreeTypeFont:
        mult, bold, _ = STYLE[style]
        return font(self.face, bold, max(6, round(self.base * mult)))

    # -- flows -------------------------------------------------------------------------------------------
    def flow(self, items: Sequence[object], x0: float, x1: float, y: float, colours: Dict[str, Colour],
             draw: bool) -> float:
        """Draw (or only measure, draw=False) rows top to bottom in [x0, x1] from y; returns the y below them."""
        for item in items:
            if isinstance(item, float):
                y += item * self.base * self.spacing
            elif isinstance(item, list):
                y = self._cells(item, x0, x1, y, colours, draw)
            else:
                y = self._block(item, x0, x1, y, colours, draw)
        return y

    def _block(self, b: LaidBlock, x0: float, x1: float, y: float, colours: Dict[str, Colour], draw: bool) -> float:
        em = self.base
        if b.kind == "columns":
            total = sum(b.widths)
            if b.stack and self.img.width / self.scale < NARROW:
                for part in b.parts:
                    y = self.flow(part, x0, x1, y, colours, draw)
                return y
            gap = b.gap * em
            usable = x1 - x0 - gap * (len(b.parts) - 1)
            widths = _fit_columns([usable * w / total for w in b.widths], [self._min_width(p) for p in b.parts])
            if widths is None:  # even at their narrowest they do not fit: the page gets wider than the screen
                widths = [self._min_width(p) for p in b.parts]  # (what runs off the right edge is not drawn)
            xs, cx = [], x0
            for w in widths:
                xs.append((cx, cx + w))
                cx += w + gap
            line = em * self.spacing
            offsets = b.offsets or (0.0,) * len(b.parts)
            heights = [self.flow(part, a, c, y + o * line, colours, False) - y for part, (a, c), o in zip(b.parts, xs, offsets)]
            tallest = max(heights)
            if draw:
                for part, (a, c), h, o in zip(b.parts, xs, heights, offsets):
                    top = y + ((tallest - h) / 2 if b.option == "middle" else o * line)
                    self.flow(part, a, c, top, colours, True)
            return y + tallest
        if b.kind == "bullets":
            indent = BULLET_INDENT * em
            if not draw:
                return self.flow(b.parts[0], x0 + indent, x1, y, colours, False)
            for item in b.parts[0]:
                if isinstance(item, list) and self._fits(item, y):
                    f = self.font(item[0].style if item else "body")
                    row_h = self.pitch(f)
                    r = max(1.5, f.size * 0.16)
                    cx, cy = x0 + indent - 0.9 * em, y + row_h / 2 + f.size * 0.05
                    if b.option == "circle":
                        self.draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=colours["fg"], width=max(1, round(r / 2.5)))
                    elif b.option == "disc":
                        self.draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colours["fg"])
                y = self.flow([item], x0 + indent, x1, y, colours, True)
            return y
        pad = (BAND_PAD if b.kind == "band" else BUBBLE_PAD) * em
        if b.kind == "bubble":
            width = BUBBLE_WIDTH * (x1 - x0)
            if b.option == "banner":  # a notification: the whole width
                inner = x1 - x0 - 2 * pad
            else:
                inner = self._natural_width(b.parts[0], width - 2 * pad)
            bx0 = x1 - inner - 2 * pad if b.option == "right" else x0
            box = (bx0, y, bx0 + inner + 2 * pad)
            fill = colours["button"] if b.option == "right" else colours["line"]
            inner_colours = colours if b.option != "right" else {**colours, "fg": colours["button_fg"],
                                                                 "muted": colours["button_fg"], "link": colours["button_fg"]}
        else:
            box = (x0 - (pad if x0 > 0 else 0), y, x1 + (pad if x1 < self.img.width else 0))
            inner_colours = _band_colours(b.option, colours, self.rng) if draw else colours
            fill = inner_colours["bg"]
        h = self.flow(b.parts[0], box[0] + pad, box[2] - pad, y + pad, colours, False) - y + pad
        if draw and y + h <= self.bottom:
            if b.kind == "bubble":
                self.draw.rounded_rectangle((box[0], y, box[2], y + h), radius=pad * 1.5, fill=fill)
            else:
                self.draw.rectangle((box[0], y, box[2], y + h), fill=fill)
            self.flow(b.parts[0], box[0] + pad, box[2] - pad, y + pad, inner_colours, True)
        return y + h + (0.4 * em if b.kind == "bubble" else 0.0)

    def _natural_width(self, items: Sequence[object], limit: float) -> float:
        """How wide a chat bubble is: its widest row as drawn (a paragraph's whole text), at most `limit`
        unless one unbreakable word (an e-mail address) is wider."""
        widest, word = 0.0, 0.0
        for item in items:
            if isinstance(item, list):
                for c in item:
                    f = self.font(c.style)
                    widest = max(widest, f.getlength(c.text) + (f.size * 1.5 if c.icon else 0.0))
                    word = max([word] + [f.getlength(w) for w in c.text.split()])
        return max(min(limit, max(widest, self.base)), word)

    def _min_width(self, items: Sequence[object]) -> float:
        """The narrowest a column of these rows can be: its widest unbreakable word (a browser table's
        min-content width), nested blocks with their padding, indent or columns."""
        widest = 0.0
        for item in items:
            if isinstance(item, float):
                continue
            if not isinstance(item, list):
                inner = [self._min_width(p) for p in item.parts]
                if item.kind == "columns":
                    widest = max(widest, sum(inner) + item.gap * self.base * (len(inner) - 1))
                else:
                    pad = {"band": 2 * BAND_PAD, "bubble": 2 * BUBBLE_PAD, "bullets": BULLET_INDENT}[item.kind]
                    widest = max(widest, max(inner) + pad * self.base)
                continue
            for c in item:
                f = self.font(c.style)
                if c.icon or c.style in BOXED:
                    w = (f.size if c.icon else f.getlength(c.text)) + 2 * BOXED.get(c.style, 0.0) * f.size
                else:
                    w = max([f.getlength(word) for word in c.text.split()] or [0.0])
                widest = max(widest, w)
        return widest

    # -- rows of cells -----------------------------------------------------------------------------------
    def _fits(self, cells: Sequence[LaidCell], y: float) -> bool:
        return y + max(self.pitch(self.font(c.style)) for c in cells) <= self.bottom

    def _cells(self, row: Sequence[LaidCell], x0: float, x1: float, y: float, colours: Dict[str, Colour],
               draw: bool) -> float:
        line: List[Tuple[LaidCell, ImageFont.FreeTypeFont, float]] = []
        cursor = x0
        for cell in row:
            if cell.runs:  # a paragraph starts on a row of its own and wraps
                if line:
                    y = self._place(line, y, colours, draw)
                    line, cursor = [], x0
                y = self._paragraph(cell, x0, x1, y, colours, draw)
                continue
            f = self.font(cell.style)
            pad = BOXED.get(cell.style, 0.0) * f.size
            width = (f.size if cell.icon else f.getlength(cell.text)) + 2 * pad
            if cell.style == "input":
                width = max(width, INPUT_EM * f.size)
            gap = (CELL_GAP if cell.gap is None else cell.gap) * f.size if line else 0.0
            at = COL2 if cell.align == "col2" else cell.at
            if cell.align == "right":
                x = x1 - width
            elif cell.align == "centre":
                x = max(cursor + gap, (x0 + x1 - width) / 2)
            elif at is not None:
                x = max(x0 + at * (x1 - x0), cursor + gap)
            else:
                x = cursor + gap
            if line and (x < cursor + gap or x + width > x1):
                y = self._place(line, y, colours, draw)  # no room: the cell goes to a row of its own
                line, cursor = [], x0
                x = x1 - width if cell.align == "right" else x0 + (at or 0.0) * (x1 - x0)
            if x + width > x1 + 0.5:  # wider than the row even alone
                if " " in cell.text.strip() and cell.style not in BOXED:  # wrapped at its spaces, as a browser does
                    from datagen.screen.families import Run

                    y = self._paragraph(replace(cell, runs=(Run(cell.text, cell.entity, cell.style),)), x, x1, y,
                                        colours, draw)
                    cursor = x0
                    continue
                if x <= x0 or width > x1 - x0 + 0.5:
                    continue  # one unbreakable word wider than the whole row: clipped (overflow: hidden), not drawn
                if line:  # too wide where its column starts, narrower than the row: stacked under its label
                    y = self._place(line, y, colours, draw)
                    line = []
                x = x0
            line.append((cell, f, x + pad))
            cursor = x + width
        if line:
            y = self._place(line, y, colours, draw)
        return y

    def _place(self, cells: List[Tuple[LaidCell, ImageFont.FreeTypeFont, float]], y: float,
               colours: Dict[str, Colour], draw: bool) -> float:
        height = max(max(self.pitch(f), (BOX_ABOVE + BOX_BELOW + 2 * BOXED[c.style] + BOX_SPACE) * f.size)
                     if c.style in BOXED else self.pitch(f) for c, f, _ in cells)
        if not draw or y + height > self.bottom:
            return y + height
        ascent = max(self.metrics(f)[0] for _, f, _ in cells)
        descent = max(self.metrics(f)[1] for _, f, _ in cells)
        baseline = y + (height - ascent - descent) / 2 + ascent  # half the leading above, half below
        for cell, f, x in cells:
            if x + (f.size if cell.icon else f.getlength(cell.text)) > self.img.width:
                continue  # off the right edge of the screen (a page wider than it): not on the screen
            if cell.icon:
                self._icon(cell.icon, x, baseline, f, colours)
                continue
            boxes = self._text(cell.text, cell.style, f, x, baseline, colours)
            if boxes is not None:
                kind = (self.entities[cell.entity].entity.type if cell.entity is not None
                        else f"{cell.mark}{MARKED}" if cell.mark else "text")
                self.truth.append(TruthElement(cell.text, boxes[0], kind, self.row_no, cell.entity, boxes[1]))
        self.row_no += 1
        return y + height

    def _text(self, text: str, style: str, f: ImageFont.FreeTypeFont, x: float, baseline: float,
              colours: Dict[str, Colour]) -> Optional[Tuple[Box, Box]]:
        """Draw one piece of text (on its box for boxed styles, underlined for links); its tight glyph box and
        its line box (advance width x the font's ascent + descent), None when nothing was inked."""
        x0, y0, x1, y1 = self.draw.textbbox((x, baseline), text, font=f, anchor="ls")
        role = STYLE[style][2]
        if style in BOXED:
            pad = BOXED[style] * f.size
            right = max(x1, x + INPUT_EM * f.size - 2 * pad) if style == "input" else x1
            top, low = baseline - f.size * BOX_ABOVE - pad, baseline + f.size * BOX_BELOW + pad
            if style == "input":
                self.draw.rectangle((x - pad, top, right + pad, low), outline=colours["line"], width=max(1, round(f.size / 14)))
            else:
                fill = colours["button"] if style == "button" else colours.get("badge", (220, 53, 69))
                self.draw.rounded_rectangle((x - pad, top, x1 + pad, low), radius=pad * 1.2, fill=fill)
        if style in UNDERLINED and text.strip():
            # the underline skips descenders as browsers draw it (text-decoration-skip-ink): drawn first, then
            # cleared around the glyphs by their outline in the background colour
            uy = baseline + max(1.0, f.size * UNDERLINE_OFFSET)
            self.draw.line((x, uy, x + f.getlength(text), uy), fill=colours[role], width=max(1, round(f.size / 15)))
            self.draw.text((x, baseline), text, font=f, fill=colours["bg"], anchor="ls",
                           stroke_width=max(1, round(f.size / 12)), stroke_fill=colours["bg"])
        self.draw.text((x, baseline), text, font=f, fill=colours[role], anchor="ls")
        if x1 <= x0 or y1 <= y0:
            return None
        ascent, descent = self.metrics(f)
        return Box(x0, y0, x1, y1), Box(x, baseline - ascent, x + f.getlength(text), baseline + descent)

    def _paragraph(self, cell: LaidCell, x0: float, x1: float, y: float, colours: Dict[str, Colour],
                   draw: bool) -> float:
        """Runs wrapped at spaces the way a browser wraps them; one truth element per run per visual line."""
        f = self.font(cell.style)
        # words: lists of (run index, text) glued without a space between them
        words: List[List[Tuple[int, str]]] = []
        glue = False
        for k, run in enumerate(cell.runs):
            text = run.text
            parts = text.split(" ")
            for j, part in enumerate(parts):
                if j > 0:
                    glue = False
                if not part:
                    continue
                if glue and words:
                    words[-1].append((k, part))
                else:
                    words.append([(k, part)])
                glue = True
            if text.endswith(" "):
                glue = False
        lines: List[List[List[Tuple[int, str]]]] = [[]]
        space = f.getlength(" ")
        width = 0.0
        for w in words:
            wl = sum(f.getlength(t) for _, t in w)
            if lines[-1] and width + space + wl > x1 - x0:
                lines.append([])
                width = 0.0
            width += (space if lines[-1] else 0.0) + wl
            lines[-1].append(w)
        height = self.pitch(f)
        ascent, descent = self.metrics(f)
        for ln in lines:
            if draw and y + height <= self.bottom:
                baseline = y + (height - ascent - descent) / 2 + ascent
                pieces: List[Tuple[int, str, float]] = []  # run, text, x
                x = x0
                for n, w in enumerate(ln):
                    if n:
                        x += space
                    for j, (k, t) in enumerate(w):
                        if pieces and pieces[-1][0] == k:  # the same run goes on: one piece
                            run_k, txt, px = pieces[-1]
                            pieces[-1] = (run_k, txt + (" " if j == 0 else "") + t, px)
                        else:
                            pieces.append((k, t, x))
                        x += f.getlength(t)
                for k, txt, px in pieces:
                    if px + f.getlength(txt) > self.img.width:
                        continue  # off the right edge of the screen: not on it
                    run = cell.runs[k]
                    rf = self.font(run.style) if STYLE[run.style][0] == STYLE[cell.style][0] else f
                    boxes = self._text(txt, run.style, rf, px, baseline, colours)
                    if boxes is not None:
                        kind = self.entities[run.entity].entity.type if run.entity is not None else "text"
                        self.truth.append(TruthElement(txt, boxes[0], kind, self.row_no, run.entity, boxes[1]))
                self.row_no += 1
            y += height
        return y

    # -- icons -------------------------------------------------------------------------------------------
    def _icon(self, name: str, x: float, baseline: float, f: ImageFont.FreeTypeFont, colours: Dict[str, Colour]) -> None:
        s = f.size
        top, c = baseline - s * 0.78, colours["icon"]
        box = (x, top, x + s * 0.9, top + s * 0.9)
        d = self.draw
        if name in ("avatar", "user"):
            d.ellipse(box, fill=self.rng.choice([(66, 133, 244), (219, 68, 55), (244, 180, 0), (15, 157, 88)])
                      if name == "avatar" else c)
        elif name == "pin":
            d.ellipse((box[0] + s * 0.15, box[1], box[2] - s * 0.15, box[1] + s * 0.6), fill=c)
            d.polygon([(box[0] + s * 0.2, box[1] + s * 0.4), (box[2] - s * 0.2, box[1] + s * 0.4), ((box[0] + box[2]) / 2, box[3])], fill=c)
        elif name == "mail":
            d.rectangle((box[0], box[1] + s * 0.15, box[2], box[3] - s * 0.1), outline=c, width=max(1, round(s / 10)))
            d.line((box[0], box[1] + s * 0.15, (box[0] + box[2]) / 2, box[1] + s * 0.5, box[2], box[1] + s * 0.15),
                   fill=c, width=max(1, round(s / 10)))
        elif name == "clock":
            d.ellipse(box, outline=c, width=max(1, round(s / 10)))
        elif name == "star":
            cx, cy, r = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2, s * 0.45
            pts = [(cx + (r if i % 2 == 0 else r * 0.45) * math.sin(i * math.pi / 5),
                    cy - (r if i % 2 == 0 else r * 0.45) * math.cos(i * math.pi / 5)) for i in range(10)]
            d.polygon(pts, fill=(244, 180, 0))
        elif name == "menu":
            for k in range(3):
                yy = box[1] + s * (0.15 + 0.3 * k)
                d.rectangle((box[0], yy, box[2], yy + max(1, s * 0.09)), fill=c)
        elif name == "search":
            d.ellipse((box[0], box[1], box[0] + s * 0.6, box[1] + s * 0.6), outline=c, width=max(1, round(s / 10)))
            d.line((box[0] + s * 0.5, box[1] + s * 0.5, box[2], box[3]), fill=c, width=max(1, round(s / 8)))
        elif name == "chevron":
            d.line((box[0] + s * 0.3, box[1] + s * 0.1, box[0] + s * 0.65, (box[1] + box[3]) / 2, box[0] + s * 0.3,
                    box[3] - s * 0.1), fill=c, width=max(1, round(s / 9)))
        elif name == "logo":
            d.rounded_rectangle(box, radius=s * 0.2, fill=colours["button"])
        else:  # phone
            d.rounded_rectangle((box[0] + s * 0.2, box[1], box[2] - s * 0.2, box[3]), radius=s * 0.12, outline=c,
                                width=max(1, round(s / 10)))


def _fit_columns(widths: List[float], needs: List[float]) -> Optional[List[float]]:
    """Column widths widened to what each needs at least, the extra taken from the others in proportion to
    their room (as a browser lays out a table); None when they cannot all fit."""
    short = sum(max(0.0, n - w) for w, n in zip(widths, needs))
    room = sum(max(0.0, w - n) for w, n in zip(widths, needs))
    if short <= 0:
        return widths
    if room < short:
        return None
    return [n if n > w else w - (w - n) * short / room for w, n in zip(widths, needs)]


def render(entities: Sequence[ScreenEntity], rows: Sequence[object], settings: RenderSettings,
           rng: random.Random, device: str = "phone") -> Screen:
    """Draw laid-out rows (families.layout) on a device; returns the image and its truth."""
    dev = getattr(settings, device)
    s = rng.uniform(*dev.scale)
    W, H = int(rng.uniform(*dev.width) * s), int(dev.height * s)
    theme_name = rng.choice(settings.themes) if device == "phone" else "light"
    face = rng.choice(dev.fonts)
    colours = _theme(theme_name, rng, rng.uniform(*settings.contrast))
    base = rng.uniform(*dev.base_size) * s
    spacing = rng.uniform(*dev.line_spacing)
    img = Image.new("RGB", (W, H), colours["bg"])
    margin = (MARGIN if device == "phone" else WEB_MARGIN) * s
    canvas = _Canvas(img, entities, face, base, spacing, H - margin, s, rng)
    body = [r for r in rows if not (getattr(r, "kind", "") == "band" and getattr(r, "bottom", False))]
    for r in rows:  # tab bars first: the body's rows stop above them
        if r not in body:
            h = canvas.flow([r], 0.0, W, 0.0, colours, False)
            canvas.bottom = H + 0.5  # against the bottom edge (half a pixel for rounding)
            canvas.flow([r], 0.0, W, H - h, colours, True)
            canvas.bottom = H - h - margin / 2
    canvas.flow(body, margin, W - margin, margin, colours, True)
    img, truth = _degrade(img, canvas.truth, settings, rng, colours["bg"])
    # entities none of whose parts made it onto the screen are not on it
    shown = {t.entity for t in truth if t.entity is not None}
    keep = [i for i in range(len(entities)) if i in shown]
    renumber = {old: new for new, old in enumerate(keep)}
    truth = [replace(t, entity=renumber.get(t.entity)) if t.entity is not None else t for t in truth]
    return Screen(img, truth, [entities[i] for i in keep], theme_name, face, device)


def _degrade(img: Image.Image, truth: List[TruthElement], settings: RenderSettings, rng: random.Random,
             bg: Colour) -> Tuple[Image.Image, List[TruthElement]]:
    """Optional tilt (truth boxes turned with the image), noise, blur and JPEG artefacts (each off by default)."""
    if settings.tilt > 0:
        angle = rng.uniform(-settings.tilt, settings.tilt)
        img = img.rotate(angle, resample=Image.BICUBIC, fillcolor=bg)
        cx, cy = img.width / 2, img.height / 2
        a = math.radians(angle)
        cos, sin = math.cos(a), math.sin(a)

        def turn(b: Box) -> Box:  # PIL turns counter-clockwise on screen (y down)
            pts = [(cx + (x - cx) * cos + (y - cy) * sin, cy - (x - cx) * sin + (y - cy) * cos)
                   for x, y in ((b.x0, b.y0), (b.x1, b.y0), (b.x0, b.y1), (b.x1, b.y1))]
            return Box(min(p[0] for p in pts), min(p[1] for p in pts), max(p[0] for p in pts), max(p[1] for p in pts))

        truth = [replace(t, box=turn(t.box), line_box=turn(t.line_box) if t.line_box else None) for t in truth]
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
    return img, truth
