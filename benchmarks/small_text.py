"""Benchmark: e-mail recall and OCR word accuracy on small web text, without and with the OCR preparation.

The shared real pages hold few e-mail labels (5 desktop, 4 mobile; benchmarks/realpages.py also
scores every address in their text: 147 and 31, mostly "info@..."), so e-mail recall at web text sizes,
and on harder addresses, is measured here on renders as well: --images pages per font size (default sizes 12-16 px,
CSS px at --scale 1, as a desktop browser shows body text), drawn with Pillow in the DejaVu
faces (sans, serif, mono; regular and bold labels), in four themes (black on white, grey on
white, link blue on white, light on a dark band). Each page is a contact block of a web page: a
heading, label/value rows with the value right-aligned ("Sales ... sales@acme-corp.com"),
sentences with an address inside ("Write to j.smith42@mail.example.org or call ..."), a footer
row ("info@... | (206) 555-0142") and filler paragraphs; the e-mail addresses come from Faker
(seeded) and a few harder shapes (digits, hyphens, underscores, sub-domains, country TLDs).

Every page is read by the pipeline (`datagen.screen.read.read_image`, default settings) twice:
without the preparation (screen.ocr.min_text_height=0, reread_regions=0 and recheck_conf=0: the image goes to Tesseract as
is, read once) and with
it (the defaults, or --min-text-height/--target-text-height/--max-upscale). Scored as the real
pages are (datagen.screen.score): an e-mail is found when an EmailAddress detection overlaps its
drawn box with the same text (case and spaces ignored). Also printed: OCR word accuracy (drawn
words found, case-folded, punctuation at the ends stripped, among the OCR words whose centre lies
in the drawn line's box), what the preparation did, and CPU seconds per page (this process and
Tesseract). Numbers, no thresholds; nothing is cached (--cache to use a folder).

Run:
    python benchmarks/small_text.py                          # sizes 12-16 px, 8 pages each
    python benchmarks/small_text.py --sizes 13 --images 20 --target-text-height 24
    python benchmarks/small_text.py --scale 2                # the same pages at 2x (24-32 px text)
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import resource
import string
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from faker import Faker  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from datagen.screen.detect import DetectSettings  # noqa: E402
from datagen.screen.lines import LineSettings  # noqa: E402
from datagen.screen.model import Box  # noqa: E402
from datagen.screen.ocr import Ocr, OcrSettings  # noqa: E402
from datagen.screen.ocr_cache import make_ocr  # noqa: E402
from datagen.screen.read import read_image  # noqa: E402
from datagen.screen.render import font  # noqa: E402
from datagen.screen.score import Fragment, ScreenTruth, TruthEntity, score_entities  # noqa: E402

PREPARATION = ("min_text_height", "target_text_height", "max_upscale")
WITHOUT = {"min_text_height": 0.0, "reread_regions": 0, "recheck_conf": 0.0}  # as before the preparation: as is, read once
FACES = ("sans", "serif", "mono")
THEMES = {  # background, text, muted, link
    "black": ((255, 255, 255), (20, 20, 20), (90, 90, 90), (20, 20, 20)),
    "grey": ((255, 255, 255), (85, 85, 85), (120, 120, 120), (85, 85, 85)),
    "link": ((255, 255, 255), (30, 30, 30), (100, 100, 100), (0, 0, 238)),
    "dark": ((40, 44, 52), (235, 235, 235), (180, 180, 180), (130, 180, 255)),
}
LABELS = ("Email", "E-mail", "Sales", "Support", "Contact", "Office", "Billing", "Press", "Careers", "Info")
FILLER = ("our team is happy to help with quotes orders and questions about delivery we answer every "
          "message within one business day please include your order number when you write the office "
          "is open monday to friday from nine to five except public holidays").split()
_PUNCT = string.punctuation + "\u201c\u201d\u2018\u2019\u2013\u2014\u2022\u00b7|"


def email(fake: Faker, rng: random.Random) -> str:
    """An e-mail address: Faker's, or a harder shape (digits, hyphens, underscores, sub-domains, ccTLDs)."""
    kind = rng.random()
    if kind < 0.35:
        return fake.email()
    if kind < 0.55:
        return fake.company_email()
    first, last = fake.first_name().lower(), fake.last_name().lower()
    local = rng.choice([f"{first}.{last}", f"{first[0]}.{last}{rng.randint(1, 99)}", f"{first}_{last}",
                        f"{last}-{first[0]}", f"{first}{rng.randint(70, 99)}", rng.choice(["info", "sales", "office"])])
    host = fake.domain_word().lower()
    domain = rng.choice([f"{host}.com", f"{host}-group.net", f"mail.{host}.org", f"{host}.co.uk", f"{host}.de",
                         f"{host}.io", f"{host}{rng.randint(1, 9)}.biz"])
    return f"{local}@{domain}"


def render(seed: int, size: int, scale: float) -> Tuple[Image.Image, List[Fragment], List[TruthEntity]]:
    """One contact block -> (image, drawn lines as fragments, drawn e-mails as truth entities)."""
    rng = random.Random(seed)
    fake = Faker("en_US")
    fake.seed_instance(seed)
    face = FACES[seed % len(FACES)]
    theme = list(THEMES)[(seed // len(FACES)) % len(THEMES)]
    bg, fg, muted, link = THEMES[theme]
    s = scale
    W = 960
    img = Image.new("RGB", (round(W * s), round(720 * s)), bg)
    d = ImageDraw.Draw(img)
    px = lambda v: round(v * s)  # noqa: E731
    body, bold, head = font(face, False, px(size)), font(face, True, px(size)), font(face, True, px(size * 1.5))
    frags: List[Fragment] = []
    emails: List[TruthEntity] = []
    lh = size * rng.uniform(1.3, 1.6)

    def text(x: float, y: float, t: str, f, fill, anchor: str = "la", mail: Optional[str] = None) -> None:
        d.text((px(x), px(y)), t, font=f, fill=fill, anchor=anchor)
        b = d.textbbox((px(x), px(y)), t, font=f, anchor=anchor)
        frags.append(Fragment(t, Box(*map(float, b))))
        if mail is not None:  # the box of the address inside the run
            x0 = b[0] + d.textlength(t[:t.index(mail)], font=f)
            emails.append(TruthEntity("EmailAddress", mail, (Box(x0, b[1], x0 + d.textlength(mail, font=f), b[3]),)))

    def filler(y: float, n: int) -> float:
        words = [rng.choice(FILLER) for _ in range(n)]
        line: List[str] = []
        for w in words:
            if d.textlength(" ".join(line + [w]), font=body) > px(W - 64) and line:
                text(32, y, " ".join(line), body, fg)
                y += lh
                line = [w]
            else:
                line.append(w)
        if line:
            text(32, y, " ".join(line), body, fg)
            y += lh
        return y + lh * 0.5

    y = 24.0
    text(32, y, rng.choice(["Contact us", "Get in touch", "Our offices", "Customer service"]), head, fg)
    y += size * 2.4
    y = filler(y, rng.randint(12, 24))
    for label in rng.sample(LABELS, rng.randint(3, 5)):  # label left, value right-aligned
        mail = email(fake, rng)
        text(32, y, label + ":", bold, muted if theme != "dark" else fg)
        text(W / 2, y, mail, body, link, "ra", mail=mail)
        y += lh * 1.2
    y += lh * 0.5
    for _ in range(rng.randint(2, 3)):  # an address inside a sentence
        mail = email(fake, rng)
        t = rng.choice([f"Write to {mail} or call {fake.numerify('(###) ###-####')}.",
                        f"Questions? {fake.first_name()} {fake.last_name()} answers at {mail} today",
                        f"For press enquiries please e-mail {mail}"])
        text(32, y, t, body, fg, mail=mail)
        y += lh
    y = filler(y + lh * 0.5, rng.randint(8, 16))
    mail = email(fake, rng)
    band = (0, px(y - 6), img.width, px(y + size * 1.6))
    if theme == "dark":
        d.rectangle(band, fill=(20, 22, 26))
    t = f"{mail} | {fake.numerify('(###) ###-####')} | {fake.city()}"
    text(32, y, t, body, muted, mail=mail)
    return img.crop((0, 0, img.width, min(img.height, px(y + size * 3)))), frags, emails


def _norm(token: str) -> str:
    return token.casefold().strip(_PUNCT)


def word_accuracy(frags: List[Fragment], words) -> Counter:
    c: Counter = Counter()
    for f in frags:
        truth = Counter(t for t in map(_norm, f.text.split()) if t)
        b = f.box
        got = Counter(t for t in (_norm(w.text) for w in words if b.x0 <= w.box.cx <= b.x1 and b.y0 <= w.box.cy <= b.y1) if t)
        c["truth"] += sum(truth.values())
        c["found"] += sum((truth & got).values())
    return c


_STATE: Dict[str, Any] = {}


def _init(settings: Dict[str, Any], cache: Optional[str]) -> None:
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    _STATE["ocr"] = make_ocr(Ocr(OcrSettings(**settings)), cache)


def _cpu() -> float:
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + c.ru_utime + c.ru_stime


def one(job: Tuple[int, int, float]) -> Dict[str, Any]:
    seed, size, scale = job
    img, frags, emails = render(seed, size, scale)
    c0 = _cpu()
    read = read_image(img, _STATE["ocr"], DetectSettings(), LineSettings())
    cpu = _cpu() - c0
    truth = ScreenTruth(tuple(frags), tuple(emails), ("EmailAddress",))
    ents = score_entities(read.detections, truth)
    t = "EmailAddress"
    found = [e.text for e in emails]  # which ones were missed, for reading
    missed = []
    if ents.found[t] < ents.labels[t]:
        got = {d.text.replace(" ", "").lower() for d in read.detections if d.type == t}
        missed = [m for m in found if m.lower() not in got]
    return {"size": size, "labels": ents.labels[t], "found": ents.found[t], "detected": ents.detected[t],
            "precise": ents.precise[t], "acc": word_accuracy(frags, read.words), "cpu": cpu,
            "prepared": read.prepared, "height": read.text_height, "missed": missed}


def run(settings: Dict[str, Any], jobs, workers: int, cache: Optional[str]) -> List[Dict[str, Any]]:
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(workers, initializer=_init, initargs=(settings, cache)) as pool:
        return pool.map(one, jobs, chunksize=1)


def summary(rows: List[Dict[str, Any]]) -> Dict[str, Any]:
    acc: Counter = Counter()
    for r in rows:
        acc.update(r["acc"])
    labels, found = sum(r["labels"] for r in rows), sum(r["found"] for r in rows)
    detected, precise = sum(r["detected"] for r in rows), sum(r["precise"] for r in rows)
    return {"pages": len(rows), "emails": labels, "recall": found / labels if labels else None,
            "precision": precise / detected if detected else None,
            "word_accuracy": acc["found"] / acc["truth"] if acc["truth"] else None,
            "cpu": sum(r["cpu"] for r in rows) / max(1, len(rows)),
            "prepared": dict(Counter(r["prepared"] for r in rows)),
            "height": dict(Counter(r["height"] for r in rows))}


def _f(v: Optional[float]) -> str:
    return "  n/a" if v is None else f"{v:.3f}"


def main(argv: Optional[List[str]] = None) -> Dict[str, Any]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[12, 13, 14, 15, 16], help="font sizes in CSS px")
    p.add_argument("--images", type=int, default=8, help="pages per size")
    p.add_argument("--scale", type=float, default=1.0, help="device pixels per CSS px")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    p.add_argument("--cache", default="", help="OCR cache folder ('' = off, the default: every page is OCR'd)")
    p.add_argument("--show-missed", action="store_true", help="print the e-mails that were not found")
    for name in PREPARATION:
        p.add_argument(f"--{name.replace('_', '-')}", dest=name, type=float, default=None)
    args = p.parse_args(argv)
    with_ = {k: getattr(args, k) for k in PREPARATION if getattr(args, k) is not None}
    jobs = [(args.seed * 100_000 + size * 1000 + i, size, args.scale) for size in args.sizes for i in range(args.images)]
    out: Dict[str, Any] = {}
    for name, settings in (("without", WITHOUT), ("with", with_)):
        rows = run(settings, jobs, args.workers, args.cache or None)
        by_size = defaultdict(list)
        for r in rows:
            by_size[r["size"]].append(r)
        out[name] = {"all": summary(rows), **{size: summary(v) for size, v in sorted(by_size.items())}}
        if args.show_missed:
            print(f"missed {name}: " + ", ".join(m for r in rows for m in r["missed"]))
    print(f"\n== small text at scale {args.scale:g}: e-mail recall and OCR word accuracy, without vs with the "
          f"OCR preparation ({OcrSettings(**with_).min_text_height:g}/{OcrSettings(**with_).target_text_height:g}/"
          f"{OcrSettings(**with_).max_upscale:g}: min/target text height px, max upscale) ==")
    print(f"{'font px':<9}{'pages':>6}{'e-mails':>8}   {'recall':>15}   {'precision':>15}   {'word accuracy':>15}"
          f"   {'CPU s/page':>13}   with: prepared (measured height px)")
    for size in [*args.sizes, "all"]:
        a, b = out["without"][size], out["with"][size]
        print(f"{str(size):<9}{a['pages']:>6}{a['emails']:>8}   {_f(a['recall'])} -> {_f(b['recall'])}   "
              f"{_f(a['precision'])} -> {_f(b['precision'])}   {_f(a['word_accuracy'])} -> {_f(b['word_accuracy'])}"
              f"   {a['cpu']:.2f} -> {b['cpu']:.2f}   {b['prepared']} ({sorted(b['height'].items(), key=lambda kv: kv[0] or 0)})")
    return out


if __name__ == "__main__":
    main()
