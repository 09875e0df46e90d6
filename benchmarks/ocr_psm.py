"""Benchmark: Tesseract page segmentation modes (psm) on synthetic phone screenshots.

Renders --screens varied synthetic phone screens (390x844 points, drawn at each --scales
factor: 1x = 390x844 px, 2x = 780x1688 px), with a few font sizes and families, light and
dark themes, and layouts typical of apps: a status bar, a bold title, two-column label/value
rows (label left, value right-aligned), wrapped paragraphs, contacts with initials avatars,
chat bubbles, a search field, a button row and a tab bar with icons and small labels.
Each screen is OCR'd with `datagen.screen.ocr.Ocr` for every --psm, and the script prints,
per psm and scale:
  * acc   word accuracy: the fraction of drawn words (whitespace tokens) that come back as an
          OCR word with exactly the same text (multiset match, position ignored);
  * light / dark  the same accuracy restricted to light / dark screens;
  * extra OCR words matching no drawn word (misreads, split/merged words, icon noise),
          as a fraction of the drawn words;
  * ms    mean wall time of one `Ocr.words` call (Tesseract subprocess included);
  * cpu_ms  mean CPU time of one call, this process plus the Tesseract subprocess: steadier
          than wall time on a busy machine.
No thresholds are asserted: the numbers are for reading. Runs are single-process and
sequential, the psms interleaved screen by screen, so the timings are comparable.

Run:
    python benchmarks/ocr_psm.py                       # psm 3 4 6 11 12, scales 1 2, 10 screens
    python benchmarks/ocr_psm.py --psm 11 --scales 2 --screens 4 --gray
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Dict, List, Tuple

import matplotlib
from PIL import Image, ImageDraw, ImageFont

from datagen.screen.ocr import Ocr, OcrSettings

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FAMILIES = [
    ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf"),
    ("DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf"),
]
W, H = 390, 844  # points (iPhone 12-15 logical size)
LIGHT = {"bg": (255, 255, 255), "fg": (20, 20, 20), "muted": (110, 110, 115), "bubble": (229, 229, 234),
         "accent": (0, 122, 255)}
DARK = {"bg": (0, 0, 0), "fg": (240, 240, 240), "muted": (152, 152, 157), "bubble": (44, 44, 46),
        "accent": (10, 132, 255)}

TITLES = ["Contacts", "Settings", "Messages", "Order Details", "Account", "Support", "Payment", "Profile"]
LABELS = ["Sales", "Phone", "Email", "Address", "Website", "Mobile", "Office", "Billing", "Status", "Total"]
VALUES = ["sales@example.com", "(206) 555-0142", "+1 415 555 0199", "1200 Pine Street", "www.example.org",
          "support@acme.io", "Delivered", "$48.20", "March 14, 2024", "Seattle, WA 98101", "Order 48213"]
WORDS = ("the your order has been shipped and will arrive tomorrow please call us if you have any "
         "questions about account payment delivery receipt we sent a code to confirm new device "
         "meeting at office on monday thanks for help see you soon").split()
NAMES = ["Anna Weber", "John Davis", "Maria Lopez", "Tom Becker", "Lena Fischer", "Sam Carter", "Nina Patel"]
TIMES = ["10:42 AM", "Yesterday", "9:05 PM", "Monday", "Mar 3"]
TABS = ["Home", "Search", "Inbox", "Profile", "Calls", "Chats", "Settings"]
BUTTONS = [("Cancel", "Save"), ("Decline", "Accept"), ("Back", "Next"), ("Later", "Update")]


def font(name: str, size: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_DIR / name), max(6, round(size)))


def render(seed: int, scale: int) -> Tuple[Image.Image, List[str], bool]:
    """One synthetic screen -> (image, drawn words, dark). The same seed gives the same layout
    at every scale; only the pixel density changes."""
    rng = random.Random(seed)
    dark = seed % 2 == 1
    theme = DARK if dark else LIGHT
    regular, bold = FAMILIES[seed % len(FAMILIES)]
    base = [13, 15, 17, 20][seed % 4]
    s = scale
    img = Image.new("RGB", (W * s, H * s), theme["bg"])
    d = ImageDraw.Draw(img)
    drawn: List[str] = []

    def text(x: float, y: float, t: str, f, fill, anchor: str = "la") -> Tuple[int, int, int, int]:
        d.text((x * s, y * s), t, font=f, fill=fill, anchor=anchor)
        drawn.extend(t.split())
        return d.textbbox((x * s, y * s), t, font=f, anchor=anchor)

    small = font(regular, 12 * s)
    text(16, 14, f"{rng.randint(1, 12)}:{rng.randint(0, 59):02d}", small, theme["fg"])
    text(W - 16, 14, f"{rng.randint(5, 99)}%", small, theme["fg"], anchor="ra")
    text(16, 48, rng.choice(TITLES), font(bold, (base + 12) * s), theme["fg"])
    f = font(regular, base * s)
    fb = font(bold, base * s)
    fsmall = font(regular, (base - 2) * s)
    line_h = base * 1.6
    y = 100.0

    def rows() -> float:  # two-column label/value rows: label left, value right-aligned
        y_ = y
        for _ in range(rng.randint(2, 5)):
            text(16, y_, rng.choice(LABELS), fb, theme["fg"])
            text(W - 16, y_, rng.choice(VALUES), f, theme["accent"] if rng.random() < 0.4 else theme["muted"],
                 anchor="ra")
            y_ += line_h * 1.5
        return y_ + line_h * 0.3

    def paragraph() -> float:  # wrapped body text
        y_ = y
        words = [rng.choice(WORDS) for _ in range(rng.randint(10, 26))]
        line: List[str] = []
        for w in words:
            if d.textlength(" ".join(line + [w]), font=f) > (W - 32) * s and line:
                text(16, y_, " ".join(line), f, theme["fg"])
                y_ += line_h
                line = [w]
            else:
                line.append(w)
        if line:
            text(16, y_, " ".join(line), f, theme["fg"])
            y_ += line_h
        return y_ + line_h * 0.6

    def contacts() -> float:  # avatar circle with initials, name, muted time right-aligned
        y_ = y
        for _ in range(rng.randint(2, 3)):
            name = rng.choice(NAMES)
            r = base * 1.2
            d.ellipse(((16) * s, (y_ - 4) * s, (16 + 2 * r) * s, (y_ - 4 + 2 * r) * s), fill=theme["accent"])
            text(16 + r, y_ - 4 + r, "".join(p[0] for p in name.split()), font(bold, base * 0.9 * s),
                 (255, 255, 255), anchor="mm")
            text(16 + 2 * r + 12, y_, name, fb, theme["fg"])
            text(W - 16, y_ + 2, rng.choice(TIMES), fsmall, theme["muted"], anchor="ra")
            y_ += 2 * r + 14
        return y_ + 6

    def bubbles() -> float:  # chat bubbles, alternating sides
        y_ = y
        for i in range(rng.randint(1, 3)):
            msg = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 5)))
            width = d.textlength(msg, font=f) / s
            x0 = 16 if i % 2 == 0 else W - 16 - width - 24
            d.rounded_rectangle((x0 * s, (y_ - 8) * s, (x0 + width + 24) * s, (y_ + base + 10) * s),
                                radius=14 * s, fill=theme["bubble"])
            text(x0 + 12, y_, msg, f, theme["fg"])
            y_ += line_h * 2.2
        return y_

    def search() -> float:  # search field with a magnifier icon and a muted placeholder
        d.rounded_rectangle((16 * s, (y - 6) * s, (W - 16) * s, (y + base + 10) * s), radius=10 * s,
                            fill=theme["bubble"])
        d.ellipse((26 * s, (y + 1) * s, (36 * s), (y + 11) * s), outline=theme["muted"], width=2 * s)
        text(46, y, "Search", f, theme["muted"])
        return y + base + 30

    sections = [rows, paragraph, contacts, bubbles, search]
    rng.shuffle(sections)
    for section in sections:
        if y > H - 200:
            break
        y = section()
    if y < H - 150:  # two buttons centred in two columns
        left, right = rng.choice(BUTTONS)
        y = max(y, H - 140)
        text(W * 0.25, y, left, fb, theme["accent"], anchor="ma")
        text(W * 0.75, y, right, fb, theme["accent"], anchor="ma")
    # tab bar: four icons (simple shapes) with small labels under them
    d.line((0, (H - 70) * s, W * s, (H - 70) * s), fill=theme["bubble"], width=s)
    for i, tab in enumerate(rng.sample(TABS, 4)):
        cx = W * (i + 0.5) / 4
        colour = theme["accent"] if i == 0 else theme["muted"]
        if i % 2:
            d.rounded_rectangle(((cx - 11) * s, (H - 60) * s, (cx + 11) * s, (H - 40) * s), radius=4 * s,
                                outline=colour, width=2 * s)
        else:
            d.ellipse(((cx - 10) * s, (H - 60) * s, (cx + 10) * s, (H - 40) * s), fill=colour)
        text(cx, H - 34, tab, font(regular, 10 * s), colour, anchor="ma")
    return img, drawn, dark


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def accuracy(drawn: List[str], found: List[str]) -> Tuple[int, int, int]:
    """(drawn words found exactly, drawn words, OCR words that match no drawn word)."""
    hit = sum((Counter(drawn) & Counter(found)).values())
    return hit, len(drawn), len(found) - hit


def main(argv: List[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--psm", type=int, nargs="+", default=[3, 4, 6, 11, 12])
    ap.add_argument("--scales", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--screens", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0, help="first screen's seed")
    ap.add_argument("--gray", action="store_true", help="convert screens to 'L' before OCR")
    ap.add_argument("--save", type=Path, default=None, help="folder to save the rendered screens in")
    args = ap.parse_args(argv)

    ocrs = {psm: Ocr(OcrSettings(psm=psm)) for psm in args.psm}
    stats: Dict[Tuple[int, int], Dict[str, float]] = {}
    for sc in args.scales:
        for i in range(args.seed, args.seed + args.screens):
            im, drawn, dark = render(i, sc)
            if args.gray:
                im = im.convert("L")
            if args.save:
                args.save.mkdir(parents=True, exist_ok=True)
                im.save(args.save / f"screen{i:02d}@{sc}x.png")
            # psms interleaved, starting at a different one per screen, so that drifting load on
            # the machine spreads evenly over them
            order = args.psm[i % len(args.psm):] + args.psm[: i % len(args.psm)]
            for psm in order:
                st = stats.setdefault((psm, sc), Counter())
                cpu0, t0 = _cpu(), time.perf_counter()
                words = ocrs[psm].words(im)
                st["wall"] += time.perf_counter() - t0
                st["cpu"] += _cpu() - cpu0
                hit, n, x = accuracy(drawn, [w.text for w in words])
                st["hit_dark" if dark else "hit_light"] += hit
                st["n_dark" if dark else "n_light"] += n
                st["extra"] += x
                st["images"] += 1

    print(f"{'psm':>4} {'scale':>5} {'acc':>6} {'light':>6} {'dark':>6} {'extra':>6} {'ms':>7} {'cpu_ms':>7}"
          f"   ({args.screens} screens{', gray' if args.gray else ''})")
    for psm in args.psm:
        for sc in args.scales:
            st = stats[(psm, sc)]
            n = st["n_light"] + st["n_dark"]
            print(f"{psm:>4} {sc:>4}x {(st['hit_light'] + st['hit_dark']) / n:6.3f} "
                  f"{st['hit_light'] / max(1, st['n_light']):6.3f} {st['hit_dark'] / max(1, st['n_dark']):6.3f} "
                  f"{st['extra'] / n:6.3f} {1000 * st['wall'] / st['images']:7.0f} "
                  f"{1000 * st['cpu'] / st['images']:7.0f}")
    print(f"engine: {next(iter(ocrs.values())).engine}; words drawn per scale: "
          f"{int(n)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
